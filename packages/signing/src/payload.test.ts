import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  buildGcloudPayload,
  buildPayload,
  buildPayloadOfForm,
  checkPayloadIdentity,
  PAYLOAD_TYPES,
  parsePayload,
  type SimpleSigningPayload,
} from './payload.js';
import { SigningError } from './signing-error.js';
import { errorOf } from './test-support/error-of.js';

const encode = (text: string) => new TextEncoder().encode(text);
const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const VECTORS = join(process.env.SIGNET_TESTDATA ?? '', 'containers-image');
const VECTOR_DIGEST = 'sha256:20bf21ed457b390829cdbeec8795a7bea1626991fda603e0d01b4e7f60427e55';
const HELLO_DIGEST = 'sha256:37e5287945774f27b418ce567cd77f4bbc9ef44a1bcd1a2312369f31f9cce567';
const OTHER_DIGEST = `sha256:${'0'.repeat(64)}`;

const gnupgHome = mkdtempSync(join(tmpdir(), 'signet-payload-gpg-'));
afterAll(() => rmSync(gnupgHome, { recursive: true, force: true }));

/** The literal data inside a containers/image signature, as GnuPG extracts it (no verification here). */
function signedContent(file: string): Uint8Array {
  return new Uint8Array(
    execFileSync('gpg', ['--batch', '--quiet', '--skip-verify', '--decrypt', join(VECTORS, file)], {
      env: { ...process.env, GNUPGHOME: gnupgHome },
      stdio: ['ignore', 'pipe', 'ignore'],
    }),
  );
}

const GCLOUD_PAYLOAD = `{
  "critical": {
    "identity": {
      "docker-reference": "us-docker.pkg.dev/google-samples/containers/gke/hello-app"
    },
    "image": {
      "docker-manifest-digest": "${HELLO_DIGEST}"
    },
    "type": "Google cloud binauthz container signature"
  }
}
`;

describe('parsePayload: vectors', () => {
  it('gcloud create-signature-payload bytes (indent 2, trailing newline)', () => {
    expect(parsePayload(encode(GCLOUD_PAYLOAD))).toEqual({
      type: 'Google cloud binauthz container signature',
      dockerReference: 'us-docker.pkg.dev/google-samples/containers/gke/hello-app',
      manifestDigest: HELLO_DIGEST,
    });
  });

  it('voucher form (MarshalIndent, no trailing newline)', () => {
    expect(parsePayload(encode(GCLOUD_PAYLOAD.trimEnd())).manifestDigest).toBe(HELLO_DIGEST);
  });

  it('Kritis compact form without optional', () => {
    const kritis = `{"critical":{"identity":{"docker-reference":"gcr.io/p/app"},"image":{"docker-manifest-digest":"${HELLO_DIGEST}"},"type":"atomic container signature"}}`;
    expect(parsePayload(encode(kritis))).toEqual({
      type: 'atomic container signature',
      dockerReference: 'gcr.io/p/app',
      manifestDigest: HELLO_DIGEST,
    });
  });

  it('"optional":{} and unknown optional members', () => {
    const base = `{"critical":{"identity":{"docker-reference":"a"},"image":{"docker-manifest-digest":"d"},"type":"atomic container signature"}`;
    expect(parsePayload(encode(`${base},"optional":{}}`)).optional).toEqual({});
    expect(parsePayload(encode(`${base},"optional":{"x":[1,{"y":null}],"creator":"me"}}`)).optional).toEqual({
      x: [1, { y: null }],
      creator: 'me',
    });
  });

  it.each(['image.signature', 'no-optional-fields.signature'])('containers-image %s', (file) => {
    const payload = parsePayload(signedContent(file));
    expect(payload.type).toBe('atomic container signature');
    expect(payload.manifestDigest).toBe(VECTOR_DIGEST);
    expect(payload.dockerReference).toBe('testing/manifest');
    expect(() =>
      checkPayloadIdentity(payload, { name: 'docker.io/testing/manifest', digest: VECTOR_DIGEST }),
    ).not.toThrow();
  });

  it('image.signature carries creator and timestamp', () => {
    expect(parsePayload(signedContent('image.signature')).optional).toEqual({
      creator: 'atomic ',
      timestamp: 1458239713,
    });
  });

  it('invalid-reference.signature parses, but its identity is invalid', () => {
    const payload = parsePayload(signedContent('invalid-reference.signature'));
    expect(payload.dockerReference).toBe('UPPERCASEISINVALID');
    const error = errorOf(() =>
      checkPayloadIdentity(payload, { name: 'docker.io/testing/manifest', digest: VECTOR_DIGEST }),
    );
    expect(error.code).toBe('PAYLOAD_INVALID');
    expect(error.message).toContain('docker-reference');
    expect(error.message).toContain('lower-case');
  });

  it('invalid-blob.signature is PAYLOAD_INVALID', () => {
    const error = errorOf(() => parsePayload(signedContent('invalid-blob.signature')));
    expect(error.code).toBe('PAYLOAD_INVALID');
    expect(error.message).toContain('not valid JSON');
  });
});

