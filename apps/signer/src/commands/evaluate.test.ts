import { cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { OccurrenceSpec } from '@signet/grafeas-client';
import { SqliteMetadataStore } from '@signet/grafeas-client/records';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectCleanError, runSignet } from '../test-support/run-signet.js';
import { createSandbox, type Sandbox } from '../test-support/sandbox.js';

/**
 * Kritis's integration fixtures, unchanged but for the `{{ .Project }}` placeholder, must get the
 * outcomes listed in testdata/kritis/README.md. The store holds what Container Analysis held:
 * java-with-vulnz has vulnerabilities above HIGH; acceptable-vulnz only allowlisted or lower ones.
 */
const project = 'kritis-int';
const kritis = join(process.env.SIGNET_TESTDATA ?? '', 'kritis', 'integration', 'testdata');
const javaDigest = 'sha256:358687cfd3ec8e1dfeb2bf51b5110e4e16f6df71f64fba01986f720b2fcba68a';
const acceptableDigest = 'sha256:2a81797428f5cab4592ac423dc3049050b28ffbaa3dd11000da942320f9979b6';

let sandbox: Sandbox;
let fixtures: string;
let storeFlags: string[];
let store: SqliteMetadataStore;

function vulnerability(
  repo: string,
  digest: string,
  cve: string,
  severity: 'MEDIUM' | 'HIGH' | 'CRITICAL',
  fixAvailable: boolean,
): OccurrenceSpec {
  return {
    kind: 'VULNERABILITY',
    resourceUri: `https://gcr.io/${project}/${repo}@${digest}`,
    noteName: `projects/goog-vulnz/notes/${cve}`,
    severity,
    effectiveSeverity: severity,
    fixAvailable,
    packages: [{ affectedCpeUri: 'cpe:/o:debian:debian_linux:9', affectedPackage: 'libssl', fixAvailable }],
  };
}

/** A copy of the fixtures with the template placeholder filled in, as Kritis's test harness does. */
function instantiateFixtures(target: string): void {
  cpSync(kritis, target, { recursive: true });
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else writeFileSync(path, readFileSync(path, 'utf8').replaceAll('{{ .Project }}', project));
    }
  };
  walk(target);
}

function policyDir(name: string, files: string[]): string {
  const dir = sandbox.path(name);
  mkdirSync(dir);
  for (const file of files) cpSync(join(fixtures, file), join(dir, file.split('/').pop() ?? file));
  return dir;
}

const signet = (args: string[]) => runSignet([...storeFlags, ...args], sandbox.env);
/** `signet evaluate` of a Kritis fixture manifest against a policies folder. */
const evaluate = (file: string, policies: string, extra: string[] = []) =>
  signet([...extra, 'evaluate', '--file', join(fixtures, file), '--policies', policies]);

beforeAll(async () => {
  sandbox = createSandbox();
  fixtures = sandbox.path('kritis');
  instantiateFixtures(fixtures);
  const db = sandbox.path('metadata.db');
  storeFlags = ['--store', `sqlite:${db}`];
  store = new SqliteMetadataStore(db);
  const seeded: Parameters<typeof vulnerability>[] = [
    ['java-with-vulnz', javaDigest, 'CVE-2021-44228', 'CRITICAL', true],
    ['java-with-vulnz', javaDigest, 'CVE-2017-1000082', 'CRITICAL', true],
    ['acceptable-vulnz', acceptableDigest, 'CVE-2017-1000082', 'CRITICAL', true],
    ['acceptable-vulnz', acceptableDigest, 'CVE-2017-1000081', 'CRITICAL', false],
    ['acceptable-vulnz', acceptableDigest, 'CVE-2019-1547', 'MEDIUM', true],
  ];
  for (const args of seeded) await store.createOccurrence(project, vulnerability(...args));
});
afterAll(async () => {
  await store.close();
  sandbox.cleanup();
});

