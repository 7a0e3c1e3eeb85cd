import { parseImageReference } from '@signet/signing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalImage, matchesAllowlistPattern } from './allowlist.js';

const D = `sha256:${'c'.repeat(64)}`;
const matches = (pattern: string, image: string) =>
  matchesAllowlistPattern(pattern, parseImageReference(image));

describe('allowlist patterns (Binary Authorization semantics)', () => {
  it.each([
    ['gcr.io/p/app', 'gcr.io/p/app', true],
    ['gcr.io/p/app', `gcr.io/p/app@${D}`, true],
    ['gcr.io/p/app', 'gcr.io/p/app:1.0', true],
    ['gcr.io/p/app:1.0', 'gcr.io/p/app:1.0', true],
    ['gcr.io/p/app:1.0', 'gcr.io/p/app:1.1', false],
    ['gcr.io/p/app:1.0', 'gcr.io/p/app', false],
    [`gcr.io/p/app@${D}`, `gcr.io/p/app@${D}`, true],
    [`gcr.io/p/app@${D}`, `gcr.io/p/app@sha256:${'d'.repeat(64)}`, false],
    [`gcr.io/p/app@${D}`, 'gcr.io/p/app:latest', false],
    ['gcr.io/p/app', 'gcr.io/p/app2', false],
    ['gcr.io/p/app', 'gcr.io/p/app/sub', false],
    ['nginx', 'docker.io/library/nginx:1.25', true],
    ['docker.io/library/nginx', 'nginx', true],
    ['gcr.io/p/*', 'gcr.io/p/a', true],
    ['gcr.io/p/*', `gcr.io/p/a@${D}`, true],
    ['gcr.io/p/*', 'gcr.io/p/a:tag', true],
    ['gcr.io/p/*', 'gcr.io/p/a/b', false],
    ['gcr.io/p/*', 'gcr.io/p.evil.com/x', false],
    ['gcr.io/p/*', 'gcr.io/pp/x', false],
    ['gcr.io/p/*', 'gcr.io.evil.com/p/x', false],
    ['gcr.io/p/**', 'gcr.io/p/a/b/c', true],
    ['gcr.io/p/**', 'gcr.io/p.evil.com/x', false],
    ['gcr.io/nginx*', 'gcr.io/nginx:latest', true],
    ['gcr.io/nginx*', 'gcr.io/nginx/image', false],
    ['gcr.io/nginx**', 'gcr.io/nginx/image', true],
    ['gcr.io/1-my-image-any-tag:*', 'gcr.io/1-my-image-any-tag:v2', true],
    ['gcr.io/1-my-image-any-tag:*', 'gcr.io/1-my-image-any-tag', false],
    ['*', 'gcr.io/p/a', false],
    ['**', 'gcr.io/p/a', false],
    ['gcr*', 'gcr.io/p/a', false],
    ['not a pattern', 'gcr.io/p/a', false],
  ])('%s vs %s -> %s', (pattern, image, expected) => {
    expect(matches(pattern, image)).toBe(expected);
  });

  it('never sees a path with `..`: such an image does not parse', () => {
    expect(() => parseImageReference('gcr.io/p/../x')).toThrow(
      expect.objectContaining({ code: 'REFERENCE_INVALID' }),
    );
  });

  const component = fc.stringMatching(/^[a-z0-9]{1,6}$/);
  const registry = fc.constantFrom('gcr.io', 'eu.gcr.io', 'quay.io', 'registry.example:5000', 'p.evil.com');
  const image = fc.record({
    registry,
    path: fc.array(component, { minLength: 1, maxLength: 4 }),
    tag: fc.option(fc.stringMatching(/^[a-z0-9]{1,5}$/), { nil: undefined }),
  });
  const toText = (i: { registry: string; path: string[]; tag?: string | undefined }) =>
    `${i.registry}/${i.path.join('/')}${i.tag ? `:${i.tag}` : ''}`;

  it('`prefix/*` admits exactly one more path segment under the prefix (property)', () => {
    fc.assert(
      fc.property(image, image, (patternSource, candidate) => {
        const prefixSegments = [patternSource.registry, ...patternSource.path.slice(0, -1)];
        const pattern = `${prefixSegments.join('/')}/*`;
        const segments = [candidate.registry, ...candidate.path];
        const expected =
          segments.length === prefixSegments.length + 1 && prefixSegments.every((s, i) => segments[i] === s);
        expect(matches(pattern, toText(candidate))).toBe(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('`prefix/**` admits only names under the prefix, at any depth (property)', () => {
    fc.assert(
      fc.property(image, image, (patternSource, candidate) => {
        const prefixSegments = [patternSource.registry, ...patternSource.path.slice(0, -1)];
        const segments = [candidate.registry, ...candidate.path];
        const expected =
          segments.length > prefixSegments.length && prefixSegments.every((s, i) => segments[i] === s);
        expect(matches(`${prefixSegments.join('/')}/**`, toText(candidate))).toBe(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('an exact pattern admits only its own repository (property)', () => {
    fc.assert(
      fc.property(image, image, (patternSource, candidate) => {
        const pattern = `${patternSource.registry}/${patternSource.path.join('/')}`;
        const expected = pattern === `${candidate.registry}/${candidate.path.join('/')}`;
        expect(matches(pattern, toText(candidate))).toBe(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('a wildcard pattern never admits an image of another registry (property)', () => {
    fc.assert(
      fc.property(
        registry,
        fc.stringMatching(/^[a-z0-9./:-]{0,12}$/),
        fc.constantFrom('*', '**'),
        image,
        (patternRegistry, rest, wildcard, candidate) => {
          fc.pre(candidate.registry !== patternRegistry);
          expect(matches(`${patternRegistry}/${rest}${wildcard}`, toText(candidate))).toBe(false);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('image references (parser from @signet/signing)', () => {
  const component = fc
    .stringMatching(/^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/)
    .filter((s) => s.length <= 20);
  const reference = fc.record({
    registry: fc.constantFrom(
      '',
      'gcr.io/',
      'localhost:5000/',
      'us-docker.pkg.dev/',
      'docker.io/',
      '[::1]:5000/',
    ),
    path: fc.array(component, { minLength: 1, maxLength: 4 }),
    tag: fc.option(fc.stringMatching(/^\w[\w.-]{0,20}$/), { nil: undefined }),
    digest: fc.option(
      fc.stringMatching(/^[a-f0-9]{64}$/).map((h) => `sha256:${h}`),
      { nil: undefined },
    ),
  });

  it('round-trips: parse(format(parse(x))) equals parse(x) (property)', () => {
    // Without a registry, a first component with a dot would be read as a registry host.
    const unambiguous = reference.filter((r) => r.registry !== '' || !r.path[0]!.includes('.'));
    fc.assert(
      fc.property(unambiguous, (r) => {
        const text = `${r.registry}${r.path.join('/')}${r.tag ? `:${r.tag}` : ''}${r.digest ? `@${r.digest}` : ''}`;
        const parsed = parseImageReference(text);
        expect(parseImageReference(canonicalImage(parsed))).toEqual(parsed);
        expect(parsed.tag).toBe(r.tag);
        expect(parsed.digest).toBe(r.digest);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses arbitrary text with a typed error, never a crash (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (text) => {
        try {
          parseImageReference(text);
        } catch (error) {
          expect((error as { code?: string }).code).toBe('REFERENCE_INVALID');
        }
      }),
      { numRuns: 300 },
    );
  });
});
