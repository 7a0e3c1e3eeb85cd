import type { Decision } from '@signet/policy';
import { AttestationVerifier, decide } from '@signet/policy';
import type { CommandAction } from '../common/command-result.js';
import { ExitCode } from '../common/exit-codes.js';
import { type RegistryOptions, registryOnDemand } from '../common/registry.js';
import { withStore } from '../common/store.js';
import { admissionRequest, readManifest } from '../policy-io/manifest.js';
import { policiesFor, readPolicyFolder } from '../policy-io/policy-folder.js';
import {
  type CosignReadTimeout,
  RegistryCosignSource,
  SignerEvidenceSource,
} from '../policy-io/registry-cosign-source.js';
import { readSettings } from '../policy-io/settings-file.js';

interface EvaluateOptions extends RegistryOptions, CosignReadTimeout {
  file: string;
  policies: string;
  namespace: string;
  vulnzProject?: string;
  settings?: string;
}

interface ObjectVerdict {
  kind: string;
  namespace: string;
  name: string;
  allowed: boolean;
  decision: Decision;
}

/**
 * The webhook's decision for each object of a manifest, from policy files, with the store's metadata and
 * the registry's cosign evidence: exit 0 when all are admitted, 3 when a denial rests on a backend that
 * failed (the store, a registry), 1 otherwise.
 */
export const run: CommandAction<EvaluateOptions> = async (options, context) => {
  const objects = await readManifest(options.file);
  const folder = await readPolicyFolder(options.policies);
  const settings = await readSettings(options.settings, options.vulnzProject);
  for (const notice of folder.notices) context.progress(`note: ${notice}`);
  const cosign = new RegistryCosignSource(registryOnDemand(options, context), options);
  const verdicts = await withStore(context.global, async (store) => {
    const metadata = new SignerEvidenceSource(store, cosign);
    const verifier = new AttestationVerifier();
    const out: ObjectVerdict[] = [];
    for (const [index, item] of objects.entries()) {
      const namespace = item.namespace ?? options.namespace;
      const decision = await decide({
        request: admissionRequest(item, namespace, index),
        policies: policiesFor(folder, namespace),
        settings,
        metadata,
        verifier,
      });
      out.push({ kind: item.kind, namespace, name: item.name, allowed: decision.allowed, decision });
    }
    return out;
  });
  const allowed = verdicts.every((verdict) => verdict.allowed);
  return {
    exitCode: allowed ? ExitCode.ok : backendFailed(verdicts) ? ExitCode.backend : ExitCode.verdictNo,
    text: verdicts.map(describeVerdict).join('\n') || `no Kubernetes objects in ${options.file}`,
    json: {
      allowed,
      objects: verdicts.map(({ decision, ...rest }) => ({
        ...rest,
        violations: decision.violations,
        dryRunViolations: decision.dryRunViolations,
        warnings: decision.warnings,
        breakglass: decision.breakglass,
        message: decision.message,
        images: decision.images,
      })),
    },
  };
};

/** A denial for want of an answer is not a verdict on the image: the caller must retry, not re-sign. */
function backendFailed(verdicts: ObjectVerdict[]): boolean {
  return verdicts.some(
    ({ allowed, decision }) => !allowed && decision.violations.some((v) => v.code === 'BACKEND_FAILED'),
  );
}

function describeVerdict(verdict: ObjectVerdict): string {
  const { decision } = verdict;
  const head = `${verdict.allowed ? 'ADMIT' : 'DENY '} ${verdict.kind} ${verdict.namespace}/${verdict.name}`;
  const lines = [decision.breakglass ? `${head} (breakglass)` : head];
  for (const v of decision.violations)
    lines.push(`  - ${v.image}: ${v.policy}: ${v.reason}\n    fix: ${v.fix}`);
  for (const v of decision.dryRunViolations) lines.push(`  - (dry run) ${v.image}: ${v.policy}: ${v.reason}`);
  for (const warning of decision.warnings) lines.push(`  warning: ${warning}`);
  return lines.join('\n');
}
