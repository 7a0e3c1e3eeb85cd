import { errorMessage } from '@signet/errors';
import { type ImageReference, isSha256Digest, parseImageReference, resourceUrl } from '@signet/signing';
import { findAllowlistMatch } from './allowlist.js';
import { judgeCosign } from './cosign-authority.js';
import type { RequestLookups } from './lookups.js';
import type { AttestationEvidence } from './metadata.js';
import { describeResource } from './parse.js';
import { vulnerabilityProjectFor } from './project.js';
import type {
  AttestationAuthority,
  GenericAttestationPolicy,
  ImageSecurityPolicy,
  NamespacePolicies,
} from './resource-types.js';
import { unfinishedScan } from './scans.js';
import type { ClusterSettings } from './schemas/settings.js';
import type { AttestationVerifier } from './verifier.js';
import type { Violation, ViolationCode } from './violation.js';
import { describeExcess, findExcessVulnerabilities } from './vulnerabilities.js';

/** Most attestations verified per authority and image: a flood of junk must not stall admission. */
const MAX_ATTESTATIONS = 50;

export interface ImageDecisionContext {
  policies: NamespacePolicies;
  settings: ClusterSettings;
  lookups: RequestLookups;
  verifier: AttestationVerifier;
  now: Date;
}

/** What one new or changed image got from the namespace's policies. */
export interface ImageDecision {
  image: string;
  /** No enforced violation (the request as a whole may still be denied by another image or policy). */
  allowed: boolean;
  violations: Violation[];
  /** Violations of DryRun policies: reported, not enforced. */
  dryRunViolations: Violation[];
  /** Backend failures admitted because the cluster chose `onBackendError: allow` (fail-open). */
  toleratedFailures: Violation[];
  /** For `response.warnings`: one per tolerated failure. */
  warnings: string[];
}

type Parts = Omit<ImageDecision, 'image' | 'allowed'>;

type Finding = Omit<Violation, 'image' | 'policy'>;
type AuthorityResult = { status: 'satisfied' } | { status: 'unmet'; finding: Finding };

/** Decides one new or changed image against every policy of the namespace. */
export async function decideImage(image: string, context: ImageDecisionContext): Promise<ImageDecision> {
  const outcome = noParts();
  let ref: ImageReference;
  try {
    ref = parseImageReference(image);
  } catch (error) {
    outcome.violations.push({
      image,
      policy: 'image reference',
      code: 'REFERENCE_INVALID',
      reason: errorMessage(error),
      fix: 'write the image as REGISTRY/PATH@sha256:DIGEST',
    });
    return { image, allowed: false, ...outcome };
  }
  const [gap, isps] = await Promise.all([
    judgeAttestations(image, ref, context),
    Promise.all(
      context.policies.imageSecurityPolicies.map((isp) => judgeVulnerabilities(image, ref, isp, context)),
    ),
  ]);
  for (const part of [gap, ...isps]) {
    outcome.violations.push(...part.violations);
    outcome.dryRunViolations.push(...part.dryRunViolations);
    outcome.toleratedFailures.push(...part.toleratedFailures);
    outcome.warnings.push(...part.warnings);
  }
  return { image, allowed: outcome.violations.length === 0, ...outcome };
}

function noParts(): Parts {
  return { violations: [], dryRunViolations: [], toleratedFailures: [], warnings: [] };
}

