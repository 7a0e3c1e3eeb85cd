import { join } from 'node:path';
import type { OccurrenceSpec } from '@signet/grafeas-client';
import { SqliteMetadataStore } from '@signet/grafeas-client/records';
import { startEmulator } from '@signet/grafeas-emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectCleanError, runSignet } from './test-support/run-signet.js';
import { createSandbox, type Sandbox } from './test-support/sandbox.js';

const kritisSigner = join(process.env.SIGNET_TESTDATA ?? '', 'kritis', 'integration', 'signer');
const strictPolicy = join(kritisSigner, 'policy_strict.yaml');
const loosePolicy = join(kritisSigner, 'policy_loose.yaml');
const vulnerable = `gcr.io/my-proj/java-with-vulnz@sha256:${'1'.repeat(64)}`;
const acceptable = `gcr.io/my-proj/acceptable-vulnz@sha256:${'2'.repeat(64)}`;
const note = 'projects/attestors/notes/vulnz-attestor';

function vulnerability(
  image: string,
  cve: string,
  severity: 'LOW' | 'HIGH' | 'CRITICAL',
  fixAvailable: boolean,
): OccurrenceSpec {
  return {
    kind: 'VULNERABILITY',
    resourceUri: `https://${image}`,
    noteName: `projects/goog-vulnz/notes/${cve}`,
    severity,
    effectiveSeverity: severity,
    fixAvailable,
    packages: [{ affectedCpeUri: 'cpe:/o:debian:debian_linux:11', affectedPackage: 'openssl', fixAvailable }],
  };
}

function discovery(
  image: string,
  analysisStatus: 'PENDING' | 'FINISHED_SUCCESS' | 'FINISHED_FAILED',
): OccurrenceSpec {
  return {
    kind: 'DISCOVERY',
    resourceUri: `https://${image}`,
    noteName: 'projects/goog-analysis/notes/PACKAGE_VULNERABILITY',
    analysisStatus,
  };
}

let sandbox: Sandbox;
let dbPath: string;
let store: SqliteMetadataStore;
let storeFlags: string[];
const signet = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  runSignet([...storeFlags, ...args], { ...sandbox.env, ...env });

beforeAll(async () => {
  sandbox = createSandbox();
  dbPath = sandbox.path('scans.db');
  storeFlags = ['--store', `sqlite:${dbPath}`];
  store = new SqliteMetadataStore(dbPath);
  await store.createOccurrence('my-proj', vulnerability(vulnerable, 'CVE-2021-3711', 'HIGH', true));
  await store.createOccurrence('my-proj', vulnerability(vulnerable, 'CVE-2021-20305', 'CRITICAL', true));
  await store.createOccurrence('my-proj', discovery(vulnerable, 'FINISHED_SUCCESS'));
  await store.createOccurrence('my-proj', vulnerability(acceptable, 'CVE-2020-1971', 'LOW', false));
  await store.createOccurrence('my-proj', vulnerability(acceptable, 'CVE-2021-20305', 'CRITICAL', true));
  await store.createOccurrence('my-proj', discovery(acceptable, 'FINISHED_SUCCESS'));
  expect(
    (await signet(['note', 'create', '--project', 'attestors', '--note-id', 'vulnz-attestor'])).code,
  ).toBe(0);
});
afterAll(async () => {
  await store.close();
  sandbox.cleanup();
});

async function attestationsOf(image: string): Promise<number> {
  return (await store.listNoteOccurrences(note, `https://${image}`)).items.length;
}

/** `signet sign` of `image` with Kritis's test key, then any further flags. */
const signArgs = (image: string, ...more: string[]) => [
  'sign',
  '--image',
  image,
  '--note',
  note,
  '--pgp-key',
  join(kritisSigner, 'private.key'),
  ...more,
];

