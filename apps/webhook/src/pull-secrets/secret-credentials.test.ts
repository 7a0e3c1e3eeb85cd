import { isSignetError } from '@signet/errors';
import { describe, expect, it } from 'vitest';
import { secretCredentials } from './secret-credentials.js';

const b64 = (text: string) => Buffer.from(text).toString('base64');
const login = (user: string, password: string) => ({ auth: b64(`${user}:${password}`) });

function secret(type: string, data: Record<string, string>) {
  return { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'regcred', namespace: 'team' }, type, data };
}

function thrown(run: () => unknown): { code: string; message: string; fix: string } {
  try {
    run();
  } catch (error) {
    if (isSignetError(error)) return { code: error.code, message: error.message, fix: error.fix };
    throw error;
  }
  throw new Error('expected a SignetError');
}

describe('secretCredentials', () => {
  it('reads a kubernetes.io/dockerconfigjson Secret, the longest matching key of its auths winning', async () => {
    const config = {
      auths: {
        'registry.example:5000': login('team', 'all'),
        'registry.example:5000/team/app': login('app', 'only'),
      },
    };
    const provider = secretCredentials(
      secret('kubernetes.io/dockerconfigjson', { '.dockerconfigjson': b64(JSON.stringify(config)) }),
      'pull secret team/regcred',
    );
    expect(await provider({ registry: 'registry.example:5000', path: 'team/app' })).toEqual({
      kind: 'basic',
      username: 'app',
      password: 'only',
    });
    expect(await provider({ registry: 'registry.example:5000', path: 'team/other' })).toMatchObject({
      username: 'team',
    });
    expect(await provider({ registry: 'elsewhere.example', path: 'team/app' })).toBeUndefined();
  });

  it('reads the legacy kubernetes.io/dockercfg Secret: host → login without auths, email ignored', async () => {
    const dockercfg = {
      'https://legacy.example:5000': { ...login('old', 'timer'), email: 'ops@example.com' },
      'https://index.docker.io/v1/': { username: 'hub', password: 'secret', email: 'x@example.com' },
    };
    const provider = secretCredentials(
      secret('kubernetes.io/dockercfg', { '.dockercfg': b64(JSON.stringify(dockercfg)) }),
      'pull secret team/legacy',
    );
    expect(await provider({ registry: 'legacy.example:5000', path: 'app' })).toEqual({
      kind: 'basic',
      username: 'old',
      password: 'timer',
    });
    expect(await provider({ registry: 'docker.io', path: 'library/nginx' })).toMatchObject({
      username: 'hub',
    });
  });

  it('prefers .dockerconfigjson to .dockercfg, and goes to .dockercfg when .dockerconfigjson is empty (as the kubelet)', async () => {
    const json = b64(JSON.stringify({ auths: { 'r.example': login('json', 'p') } }));
    const cfg = b64(JSON.stringify({ 'r.example': login('cfg', 'p') }));
    const both = secretCredentials(secret('Opaque', { '.dockerconfigjson': json, '.dockercfg': cfg }), 's');
    expect(await both({ registry: 'r.example', path: 'a' })).toMatchObject({ username: 'json' });
    const emptyJson = secretCredentials(
      secret('Opaque', { '.dockerconfigjson': '', '.dockercfg': cfg }),
      's',
    );
    expect(await emptyJson({ registry: 'r.example', path: 'a' })).toMatchObject({ username: 'cfg' });
  });

  it('refuses a Secret that holds no registry login, naming its type and keys', () => {
    const error = thrown(() =>
      secretCredentials(
        secret('Opaque', { token: b64('x'), 'ca.crt': b64('y') }),
        'pull secret team/regcred',
      ),
    );
    expect(error.code).toBe('PULL_SECRET_MALFORMED');
    expect(error.message).toBe(
      'pull secret team/regcred cannot be read as registry credentials: it holds neither .dockerconfigjson nor .dockercfg (type Opaque, keys: token, ca.crt)',
    );
    expect(error.fix).toContain('kubectl create secret docker-registry');
    expect(thrown(() => secretCredentials({ type: 'Opaque' }, 's')).message).toContain('keys: none');
  });

  it('refuses malformed logins with the registry package’s error, naming the Secret and its key', () => {
    const notJson = thrown(() =>
      secretCredentials(
        secret('kubernetes.io/dockerconfigjson', { '.dockerconfigjson': b64('{"auths": ') }),
        'pull secret team/broken',
      ),
    );
    expect(notJson.code).toBe('REGISTRY_CONFIG_INVALID');
    expect(notJson.message).toMatch(
      /^registry credentials pull secret team\/broken \(\.dockerconfigjson\) cannot be read: it is not JSON/,
    );
    const badAuth = thrown(() =>
      secretCredentials(
        secret('kubernetes.io/dockerconfigjson', {
          '.dockerconfigjson': b64(JSON.stringify({ auths: { 'r.example': { auth: b64('no-colon') } } })),
        }),
        'pull secret team/broken',
      ),
    );
    expect(badAuth.message).toContain('auths["r.example"].auth is not base64 of USER:PASSWORD');
  });

  it('refuses a .dockercfg that is not JSON, or not an object, before converting it', () => {
    expect(
      thrown(() =>
        secretCredentials(
          secret('kubernetes.io/dockercfg', { '.dockercfg': b64('nope') }),
          'pull secret team/old',
        ),
      ),
    ).toMatchObject({
      code: 'PULL_SECRET_MALFORMED',
      message: expect.stringContaining('.dockercfg is not JSON'),
    });
    expect(
      thrown(() =>
        secretCredentials(
          secret('kubernetes.io/dockercfg', { '.dockercfg': b64('["a"]') }),
          'pull secret team/old',
        ),
      ).message,
    ).toBe(
      'pull secret team/old cannot be read as registry credentials: .dockercfg is not a JSON object of registry → login',
    );
  });

  it('refuses what is not a Secret at all', () => {
    expect(thrown(() => secretCredentials({ data: 'text' }, 'pull secret team/odd'))).toMatchObject({
      code: 'PULL_SECRET_MALFORMED',
      message: expect.stringContaining('it is not a Secret'),
    });
  });
});