async function judgeAttestations(
  image: string,
  ref: ImageReference,
  context: ImageDecisionContext,
): Promise<Parts> {
  const outcome = noParts();
  const gaps = context.policies.genericAttestationPolicies;
  if (gaps.length === 0) return outcome;
  // A DryRun policy's allowlist must not relax an enforced policy: it only satisfies itself.
  const allowlisted = (gap: GenericAttestationPolicy) =>
    findAllowlistMatch(gap.allowlistPatterns, ref) !== undefined;
  if (gaps.some((gap) => gap.enforcementMode === 'Enforce' && allowlisted(gap))) return outcome;
  const failOpen = context.settings.onBackendError === 'allow';

  const results = await Promise.all(
    gaps.map(async (gap) => ({
      gap,
      findings: allowlisted(gap) ? [] : await unmetAuthorities(gap, ref, context),
    })),
  );
  // Under fail-open, a policy whose only problems are backend failures counts as satisfied.
  const blocking = (findings: Finding[]) =>
    findings.filter((f) => !(failOpen && f.code === 'BACKEND_FAILED'));
  const passed = results.filter((r) => blocking(r.findings).length === 0);
  const enforced = results.filter((r) => r.gap.enforcementMode === 'Enforce');
  const passedEnforced = passed.find((r) => r.gap.enforcementMode === 'Enforce');

  if (passedEnforced) {
    tolerate(outcome, image, passedEnforced.gap, passedEnforced.findings);
  } else if (enforced.length > 0) {
    for (const { gap, findings } of enforced)
      outcome.violations.push(...findings.map((f) => attach(image, gap, f)));
  }
  if (passed.length === 0) {
    for (const { gap, findings } of results) {
      if (gap.enforcementMode === 'DryRun')
        outcome.dryRunViolations.push(...blocking(findings).map((f) => attach(image, gap, f)));
    }
  }
  return outcome;
}

/** The authorities of `gap` the image lacks a valid attestation from (empty: the policy is met). */
async function unmetAuthorities(
  gap: GenericAttestationPolicy,
  ref: ImageReference,
  context: ImageDecisionContext,
): Promise<Finding[]> {
  if (gap.attestationAuthorityNames.length === 0) {
    // The schema refuses such a policy; one built by hand still admits nothing by attestation.
    return [
      {
        code: 'POLICY_INVALID',
        reason: 'the policy names no AttestationAuthority',
        fix: 'name the authorities that must attest images',
      },
    ];
  }
  if (ref.digest === undefined || !isSha256Digest(ref.digest)) return [notPinned(ref)];
  const pinned = { ...ref, digest: ref.digest };
  const results = await Promise.all(
    gap.attestationAuthorityNames.map((name) => judgeAuthority(name, pinned, context)),
  );
  return results.flat();
}

/** What the image lacks from the authority `name`: each of its parts (Grafeas, cosign) must be met. */
async function judgeAuthority(
  name: string,
  ref: ImageReference & { digest: string },
  context: ImageDecisionContext,
): Promise<Finding[]> {
  const authority = context.policies.authorities.find((a) => a.metadata.name === name);
  if (!authority) {
    return [
      {
        code: 'AUTHORITY_MISSING',
        reason: `AttestationAuthority ${name} does not exist in this namespace`,
        fix: `create AttestationAuthority ${name} in the namespace, or remove it from the policy`,
      },
    ];
  }
  const { noteName, cosign } = authority;
  if (noteName === undefined && cosign === undefined) {
    // The schema refuses such an authority; one built by hand still admits nothing.
    return [
      {
        code: 'POLICY_INVALID',
        reason: `AttestationAuthority ${name} has neither a note nor a cosign key`,
        fix: `add noteReference or cosign to AttestationAuthority ${name}`,
      },
    ];
  }
  const [grafeas, cosignGaps] = await Promise.all([
    noteName === undefined ? undefined : judgeGrafeas(authority, noteName, ref, context),
    cosign ? judgeCosign(authority, cosign, ref, context.lookups, context.verifier) : [],
  ]);
  return [...(grafeas ? [grafeas] : []), ...cosignGaps];
}

/** The Grafeas part of an authority: a valid attestation of its note; undefined when met. */
async function judgeGrafeas(
  authority: AttestationAuthority,
  noteName: string,
  ref: ImageReference,
  context: ImageDecisionContext,
): Promise<Finding | undefined> {
  const result = await judgeNote(authority, noteName, ref, context);
  return result.status === 'unmet' ? result.finding : undefined;
}