const CRITICAL = `"critical":{"identity":{"docker-reference":"gcr.io/p/app"},"image":{"docker-manifest-digest":"${HELLO_DIGEST}"},"type":"atomic container signature"}`;

describe('parsePayload: refusals', () => {
  it.each<[string, string | Uint8Array, string]>([
    ['empty', '', 'not valid JSON'],
    ['not JSON', 'This is not JSON\n', 'not valid JSON'],
    ['top-level array', `[{${CRITICAL}}]`, 'top level'],
    ['top-level string', '"x"', 'top level'],
    ['missing critical', '{"optional":{}}', 'critical'],
    ['duplicate critical', `{${CRITICAL},${CRITICAL}}`, 'duplicate key "critical"'],
    [
      'duplicate via escape',
      `{${CRITICAL},${CRITICAL.replace('"critical"', '"critic\\u0061l"')}}`,
      'duplicate key "critical"',
    ],
    ['duplicate nested', `{${CRITICAL.replace('"type"', '"type":"x","type"')}}`, 'duplicate key "type"'],
    ['duplicate in optional', `{${CRITICAL},"optional":{"a":1,"a":2}}`, 'duplicate key "a"'],
    ['unknown top-level member', `{${CRITICAL},"extra":1}`, 'extra'],
    ['__proto__ at top level', `{${CRITICAL},"__proto__":{}}`, '__proto__'],
    ['optional null', `{${CRITICAL},"optional":null}`, 'optional'],
    ['optional array', `{${CRITICAL},"optional":[]}`, 'optional'],
    ['optional string', `{${CRITICAL},"optional":"x"}`, 'optional'],
    ['optional.creator not a string', `{${CRITICAL},"optional":{"creator":5}}`, 'optional.creator'],
    ['optional.timestamp fractional', `{${CRITICAL},"optional":{"timestamp":1.5}}`, 'optional.timestamp'],
    ['unknown member in critical', `{${CRITICAL.replace('"type"', '"extra":1,"type"')}}`, 'extra'],
    [
      'unknown member in image',
      `{${CRITICAL.replace('"docker-manifest-digest"', '"x":"y","docker-manifest-digest"')}}`,
      'critical.image',
    ],
    [
      'unknown member in identity',
      `{${CRITICAL.replace('"docker-reference"', '"x":"y","docker-reference"')}}`,
      'critical.identity',
    ],
    ['missing type', `{${CRITICAL.replace(',"type":"atomic container signature"', '')}}`, 'critical.type'],
    [
      'missing image',
      `{"critical":{"identity":{"docker-reference":"a"},"type":"atomic container signature"}}`,
      'critical.image',
    ],
    [
      'missing identity',
      `{"critical":{"image":{"docker-manifest-digest":"d"},"type":"atomic container signature"}}`,
      'critical.identity',
    ],
    [
      'type in other case',
      `{${CRITICAL.replace('atomic container signature', 'Atomic container signature')}}`,
      'critical.type',
    ],
    [
      'BinAuthz type in docs casing',
      `{${CRITICAL.replace('atomic container signature', 'Google Cloud BinAuthz container signature')}}`,
      'critical.type',
    ],
    [
      'cosign type',
      `{${CRITICAL.replace('atomic container signature', 'cosign container image signature')}}`,
      'critical.type',
    ],
    ['digest not a string', `{${CRITICAL.replace(`"${HELLO_DIGEST}"`, '42')}}`, 'docker-manifest-digest'],
    ['reference null', `{${CRITICAL.replace('"gcr.io/p/app"', 'null')}}`, 'docker-reference'],
    ['critical case-folded', `{${CRITICAL.replace('"critical"', '"Critical"')}}`, 'Critical'],
    ['trailing data', `{${CRITICAL}} {}`, 'after the JSON value'],
    ['trailing comma', `{${CRITICAL},}`, 'not valid JSON'],
    ['single quotes', `{'critical':{}}`, 'not valid JSON'],
    ['byte-order mark', new Uint8Array([0xef, 0xbb, 0xbf, ...encode(`{${CRITICAL}}`)]), 'not valid JSON'],
    ['invalid UTF-8', new Uint8Array([0x7b, 0xff, 0x7d]), 'UTF-8'],
    ['deep nesting', `{${CRITICAL},"optional":{"a":${'['.repeat(5000)}${']'.repeat(5000)}}}`, 'nesting'],
    ['raw control character', `{${CRITICAL.replace('gcr.io', 'gcr\u0001io')}}`, 'control character'],
    ['too large', `{${CRITICAL},"optional":{"a":"${'x'.repeat(70_000)}"}}`, 'larger than'],
  ])('%s', (_, input, reason) => {
    const bytes = typeof input === 'string' ? encode(input) : input;
    const error = errorOf(() => parsePayload(bytes));
    expect(error.code).toBe('PAYLOAD_INVALID');
    expect(error.message).toContain(reason);
  });

  it('a non-Uint8Array is PAYLOAD_INVALID', () => {
    expect(errorOf(() => parsePayload('{}' as unknown as Uint8Array)).code).toBe('PAYLOAD_INVALID');
  });

  it('a __proto__ key inside optional stays a plain member', () => {
    const payload = parsePayload(encode(`{${CRITICAL},"optional":{"__proto__":{"polluted":true}}}`));
    expect(Object.getPrototypeOf(payload.optional)).toBe(Object.prototype);
    expect(Object.keys(payload.optional ?? {})).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('buildPayload', () => {
  it('writes the containers/image form byte for byte', () => {
    const bytes = buildPayload(
      { name: 'gcr.io/p/app', digest: HELLO_DIGEST },
      { creator: 'signet 0.1.0', timestamp: 1700000000 },
    );
    expect(decode(bytes)).toBe(
      `{"critical":{"identity":{"docker-reference":"gcr.io/p/app"},"image":{"docker-manifest-digest":"${HELLO_DIGEST}"},"type":"atomic container signature"},"optional":{"creator":"signet 0.1.0","timestamp":1700000000}}`,
    );
  });

  it('reproduces the containers/image fixture (reference normalised)', () => {
    const fixture = decode(signedContent('image.signature'));
    const ours = decode(
      buildPayload(
        { name: 'testing/manifest', digest: VECTOR_DIGEST },
        { creator: 'atomic ', timestamp: 1458239713 },
      ),
    );
    expect(ours).toBe(fixture.replace('"testing/manifest"', '"docker.io/testing/manifest"'));
  });

  it('always writes optional ({} when no option is given), as podman requires', () => {
    expect(decode(buildPayload({ name: 'busybox', digest: VECTOR_DIGEST }))).toBe(
      `{"critical":{"identity":{"docker-reference":"docker.io/library/busybox"},"image":{"docker-manifest-digest":"${VECTOR_DIGEST}"},"type":"atomic container signature"},"optional":{}}`,
    );
    expect(decode(buildPayload({ name: 'gcr.io/p/app', digest: HELLO_DIGEST }, { timestamp: 0 }))).toContain(
      '"optional":{"timestamp":0}}',
    );
    expect(decode(buildPayload({ name: 'gcr.io/p/app', digest: HELLO_DIGEST }, { creator: 'c' }))).toContain(
      '"optional":{"creator":"c"}}',
    );
  });

  it('non-ASCII creators are raw UTF-8 and quotes are escaped', () => {
    const bytes = buildPayload({ name: 'gcr.io/p/app', digest: HELLO_DIGEST }, { creator: 'é "q"' });
    expect(decode(bytes)).toContain('"creator":"é \\"q\\""');
    expect(parsePayload(bytes).optional).toEqual({ creator: 'é "q"' });
  });

  it.each<[{ name: string; digest: string }, { creator?: string; timestamp?: number }, string]>([
    [{ name: 'gcr.io/p/app:v1', digest: HELLO_DIGEST }, {}, 'REFERENCE_INVALID'],
    [{ name: `gcr.io/p/app@${HELLO_DIGEST}`, digest: HELLO_DIGEST }, {}, 'REFERENCE_INVALID'],
    [{ name: 'gcr.io/P/app', digest: HELLO_DIGEST }, {}, 'REFERENCE_INVALID'],
    [{ name: 'gcr.io/p/app', digest: HELLO_DIGEST.toUpperCase() }, {}, 'DIGEST_INVALID'],
    [{ name: 'gcr.io/p/app', digest: HELLO_DIGEST.slice(0, -1) }, {}, 'DIGEST_INVALID'],
    [{ name: 'gcr.io/p/app', digest: `sha512:${'a'.repeat(128)}` }, {}, 'DIGEST_INVALID'],
    [{ name: 'gcr.io/p/app', digest: HELLO_DIGEST }, { timestamp: 1.5 }, 'PAYLOAD_OPTION_INVALID'],
    [{ name: 'gcr.io/p/app', digest: HELLO_DIGEST }, { timestamp: -1 }, 'PAYLOAD_OPTION_INVALID'],
    [
      { name: 'gcr.io/p/app', digest: HELLO_DIGEST },
      { creator: 5 as unknown as string },
      'PAYLOAD_OPTION_INVALID',
    ],
  ])('refuses %j %j with %s', (image, options, code) => {
    expect(errorOf(() => buildPayload(image, options)).code).toBe(code);
  });

  it('round-trips through parsePayload and checkPayloadIdentity', () => {
    const repository = fc.constantFrom(
      'busybox',
      'gcr.io/p/app',
      'localhost:5000/a/b',
      'us-docker.pkg.dev/x/y/z',
    );
    const digest = fc.stringMatching(/^[a-f0-9]{64}$/).map((h) => `sha256:${h}`);
    fc.assert(
      fc.property(
        repository,
        digest,
        fc.option(fc.string(), { nil: undefined }),
        fc.option(fc.nat(), { nil: undefined }),
        (name, d, creator, timestamp) => {
          const options = {
            ...(creator === undefined ? {} : { creator }),
            ...(timestamp === undefined ? {} : { timestamp }),
          };
          const bytes = buildPayload({ name, digest: d }, options);
          expect(buildPayload({ name, digest: d }, options)).toEqual(bytes);
          const payload = parsePayload(bytes);
          expect(payload.manifestDigest).toBe(d);
          expect(payload.optional).toEqual(options);
          checkPayloadIdentity(payload, { name, digest: d });
        },
      ),
      { numRuns: 150 },
    );
  });
});

function payloadFor(reference: string, digest = HELLO_DIGEST): SimpleSigningPayload {
  return { type: 'atomic container signature', dockerReference: reference, manifestDigest: digest };
}

describe('checkPayloadIdentity', () => {
  it.each<[string, string]>([
    ['busybox', 'docker.io/library/busybox'],
    ['docker.io/library/busybox', 'busybox'],
    ['index.docker.io/busybox:latest', 'docker.io/library/busybox'],
    ['gcr.io/p/app:v1', 'gcr.io/p/app'],
    [`gcr.io/p/app@${OTHER_DIGEST}`, 'gcr.io/p/app'],
    ['gcr.io/p/app', 'gcr.io/p/app:v2'],
  ])('%s matches %s', (signed, expected) => {
    expect(() =>
      checkPayloadIdentity(payloadFor(signed), { name: expected, digest: HELLO_DIGEST }),
    ).not.toThrow();
  });

  it('another digest is PAYLOAD_DIGEST_MISMATCH (no replay)', () => {
    const error = errorOf(() =>
      checkPayloadIdentity(payloadFor('gcr.io/p/app'), { name: 'gcr.io/p/app', digest: OTHER_DIGEST }),
    );
    expect(error.code).toBe('PAYLOAD_DIGEST_MISMATCH');
    expect(error.fix).toContain(`signet sign --image gcr.io/p/app@${OTHER_DIGEST} --note`);
  });

  it('digests compare exactly (no case folding)', () => {
    const upper = payloadFor('gcr.io/p/app', HELLO_DIGEST.toUpperCase().replace('SHA256', 'sha256'));
    expect(
      errorOf(() => checkPayloadIdentity(upper, { name: 'gcr.io/p/app', digest: HELLO_DIGEST })).code,
    ).toBe('PAYLOAD_DIGEST_MISMATCH');
  });

  it.each<[string, string]>([
    ['gcr.io/p/app', 'gcr.io/p/app2'],
    ['gcr.io/p/app', 'eu.gcr.io/p/app'],
    ['foo/bar', 'docker.io/library/foo/bar'],
    ['gcr.io/p/app', 'gcr.io/p/app/sub'],
    ['localhost:5000/app', 'localhost:5001/app'],
  ])('%s does not match %s: PAYLOAD_REPOSITORY_MISMATCH', (signed, expected) => {
    const error = errorOf(() =>
      checkPayloadIdentity(payloadFor(signed), { name: expected, digest: HELLO_DIGEST }),
    );
    expect(error.code).toBe('PAYLOAD_REPOSITORY_MISMATCH');
    expect(error.fix).toContain('signet sign');
  });

  it.each(['', 'docker.io/UPPER/case', 'gcr.io/p/../x', 'a b'])(
    'unparsable docker-reference %j is PAYLOAD_INVALID',
    (reference) => {
      expect(
        errorOf(() =>
          checkPayloadIdentity(payloadFor(reference), { name: 'gcr.io/p/app', digest: HELLO_DIGEST }),
        ).code,
      ).toBe('PAYLOAD_INVALID');
    },
  );

  it('an expected digest that is not sha256 is refused, even when equal', () => {
    expect(
      errorOf(() =>
        checkPayloadIdentity(payloadFor('gcr.io/p/app', ''), { name: 'gcr.io/p/app', digest: '' }),
      ).code,
    ).toBe('DIGEST_INVALID');
  });
});

/** JSON written from entry lists, so tests can emit duplicate keys. */
type Json = null | boolean | number | string | Json[] | { entries: Array<[string, Json]> };
const toText = (value: Json): string => {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(toText).join(',')}]`;
  return `{${value.entries.map(([k, v]) => `${JSON.stringify(k)}:${toText(v)}`).join(',')}}`;
};
const fromPlain = (value: unknown): Json => {
  if (value === null || typeof value !== 'object') return value as Json;
  if (Array.isArray(value)) return value.map(fromPlain);
  return { entries: Object.entries(value).map(([k, v]) => [k, fromPlain(v)]) };
};
const objectsOf = (value: Json): Array<{ entries: Array<[string, Json]> }> => {
  if (value === null || typeof value !== 'object') return [];
  if (Array.isArray(value)) return value.flatMap(objectsOf);
  return [value, ...value.entries.flatMap(([, v]) => objectsOf(v))];
};

const VALID = JSON.parse(
  decode(buildPayload({ name: 'gcr.io/p/app', digest: HELLO_DIGEST }, { creator: 'c', timestamp: 1 })),
) as unknown;

describe('fuzz', () => {
  it('random strings and bytes give a payload or PAYLOAD_INVALID', () => {
    const input = fc.oneof(
      fc.string({ maxLength: 200 }).map(encode),
      fc.uint8Array({ maxLength: 200 }),
      fc.json().map(encode),
    );
    fc.assert(
      fc.property(input, (bytes) => {
        try {
          parsePayload(bytes);
        } catch (error) {
          expect(error).toBeInstanceOf(SigningError);
          expect((error as SigningError).code).toBe('PAYLOAD_INVALID');
        }
      }),
      { numRuns: 300 },
    );
  });

  it('mutated valid payloads: duplicates and dropped required keys are refused, nothing crashes', () => {
    const mutation = fc.record({
      target: fc.nat(),
      entry: fc.nat(),
      op: fc.constantFrom('drop', 'duplicate', 'rename', 'retype'),
      name: fc.oneof(
        fc.string({ maxLength: 8 }),
        fc.constantFrom('critical', 'optional', 'type', 'Type', '__proto__'),
      ),
      value: fc.jsonValue({ maxDepth: 2 }),
    });
    fc.assert(
      fc.property(mutation, ({ target, entry, op, name, value }) => {
        const document = fromPlain(VALID);
        const objects = objectsOf(document);
        const object = objects[target % objects.length];
        if (!object || object.entries.length === 0) return;
        const index = entry % object.entries.length;
        const [key, original] = object.entries[index] as [string, Json];
        if (op === 'drop') object.entries.splice(index, 1);
        if (op === 'duplicate') object.entries.push([key, original]);
        if (op === 'rename') object.entries[index] = [name, original];
        if (op === 'retype') object.entries[index] = [key, fromPlain(value)];
        const inOptional = object !== document && objects.indexOf(object) === objects.length - 1;
        try {
          const payload = parsePayload(encode(toText(document)));
          expect(op === 'duplicate').toBe(false);
          expect(PAYLOAD_TYPES).toContain(payload.type);
          expect(typeof payload.manifestDigest).toBe('string');
          expect(typeof payload.dockerReference).toBe('string');
          if (op === 'drop' && !inOptional) expect(key).toBe('optional');
        } catch (error) {
          expect(error).toBeInstanceOf(SigningError);
          expect((error as SigningError).code).toBe('PAYLOAD_INVALID');
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('buildGcloudPayload: the bytes gcloud signs', () => {
  interface RecordedCase {
    name: string;
    argv: string[];
    stdout: string;
    requests: { body: { attestation?: { serializedPayload: string } } | null }[];
  }
  const cases = readFileSync(join(process.env.SIGNET_TESTDATA ?? '', 'gcloud-528', 'cases.jsonl'), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as RecordedCase);
  const recorded = (name: string) => cases.find((c) => c.name === name) as RecordedCase;

  it('equals gcloud 528 output (plus the newline the recording trimmed) and the payload gcloud uploads', () => {
    const printed = recorded('binauthz-create-signature-payload');
    const url = (printed.argv.find((a) => a.startsWith('--artifact-url=')) ?? '').slice(
      '--artifact-url='.length,
    );
    const [name, digest] = url.split('@') as [string, string];
    const bytes = buildGcloudPayload({ name, digest });
    expect(decode(bytes)).toBe(`${printed.stdout}\n`);
    const uploaded = recorded('binauthz-attestations-create-note-pgp').requests[0]?.body?.attestation;
    expect(Buffer.from(bytes).toString('base64')).toBe(uploaded?.serializedPayload);
  });

  it('matches the grafeas-api.md 8.2 example, which parsePayload reads back', () => {
    const name = 'us-docker.pkg.dev/google-samples/containers/gke/hello-app';
    const bytes = buildGcloudPayload({ name, digest: HELLO_DIGEST });
    expect(decode(bytes)).toBe(GCLOUD_PAYLOAD);
    expect(parsePayload(bytes)).toEqual({
      type: 'Google cloud binauthz container signature',
      dockerReference: name,
      manifestDigest: HELLO_DIGEST,
    });
  });

  it('normalises the name as gcloud needs it given (docker.io/library/…) and refuses a tag', () => {
    const bytes = buildGcloudPayload({ name: 'busybox', digest: HELLO_DIGEST });
    expect(decode(bytes)).toContain('"docker-reference": "docker.io/library/busybox"');
    expect(errorOf(() => buildGcloudPayload({ name: 'busybox:1', digest: HELLO_DIGEST })).code).toBe(
      'REFERENCE_INVALID',
    );
    expect(errorOf(() => buildGcloudPayload({ name: 'busybox', digest: 'sha256:abc' })).code).toBe(
      'DIGEST_INVALID',
    );
  });

  it('buildPayloadOfForm: signet is the default containers/image form', () => {
    const image = { name: 'gcr.io/p/app', digest: HELLO_DIGEST };
    expect(buildPayloadOfForm(image, 'signet')).toEqual(buildPayload(image));
    expect(buildPayloadOfForm(image, 'gcloud')).toEqual(buildGcloudPayload(image));
  });
});