describe('signet evaluate honours ImageSecurityPolicy spec.requireScan', () => {
  it('denies an image without a finished scan, and admits it once the DISCOVERY occurrence says FINISHED_SUCCESS', async () => {
    const dir = sandbox.path('require-scan');
    mkdirSync(dir);
    const policy = readFileSync(join(fixtures, 'image-security-policy/my-isp.yaml'), 'utf8');
    writeFileSync(join(dir, 'isp.yaml'), policy.replace(/^spec:\n/m, 'spec:\n  requireScan: true\n'));
    const before = await evaluate('vulnz/acceptable-vulnz.yaml', dir);
    expect(before.code).toBe(1);
    expect(before.stdout).toContain('the image has no vulnerability scan');
    await store.createOccurrence(project, {
      kind: 'DISCOVERY',
      resourceUri: `https://gcr.io/${project}/acceptable-vulnz@${acceptableDigest}`,
      noteName: `projects/${project}/notes/PACKAGE_VULNERABILITY`,
      analysisStatus: 'FINISHED_SUCCESS',
    });
    const after = await evaluate('vulnz/acceptable-vulnz.yaml', dir);
    expect(after.stdout.split('\n')[0]).toBe('ADMIT Pod default/image-with-acceptable-vulnz');
  });
});

describe('signet evaluate with my-isp.yaml (ImageSecurityPolicy)', () => {
  let isp: string;
  beforeAll(() => {
    isp = policyDir('isp', ['image-security-policy/my-isp.yaml']);
  });

  it.each([
    ['nginx/nginx-no-digest.yaml', 1, 'DENY  Pod default/nginx-no-digest'],
    ['nginx/nginx-no-digest-allowlist.yaml', 0, 'ADMIT Pod default/nginx-no-digest-allowlist'],
    ['nginx/nginx-digest-allowlist.yaml', 0, 'ADMIT Pod default/nginx-digest-allowlist'],
    ['java/java-with-vulnz.yaml', 1, 'DENY  Pod default/java-with-vulnz'],
    ['java/java-with-vulnz-deployment.yaml', 1, 'DENY  Deployment default/java-with-vulnz-deployment'],
    ['java/java-with-vulnz-replicaset.yaml', 1, 'DENY  ReplicaSet default/java-with-vulnz-replicaset'],
    ['nginx/nginx-no-digest-breakglass.yaml', 0, 'ADMIT Pod default/nginx-no-digest-breakglass (breakglass)'],
    [
      'java/java-with-vulnz-breakglass-deployment.yaml',
      0,
      'ADMIT Deployment default/java-with-vulnz-breakglass-deployment (breakglass)',
    ],
    [
      'java/java-with-vulnz-breakglass-replicaset.yaml',
      0,
      'ADMIT ReplicaSet default/java-with-vulnz-breakglass-replicaset (breakglass)',
    ],
    ['vulnz/acceptable-vulnz.yaml', 0, 'ADMIT Pod default/image-with-acceptable-vulnz'],
    [
      'vulnz/acceptable-vulnz-replicaset.yaml',
      0,
      'ADMIT ReplicaSet default/replicaset-with-acceptable-vulnz',
    ],
  ])('%s → exit %i', async (file, code, line) => {
    const run = await evaluate(file, isp);
    expect(run.code).toBe(code);
    expect(run.stdout.split('\n')[0]).toBe(line);
  });

  it('names the tag and the CVE above HIGH, and skips the allowlisted one', async () => {
    const tag = await evaluate('nginx/nginx-no-digest.yaml', isp);
    expect(tag.stdout).toContain('pin it by digest');
    const java = await evaluate('java/java-with-vulnz.yaml', isp);
    expect(java.stdout).toContain('CVE-2021-44228');
    expect(java.stdout).not.toContain('CVE-2017-1000082');
  });

  it('judges every object of a multi-document manifest: exit 1 when any is denied', async () => {
    const manifest = sandbox.write(
      'all.yaml',
      ['nginx/nginx-digest-allowlist.yaml', 'java/java-with-vulnz.yaml', 'vulnz/acceptable-vulnz.yaml']
        .map((file) => readFileSync(join(fixtures, file), 'utf8'))
        .join('\n---\n'),
    );
    const run = await signet(['--output', 'json', 'evaluate', '--file', manifest, '--policies', isp]);
    expect(run.code).toBe(1);
    const out = JSON.parse(run.stdout);
    expect(out.allowed).toBe(false);
    expect(out.objects.map((o: { name: string; allowed: boolean }) => [o.name, o.allowed])).toEqual([
      ['nginx-digest-allowlist', true],
      ['java-with-vulnz', false],
      ['image-with-acceptable-vulnz', true],
    ]);
    expect(out.objects[1].violations[0]).toMatchObject({
      code: 'VULNERABILITIES',
      policy: 'ImageSecurityPolicy my-isp',
    });
  });
});