describe("check-and-sign under Kritis's policy_strict.yaml", () => {
  it('refuses to sign an image whose vulnerabilities exceed the policy: exit 1, no attestation', async () => {
    const run = await signet(signArgs(vulnerable, '--policy', strictPolicy));
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('REFUSED to sign');
    expect(run.stdout).toContain('CVE-2021-3711 (HIGH, fix available)');
    expect(run.stdout).not.toContain('CVE-2021-20305');
    expect(await attestationsOf(vulnerable)).toBe(0);
  });

  it('signs an image that passes: exit 0, one attestation', async () => {
    const run = await signet(signArgs(acceptable, '--policy', strictPolicy));
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('passes VulnzSigningPolicy my-vsp');
    expect(run.stdout).toContain(`Signed https://${acceptable}`);
    expect(await attestationsOf(acceptable)).toBe(1);
  });

  it('signs the vulnerable image under policy_loose.yaml (CRITICAL allowed)', async () => {
    const run = await signet(signArgs(vulnerable, '--policy', loosePolicy));
    expect(run.code).toBe(0);
    expect(await attestationsOf(vulnerable)).toBe(1);
  });
});

describe('check-and-sign while the scan runs', () => {
  it('refuses to sign an image whose scan is not finished: exit 1, no attestation', async () => {
    const image = `gcr.io/my-proj/scanning@sha256:${'9'.repeat(64)}`;
    await store.createOccurrence('my-proj', discovery(image, 'PENDING'));
    const run = await signet(signArgs(image, '--policy', strictPolicy));
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('is not finished (PENDING)');
    expect(await attestationsOf(image)).toBe(0);
  });

  it('signs once the scan finishes within --wait', async () => {
    const image = `gcr.io/my-proj/scanned-later@sha256:${'a'.repeat(64)}`;
    await store.createOccurrence('my-proj', discovery(image, 'PENDING'));
    const running = signet(signArgs(image, '--policy', strictPolicy, '--wait', '30s'), {
      SIGNET_POLL_MS: '100',
    });
    await running.printed(/waiting for the vulnerability scan/);
    await store.createOccurrence('my-proj', discovery(image, 'FINISHED_SUCCESS'));
    const run = await running;
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('waiting for the vulnerability scan');
    expect(await attestationsOf(image)).toBe(1);
  });

  it('refuses --wait without --policy: exit 2', async () => {
    const run = await signet(signArgs(acceptable, '--wait', '5s'));
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--wait applies to --policy only');
  });
});

// Issue 11 findings 1 and 3, issue 10 finding 2: what real stores hold, under a MEDIUM limit.
describe('check-and-sign on what gcloud and a real Grafeas write', () => {
  const realWorld = (
    image: string,
    fields: Partial<Record<string, unknown>>,
    resourceUri = `https://${image}`,
  ) => ({ ...vulnerability(image, 'CVE-2024-0001', 'LOW', true), resourceUri, ...fields }) as OccurrenceSpec;
  const checkOf = async (image: string) =>
    signet(['--output', 'json', 'check', '--image', image, '--policy', strictPolicy]);

  it('judges severity only (effectiveSeverity SEVERITY_UNSPECIFIED, as a real Grafeas returns it) by severity', async () => {
    const image = `gcr.io/my-proj/severity-only@sha256:${'6'.repeat(64)}`;
    await store.createOccurrence(
      'my-proj',
      realWorld(image, { severity: 'CRITICAL', effectiveSeverity: 'SEVERITY_UNSPECIFIED' }),
    );
    await store.createOccurrence('my-proj', discovery(image, 'FINISHED_SUCCESS'));
    const check = await checkOf(image);
    expect(check.code).toBe(1);
    expect(JSON.parse(check.stdout).excess).toEqual([
      {
        cveId: 'CVE-2024-0001',
        severity: 'CRITICAL',
        severityKnown: true,
        fixAvailable: true,
        limit: 'MEDIUM',
      },
    ]);
    const sign = await signet(signArgs(image, '--policy', strictPolicy));
    expect(sign.code).toBe(1);
    expect(sign.stdout).toContain('CVE-2024-0001 (CRITICAL, fix available)');
    expect(await attestationsOf(image)).toBe(0);
  });

  it('reads a lowercase severity by its name, and judges an unrecognised one as CRITICAL, saying so', async () => {
    const lowercase = `gcr.io/my-proj/lowercase@sha256:${'7'.repeat(64)}`;
    const unknown = `gcr.io/my-proj/unknown-severity@sha256:${'7b'.repeat(32)}`;
    await store.createOccurrence(
      'my-proj',
      realWorld(lowercase, { severity: 'critical', effectiveSeverity: 'critical' }),
    );
    await store.createOccurrence(
      'my-proj',
      realWorld(unknown, { severity: 'SEVERE', effectiveSeverity: 'SEVERE' }),
    );
    for (const image of [lowercase, unknown]) {
      await store.createOccurrence('my-proj', discovery(image, 'FINISHED_SUCCESS'));
    }
    const signLowercase = await signet(signArgs(lowercase, '--policy', strictPolicy));
    expect(signLowercase.code).toBe(1);
    expect(signLowercase.stdout).toContain('CVE-2024-0001 (CRITICAL, fix available)');
    const signUnknown = await signet(signArgs(unknown, '--policy', strictPolicy));
    expect(signUnknown.code).toBe(1);
    expect(signUnknown.stdout).toContain('CVE-2024-0001 (severity unknown, judged CRITICAL, fix available)');
    expect(await attestationsOf(lowercase)).toBe(0);
    expect(await attestationsOf(unknown)).toBe(0);
  });

  it('finds the scan of an image stored without https://', async () => {
    const image = `gcr.io/my-proj/no-scheme@sha256:${'8'.repeat(64)}`;
    await store.createOccurrence(
      'my-proj',
      realWorld(image, { severity: 'HIGH', effectiveSeverity: 'HIGH' }, image),
    );
    await store.createOccurrence('my-proj', { ...discovery(image, 'FINISHED_SUCCESS'), resourceUri: image });
    const check = await checkOf(image);
    expect(check.code).toBe(1);
    expect(JSON.parse(check.stdout)).toMatchObject({
      scan: 'FINISHED',
      excess: [{ cveId: 'CVE-2024-0001', severity: 'HIGH' }],
    });
  });
});

