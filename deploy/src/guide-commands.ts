import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

export type KubeObject = Record<string, unknown> & {
  apiVersion: string;
  kind: string;
  metadata: Record<string, unknown> & { name: string; namespace?: string };
};

/** This package's root (src/ when testing, dist/ when built: both one level down). */
const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** deploy/, the manifests. */
export const DEPLOY_DIR = PACKAGE_ROOT;
export const REPO_ROOT = resolve(PACKAGE_ROOT, '..');

/**
 * The install commands of the Kritis user's guide ("Kubernetes Image Signing with GCP Container
 * Analysis and Kritis", README of stepanstipl/gke-image-signing-kritis, section "Deploy Kritis"),
 * copied character for character. They run from the repository root over deploy/.
 * The commands themselves are in guide-commands/*.sh.
 */
export const GUIDE_INSTALL = readSupport('guide-install.sh');

/** Signet's extra files (namespace, PDB, resolve hook), applied the same way (README "Deploy on GKE"). */
export const SIGNET_EXTRAS = readSupport('signet-extras.sh');

/** The guide's custom resources (sections "Create ImageSecurityPolicy", "Create Attestation Authority/Policy"). */
export const GUIDE_RESOURCES = readSupport('guide-resources.sh');

/** The README's own steps (README "Deploy on GKE"), word for word (readme-steps.test.ts holds them to it). */
export const README_DEPLOY = readSupport('readme-deploy.sh');
export const README_WEBHOOK = readSupport('readme-webhook.sh');
export const README_WEBHOOK_INJECTED = readSupport('readme-webhook-injected.sh');
export const README_OPENSSL = readSupport('readme-openssl.sh');
export const README_CERT_MANAGER = readSupport('readme-cert-manager.sh');
export const README_OVERLAY = readSupport('readme-overlay.sh');
/** README "Release: …": the policy guarding Signet's own namespace (`pnpm demo:release` runs it). */
export const README_RELEASE_POLICY = readSupport('readme-release-policy.sh');
/** The overlay patch that leaves the resolve hook out (YAML, not shell). */
export const README_NO_RESOLVE = readSupport('readme-no-resolve.yaml');

function readSupport(name: string): string {
  return readFileSync(join(PACKAGE_ROOT, 'guide-commands', name), 'utf8');
}

/**
 * A stand-in for kubectl that prints what would be applied: `apply -f FILE` and `apply -f-` write
 * the manifest to stdout; `config view` prints `$SAMPLE_CA_BUNDLE` (the cluster CA the guide reads);
 * imperative commands (create, annotate, …) print themselves as a YAML comment.
 */
const FAKE_KUBECTL = String.raw`
kubectl() {
  case "$1" in
    apply)
      shift
      local source=""
      while [ $# -gt 0 ]; do
        case "$1" in
          -f-) source=- ;;
          -f) shift; source="$1" ;;
          -k) printf '# kubectl apply -k %s\n---\n' "$2"; return 0 ;;
        esac
        shift
      done
      if [ "$source" = "-" ]; then cat; else cat "$source"; fi
      printf '\n---\n' ;;
    config) printf '%s' "$SAMPLE_CA_BUNDLE" ;;
    create|annotate|label|set|rollout) printf '# kubectl %s\n---\n' "$*" ;;
    *) echo "fake kubectl: unexpected $*" >&2; return 2 ;;
  esac
}
`;

export interface GuideValues {
  K8S_NAMESPACE: string;
  GCP_PROJECT: string;
  /** What the fake `kubectl config view` prints. */
  SAMPLE_CA_BUNDLE?: string;
  [name: string]: string | undefined;
}

/**
 * Runs shell commands with real bash and sed (from the repository root unless `cwd` says otherwise)
 * after setting `values` as shell variables, as the guide's "Set initial variables" step does;
 * returns what they would apply.
 */
export function runShell(
  commands: string,
  values: GuideValues,
  options: { prelude?: string; cwd?: string } = {},
): string {
  const variables = Object.entries(values)
    .map(([name, value]) => `${name}=${shellQuote(value ?? '')}`)
    .join('\n');
  const script = `${FAKE_KUBECTL}\n${options.prelude ?? ''}\n${variables}\n${commands}`;
  return execFileSync('bash', ['-o', 'errexit', '-o', 'pipefail', '-c', script], {
    cwd: options.cwd ?? REPO_ROOT,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', SAMPLE_CA_BUNDLE: values.SAMPLE_CA_BUNDLE ?? '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export function parseObjects(text: string): KubeObject[] {
  return parseAllDocuments(text)
    .map((doc) => {
      if (doc.errors.length > 0) throw new Error(`YAML does not parse: ${doc.errors[0]?.message}`);
      return doc.toJS() as KubeObject | null;
    })
    .filter((object): object is KubeObject => object !== null);
}

export function objectKey(object: KubeObject): string {
  const namespace = object.metadata.namespace ? `${object.metadata.namespace}/` : '';
  return `${object.apiVersion} ${object.kind} ${namespace}${object.metadata.name}`;
}

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
