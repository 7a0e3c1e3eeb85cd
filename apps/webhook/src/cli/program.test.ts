import { describe, expect, it } from 'vitest';
import { buildProgram, type WebhookCliOptions } from './program.js';

async function parse(
  args: string[],
): Promise<{ options?: WebhookCliOptions; out: string; err: string; code?: number }> {
  let out = '';
  let err = '';
  let options: WebhookCliOptions | undefined;
  const program = buildProgram(
    async (checked) => {
      options = checked;
    },
    { writeOut: (s) => (out += s), writeErr: (s) => (err += s) },
  );
  try {
    await program.parseAsync(['node', 'signet-webhook', ...args]);
    return { options, out, err };
  } catch (error) {
    return { out, err, code: (error as { exitCode?: number }).exitCode };
  }
}

describe('signet-webhook command line', () => {
  it('has defaults that fail closed on backend errors and follow Kritis for namespaces without policy', async () => {
    const { options } = await parse(['--policies', './p', '--tls-cert', 'c.pem', '--tls-key', 'k.pem']);
    expect(options).toMatchObject({
      policies: './p',
      kubernetes: false,
      api: 'v1',
      port: 8443,
      host: '0.0.0.0',
      noPolicy: 'allow',
      breakglass: true,
      onBackendError: 'deny',
      insecureHttp: false,
      safetyMarginMs: 500,
      cacheTtlMs: 300_000,
      emptyCacheTtlMs: 10_000,
      decisionTtlMs: 5_000,
      shutdownDelayMs: 1_000,
    });
  });

  it('reads every decision and tuning option', async () => {
    const { options } = await parse([
      '--kubernetes',
      '--kubeconfig',
      '/k',
      '--insecure-http',
      '--port',
      '0',
      '--no-policy',
      'deny',
      '--breakglass',
      'off',
      '--on-backend-error',
      'allow',
      '--store',
      'grafeas:http://localhost:8080',
      '--api',
      'v1beta1',
      '--cache-ttl',
      '1m',
      '--empty-cache-ttl',
      '500ms',
      '--safety-margin',
      '1s',
    ]);
    expect(options).toMatchObject({
      kubernetes: true,
      kubeconfig: '/k',
      insecureHttp: true,
      port: 0,
      noPolicy: 'deny',
      breakglass: false,
      onBackendError: 'allow',
      store: 'grafeas:http://localhost:8080',
      api: 'v1beta1',
      cacheTtlMs: 60_000,
      emptyCacheTtlMs: 500,
      safetyMarginMs: 1000,
    });
  });

  it('reads policies from the folder beside the embedded store when none is named', async () => {
    const { options } = await parse(['--insecure-http']);
    expect(options?.policies).toMatch(/signet\/policies$/);
    expect(options?.kubernetes).toBe(false);
  });

  // Issue 11 finding 4: the webhook could not be given a client certificate for its store.
  it('reads --store-ca, --store-cert and --store-key, or SIGNET_STORE_CA/CERT/KEY; a certificate needs its key', async () => {
    const serving = ['--policies', './p', '--tls-cert', 'c.pem', '--tls-key', 'k.pem'];
    const flags = ['--store-ca', '/s/ca.pem', '--store-cert', '/s/tls.crt', '--store-key', '/s/tls.key'];
    const { options } = await parse([...serving, ...flags]);
    expect(options?.storeTls).toEqual({ ca: '/s/ca.pem', cert: '/s/tls.crt', key: '/s/tls.key' });
    const half = await parse([...serving, '--store-cert', '/s/tls.crt']);
    expect(half.code).not.toBe(0);
    expect(half.err).toContain('--store-cert was given without --store-key');
    const env = {
      SIGNET_STORE_CA: '/e/ca.pem',
      SIGNET_STORE_CERT: '/e/tls.crt',
      SIGNET_STORE_KEY: '/e/tls.key',
    };
    Object.assign(process.env, env);
    try {
      expect((await parse(serving)).options?.storeTls).toEqual({
        ca: '/e/ca.pem',
        cert: '/e/tls.crt',
        key: '/e/tls.key',
      });
    } finally {
      for (const name of Object.keys(env)) delete process.env[name];
    }
  });

  it('talks v1beta1 to an open-source Grafeas unless --api says otherwise', async () => {
    const base = ['--policies', 'p', '--insecure-http', '--store', 'grafeas:http://grafeas:8080'];
    expect((await parse(base)).options?.api).toBe('v1beta1');
    expect((await parse([...base, '--api', 'v1'])).options?.api).toBe('v1');
  });

  it.each([
    [['--policies', 'p', '--kubernetes', '--insecure-http'], /exclude each other/],
    [['--policies', 'p'], /give --tls-cert and --tls-key/],
    [['--policies', 'p', '--insecure-http', '--tls-cert', 'c'], /--insecure-http excludes/],
    [['--policies', 'p', '--insecure-http', '--port', '70000'], /whole number from 0 to 65535/],
    [['--policies', 'p', '--insecure-http', '--no-policy', 'maybe'], /Allowed choices are allow, deny/],
    [['--policies', 'p', '--insecure-http', '--breakglass', 'sometimes'], /expected on or off/],
    [['--policies', 'p', '--insecure-http', '--cache-ttl', 'forever'], /expected a duration/],
    [['--policies', 'p', '--insecure-http', '--kubeconfig', 'k'], /only makes sense with --kubernetes/],
  ])('refuses %j with a message', async (args, message) => {
    const result = await parse(args);
    expect(result.options).toBeUndefined();
    expect(result.code).not.toBe(0);
    expect(result.err).toMatch(message);
  });

  it('takes durations as the signer does (Go syntax, or bare seconds): --cache-ttl 1h30m', async () => {
    const base = ['--policies', 'p', '--insecure-http'];
    expect((await parse([...base, '--cache-ttl', '1h30m'])).options?.cacheTtlMs).toBe(5_400_000);
    expect((await parse([...base, '--decision-ttl', '1m0s'])).options?.decisionTtlMs).toBe(60_000);
    expect((await parse([...base, '--empty-cache-ttl', '45'])).options?.emptyCacheTtlMs).toBe(45_000);
  });

  it('teaches in --help: every option, the endpoints, and examples', async () => {
    const { out, code } = await parse(['--help']);
    expect(code).toBe(0);
    for (const text of [
      '--policies <dir>',
      '--kubernetes',
      '--store <url>',
      '--tls-cert <file>',
      '--insecure-http',
      '--no-policy <mode>',
      '--breakglass <on|off>',
      '--on-backend-error <mode>',
      'POST /validate',
      'GET  /readyz',
      'Examples:',
    ]) {
      expect(out).toContain(text);
    }
  });
});