// Issue 10 finding 2: a v1beta1 finding with no fix and no effectiveSeverity, as written on the wire.
describe('signet check --api v1beta1 on a finding with no fix and severity only', () => {
  it('judges it by its severity against maximumUnfixableSeverity', async () => {
    const emulator = await startEmulator({ flavor: 'google' });
    try {
      const image = `gcr.io/my-proj/v1beta1-no-fix@sha256:${'b'.repeat(64)}`;
      const post = (body: unknown) =>
        fetch(`${emulator.url}/v1beta1/projects/my-proj/occurrences`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      const resource = { uri: `https://${image}` };
      const location = {
        cpeUri: 'cpe:/o:debian:debian_linux:11',
        package: 'openssl',
        version: { kind: 'NORMAL', name: '1.1.1n' },
      };
      const vulnerability = await post({
        resource,
        noteName: 'projects/goog-vulnz/notes/CVE-2024-0002',
        vulnerability: { severity: 'CRITICAL', packageIssue: [{ affectedLocation: location }] },
      });
      expect(vulnerability.status).toBe(200);
      const scan = await post({
        resource,
        noteName: 'projects/goog-analysis/notes/PACKAGE_VULNERABILITY',
        discovered: { discovered: { analysisStatus: 'FINISHED_SUCCESS' } },
      });
      expect(scan.status).toBe(200);
      const run = await runSignet(
        [
          '--store',
          `containeranalysis:${emulator.url}`,
          '--api',
          'v1beta1',
          '--output',
          'json',
          'check',
          '--image',
          image,
          '--policy',
          strictPolicy,
        ],
        sandbox.env,
      );
      expect(run.code).toBe(1);
      expect(JSON.parse(run.stdout).excess).toEqual([
        {
          cveId: 'CVE-2024-0002',
          severity: 'CRITICAL',
          severityKnown: true,
          fixAvailable: false,
          limit: 'MEDIUM',
        },
      ]);
    } finally {
      await emulator.close();
    }
  });
});

describe('signet check', () => {
  /** `signet check` of `image` under policy_strict.yaml, then any further flags. */
  const checkArgs = (image: string, ...more: string[]) => [
    'check',
    '--image',
    image,
    '--policy',
    strictPolicy,
    ...more,
  ];

  it('gives the verdict: exit 1 naming the CVEs, exit 0 for a passing image', async () => {
    const failing = await signet(['--output', 'json', ...checkArgs(vulnerable)]);
    expect(failing.code).toBe(1);
    expect(JSON.parse(failing.stdout)).toMatchObject({
      passed: false,
      project: 'my-proj',
      scan: 'FINISHED',
      vulnerabilities: 2,
      excess: [{ cveId: 'CVE-2021-3711', severity: 'HIGH', fixAvailable: true, limit: 'MEDIUM' }],
    });
    const passing = await signet(checkArgs(acceptable));
    expect(passing.code).toBe(0);
    expect(passing.stdout).toMatch(/^PASS /);
  });

  it('waits for the scan to finish with --wait, printing progress', async () => {
    const image = `gcr.io/my-proj/fresh@sha256:${'3'.repeat(64)}`;
    await store.createOccurrence('my-proj', discovery(image, 'PENDING'));
    const running = signet(checkArgs(image, '--wait', '30s'), {
      SIGNET_POLL_MS: '100',
    });
    await running.printed(/waiting for the vulnerability scan/);
    await store.createOccurrence('my-proj', vulnerability(image, 'CVE-2020-1971', 'LOW', true));
    await store.createOccurrence('my-proj', discovery(image, 'FINISHED_SUCCESS'));
    const run = await running;
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(
      /^waiting for the vulnerability scan of gcr\.io\/my-proj\/fresh@sha256:3{64}: PENDING, \d+s left$/m,
    );
    expect(run.stdout).toMatch(/^PASS .*\(1 vulnerabilities in project my-proj/);
  });

  it('gives up after --wait with exit 3 when the scan never finishes', async () => {
    const image = `gcr.io/my-proj/stuck@sha256:${'4'.repeat(64)}`;
    await store.createOccurrence('my-proj', discovery(image, 'PENDING'));
    const run = await signet(checkArgs(image, '--wait', '300ms'), {
      SIGNET_POLL_MS: '100',
    });
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('did not finish within 300ms (last status PENDING)');
    expectCleanError(run);
  });

  it('reports a failed scan with exit 3 rather than a verdict', async () => {
    const image = `gcr.io/my-proj/broken@sha256:${'5'.repeat(64)}`;
    await store.createOccurrence('my-proj', discovery(image, 'FINISHED_FAILED'));
    const run = await signet(checkArgs(image));
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('ended with FINISHED_FAILED');
    expectCleanError(run);
  });

  it('asks for --vulnz-project for a registry outside Google, then uses it', async () => {
    const image = `registry.example.com/team/app@sha256:${'6'.repeat(64)}`;
    const without = await signet(checkArgs(image));
    expect(without.code).toBe(2);
    expect(without.stderr).toContain('--vulnz-project PROJECT');
    await store.createOccurrence('scans', vulnerability(image, 'CVE-2021-3711', 'HIGH', true));
    const withProject = await signet(checkArgs(image, '--vulnz-project', 'scans'));
    expect(withProject.code).toBe(1);
    expect(withProject.stdout).toContain('CVE-2021-3711');
  });

  it('refuses a policy file of the wrong kind or with a typo: exit 2 naming the field', async () => {
    const typo = sandbox.write(
      'typo.yaml',
      'apiVersion: kritis.grafeas.io/v1beta1\nkind: VulnzSigningPolicy\nmetadata:\n  name: t\nspec:\n  imageVulnerabilityRequirements:\n    maximumFixableSeverity: MEDIUMISH\n',
    );
    const run = await signet(['check', '--image', acceptable, '--policy', typo]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('spec.imageVulnerabilityRequirements.maximumFixableSeverity');
    expectCleanError(run);
    const wrongKind = await signet([
      'check',
      '--image',
      acceptable,
      '--policy',
      join(
        process.env.SIGNET_TESTDATA ?? '',
        'kritis/integration/testdata/generic-attestation-policy/my-gap.yaml',
      ),
    ]);
    expect(wrongKind.code).toBe(2);
    expect(wrongKind.stderr).toContain('holds 0 VulnzSigningPolicy resources');
  });
});
