import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatImageReference,
  type ImageReference,
  isSha256Digest,
  parseImageReference,
  parseResourceUrl,
  resourceUrl,
} from './reference.js';
import { SigningError } from './signing-error.js';
import { errorOf } from './test-support/error-of.js';

const HEX = 'a'.repeat(32) + '0123456789abcdef'.repeat(2);
const D = `sha256:${HEX}`;

describe('parseImageReference: valid', () => {
  it.each<[string, ImageReference]>([
    ['busybox', { registry: 'docker.io', path: 'library/busybox', name: 'docker.io/library/busybox' }],
    [
      'busybox:latest',
      { registry: 'docker.io', path: 'library/busybox', name: 'docker.io/library/busybox', tag: 'latest' },
    ],
    [
      'docker.io/busybox',
      { registry: 'docker.io', path: 'library/busybox', name: 'docker.io/library/busybox' },
    ],
    [
      'index.docker.io/busybox',
      { registry: 'docker.io', path: 'library/busybox', name: 'docker.io/library/busybox' },
    ],
    ['index.docker.io/foo/bar', { registry: 'docker.io', path: 'foo/bar', name: 'docker.io/foo/bar' }],
    [
      'testing/manifest',
      { registry: 'docker.io', path: 'testing/manifest', name: 'docker.io/testing/manifest' },
    ],
    ['gcr.io/p/app', { registry: 'gcr.io', path: 'p/app', name: 'gcr.io/p/app' }],
    [`gcr.io/p/app@${D}`, { registry: 'gcr.io', path: 'p/app', name: 'gcr.io/p/app', digest: D }],
    [
      `gcr.io/p/app:v1.2_rc-3@${D}`,
      { registry: 'gcr.io', path: 'p/app', name: 'gcr.io/p/app', tag: 'v1.2_rc-3', digest: D },
    ],
    ['localhost:5000/x', { registry: 'localhost:5000', path: 'x', name: 'localhost:5000/x' }],
    ['localhost/x', { registry: 'localhost', path: 'x', name: 'localhost/x' }],
    [
      'registry.example.com:443/a/b/c',
      { registry: 'registry.example.com:443', path: 'a/b/c', name: 'registry.example.com:443/a/b/c' },
    ],
    ['[::1]:5000/x:t', { registry: '[::1]:5000', path: 'x', name: '[::1]:5000/x', tag: 't' }],
    ['127.0.0.1:5000/x', { registry: '127.0.0.1:5000', path: 'x', name: '127.0.0.1:5000/x' }],
    [
      'us-west1-docker.pkg.dev/p/r/img',
      { registry: 'us-west1-docker.pkg.dev', path: 'p/r/img', name: 'us-west1-docker.pkg.dev/p/r/img' },
    ],
    [
      'gcr.io/example.com/p/img',
      { registry: 'gcr.io', path: 'example.com/p/img', name: 'gcr.io/example.com/p/img' },
    ],
    [
      'a/b__c.d-e---f_g',
      { registry: 'docker.io', path: 'a/b__c.d-e---f_g', name: 'docker.io/a/b__c.d-e---f_g' },
    ],
    ['Registry.Example/x', { registry: 'Registry.Example', path: 'x', name: 'Registry.Example/x' }],
    [
      `x@sha512:${'f'.repeat(128)}`,
      {
        registry: 'docker.io',
        path: 'library/x',
        name: 'docker.io/library/x',
        digest: `sha512:${'f'.repeat(128)}`,
      },
    ],
    [
      'localhost:5000',
      { registry: 'docker.io', path: 'library/localhost', name: 'docker.io/library/localhost', tag: '5000' },
    ],
  ])('%s', (input, expected) => {
    expect(parseImageReference(input)).toEqual(expected);
  });

  it('accepts a 128-character tag and a 255-character name', () => {
    const tag = `t${'x'.repeat(127)}`;
    expect(parseImageReference(`gcr.io/a:${tag}`).tag).toBe(tag);
    const path = 'a'.repeat(255 - 'gcr.io/'.length);
    expect(parseImageReference(`gcr.io/${path}`).name).toHaveLength(255);
  });
});