const CLUSTER = ['--kubernetes', '--insecure-http'];
const LOCAL = ['--policies', './p', '--insecure-http'];

describe('signet-webhook audit options', () => {
  it('audits hourly by default with --kubernetes, without annotating', async () => {
    const { options } = await parse(CLUSTER);
    expect(options?.audit).toEqual({ intervalMs: 3_600_000, annotate: 'off', leaseDurationMs: 15_000 });
  });

  it('reads the interval, the annotation mode and the lease duration; 0 turns the audit off', async () => {
    const { options } = await parse([
      ...CLUSTER,
      '--audit-interval',
      '10m',
      '--audit-annotate',
      'kritis',
      '--audit-lease-duration',
      '30s',
    ]);
    expect(options?.audit).toEqual({ intervalMs: 600_000, annotate: 'kritis', leaseDurationMs: 30_000 });
    expect((await parse([...CLUSTER, '--audit-interval', '0'])).options?.audit).toBeUndefined();
  });

  it('has no audit with policies from a folder, and refuses audit flags there', async () => {
    expect((await parse(LOCAL)).options?.audit).toBeUndefined();
    expect((await parse([...LOCAL, '--audit-interval', '0'])).options?.audit).toBeUndefined();
    const refused = await parse([...LOCAL, '--audit-annotate', 'signet']);
    expect(refused.options).toBeUndefined();
    expect(refused.err).toContain('--audit-annotate needs --kubernetes');
  });

  it('refuses a bad mode, a bad duration and a lease under a second', async () => {
    expect((await parse([...CLUSTER, '--audit-annotate', 'label'])).err).toContain(
      'Allowed choices are off, signet, kritis',
    );
    expect((await parse([...CLUSTER, '--audit-interval', 'hourly'])).err).toContain('expected a duration');
    expect((await parse([...CLUSTER, '--audit-lease-duration', '500ms'])).err).toContain('at least 1s');
  });
});