async function judgeNote(
  authority: AttestationAuthority,
  noteName: string,
  ref: ImageReference,
  context: ImageDecisionContext,
): Promise<AuthorityResult> {
  const name = authority.metadata.name;
  const signCommand = `\`signet sign --image ${ref.name}@${ref.digest} --note ${noteName}\` with a key of AttestationAuthority ${name}`;
  if (authority.keys.length === 0) {
    return unmet(
      'NOT_ATTESTED',
      `AttestationAuthority ${name} has no public keys, so nothing can satisfy it`,
      `add the signer's public key to AttestationAuthority ${name} (spec.publicKeys)`,
    );
  }
  const lookup = await context.lookups.attestations(noteName, resourceUrl(ref));
  if (!lookup.ok) {
    return unmet(
      'BACKEND_FAILED',
      lookup.failure,
      'retry; if it persists, check the metadata backend and the webhook’s access to it',
    );
  }
  const evidence = lookup.value.filter((e) => !e.noteName || e.noteName === noteName);
  if (evidence.length === 0) {
    const absence = context.lookups.describeAbsence(noteName);
    return unmet(
      'NOT_ATTESTED',
      `no attestation by AttestationAuthority ${name} (note ${noteName})${absence ? ` in ${absence}` : ''}`,
      `sign it: ${signCommand}`,
    );
  }
  return verifyAny(authority, evidence.slice(0, MAX_ATTESTATIONS), ref, context, signCommand);
}

async function verifyAny(
  authority: AttestationAuthority,
  evidence: AttestationEvidence[],
  ref: ImageReference,
  context: ImageDecisionContext,
  signCommand: string,
): Promise<AuthorityResult> {
  const image = { name: ref.name, digest: ref.digest! };
  const checks = await Promise.all(
    evidence.map((e) => context.verifier.verify(authority, e, image, context.now)),
  );
  if (checks.some((check) => check.valid)) return { status: 'satisfied' };
  const first = checks.find((check) => !check.valid);
  const detail = first && !first.valid ? `: ${first.reason}` : '';
  const which =
    checks.length === 1
      ? `the attestation by AttestationAuthority ${authority.metadata.name} is not valid`
      : `none of the ${checks.length} attestations by AttestationAuthority ${authority.metadata.name} is valid`;
  return unmet(
    'NOT_ATTESTED',
    `${which}${detail}`,
    first && !first.valid ? `${first.fix}; or sign it again: ${signCommand}` : `sign it: ${signCommand}`,
  );
}

async function judgeVulnerabilities(
  image: string,
  ref: ImageReference,
  isp: ImageSecurityPolicy,
  context: ImageDecisionContext,
): Promise<Parts> {
  const outcome = noParts();
  const finding = await securityPolicyFinding(ref, isp, context);
  if (!finding) return outcome;
  if (finding.code === 'BACKEND_FAILED' && context.settings.onBackendError === 'allow') {
    tolerate(outcome, image, isp, [finding]);
  } else {
    (isp.enforcementMode === 'DryRun' ? outcome.dryRunViolations : outcome.violations).push(
      attach(image, isp, finding),
    );
  }
  return outcome;
}

