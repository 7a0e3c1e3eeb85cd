import { parseDuration } from '@signet/duration';
import type { ApiVersion } from '@signet/grafeas-client';
import { STORE_TLS_FLAGS } from '@signet/grafeas-client/defaults';
import { Command, InvalidArgumentError, Option, type OutputConfiguration } from 'commander';
import { DEFAULT_DEADLINE_SETTINGS } from '../admission/deadline.js';
import { DEFAULT_DECISION_MEMO } from '../admission/decision-memo.js';
import { DEFAULT_INDEX_SETTINGS } from '../metadata/occurrence-index.js';
import { DEFAULT_CACHE_SETTINGS } from '../metadata/singleflight-cache.js';
import { DEFAULT_BODY_LIMIT_BYTES } from '../server/app.js';
import { defaultPoliciesDir } from './defaults.js';

/** `--manage-certs`: the objects it keeps (the namespace is the pod's, found at start). */
export interface ManageCertsOptions {
  secretName: string;
  serviceName: string;
  webhookConfigName: string;
  /** The resolve hook's configuration: patched too when it exists, skipped with a log line when not. */
  mutatingWebhookConfigName: string;
}

/** Everything the command line decides, checked; `startWebhook` takes it from here. */
export interface WebhookCliOptions {
  policies?: string;
  kubernetes: boolean;
  kubeconfig?: string;
  store?: string;
  api: ApiVersion;
  /** `--store-ca`, `--store-cert`, `--store-key` (file paths). */
  storeTls: { ca?: string; cert?: string; key?: string };
  project: string;
  tlsCert?: string;
  tlsKey?: string;
  clientCa?: string;
  manageCerts?: ManageCertsOptions;
  insecureHttp: boolean;
  port: number;
  host: string;
  noPolicy: 'allow' | 'deny';
  breakglass: boolean;
  onBackendError: 'deny' | 'allow';
  cacheSize: number;
  cacheTtlMs: number;
  index: 'auto' | 'on' | 'off';
  indexRefreshMs: number;
  indexMaxAgeMs: number;
  indexMaxOccurrences: number;
  decisionTtlMs: number;
  emptyCacheTtlMs: number;
  safetyMarginMs: number;
  maxBodyBytes: number;
  shutdownDelayMs: number;
  logLevel: string;
  /** POST /mutate: `--resolve-tags`, and the registry flags as `signet resolve` has them. */
  resolveTags: 'pods' | 'all' | 'off';
  registryConfig?: string;
  registryCa?: string;
  insecureRegistries: string[];
  resolveTtlMs: number;
  /** Undefined: no audit (it needs --kubernetes). */
  audit?: AuditCliOptions;
  /** `--pull-secrets` (needs --kubernetes): resolve tags with the reviewed Pods' imagePullSecrets. */
  pullSecrets: boolean;
}

interface AuditCliOptions {
  intervalMs: number;
  annotate: 'off' | 'signet' | 'kritis';
  leaseDurationMs: number;
}

const DEFAULT_AUDIT_INTERVAL_MS = 3_600_000;

function duration(value: string): number {
  const ms = parseDuration(value, { bareSeconds: true });
  if (ms === undefined) throw new InvalidArgumentError('expected a duration such as 500ms, 10s, 5m or 1h30m');
  return Math.round(ms);
}

function durationOption(flags: string, description: string, ms: number, shown: string): Option {
  return new Option(flags, description).argParser(duration).default(ms, shown);
}

