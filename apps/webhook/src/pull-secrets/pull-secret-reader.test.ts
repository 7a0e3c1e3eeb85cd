import { isSignetError } from '@signet/errors';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeKubeApi, type KubeObject } from '../test-support/fake-kube-api.js';
import { kubernetesPullSecrets, type PullSecretReaderOptions } from './pull-secret-reader.js';

const NS = 'team';
const SECRETS = `/api/v1/namespaces/${NS}/secrets`;
const ACCOUNTS = `/api/v1/namespaces/${NS}/serviceaccounts`;
const REGISTRY = 'registry.example:5000';

const b64 = (text: string) => Buffer.from(text).toString('base64');

function dockerConfigSecret(name: string, logins: Record<string, [string, string]>): KubeObject {
  const auths = Object.fromEntries(
    Object.entries(logins).map(([host, [user, password]]) => [host, { auth: b64(`${user}:${password}`) }]),
  );
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace: NS },
    type: 'kubernetes.io/dockerconfigjson',
    data: { '.dockerconfigjson': b64(JSON.stringify({ auths })) },
  };
}

function serviceAccount(name: string, pullSecrets: string[]): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name, namespace: NS },
    imagePullSecrets: pullSecrets.map((secret) => ({ name: secret })),
  };
}

function podSpec(pullSecrets: string[], serviceAccountName?: string) {
  return {
    containers: [{ name: 'app', image: `${REGISTRY}/team/app:v1` }],
    imagePullSecrets: pullSecrets.map((name) => ({ name })),
    ...(serviceAccountName ? { serviceAccountName } : {}),
  };
}

let api: FakeKubeApi;

beforeEach(async () => {
  api = new FakeKubeApi();
  await api.start();
  api.serviceAccounts.set(`${NS}/default`, serviceAccount('default', []));
});

afterEach(async () => {
  await api.stop();
});

/** A reader whose GETs may take long (a busy machine): only the timeout test gives them less. */
function reader(options: Partial<PullSecretReaderOptions> = {}) {
  return kubernetesPullSecrets({ kubeConfig: api.kubeConfig(), timeoutMs: 60_000, ...options });
}

function put(secret: KubeObject): void {
  api.secrets.set(`${NS}/${secret.metadata.name}`, secret);
}

const live = () => new AbortController().signal;

async function userFor(
  credentials: Awaited<ReturnType<ReturnType<typeof reader>>>,
  registry = REGISTRY,
  path = 'team/app',
) {
  const credential = await credentials?.({ registry, path });
  return credential?.kind === 'basic' ? credential.username : credential?.kind;
}

