import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type MetadataStore, noteName, openMetadataStore, type Severity } from '@signet/grafeas-client';
import {
  buildPayload,
  generatePgpKey,
  parseImageReference,
  resourceUrl,
  signPgpAttached,
} from '@signet/signing';

/** The names the user's guide uses; one place, so the demo and the tests tell the same story. */
export const GUIDE = {
  project: 'signet-demo',
  attestor: 'qa-attestor',
  namespace: 'default',
  images: {
    signed: `registry.example/shop/web@sha256:${'a1'.repeat(32)}`,
    unsigned: `registry.example/shop/cart@sha256:${'b2'.repeat(32)}`,
    vulnerable: `registry.example/shop/legacy@sha256:${'c3'.repeat(32)}`,
    debug: `registry.example/tools/debug@sha256:${'d4'.repeat(32)}`,
  },
  /** Seeded on the vulnerable image: one above the limit with a fix, one allowlisted, one without fix. */
  vulnerabilities: [
    { cve: 'CVE-2024-3094', severity: 'CRITICAL', fixAvailable: true },
    { cve: 'CVE-2023-4863', severity: 'HIGH', fixAvailable: true },
    { cve: 'CVE-2021-44228', severity: 'CRITICAL', fixAvailable: true },
    { cve: 'CVE-2022-0001', severity: 'LOW', fixAvailable: false },
  ] as { cve: string; severity: Severity; fixAvailable: boolean }[],
  /** The guide's allowlist spelling, which Kritis never matched. */
  allowlistedCve: 'providers/goog-vulnz/notes/CVE-2021-44228',
} as const;

export const NOTE_NAME = noteName(GUIDE.project, GUIDE.attestor);

/** A running Grafeas server the guide's world lives in (the emulator's `startEmulator` makes one). */
interface GuideEmulator {
  url: string;
  close(): Promise<void>;
}

/** Starts a Grafeas server on a free loopback port: pass the emulator's `startEmulator`. */
export type StartEmulator = (options: { port: number; host: string }) => Promise<GuideEmulator>;

export interface GuideWorld {
  emulator: GuideEmulator;
  /** How the webhook reaches the emulator (as `--store`). */
  storeUrl: string;
  store: MetadataStore;
  fingerprint: string;
  publicKey: string;
  /** The demo's own throwaway key, so tests can sign more images. */
  privateKey: string;
  policyDir: string;
  close(): Promise<void>;
}

export type GuideStep = (line: string) => void;

/**
 * Steps 1–3 of the user's guide on the embedded defaults: an emulator, a PGP key, the attestation
 * note, a signed image, vulnerability occurrences for another image (signed too, so only its
 * vulnerabilities stand in its way), and the three custom resources in a policy folder.
 * The caller hands in the emulator's `startEmulator`, so this package never depends on an app.
 */