function integer(min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}`);
    }
    return n;
  };
}

function objectName(value: string): string {
  if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(value) || value.length > 253) {
    throw new InvalidArgumentError('expected a Kubernetes object name (lowercase letters, digits, "-", ".")');
  }
  return value;
}

function hostPort(value: string, previous: string[] = []): string[] {
  if (!/^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/.test(value)) {
    throw new InvalidArgumentError(
      'expected a registry as images name it: HOST or HOST:PORT (no scheme, no path)',
    );
  }
  return [...previous, value];
}

function onOff(value: string): boolean {
  if (value === 'on' || value === 'true') return true;
  if (value === 'off' || value === 'false') return false;
  throw new InvalidArgumentError('expected on or off');
}

const EXAMPLES = `
Examples:
  # try it locally: policies from a folder, the embedded store, plain HTTP on a free port
  signet-webhook --policies ./policies --insecure-http --port 0
  # (without --policies: the folder shown above, beside signet's embedded store)

  # in a cluster: the Kritis custom resources, Container Analysis, TLS from a mounted Secret
  signet-webhook --kubernetes --store containeranalysis --project my-project \\
    --tls-cert /tls/tls.crt --tls-key /tls/tls.key

  # in a cluster, certificates made and renewed by the webhook itself
  signet-webhook --kubernetes --store containeranalysis --manage-certs

  # pin tags by digest at admission (POST /mutate): Pods only (default), a private registry's
  # credentials and CA, a plain-HTTP registry for a lab
  signet-webhook --kubernetes --store containeranalysis --manage-certs --resolve-tags pods \\
    --registry-config /etc/signet/registry/config.json --registry-ca /etc/signet/registry/ca.pem \\
    --insecure-registry registry.lab:5000

  # The webhook's own namespace (the audit's Lease, the --manage-certs Secret): POD_NAMESPACE, else the
  # service account's namespace file, else the --kubeconfig context's namespace, else default (logged).

Endpoints:
  POST /validate   AdmissionReview admission.k8s.io/v1 (and v1beta1), answered in the version asked
  POST /mutate     the same, answered with a JSONPatch pinning each new tag-only image by the digest
                   its registry serves (app:v1 -> app:v1@sha256:...); see --resolve-tags
  GET  /healthz    the process is alive
  GET  /readyz     policies loaded (first sync done), the index filled (filter-ignoring
                   backends), and not shutting down
  GET  /metrics    Prometheus metrics
  (with --client-ca, the POSTs need a client certificate; the GETs never do)

Decisions, in short: a namespace with no policy follows --no-policy; breakglass (annotation
kritis.grafeas.io/breakglass: "true" or label image-policy.k8s.io/break-glass: "true") admits with
a warning unless --breakglass off; when the metadata store fails or is too slow for the API server's
?timeout=, the review is denied (or admitted with a warning under --on-backend-error allow).