describe('kubernetesPullSecrets', () => {
  it("tries the Pod's pull secrets in order, then its ServiceAccount's: the first with an entry for the registry wins", async () => {
    put(dockerConfigSecret('pod-other', { 'other.example': ['other', 'p'] }));
    put(dockerConfigSecret('pod-first', { [REGISTRY]: ['pod', 'p'] }));
    put(dockerConfigSecret('sa-first', { [REGISTRY]: ['sa', 'p'], 'sa-only.example': ['sa-only', 'p'] }));
    api.serviceAccounts.set(`${NS}/builder`, serviceAccount('builder', ['sa-first', 'pod-first']));

    const credentials = await reader()(
      { namespace: NS, podSpec: podSpec(['pod-other', 'pod-first'], 'builder') },
      live(),
    );

    expect(credentials?.secrets).toEqual(['team/pod-other', 'team/pod-first', 'team/sa-first']);
    expect(credentials?.problems).toEqual([]);
    expect(await userFor(credentials)).toBe('pod');
    expect(await userFor(credentials, 'other.example')).toBe('other');
    expect(await userFor(credentials, 'sa-only.example')).toBe('sa-only');
    expect(await userFor(credentials, 'nobody.example')).toBeUndefined();
    // A Secret named by both is read once, in the Pod's place.
    expect(api.count('GET', `${SECRETS}/pod-first`)).toBe(1);
    expect(api.count('GET', `${ACCOUNTS}/builder`)).toBe(1);
  });

  it('falls back to the deprecated serviceAccount field, then to the default ServiceAccount', async () => {
    put(dockerConfigSecret('legacy-sa', { [REGISTRY]: ['legacy', 'p'] }));
    put(dockerConfigSecret('default-sa', { [REGISTRY]: ['default', 'p'] }));
    api.serviceAccounts.set(`${NS}/old`, serviceAccount('old', ['legacy-sa']));
    api.serviceAccounts.set(`${NS}/default`, serviceAccount('default', ['default-sa']));
    const read = reader();

    const legacy = await read({ namespace: NS, podSpec: { serviceAccount: 'old', containers: [] } }, live());
    const plain = await read({ namespace: NS, podSpec: { containers: [] } }, live());

    expect(await userFor(legacy)).toBe('legacy');
    expect(await userFor(plain)).toBe('default');
    expect(api.requests.filter((r) => r.path.startsWith(ACCOUNTS)).map((r) => r.path)).toEqual([
      `${ACCOUNTS}/old`,
      `${ACCOUNTS}/default`,
    ]);
  });

  it('reads a legacy kubernetes.io/dockercfg pull secret', async () => {
    put({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'legacy', namespace: NS },
      type: 'kubernetes.io/dockercfg',
      data: {
        '.dockercfg': b64(
          JSON.stringify({ [`https://${REGISTRY}`]: { auth: b64('old:cfg'), email: 'a@b.c' } }),
        ),
      },
    });
    const credentials = await reader()({ namespace: NS, podSpec: podSpec(['legacy']) }, live());
    expect(await credentials?.({ registry: REGISTRY, path: 'team/app' })).toEqual({
      kind: 'basic',
      username: 'old',
      password: 'cfg',
    });
  });

  it('is undefined when neither the Pod nor its ServiceAccount names a pull secret', async () => {
    expect(await reader()({ namespace: NS, podSpec: podSpec([]) }, live())).toBeUndefined();
    expect(api.count('GET', SECRETS)).toBe(0);
  });

  it('goes on without a missing or forbidden pull secret, and says why in typed problems', async () => {
    put(dockerConfigSecret('hidden', { [REGISTRY]: ['hidden', 'p'] }));
    put(dockerConfigSecret('good', { [REGISTRY]: ['good', 'p'] }));
    api.serviceAccounts.set(`${NS}/builder`, serviceAccount('builder', ['gone-too']));
    api.forbid('GET', `${SECRETS}/hidden`);

    const credentials = await reader()(
      { namespace: NS, podSpec: podSpec(['gone', 'hidden', 'good'], 'builder') },
      live(),
    );

    expect(await userFor(credentials)).toBe('good');
    expect(credentials?.secrets).toEqual(['team/good']);
    expect(
      credentials?.problems.map(({ object, namedBy, reason, message }) => ({
        object,
        namedBy,
        reason,
        message,
      })),
    ).toEqual([
      {
        object: { kind: 'Secret', namespace: NS, name: 'gone' },
        namedBy: 'pod',
        reason: 'not-found',
        message: 'pull secret team/gone was not found',
      },
      {
        object: { kind: 'Secret', namespace: NS, name: 'hidden' },
        namedBy: 'pod',
        reason: 'forbidden',
        message: 'pull secret team/hidden could not be read (RBAC: apply deploy/pull-secrets)',
      },
      {
        object: { kind: 'Secret', namespace: NS, name: 'gone-too' },
        namedBy: 'service-account',
        reason: 'not-found',
        message: 'pull secret team/gone-too (of ServiceAccount team/builder) was not found',
      },
    ]);
    expect(credentials?.problems[0]?.fix).toContain('kubectl create secret docker-registry gone -n team');
    expect(credentials?.problems[1]?.fix).toContain('apply deploy/pull-secrets');
  });

  it('notes a ServiceAccount that is missing or forbidden, and still uses the Pod’s own pull secrets', async () => {
    put(dockerConfigSecret('good', { [REGISTRY]: ['good', 'p'] }));
    const missing = await reader()({ namespace: NS, podSpec: podSpec(['good'], 'ghost') }, live());
    expect(await userFor(missing)).toBe('good');
    expect(missing?.problems.map((p) => [p.object.kind, p.reason, p.message])).toEqual([
      ['ServiceAccount', 'not-found', 'ServiceAccount team/ghost was not found'],
    ]);

    api.forbid('GET', ACCOUNTS);
    const forbidden = await reader()({ namespace: NS, podSpec: podSpec([]) }, live());
    expect(await userFor(forbidden)).toBeUndefined();
    expect(forbidden?.secrets).toEqual([]);
    expect(forbidden?.problems.map((p) => [p.reason, p.message])).toEqual([
      ['forbidden', 'ServiceAccount team/default could not be read (RBAC: apply deploy/pull-secrets)'],
    ]);
  });

  it('notes a malformed pull secret without failing, and uses the others', async () => {
    put({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'broken', namespace: NS },
      type: 'kubernetes.io/dockerconfigjson',
      data: { '.dockerconfigjson': b64('{"auths": {') },
    });
    put({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'opaque', namespace: NS },
      type: 'Opaque',
      data: {},
    });
    put(dockerConfigSecret('good', { [REGISTRY]: ['good', 'p'] }));

    const credentials = await reader()(
      { namespace: NS, podSpec: podSpec(['broken', 'opaque', 'good']) },
      live(),
    );

    expect(await userFor(credentials)).toBe('good');
    expect(credentials?.problems.map((p) => [p.object.name, p.reason])).toEqual([
      ['broken', 'malformed'],
      ['opaque', 'malformed'],
    ]);
    expect(credentials?.problems[0]?.message).toMatch(
      /^registry credentials pull secret team\/broken \(\.dockerconfigjson\) cannot be read: it is not JSON/,
    );
    expect(credentials?.problems[1]?.message).toContain('holds neither .dockerconfigjson nor .dockercfg');
  });

  it('reads what it can of a malformed pod spec instead of throwing', async () => {
    put(dockerConfigSecret('good', { [REGISTRY]: ['good', 'p'] }));
    const read = reader();
    expect(await read({ namespace: NS, podSpec: null }, live())).toBeUndefined();
    const odd = await read(
      {
        namespace: NS,
        podSpec: {
          imagePullSecrets: [{ name: 'good' }, 'bare-string', { name: 7 }, { name: '' }],
          serviceAccountName: 3,
        },
      },
      live(),
    );
    expect(odd?.secrets).toEqual(['team/good']);
    expect(odd?.problems).toEqual([]);
    expect(await read({ namespace: NS, podSpec: { imagePullSecrets: 'good' } }, live())).toBeUndefined();
  });

  it('goes on without a pull secret the API server fails to serve (5xx), and does not keep that failure', async () => {
    put(dockerConfigSecret('flaky', { [REGISTRY]: ['flaky', 'p'] }));
    api.fail('GET', `${SECRETS}/flaky`, 503);
    const read = reader();

    const failed = await read({ namespace: NS, podSpec: podSpec(['flaky']) }, live());
    expect(await userFor(failed)).toBeUndefined();
    expect(failed?.problems.map((p) => [p.reason, p.message])).toEqual([
      [
        'unreadable',
        'pull secret team/flaky could not be read from the Kubernetes API (HTTP 503: the server is unavailable)',
      ],
    ]);

    api.recover();
    const retried = await read({ namespace: NS, podSpec: podSpec(['flaky']) }, live());
    expect(await userFor(retried)).toBe('flaky');
    expect(api.count('GET', `${SECRETS}/flaky`)).toBe(2);
  });

  it('counts a GET that outlasts timeoutMs as unreadable', async () => {
    put(dockerConfigSecret('slow', { [REGISTRY]: ['slow', 'p'] }));
    // Held until after the assertions: whether the GET reached the server before its 50 ms ran out or
    // not, it gets no answer in time.
    const held = api.holdNextSecretRead();
    const credentials = await reader({ timeoutMs: 50 })(
      { namespace: NS, podSpec: podSpec(['slow']) },
      live(),
    );
    // Only the Secret's GET is held; on a busy machine the ServiceAccount's may outlast 50 ms too.
    const secretProblems = credentials?.problems.filter((p) => p.object.kind === 'Secret');
    expect(secretProblems?.map((p) => p.reason)).toEqual(['unreadable']);
    expect(secretProblems?.[0]?.message).toMatch(
      /^pull secret team\/slow could not be read from the Kubernetes API \(no answer in time/,
    );
    held.release();
  });

  it('keeps each answer for ttlMs on its clock: one GET per object within it, a new one after', async () => {
    put(dockerConfigSecret('regcred', { [REGISTRY]: ['v1', 'p'] }));
    let now = 10_000;
    const read = reader({ ttlMs: 30_000, clock: () => now });
    const target = { namespace: NS, podSpec: podSpec(['regcred', 'missing']) };

    expect(await userFor(await read(target, live()))).toBe('v1');
    put(dockerConfigSecret('regcred', { [REGISTRY]: ['v2', 'p'] }));
    put(dockerConfigSecret('missing', { [REGISTRY]: ['late', 'p'] }));
    now += 29_999;
    const cached = await read(target, live());
    expect(await userFor(cached)).toBe('v1');
    expect(cached?.problems.map((p) => p.object.name)).toEqual(['missing']);
    expect([api.count('GET', `${SECRETS}/regcred`), api.count('GET', `${SECRETS}/missing`)]).toEqual([1, 1]);
    expect(api.count('GET', `${ACCOUNTS}/default`)).toBe(1);

    now += 2;
    const fresh = await read(target, live());
    expect(await userFor(fresh)).toBe('v2');
    expect(fresh?.problems).toEqual([]);
    expect([api.count('GET', `${SECRETS}/regcred`), api.count('GET', `${SECRETS}/missing`)]).toEqual([2, 2]);
  });

  it('shares one GET per object between concurrent reviews', async () => {
    put(dockerConfigSecret('regcred', { [REGISTRY]: ['shared', 'p'] }));
    const read = reader();
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => read({ namespace: NS, podSpec: podSpec(['regcred']) }, live())),
    );
    expect(await Promise.all(answers.map((answer) => userFor(answer)))).toEqual(Array(20).fill('shared'));
    expect(api.count('GET', `${SECRETS}/regcred`)).toBe(1);
    expect(api.count('GET', `${ACCOUNTS}/default`)).toBe(1);
  });

  it('stops waiting when the review’s signal aborts; the shared GET goes on and serves the next review', async () => {
    put(dockerConfigSecret('regcred', { [REGISTRY]: ['late', 'p'] }));
    const read = reader();
    const held = api.holdNextSecretRead();
    const deadline = new AbortController();
    const waiting = read({ namespace: NS, podSpec: podSpec(['regcred']) }, deadline.signal);
    await held.arrived;
    deadline.abort(new DOMException('the review deadline passed', 'TimeoutError'));

    const error = await waiting.then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(isSignetError(error) && error.code).toBe('PULL_SECRETS_DEADLINE');
    held.release();

    const next = await read({ namespace: NS, podSpec: podSpec(['regcred']) }, live());
    expect(await userFor(next)).toBe('late');
    expect(api.count('GET', `${SECRETS}/regcred`)).toBe(1);
  });

  it('asks nothing for a review whose signal has already aborted', async () => {
    const gone = AbortSignal.abort();
    await expect(reader()({ namespace: NS, podSpec: podSpec(['regcred']) }, gone)).rejects.toMatchObject({
      code: 'PULL_SECRETS_DEADLINE',
    });
    expect(api.requests).toEqual([]);
  });

  it('reads the Secret in the review’s namespace, with the service account token, by GET only', async () => {
    api.secrets.set('other/regcred', { ...dockerConfigSecret('regcred', { [REGISTRY]: ['other', 'p'] }) });
    const credentials = await reader()({ namespace: NS, podSpec: podSpec(['regcred']) }, live());
    expect(credentials?.problems.map((p) => p.reason)).toEqual(['not-found']);
    expect(api.requests.every((r) => r.method === 'GET' && r.authorization === `Bearer ${api.token}`)).toBe(
      true,
    );
    expect(new Set(api.requests.map((r) => r.path))).toEqual(
      new Set([`${SECRETS}/regcred`, `${ACCOUNTS}/default`]),
    );
  });
});