describe('signet-webhook --pull-secrets', () => {
  it('is off by default, even with --kubernetes (its RBAC is opt-in)', async () => {
    expect((await parse(CLUSTER)).options?.pullSecrets).toBe(false);
    expect((await parse(LOCAL)).options?.pullSecrets).toBe(false);
  });

  it('turns on with --kubernetes', async () => {
    expect((await parse([...CLUSTER, '--pull-secrets'])).options?.pullSecrets).toBe(true);
  });

  it('is refused without --kubernetes: the pull secrets are read from the cluster', async () => {
    const refused = await parse([...LOCAL, '--pull-secrets']);
    expect(refused.options).toBeUndefined();
    expect(refused.err).toContain('--pull-secrets needs --kubernetes');
  });
});

describe('signet-webhook tag resolution flags', () => {
  const base = ['--policies', './p', '--insecure-http'];

  it('resolves the tags of Pods by default, anonymously, keeping digests 30s', async () => {
    const { options } = await parse(base);
    expect(options).toMatchObject({ resolveTags: 'pods', insecureRegistries: [], resolveTtlMs: 30_000 });
    expect(options?.registryConfig).toBeUndefined();
    expect(options?.registryCa).toBeUndefined();
  });

  it('takes the registry flags of signet resolve; --insecure-registry repeats', async () => {
    const { options } = await parse([
      ...base,
      '--resolve-tags',
      'all',
      '--registry-config',
      '/etc/signet/config.json',
      '--registry-ca',
      '/etc/signet/ca.pem',
      '--insecure-registry',
      'registry.lab:5000',
      '--insecure-registry',
      'localhost:5001',
      '--resolve-ttl',
      '2m',
    ]);
    expect(options).toMatchObject({
      resolveTags: 'all',
      registryConfig: '/etc/signet/config.json',
      registryCa: '/etc/signet/ca.pem',
      insecureRegistries: ['registry.lab:5000', 'localhost:5001'],
      resolveTtlMs: 120_000,
    });
  });

  it.each([
    [['--resolve-tags', 'deployments'], 'Allowed choices are pods, all, off'],
    [['--insecure-registry', 'http://registry.lab:5000'], 'HOST or HOST:PORT (no scheme, no path)'],
    [['--insecure-registry', 'registry.lab:5000/team'], 'HOST or HOST:PORT (no scheme, no path)'],
    [['--resolve-ttl', 'soon'], 'expected a duration'],
  ])('refuses %j', async (args, message) => {
    const { options, err } = await parse([...base, ...args]);
    expect(options).toBeUndefined();
    expect(err).toContain(message);
  });

  it('--help teaches /mutate, the modes and the registry flags, with an example', async () => {
    const { out } = await parse(['--help']);
    for (const text of [
      'POST /mutate',
      '--resolve-tags <mode>',
      'GitOps tools see no drift',
      '--registry-config <file>',
      'SIGNET_REGISTRY_CONFIG',
      '--registry-ca <file>',
      '--insecure-registry <host:port>',
      '--resolve-ttl <duration>',
      '--resolve-tags pods \\',
      'Tag resolution (POST /mutate) fails closed',
    ]) {
      expect(out).toContain(text);
    }
  });
});