describe('parseImageReference: invalid', () => {
  it.each<[string, string]>([
    ['', 'empty'],
    ['gcr.io/p/../x', 'path component ".." is not allowed'],
    ['gcr.io/p/./x', 'path component "." is not allowed'],
    ['UPPERCASE', 'lower-case'],
    ['UPPERCASEISINVALID', 'lower-case'],
    ['gcr.io/P/app', 'lower-case'],
    ['gcr.io//app', 'empty component'],
    ['gcr.io/app/', 'empty component'],
    ['/app', 'empty component'],
    ['gcr.io/p/app ', 'whitespace'],
    ['gcr.io/p/\tapp', 'whitespace'],
    [' busybox', 'whitespace'],
    ['gcr.io/p/a-', "separated by '.', '_', '__' or '-'"],
    ['gcr.io/p/_a', "separated by '.', '_', '__' or '-'"],
    ['gcr.io/p/a___b', "separated by '.', '_', '__' or '-'"],
    ['gcr.io/p/a..b', "separated by '.', '_', '__' or '-'"],
    ['gcr.io/p/app:', 'tag'],
    ['gcr.io/p/app:.x', 'tag ".x"'],
    ['gcr.io/p/app:-x', 'tag "-x"'],
    [`gcr.io/p/app:${'x'.repeat(129)}`, 'at most 128'],
    ['gcr.io/p/app@', 'is not ALGORITHM:HEX'],
    ['gcr.io/p/app@sha256:abc', 'is not ALGORITHM:HEX'],
    [`gcr.io/p/app@sha256:${HEX}0`, '64 hex digits, this one has 65'],
    [`gcr.io/p/app@sha256:${'a'.repeat(63)}`, '64 hex digits, this one has 63'],
    [`gcr.io/p/app@sha256:${HEX.toUpperCase()}`, 'lower-case'],
    [`gcr.io/p/app@md5:${'a'.repeat(32)}`, 'not supported'],
    [`gcr.io/p/app@${D}@${D}`, 'is not ALGORITHM:HEX'],
    ['gcr.io:abc/app', 'port "abc"'],
    ['-gcr.io/app', 'host "-gcr.io"'],
    ['gcr..io/app', 'host "gcr..io"'],
    [HEX, 'image ID'],
    [`gcr.io/${'a'.repeat(249)}`, 'at most 255'],
    [`${'a'.repeat(250)}/b`, 'at most 255'],
    ['x'.repeat(2000), 'longer than 1024'],
    ['gcr.io/p/app\u0000', "separated by '.', '_', '__' or '-'"],
    ['gcr.io/p/caf\u00e9', "separated by '.', '_', '__' or '-'"],
  ])('%j: %s', (input, reason) => {
    const error = errorOf(() => parseImageReference(input));
    expect(error.code).toBe('REFERENCE_INVALID');
    expect(error.message).toContain(reason);
    expect(error.fix).toContain('REGISTRY');
  });

  it('a non-string is REFERENCE_INVALID', () => {
    expect(errorOf(() => parseImageReference(undefined as unknown as string)).code).toBe('REFERENCE_INVALID');
  });
});

describe('formatImageReference', () => {
  it.each([
    ['busybox', 'docker.io/library/busybox'],
    ['busybox:1', 'docker.io/library/busybox:1'],
    [`gcr.io/p/app:v1@${D}`, `gcr.io/p/app:v1@${D}`],
    [`localhost:5000/x@${D}`, `localhost:5000/x@${D}`],
  ])('%s → %s', (input, formatted) => {
    expect(formatImageReference(parseImageReference(input))).toBe(formatted);
  });
});

describe('resource URLs', () => {
  it('builds https://NAME@DIGEST without the tag', () => {
    expect(resourceUrl(parseImageReference(`gcr.io/p/app:v1@${D}`))).toBe(`https://gcr.io/p/app@${D}`);
    expect(resourceUrl(parseImageReference(`busybox@${D}`))).toBe(`https://docker.io/library/busybox@${D}`);
  });

  it('refuses an image without a sha256 digest: REFERENCE_NOT_PINNED with a way to get one', () => {
    const error = errorOf(() => resourceUrl(parseImageReference('gcr.io/p/app:v1')));
    expect(error.code).toBe('REFERENCE_NOT_PINNED');
    expect(error.fix).toContain('crane digest gcr.io/p/app:TAG');
    expect(error.fix).toContain('docker buildx imagetools inspect');
    const sha512 = errorOf(() => resourceUrl(parseImageReference(`x@sha512:${'f'.repeat(128)}`)));
    expect(sha512.code).toBe('REFERENCE_NOT_PINNED');
    expect(sha512.message).toContain('not sha256');
  });

  it('parses its inverse, with or without https://', () => {
    const ref = parseImageReference(`us-docker.pkg.dev/google-samples/containers/gke/hello-app@${D}`);
    expect(parseResourceUrl(resourceUrl(ref))).toEqual(ref);
    expect(parseResourceUrl(`us-docker.pkg.dev/google-samples/containers/gke/hello-app@${D}`)).toEqual(ref);
  });

  it.each<[string, string]>([
    [`http://gcr.io/p/app@${D}`, 'not http://'],
    [`https://gcr.io/p/app:v1@${D}`, 'without a tag'],
    ['https://gcr.io/p/app', 'must end with @DIGEST'],
    ['https://', 'empty'],
  ])('refuses %s', (url, reason) => {
    const error = errorOf(() => parseResourceUrl(url));
    expect(error.code).toBe('REFERENCE_INVALID');
    expect(error.message).toContain(reason);
  });
});

