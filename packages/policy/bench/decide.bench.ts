/**
 * Decisions per second for a Pod with 10 images against 3 policies (a GenericAttestationPolicy
 * and two ImageSecurityPolicies) with warm metadata and already-verified attestations, beside
 * JSON.parse of the same AdmissionReview body.  Run: pnpm --filter @signet/policy bench
 */
import { readFileSync } from 'node:fs';
import { AttestationVerifier, decide, type NamespacePolicies } from '../src/index.js';
import { finding, MemoryMetadata } from '../src/test-support/memory-metadata.js';
import { gap, isp, pgpAuthority } from '../src/test-support/resources.js';
import { pgpAttestation, pgpSigner } from '../src/test-support/signers.js';

/** A captured review from the repository's testdata/ (run by tsx, outside vitest and its SIGNET_TESTDATA). */
const CAPTURED_POD = new URL(
  '../../../testdata/admission-reviews/k8s-1.32/01-Pod-CREATE.json',
  import.meta.url,
);
const NOTE = 'projects/attestors/notes/qa';

async function setUp() {
  const capture = JSON.parse(readFileSync(CAPTURED_POD, 'utf8'));
  const review = capture.review;
  const template = review.request.object.spec.containers[0];
  const images = Array.from({ length: 10 }, (_, i) => ({
    name: `gcr.io/team/service-${i}`,
    digest: `sha256:${i.toString(16).repeat(64)}`,
  }));
  review.request.object.spec.containers = images.map((image, i) => ({
    ...template,
    name: `c${i}`,
    image: `${image.name}@${image.digest}`,
  }));
  const body = JSON.stringify(review);

  const qa = await pgpSigner('bench');
  const metadata = new MemoryMetadata();
  metadata.recordCalls = false;
  for (const image of images) {
    const url = `https://${image.name}@${image.digest}`;
    metadata.addAttestation(NOTE, url, await pgpAttestation(qa.privateKey, image, { noteName: NOTE }));
    metadata.setVulnerabilities(
      'team',
      url,
      Array.from({ length: 20 }, (_, n) =>
        finding(`CVE-2024-${1000 + n}`, n % 3 === 0 ? 'HIGH' : 'LOW', n % 2 === 0),
      ),
    );
  }
  const policies: NamespacePolicies = {
    authorities: [pgpAuthority('qa', qa.publicKeyBase64, NOTE)],
    genericAttestationPolicies: [gap('require-qa', { attestationAuthorityNames: ['qa'] })],
    imageSecurityPolicies: [
      isp('no-critical', {}),
      isp('fixable-high', {
        packageVulnerabilityRequirements: { maximumSeverity: 'HIGH', allowlistCVEs: ['CVE-2024-1003'] },
      }),
    ],
    invalid: [],
  };
  return { body, metadata, policies, verifier: new AttestationVerifier({ maxAgeMs: 3_600_000 }) };
}

async function measure(
  label: string,
  op: () => unknown,
  seconds = 1.5,
): Promise<{ label: string; perSecond: number }> {
  for (let i = 0; i < 200; i++) await op(); // warm-up (JIT, caches)
  const rounds: number[] = [];
  for (let round = 0; round < 5; round++) {
    const until = performance.now() + (seconds * 1000) / 5;
    let count = 0;
    const start = performance.now();
    while (performance.now() < until) {
      for (let i = 0; i < 20; i++) {
        const result = op();
        if (result instanceof Promise) await result; // the sync baseline pays no microtask
      }
      count += 20;
    }
    rounds.push(count / ((performance.now() - start) / 1000));
  }
  rounds.sort((a, b) => a - b);
  return { label, perSecond: rounds[2]! };
}

const { body, metadata, policies, verifier } = await setUp();
const request = JSON.parse(body).request;
const first = await decide({ request, policies, metadata, verifier });
if (!first.allowed) throw new Error(`the bench Pod should be admitted: ${first.message}`);

const parse = await measure('JSON.parse of the AdmissionReview (baseline)', () => JSON.parse(body));
const decision = await measure('decide(): Pod, 10 images, 3 policies, warm', () =>
  decide({ request, policies, metadata, verifier }),
);
const both = await measure('JSON.parse + decide()', () =>
  decide({ request: JSON.parse(body).request, policies, metadata, verifier }),
);

console.log(`AdmissionReview body: ${body.length} bytes; node ${process.version}`);
console.log('| operation | ops/s | µs/op | cost vs JSON.parse |');
console.log('|---|---:|---:|---:|');
for (const row of [parse, decision, both]) {
  const ratio = parse.perSecond / row.perSecond;
  console.log(
    `| ${row.label} | ${Math.round(row.perSecond)} | ${(1e6 / row.perSecond).toFixed(1)} | ${ratio.toFixed(1)}x |`,
  );
}
