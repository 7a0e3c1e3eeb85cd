import {
  type AttestationEvidence,
  AttestationVerifier,
  type Decision,
  decide,
  type MetadataSource,
  parseAttestationAuthority,
  parseGenericAttestationPolicy,
} from '@signet/policy';
import { buildPayload, generatePgpKey, signPgpAttached } from '@signet/signing';

const PROJECT = 'signet-warm-up';
const NOTE = `projects/${PROJECT}/notes/warm-up`;
const IMAGE = { name: 'warm-up.invalid/signet', digest: `sha256:${'0'.repeat(64)}` };

/**
 * One decision over a throwaway key, policy and in-memory attestation, made before the webhook
 * listens. V8 compiles the decision path (review reading, policies, OpenPGP verification, the
 * message) on first use; without this, the first Pods after every rollout pay for it. Nothing here
 * touches the real backend or the real caches. Returns the decision: an admission, or the path broke.
 */
export async function warmUpDecision(): Promise<Decision> {
  const key = await generatePgpKey({ name: 'Signet warm-up', email: 'warm-up@signet.invalid' });
  const payload = buildPayload(IMAGE);
  const { signature } = await signPgpAttached(payload, key.privateKey);
  const evidence: AttestationEvidence = {
    noteName: NOTE,
    signature: {
      form: 'generic',
      serializedPayload: payload,
      signatures: [{ publicKeyId: key.fingerprint, signature: new TextEncoder().encode(signature) }],
    },
  };
  const metadata: MetadataSource = {
    attestations: async () => [evidence],
    vulnerabilities: async () => [],
  };
  return decide({
    request: podCreation(`${IMAGE.name}@${IMAGE.digest}`),
    policies: policiesFor(key.publicKey),
    metadata,
    verifier: new AttestationVerifier(),
  });
}

function policiesFor(publicKey: string) {
  const metadata = { name: 'warm-up', namespace: 'warm-up' };
  const authority = parseAttestationAuthority({
    apiVersion: 'kritis.grafeas.io/v1beta1',
    kind: 'AttestationAuthority',
    metadata,
    spec: { noteReference: `projects/${PROJECT}`, publicKeyData: Buffer.from(publicKey).toString('base64') },
  });
  const policy = parseGenericAttestationPolicy({
    apiVersion: 'kritis.grafeas.io/v1beta1',
    kind: 'GenericAttestationPolicy',
    metadata,
    spec: { attestationAuthorityNames: ['warm-up'] },
  });
  return {
    authorities: authority.ok ? [authority.value] : [],
    genericAttestationPolicies: policy.ok ? [policy.value] : [],
    imageSecurityPolicies: [],
    invalid: [],
  };
}

function podCreation(image: string) {
  return {
    uid: 'warm-up',
    kind: { group: '', version: 'v1', kind: 'Pod' },
    operation: 'CREATE',
    namespace: 'warm-up',
    name: 'warm-up',
    object: {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'warm-up', namespace: 'warm-up' },
      spec: { containers: [{ name: 'app', image }] },
    },
  };
}