async function securityPolicyFinding(
  ref: ImageReference,
  isp: ImageSecurityPolicy,
  context: ImageDecisionContext,
): Promise<Finding | undefined> {
  if (findAllowlistMatch(isp.imageAllowlist, ref)) return undefined;
  if (ref.digest === undefined || !isSha256Digest(ref.digest)) return notPinned(ref);
  const project = vulnerabilityProjectFor(ref, context.settings.vulnerabilityProject);
  if (!project) {
    return {
      code: 'NO_VULNERABILITY_PROJECT',
      reason: `Signet does not know where scan results for registry ${ref.registry} are kept`,
      fix: 'the cluster operator sets vulnerabilityProject in Signet’s settings',
    };
  }
  if (isp.requireScan) {
    const scan = await scanFinding(ref, project, context);
    if (scan) return scan;
  }
  const lookup = await context.lookups.vulnerabilities(resourceUrl(ref), project);
  if (!lookup.ok) {
    return {
      code: 'BACKEND_FAILED',
      reason: lookup.failure,
      fix: 'retry; if it persists, check the metadata backend',
    };
  }
  const excess = findExcessVulnerabilities(lookup.value, {
    maximumFixable: isp.maximumSeverity,
    maximumUnfixable: isp.maximumFixUnavailableSeverity,
    allowlistCVEs: isp.allowlistCVEs,
  });
  if (excess.length === 0) return undefined;
  const unreadable = excess.filter((v) => v.unreadable !== undefined);
  if (unreadable.length > 0) {
    return {
      code: 'UNREADABLE_METADATA',
      reason: `Signet cannot read ${unreadable.length} occurrence${unreadable.length === 1 ? '' : 's'} of the image in project ${project}, so it cannot tell whether the image is within the limits: ${describeExcess(unreadable)}`,
      fix: 'correct or delete the occurrence in the metadata store (what wrote it does not follow the Grafeas API), or rescan the image; allowlisting a CVE does not cover an occurrence that cannot be read',
    };
  }
  return {
    code: 'VULNERABILITIES',
    reason: `${excess.length} vulnerabilit${excess.length === 1 ? 'y is' : 'ies are'} above the limits (fixable: ${isp.maximumSeverity}, no fix: ${isp.maximumFixUnavailableSeverity}): ${describeExcess(excess)}`,
    fix: `rebuild the image on patched packages; or, if the risk is accepted, add the CVE ids to allowlistCVEs of ${describeResource('ImageSecurityPolicy', isp.metadata)}`,
  };
}

async function scanFinding(
  ref: ImageReference,
  project: string,
  context: ImageDecisionContext,
): Promise<Finding | undefined> {
  const lookup = await context.lookups.scans(resourceUrl(ref), project);
  if (!lookup.ok) {
    return {
      code: 'BACKEND_FAILED',
      reason: lookup.failure,
      fix: 'retry; if it persists, check the metadata backend',
    };
  }
  const unfinished = unfinishedScan(lookup.value, `${ref.name}@${ref.digest}`, project);
  return unfinished && { code: 'NOT_SCANNED', ...unfinished };
}

function notPinned(ref: ImageReference): Finding {
  const digestCommand = `\`crane digest ${ref.name}${ref.tag ? `:${ref.tag}` : ''}\` prints it`;
  if (ref.digest !== undefined) {
    const algorithm = ref.digest.split(':', 1)[0];
    return {
      code: 'NOT_PINNED',
      reason: `the image is pinned by a ${algorithm} digest, but attestations and scans name images by their sha256 digest, so this one cannot be checked`,
      fix: `pin it by its sha256 digest: ${ref.name}@sha256:<digest> (${digestCommand})`,
    };
  }
  return {
    code: 'NOT_PINNED',
    reason: 'the image is referenced by tag, not by digest, so what runs cannot be checked',
    fix: `pin it by digest: ${ref.name}@sha256:<digest> (${digestCommand}), or let Signet's resolve hook pin it at admission (the MutatingWebhookConfiguration signet-resolve, signet-webhook --resolve-tags pods)`,
  };
}

function unmet(code: ViolationCode, reason: string, fix: string): AuthorityResult {
  return { status: 'unmet', finding: { code, reason, fix } };
}

function attach(
  image: string,
  policy: GenericAttestationPolicy | ImageSecurityPolicy,
  finding: Finding,
): Violation {
  return { image, policy: describeResource(policy.kind, policy.metadata), ...finding };
}

/** Records the backend failures among `findings` as admitted (fail-open), each with its warning. */
function tolerate(
  outcome: Parts,
  image: string,
  policy: GenericAttestationPolicy | ImageSecurityPolicy,
  findings: Finding[],
): void {
  for (const finding of findings.filter((f) => f.code === 'BACKEND_FAILED')) {
    outcome.toleratedFailures.push(attach(image, policy, finding));
    outcome.warnings.push(`admitted ${image} without checking it (fail-open): ${finding.reason}`);
  }
}