Tag resolution (POST /mutate) fails closed: a tag that cannot be resolved before the review's deadline
(unknown tag, refused credentials, untrusted TLS, a slow registry) is denied, naming the registry, the
HTTP status and the fix. Images already pinned by digest, and on UPDATE the images the object already
had, are never changed. Credentials, in order: the Pod's pull secrets (when read), --registry-config,
Application Default Credentials for gcr.io, *.gcr.io and *-docker.pkg.dev, then anonymous.
Environment: SIGNET_STORE, SIGNET_API, SIGNET_STORE_CA, SIGNET_STORE_CERT, SIGNET_STORE_KEY, SIGNET_PROJECT,
SIGNET_REGISTRY_CONFIG, SIGNET_REGISTRY_CA.`;

export function buildProgram(
  onRun: (options: WebhookCliOptions) => Promise<void>,
  output?: OutputConfiguration,
  env: NodeJS.ProcessEnv = process.env,
): Command {
  const program = new Command('signet-webhook');
  program
    .description(
      'The Signet admission webhook: admits a workload only when every image is attested by the ' +
        "authorities its namespace's policies require and passes its vulnerability limits.",
    )
    .exitOverride()
    .showSuggestionAfterError(true)
    .helpOption('-h, --help', 'show this help');
  if (output) program.configureOutput(output);
  program
    .optionsGroup('Policies (choose one):')
    .option(
      '--policies <dir>',
      `folder of Kritis YAML resources, reloaded when files change (default: ${defaultPoliciesDir(env)})`,
    )
    .option(
      '--kubernetes',
      'watch the kritis.grafeas.io/v1beta1 resources in the cluster (list+watch)',
      false,
    )
    .option(
      '--kubeconfig <file>',
      'with --kubernetes or --manage-certs: a kubeconfig file instead of the in-cluster service account',
    );
  program
    .optionsGroup('Metadata store (as for `signet`):')
    .addOption(
      new Option(
        '--store <url>',
        'sqlite:PATH, containeranalysis[:URL] or grafeas:URL (default: the embedded store)',
      ).env('SIGNET_STORE'),
    )
    .addOption(
      new Option('--api <version>', 'Grafeas API version')
        .choices(['v1', 'v1beta1'])
        .env('SIGNET_API')
        .default('v1'),
    );
  for (const flag of STORE_TLS_FLAGS) {
    program.addOption(new Option(flag.flags, `${flag.description} (reloaded when it changes)`).env(flag.env));
  }
  program.addOption(
    new Option(
      '--project <id>',
      'project holding vulnerability occurrences of images outside GCR / Artifact Registry',
    )
      .env('SIGNET_PROJECT')
      .default('signet'),
  );
  program
    .optionsGroup('Serving:')
    .option('--tls-cert <file>', 'PEM serving certificate (chain); reloaded when it changes')
    .option('--tls-key <file>', 'PEM private key of the serving certificate; reloaded when it changes')
    .option(
      '--manage-certs',
      'instead of --tls-cert/--tls-key: keep a CA and a serving certificate in a Secret, put the CA in ' +
        'the caBundle of both webhook configurations, renew before expiry (needs the RBAC of deploy/manage-certs; ' +
        'never combine with cert-manager)',
      false,
    )
    .option(
      '--cert-secret <name>',
      'with --manage-certs: the Secret in the pod’s namespace',
      objectName,
      'signet-webhook-tls',
    )
    .option(
      '--service-name <name>',
      'with --manage-certs: the Service; the certificate names NAME.NAMESPACE.svc',
      objectName,
      'signet-webhook',
    )
    .option(
      '--webhook-config <name>',
      'with --manage-certs: the ValidatingWebhookConfiguration that gets the caBundle',
      objectName,
      'signet-webhook',
    )
    .option(
      '--mutating-webhook-config <name>',
      'with --manage-certs: the resolve hook’s MutatingWebhookConfiguration, which gets the caBundle too ' +
        'when it exists (when not, the log says so and the webhook goes on)',
      objectName,
      'signet-resolve',
    )
    .option(
      '--client-ca <file>',
      'PEM CA bundle: POST /validate answers only clients with a certificate it signs (the API server, ' +
        'through its AdmissionConfiguration kubeconfig; see deploy/client-auth); others get 401. ' +
        '/healthz, /readyz and /metrics stay open. Reloaded when it changes',
    )
    .option('--insecure-http', 'serve plain HTTP: local experiments only, the API server refuses it', false)
    .option('--port <n>', 'port to listen on (0 picks a free one and prints it)', integer(0, 65535), 8443)
    .option('--host <address>', 'address to listen on', '0.0.0.0');
  program
    .optionsGroup('Decisions:')
    .addOption(
      new Option(
        '--no-policy <mode>',
        'decision for namespaces without any policy (default: allow, as Kritis)',
      ).choices(['allow', 'deny']),
    )
    .addOption(
      new Option('--breakglass <on|off>', 'honour breakglass annotations and labels')
        .argParser(onOff)
        .default(true, 'on'),
    )
    .addOption(
      new Option(
        '--on-backend-error <mode>',
        'when the store fails or is too slow: deny, or allow with a warning',
      )
        .choices(['deny', 'allow'])
        .default('deny'),
    );
  program
    .optionsGroup('Registries (tag resolution by POST /mutate, and cosign signatures):')
    .addOption(
      new Option(
        '--resolve-tags <mode>',
        "pin tag-only images by digest: pods = Pods and their ephemeral containers only (controllers' " +
          'templates never change, so GitOps tools see no drift); all = also workload templates ' +
          '(Deployment, CronJob, ...); off = /mutate admits without a patch',
      )
        .choices(['pods', 'all', 'off'])
        .default('pods'),
    )
    .addOption(
      new Option('--registry-config <file>', 'registry credentials: a Docker config.json (auths)').env(
        'SIGNET_REGISTRY_CONFIG',
      ),
    )
    .addOption(
      new Option(
        '--registry-ca <file>',
        'a CA certificate (PEM) to trust for registries, beside the system roots',
      ).env('SIGNET_REGISTRY_CA'),
    )
    .option(
      '--insecure-registry <host:port>',
      'a registry served over plain HTTP (repeatable; its answers can be altered in transit)',
      hostPort,
    )
    .addOption(
      durationOption(
        '--resolve-ttl <duration>',
        "how long a tag's digest, and an image's cosign signatures, are reused",
        30_000,
        '30s',
      ),
    )
    .optionsGroup('Backends that ignore filters (open-source Grafeas):')
    .addOption(
      new Option(
        '--index <mode>',
        'keep one shared index per note and project instead of reading a whole project per image: ' +
          'auto = when a probe query shows the backend ignores filters (grafeas: unless it filters)',
      )
        .choices(['auto', 'on', 'off'])
        .default('auto'),
    )
    .addOption(
      durationOption(
        '--index-refresh <duration>',
        'how soon a write is in the index: each note and project is re-read in the background so that a write made after a read started is seen within this long while a read takes at most a quarter of it, else within four read times (a scope is read at most a third of the time, unless its data would pass --index-max-age). A denial for a missing attestation re-reads its note at once, so the retry sees a signature written before it; a refresh never blocks a decision',
        DEFAULT_INDEX_SETTINGS.refreshMs,
        '10s',
      ),
    )
    .addOption(
      durationOption(
        '--index-max-age <duration>',
        'decisions fail closed when the index holds data older than this, from the start of the read ' +
          'that produced it (a read that itself takes longer is logged and exported as slow)',
        DEFAULT_INDEX_SETTINGS.maxAgeMs,
        '5m',
      ),
    )
    .addOption(
      new Option(
        '--index-max-occurrences <n>',
        'most occurrences held in the index, all scopes together (a note holds its attestations, a ' +
          'project its vulnerabilities and discoveries)',
      )
        .argParser(integer(1, 100_000_000))
        .default(DEFAULT_INDEX_SETTINGS.maxOccurrences),
    );
  program
    .optionsGroup('Tuning:')
    .addOption(
      new Option(
        '--cache-size <n>',
        'metadata cache entries, per lookup kind (note or project, and image digest)',
      )
        .argParser(integer(1, 10_000_000))
        .default(DEFAULT_CACHE_SETTINGS.maxEntries),
    )
    .addOption(
      durationOption(
        '--cache-ttl <duration>',
        'how long found metadata is cached',
        DEFAULT_CACHE_SETTINGS.ttlMs,
        '5m',
      ),
    )
    .addOption(
      durationOption(
        '--empty-cache-ttl <duration>',
        'how long "nothing found" is cached',
        DEFAULT_CACHE_SETTINGS.emptyTtlMs,
        '10s',
      ),
    )
    .addOption(
      durationOption(
        '--decision-ttl <duration>',
        'how long a plain admission of the same images is remembered (0: off)',
        DEFAULT_DECISION_MEMO.ttlMs,
        '5s',
      ),
    )
    .addOption(
      durationOption(
        '--safety-margin <duration>',
        "answer this long before the API server's ?timeout=",
        DEFAULT_DEADLINE_SETTINGS.safetyMarginMs,
        '500ms',
      ),
    )
    .addOption(
      new Option('--max-body <bytes>', 'largest review body accepted (larger: 413)')
        .argParser(integer(1024, 64 * 1024 * 1024))
        .default(DEFAULT_BODY_LIMIT_BYTES, '3 MiB + 64 KiB'),
    )
    .addOption(
      durationOption(
        '--shutdown-delay <duration>',
        'on SIGTERM, keep serving (not ready) this long first',
        1_000,
        '1s',
      ),
    )
    .optionsGroup('Audit of running Pods (with --kubernetes):')
    .addOption(
      durationOption(
        '--audit-interval <duration>',
        're-judge every running Pod this often against current policies, keys and vulnerabilities; ' +
          'one replica audits (Lease signet-webhook-audit); 0 turns it off',
        DEFAULT_AUDIT_INTERVAL_MS,
        '1h',
      ),
    )
    .addOption(
      new Option(
        '--audit-annotate <mode>',
        'besides an Event: off; signet: annotate violating Pods with signet.dev/violation; ' +
          'kritis: also label them kritis.grafeas.io/invalidImageSecPolicy (needs pods patch RBAC)',
      )
        .choices(['off', 'signet', 'kritis'])
        .default('off'),
    )
    .addOption(
      durationOption(
        '--audit-lease-duration <duration>',
        'a leader that has not renewed its Lease for this long is replaced',
        15_000,
        '15s',
      ),
    )
    .optionsGroup('Registry credentials (with --kubernetes):')
    .option(
      '--pull-secrets',
      "resolve tags with each reviewed Pod's imagePullSecrets, then its ServiceAccount's, read by GET " +
        '(cached 30s) before any other credentials; needs the RBAC of deploy/pull-secrets (get on ' +
        'secrets and serviceaccounts in every namespace), so it is off by default',
      false,
    )
    .optionsGroup('Logging:')
    .addOption(
      new Option('--log-level <level>', 'log level')
        .choices(['fatal', 'error', 'warn', 'info', 'debug'])
        .default('info'),
    )
    .addHelpText('after', EXAMPLES)
    .action(async (raw: Record<string, unknown>) => {
      await onRun(checkOptions(program, raw, env));
    });
  return program;
}

function checkOptions(
  program: Command,
  raw: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
): WebhookCliOptions {
  const kubernetes = raw.kubernetes === true;
  if (raw.policies && kubernetes) {
    program.error('error: --policies and --kubernetes exclude each other: choose one');
  }
  const policies = kubernetes ? undefined : ((raw.policies as string | undefined) ?? defaultPoliciesDir(env));
  const manageCerts = manageCertsFor(program, raw);
  if (raw.kubeconfig && !kubernetes && !manageCerts) {
    program.error('error: --kubeconfig only makes sense with --kubernetes or --manage-certs');
  }
  const tlsCert = raw.tlsCert as string | undefined;
  const tlsKey = raw.tlsKey as string | undefined;
  const insecureHttp = raw.insecureHttp === true;
  checkServing(program, { tls: Boolean(tlsCert || tlsKey), manageCerts: Boolean(manageCerts), insecureHttp });
  if (raw.clientCa && insecureHttp) {
    program.error('error: --client-ca excludes --insecure-http: client certificates only exist over TLS');
  }
  if (!insecureHttp && !manageCerts && (!tlsCert || !tlsKey)) {
    program.error(
      'error: give --tls-cert and --tls-key, or --manage-certs (the API server only calls webhooks over HTTPS), or --insecure-http for a local experiment',
    );
  }
  return {
    ...(policies ? { policies } : {}),
    kubernetes,
    ...(raw.kubeconfig ? { kubeconfig: raw.kubeconfig as string } : {}),
    ...(raw.store ? { store: raw.store as string } : {}),
    api: apiVersionFor(program, raw),
    storeTls: storeTlsFor(program, raw),
    project: raw.project as string,
    ...(tlsCert ? { tlsCert } : {}),
    ...(tlsKey ? { tlsKey } : {}),
    ...(raw.clientCa ? { clientCa: raw.clientCa as string } : {}),
    ...(manageCerts ? { manageCerts } : {}),
    insecureHttp,
    port: raw.port as number,
    host: raw.host as string,
    // commander reads `--no-policy <mode>` as the negation of `policy`: absent, it is `true`.
    noPolicy: raw.policy === 'deny' ? 'deny' : 'allow',
    breakglass: raw.breakglass as boolean,
    onBackendError: raw.onBackendError === 'allow' ? 'allow' : 'deny',
    cacheSize: raw.cacheSize as number,
    cacheTtlMs: raw.cacheTtl as number,
    index: raw.index as 'auto' | 'on' | 'off',
    indexRefreshMs: raw.indexRefresh as number,
    indexMaxAgeMs: raw.indexMaxAge as number,
    indexMaxOccurrences: raw.indexMaxOccurrences as number,
    decisionTtlMs: raw.decisionTtl as number,
    emptyCacheTtlMs: raw.emptyCacheTtl as number,
    safetyMarginMs: raw.safetyMargin as number,
    maxBodyBytes: raw.maxBody as number,
    shutdownDelayMs: raw.shutdownDelay as number,
    logLevel: raw.logLevel as string,
    resolveTags: raw.resolveTags as WebhookCliOptions['resolveTags'],
    ...(raw.registryConfig ? { registryConfig: raw.registryConfig as string } : {}),
    ...(raw.registryCa ? { registryCa: raw.registryCa as string } : {}),
    insecureRegistries: (raw.insecureRegistry as string[] | undefined) ?? [],
    resolveTtlMs: raw.resolveTtl as number,
    ...auditFor(program, raw, kubernetes),
    pullSecrets: pullSecretsFor(program, raw, kubernetes),
  };
}

/** The pull secrets are read through the --kubernetes connection; without it there is none. */
function pullSecretsFor(program: Command, raw: Record<string, unknown>, kubernetes: boolean): boolean {
  if (raw.pullSecrets !== true) return false;
  if (!kubernetes) {
    program.error(
      "error: --pull-secrets needs --kubernetes (the Pods' pull secrets are read from the cluster)",
    );
  }
  return true;
}

const AUDIT_FLAGS = {
  auditInterval: '--audit-interval',
  auditAnnotate: '--audit-annotate',
  auditLeaseDuration: '--audit-lease-duration',
};

/** The audit reads Pods through the Kubernetes API: on by default with --kubernetes, refused without it. */
function auditFor(
  program: Command,
  raw: Record<string, unknown>,
  kubernetes: boolean,
): { audit?: AuditCliOptions } {
  const given = Object.entries(AUDIT_FLAGS).filter(
    ([key]) => program.getOptionValueSource(key) !== 'default',
  );
  if (!kubernetes) {
    const [first] = given;
    if (first && !(first[0] === 'auditInterval' && raw.auditInterval === 0)) {
      program.error(
        `error: ${first[1]} needs --kubernetes (the audit reads the running Pods from the cluster)`,
      );
    }
    return {};
  }
  if (raw.auditInterval === 0) return {};
  if ((raw.auditLeaseDuration as number) < 1000) {
    program.error('error: --audit-lease-duration must be at least 1s');
  }
  return {
    audit: {
      intervalMs: raw.auditInterval as number,
      annotate: raw.auditAnnotate as AuditCliOptions['annotate'],
      leaseDurationMs: raw.auditLeaseDuration as number,
    },
  };
}

/** `--store-cert` and `--store-key` go together. */
function storeTlsFor(program: Command, raw: Record<string, unknown>): WebhookCliOptions['storeTls'] {
  const [ca, cert, key] = [raw.storeCa, raw.storeCert, raw.storeKey].map((v) =>
    typeof v === 'string' && v !== '' ? v : undefined,
  );
  if (Boolean(cert) !== Boolean(key)) {
    program.error(
      `error: --store-${cert ? 'cert' : 'key'} was given without --store-${cert ? 'key' : 'cert'}: give the client certificate and its key together`,
    );
  }
  return { ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}) };
}

/** The three ways to serve exclude each other. */
function checkServing(
  program: Command,
  chosen: { tls: boolean; manageCerts: boolean; insecureHttp: boolean },
): void {
  if (chosen.manageCerts && chosen.tls) {
    program.error(
      'error: --manage-certs excludes --tls-cert and --tls-key: choose one way to get certificates',
    );
  }
  if (chosen.manageCerts && chosen.insecureHttp) {
    program.error(
      'error: --manage-certs excludes --insecure-http: it serves HTTPS with the certificate it keeps',
    );
  }
  if (chosen.insecureHttp && chosen.tls)
    program.error('error: --insecure-http excludes --tls-cert and --tls-key');
}

const MANAGE_CERTS_NAMES = {
  certSecret: '--cert-secret',
  serviceName: '--service-name',
  webhookConfig: '--webhook-config',
  mutatingWebhookConfig: '--mutating-webhook-config',
};

function manageCertsFor(program: Command, raw: Record<string, unknown>): ManageCertsOptions | undefined {
  if (raw.manageCerts !== true) {
    for (const [key, flag] of Object.entries(MANAGE_CERTS_NAMES)) {
      if (program.getOptionValueSource(key) !== 'default') {
        program.error(`error: ${flag} only makes sense with --manage-certs`);
      }
    }
    return undefined;
  }
  return {
    secretName: raw.certSecret as string,
    serviceName: raw.serviceName as string,
    webhookConfigName: raw.webhookConfig as string,
    mutatingWebhookConfigName: raw.mutatingWebhookConfig as string,
  };
}

/** Open-source Grafeas serves v1beta1 only: with a `grafeas:` store and no explicit --api, use it. */
function apiVersionFor(program: Command, raw: Record<string, unknown>): ApiVersion {
  if (raw.api === 'v1beta1') return 'v1beta1';
  const store = typeof raw.store === 'string' ? raw.store : '';
  if (store.startsWith('grafeas:') && program.getOptionValueSource('api') === 'default') return 'v1beta1';
  return 'v1';
}