describe('signet evaluate with my-gap.yaml (both test attestors required)', () => {
  const nginxImage = `gcr.io/${project}/nginx-digest-whitelist@sha256:56e0af16f4a9d2401d3f55bc8d214d519f070b5317512c87568603f315a8be72`;
  const javaImage = `gcr.io/${project}/java-with-vulnz@${javaDigest}`;
  let gap: string;
  beforeAll(async () => {
    gap = policyDir('gap', [
      'generic-attestation-policy/my-gap.yaml',
      'generic-attestation-policy/test-attestor-1.yaml',
      'generic-attestation-policy/test-attestor-2.yaml',
    ]);
    for (const attestor of ['test-attestor-1', 'test-attestor-2']) {
      const note = await signet(['note', 'create', '--project', project, '--note-id', attestor]);
      expect(note.code).toBe(0);
    }
  });

  it('denies nginx-digest when only test-attestor-1 attested it, naming test-attestor-2', async () => {
    // Kritis's attestor keys expired in 2022: sign as of 2021 with gpg, upload as the guide's curl would.
    sandbox.gpg(['--import', join(kritis, 'keys', 'attestor-1-secret-key.pgp')]);
    const payload = (await runSignet(['payload', '--image', nginxImage], sandbox.env)).stdoutBytes;
    const fingerprint = '88D27A9C701BD8391D372E5CCD415CBF850E2029';
    const signature = sandbox
      .gpg(['--faked-system-time', '20210601T000000!', '-u', fingerprint, '-a', '--sign'], payload)
      .toString();
    await store.createOccurrence(project, {
      kind: 'ATTESTATION',
      resourceUri: `https://${nginxImage}`,
      noteName: `projects/${project}/notes/test-attestor-1`,
      signature: { form: 'pgp', signature, contentType: 'SIMPLE_SIGNING_JSON', keyId: fingerprint },
    });
    const run = await evaluate('nginx/nginx-digest.yaml', gap);
    expect(run.code).toBe(1);
    expect(run.stdout.split('\n')[0]).toBe('DENY  Pod default/nginx-digest');
    expect(run.stdout).toContain('test-attestor-2');
  });

  it('denies java-with-digest, which has no attestation at all', async () => {
    const run = await evaluate('java/java-with-digest.yaml', gap);
    expect(run.code).toBe(1);
    expect(run.stdout.split('\n')[0]).toBe('DENY  Pod default/java-with-digest');
    expect(run.stdout).toContain('test-attestor-1');
  });

  it('with live keys for the same attestors: one signature is denied, both are admitted', async () => {
    const dir = sandbox.path('gap-live');
    mkdirSync(dir);
    cpSync(join(gap, 'my-gap.yaml'), join(dir, 'my-gap.yaml'));
    for (const n of [1, 2] as const) {
      const key = sandbox.path(`attestor-${n}`);
      expect(
        (
          await runSignet(
            ['keygen', '--name', `attestor ${n}`, '--email', `a${n}@example.com`, '--out', key],
            sandbox.env,
          )
        ).code,
      ).toBe(0);
      writeFileSync(
        join(dir, `test-attestor-${n}.yaml`),
        `apiVersion: kritis.grafeas.io/v1beta1\nkind: AttestationAuthority\nmetadata:\n  name: test-attestor-${n}\nspec:\n  noteReference: projects/${project}\n  publicKeyData: ${readFileSync(`${key}.pub`).toString('base64')}\n`,
      );
    }
    const sign = (n: 1 | 2) =>
      signet([
        'sign',
        '--image',
        javaImage,
        '--note',
        `projects/${project}/notes/test-attestor-${n}`,
        '--pgp-key',
        sandbox.path(`attestor-${n}`),
      ]);
    expect((await sign(1)).code).toBe(0);
    const one = await evaluate('java/java-with-digest.yaml', dir);
    expect(one.code).toBe(1);
    expect(one.stdout).toContain('test-attestor-2');
    expect((await sign(2)).code).toBe(0);
    const both = await evaluate('java/java-with-digest.yaml', dir);
    expect(both.stdout.split('\n')[0]).toBe('ADMIT Pod default/java-with-digest');
    expect(both.code).toBe(0);
  });

  it("refuses to sign with Kritis's expired attestor key: exit 2", async () => {
    const run = await signet([
      'sign',
      '--image',
      javaImage,
      '--note',
      `projects/${project}/notes/test-attestor-1`,
      '--pgp-key',
      join(kritis, 'keys', 'attestor-1-secret-key.pgp'),
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('key 88D27A9C701BD8391D372E5CCD415CBF850E2029 expired on 2022-03-23');
    expectCleanError(run);
  });
});

describe('signet evaluate --namespace', () => {
  it('applies policies of the namespace the objects go to, and the cluster default elsewhere', async () => {
    const dir = sandbox.path('prod-only');
    mkdirSync(dir);
    const isp = readFileSync(join(fixtures, 'image-security-policy/my-isp.yaml'), 'utf8');
    writeFileSync(
      join(dir, 'isp.yaml'),
      isp.replace('  name: my-isp\n', '  name: my-isp\n  namespace: prod\n'),
    );
    const file = join(fixtures, 'nginx/nginx-no-digest.yaml');
    const run = (namespace: string, extra: string[] = []) =>
      signet(['evaluate', '--file', file, '--policies', dir, '--namespace', namespace, ...extra]);
    const prod = await run('prod');
    expect(prod.code).toBe(1);
    expect(prod.stdout.split('\n')[0]).toBe('DENY  Pod prod/nginx-no-digest');
    const dev = await run('dev');
    expect(dev.code).toBe(0);
    expect(dev.stdout.split('\n')[0]).toBe('ADMIT Pod dev/nginx-no-digest');
    const settings = sandbox.write('settings.yaml', 'noPolicy: deny\n');
    const strict = await run('dev', ['--settings', settings]);
    expect(strict.code).toBe(1);
    expect(strict.stdout.split('\n')[0]).toBe('DENY  Pod dev/nginx-no-digest');
  });
});

describe('signet evaluate: bad input', () => {
  it('refuses a manifest that is not YAML, with exit 2', async () => {
    const bad = sandbox.write('bad.yaml', 'kind: Pod\n  metadata: [unclosed\n');
    const run = await signet(['evaluate', '--file', bad, '--policies', sandbox.path('isp')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('is not valid YAML');
    expectCleanError(run);
  });

  it('refuses a policies folder that does not exist or holds no YAML, with exit 2', async () => {
    const missing = await evaluate('nginx/nginx-digest.yaml', sandbox.path('nope'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('does not exist');
    expectCleanError(missing);
    mkdirSync(sandbox.path('empty'));
    const empty = await evaluate('nginx/nginx-digest.yaml', sandbox.path('empty'));
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('holds no .yaml');
  });

  it('refuses, with exit 2, a policy whose namespace is misspelt and a file holding a non-policy', async () => {
    const isp = readFileSync(join(fixtures, 'image-security-policy/my-isp.yaml'), 'utf8');
    const misspelt = sandbox.path('misspelt');
    mkdirSync(misspelt);
    writeFileSync(
      join(misspelt, 'isp.yaml'),
      isp.replace('  name: my-isp\n', '  name: my-isp\n  namespace: Prod\n'),
    );
    const typo = await signet([
      'evaluate',
      '--file',
      join(fixtures, 'nginx/nginx-no-digest.yaml'),
      '--policies',
      misspelt,
      '--namespace',
      'prod',
    ]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('metadata.namespace');
    expect(typo.stderr).toContain('Kubernetes namespace name');
    expectCleanError(typo);
    const mixed = sandbox.path('mixed');
    mkdirSync(mixed);
    writeFileSync(
      join(mixed, 'isp.yaml'),
      `${isp}---\napiVersion: kritis.grafeas.io/v1beta\nkind: GenericAttestationPolicie\nmetadata:\n  name: x\n`,
    );
    const other = await evaluate('vulnz/acceptable-vulnz.yaml', mixed);
    expect(other.code).toBe(2);
    expect(other.stderr).toContain('document 2 is a GenericAttestationPolicie, not a policy');
    expectCleanError(other);
  });

  it('fails closed, naming the field, when a policy in the namespace is invalid', async () => {
    const dir = sandbox.path('typo');
    mkdirSync(dir);
    writeFileSync(
      join(dir, 'isp.yaml'),
      'apiVersion: kritis.grafeas.io/v1beta1\nkind: ImageSecurityPolicy\nmetadata:\n  name: typo\nspec:\n  packageVulnerabilityRequirements:\n    maximumSeverty: HIGH\n',
    );
    const run = await evaluate('vulnz/acceptable-vulnz.yaml', dir);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('maximumSeverty');
  });
});