describe('isSha256Digest', () => {
  it.each([
    [D, true],
    [`sha256:${HEX.toUpperCase()}`, false],
    [`sha256:${HEX.slice(1)}`, false],
    [`sha512:${'f'.repeat(128)}`, false],
    [HEX, false],
  ])('%s → %s', (value, expected) => {
    expect(isSha256Digest(value)).toBe(expected);
  });
});

const alnum = fc.stringMatching(/^[a-z0-9]{1,6}$/);
const separator = fc.constantFrom('.', '_', '__', '-', '--');
const pathComponent = fc
  .tuple(alnum, fc.array(fc.tuple(separator, alnum), { maxLength: 2 }))
  .map(([head, rest]) => head + rest.map(([s, a]) => s + a).join(''));
const domainLabel = fc.stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,6}[a-z0-9])?$/);
const registry = fc.oneof(
  fc.constant('localhost'),
  fc
    .tuple(domainLabel, fc.array(domainLabel, { minLength: 1, maxLength: 3 }))
    .map(([h, t]) => [h, ...t].join('.')),
  fc.tuple(domainLabel, fc.integer({ min: 1, max: 65535 })).map(([h, p]) => `${h}:${p}`),
  fc.constant('[::1]:5000'),
);
const tag = fc.stringMatching(/^\w[\w.-]{0,20}$/);
const digest = fc.oneof(
  fc.stringMatching(/^[a-f0-9]{64}$/).map((h) => `sha256:${h}`),
  fc.stringMatching(/^[a-f0-9]{128}$/).map((h) => `sha512:${h}`),
);
/** Fully qualified references, already in normal form (so they print back unchanged). */
const normalReference = fc
  .record({
    registry: registry.filter((r) => r !== 'docker.io' && r !== 'index.docker.io'),
    path: fc.array(pathComponent, { minLength: 1, maxLength: 4 }).map((c) => c.join('/')),
    tag: fc.option(tag, { nil: undefined }),
    digest: fc.option(digest, { nil: undefined }),
  })
  .map(({ registry, path, tag, digest }) => {
    const name = `${registry}/${path}`;
    return `${name}${tag === undefined ? '' : `:${tag}`}${digest === undefined ? '' : `@${digest}`}`;
  });

describe('properties', () => {
  it('format(parse(x)) === x for normalised references', () => {
    fc.assert(
      fc.property(normalReference, (input) => {
        const ref = parseImageReference(input);
        expect(formatImageReference(ref)).toBe(input);
        expect(ref.name).toBe(`${ref.registry}/${ref.path}`);
        expect(parseImageReference(formatImageReference(ref))).toEqual(ref);
      }),
      { numRuns: 300 },
    );
  });

  it('parse is idempotent through format for Docker Hub short names', () => {
    // A first component with '.' would name a registry, so leave it out here.
    const component = pathComponent.filter((c) => !c.includes('.'));
    fc.assert(
      fc.property(fc.array(component, { minLength: 1, maxLength: 2 }), (components) => {
        const ref = parseImageReference(components.join('/'));
        expect(ref.registry).toBe('docker.io');
        expect(ref.path).toBe(components.length === 1 ? `library/${components[0]}` : components.join('/'));
        expect(parseImageReference(formatImageReference(ref))).toEqual(ref);
      }),
      { numRuns: 200 },
    );
  });

  it('arbitrary strings give a reference or REFERENCE_INVALID, nothing else', () => {
    const noise = fc.oneof(
      fc.string({ maxLength: 80 }),
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc
        .array(fc.constantFrom('a', 'Z', '0', '/', ':', '@', '.', '-', '_', '[', ']', 'sha256:', HEX), {
          maxLength: 20,
        })
        .map((p) => p.join('')),
      normalReference.chain((r) => fc.nat({ max: r.length }).map((i) => r.slice(0, i) + r.slice(i + 1))),
    );
    fc.assert(
      fc.property(noise, (input) => {
        try {
          const ref = parseImageReference(input);
          expect(ref.name.length).toBeLessThanOrEqual(255);
        } catch (error) {
          expect(error).toBeInstanceOf(SigningError);
          expect((error as SigningError).code).toBe('REFERENCE_INVALID');
        }
        try {
          parseResourceUrl(input);
        } catch (error) {
          expect((error as SigningError).code).toBe('REFERENCE_INVALID');
        }
      }),
      { numRuns: 300 },
    );
  });
});