export async function prepareGuide(
  workDir: string,
  startEmulator: StartEmulator,
  step: GuideStep = () => {},
): Promise<GuideWorld> {
  const emulator = await startEmulator({ port: 0, host: '127.0.0.1' });
  const storeUrl = `containeranalysis:${emulator.url}`;
  const store = await openMetadataStore(storeUrl, { api: 'v1' });
  try {
    step(`started the Grafeas emulator at ${emulator.url}`);
    const key = await generatePgpKey({ name: 'Signet Release', email: 'release@example.com' });
    step(`generated PGP key ${key.fingerprint}`);
    await store.createNote(GUIDE.project, GUIDE.attestor, {
      kind: 'ATTESTATION',
      humanReadableName: 'QA attestor',
    });
    step(`created note ${NOTE_NAME}`);
    for (const image of [GUIDE.images.signed, GUIDE.images.vulnerable]) {
      await signImage(store, image, key.privateKey, key.fingerprint);
      step(`signed ${image}`);
    }
    const vulnerableUrl = resourceUrl(parseImageReference(GUIDE.images.vulnerable));
    await store.batchCreateOccurrences(
      GUIDE.project,
      GUIDE.vulnerabilities.map((v) => ({
        kind: 'VULNERABILITY' as const,
        resourceUri: vulnerableUrl,
        noteName: `projects/goog-vulnz/notes/${v.cve}`,
        severity: v.severity,
        effectiveSeverity: v.severity,
        fixAvailable: v.fixAvailable,
        packages: [
          {
            affectedCpeUri: 'cpe:/o:debian:debian_linux:12',
            affectedPackage: 'xz-utils',
            fixAvailable: v.fixAvailable,
          },
        ],
      })),
    );
    step(`seeded ${GUIDE.vulnerabilities.length} vulnerability occurrences for ${GUIDE.images.vulnerable}`);
    const policyDir = join(workDir, 'policies');
    await writeGuidePolicies(policyDir, key.publicKey);
    step(`wrote AttestationAuthority, GenericAttestationPolicy and ImageSecurityPolicy to ${policyDir}`);
    return {
      emulator,
      storeUrl,
      store,
      fingerprint: key.fingerprint,
      publicKey: key.publicKey,
      privateKey: key.privateKey,
      policyDir,
      async close() {
        await store.close();
        await emulator.close();
      },
    };
  } catch (error) {
    await store.close().catch(() => {});
    await emulator.close().catch(() => {});
    throw error;
  }
}

/** What `signet sign --api v1` does: a simple-signing payload, an attached PGP signature, an occurrence. */
export async function signImage(
  store: MetadataStore,
  image: string,
  privateKey: string,
  fingerprint: string,
) {
  const reference = parseImageReference(image);
  const payload = buildPayload({ name: reference.name, digest: reference.digest ?? '' });
  const { signature } = await signPgpAttached(payload, privateKey);
  // v1 has no PGP form: as gcloud (and `signet sign`) do, the payload travels beside the armored signature.
  await store.createOccurrence(GUIDE.project, {
    kind: 'ATTESTATION',
    resourceUri: resourceUrl(reference),
    noteName: NOTE_NAME,
    signature: {
      form: 'generic',
      contentType: 'SIMPLE_SIGNING_JSON',
      serializedPayload: payload,
      signatures: [{ publicKeyId: fingerprint, signature: new TextEncoder().encode(signature) }],
    },
  });
}

/** The guide's three resources, in the guide's own forms (publicKeyData, noteReference projects/P). */
export async function writeGuidePolicies(directory: string, publicKey: string): Promise<void> {
  await mkdir(directory, { recursive: true });
  const files: [string, string][] = [
    [
      'attestation-authority.yaml',
      kritisYaml(
        'AttestationAuthority',
        GUIDE.attestor,
        `  noteReference: projects/${GUIDE.project}
  publicKeyData: ${Buffer.from(publicKey).toString('base64')}
`,
      ),
    ],
    [
      'generic-attestation-policy.yaml',
      kritisYaml(
        'GenericAttestationPolicy',
        'require-qa',
        `  attestationAuthorityNames:
  - ${GUIDE.attestor}
  admissionAllowlistPatterns:
  - namePattern: registry.k8s.io/pause*
`,
      ),
    ],
    [
      'image-security-policy.yaml',
      kritisYaml(
        'ImageSecurityPolicy',
        'no-critical',
        `  packageVulnerabilityRequirements:
    maximumSeverity: MEDIUM
    maximumFixUnavailableSeverity: ALLOW_ALL
    allowlistCVEs:
    - ${GUIDE.allowlistedCve}
`,
      ),
    ],
  ];
  for (const [name, yaml] of files) await writeFile(join(directory, name), yaml);
}

function kritisYaml(kind: string, name: string, spec: string): string {
  return `apiVersion: kritis.grafeas.io/v1beta1
kind: ${kind}
metadata:
  name: ${name}
  namespace: ${GUIDE.namespace}
spec:
${spec}`;
}
