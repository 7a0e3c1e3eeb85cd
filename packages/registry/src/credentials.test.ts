import { describe, expect, it } from 'vitest';
import { credentialChain, dockerConfigCredentials, googleCredentials } from './credentials.js';
import { RegistryError } from './registry-error.js';

const b64 = (text: string) => Buffer.from(text).toString('base64');

describe('dockerConfigCredentials', () => {
  const config = JSON.stringify({
    auths: {
      'https://index.docker.io/v1/': { auth: b64('hubuser:hub:pass') },
      'registry.example:5000': { username: 'u', password: 'p' },
      'registry.example:5000/team/private': { auth: b64('teamuser:teampass') },
      'https://ghcr.io': { identitytoken: 'refresh-me' },
    },
  });
  const lookup = dockerConfigCredentials(config, 'config.json');

  it("reads `auth` as base64 of USER:PASSWORD, the password keeping its colons, under Docker Hub's legacy key", () => {
    expect(lookup({ registry: 'docker.io', path: 'library/nginx' })).toEqual({
      kind: 'basic',
      username: 'hubuser',
      password: 'hub:pass',
    });
  });

  it('reads username/password, and prefers the longest matching repository prefix', () => {
    expect(lookup({ registry: 'registry.example:5000', path: 'other/app' })).toEqual({
      kind: 'basic',
      username: 'u',
      password: 'p',
    });
    expect(lookup({ registry: 'registry.example:5000', path: 'team/private/app' })).toMatchObject({
      username: 'teamuser',
    });
    expect(lookup({ registry: 'registry.example:5000', path: 'team/privateer' })).toMatchObject({
      username: 'u',
    });
  });

  it('reads identitytoken, strips a scheme, and answers nothing for another host or port', () => {
    expect(lookup({ registry: 'ghcr.io', path: 'o/r' })).toEqual({
      kind: 'identity-token',
      token: 'refresh-me',
    });
    expect(lookup({ registry: 'registry.example', path: 'x' })).toBeUndefined();
    expect(lookup({ registry: 'evil.example', path: 'x' })).toBeUndefined();
  });

  it.each([
    ['not JSON', '{'],
    ['auths not an object', '{"auths": []}'],
    ['an entry without a secret', '{"auths": {"r.example": {}}}'],
    ['auth without a colon', `{"auths": {"r.example": {"auth": "${b64('nocolon')}"}}}`],
    ['a number for a password', '{"auths": {"r.example": {"username": "u", "password": 1}}}'],
  ])('%s: REGISTRY_CONFIG_INVALID naming the file', (_label, json) => {
    let thrown: unknown;
    try {
      dockerConfigCredentials(json, '/etc/signet/config.json');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(RegistryError);
    expect((thrown as RegistryError).code).toBe('REGISTRY_CONFIG_INVALID');
    expect((thrown as RegistryError).message).toContain('/etc/signet/config.json');
  });

  it('an empty config (no auths) has no credentials', () => {
    expect(dockerConfigCredentials('{}', 'c')({ registry: 'docker.io', path: 'library/x' })).toBeUndefined();
  });
});

describe('googleCredentials', () => {
  const google = googleCredentials(async () => 'ya29.token');

  it.each(['gcr.io', 'eu.gcr.io', 'us-west1-docker.pkg.dev', 'europe-docker.pkg.dev'])(
    '%s: oauth2accesstoken',
    async (registry) => {
      expect(await google({ registry, path: 'p/app' })).toEqual({
        kind: 'basic',
        username: 'oauth2accesstoken',
        password: 'ya29.token',
      });
    },
  );

  it.each(['docker.io', 'gcr.io.evil.example', 'evilgcr.io', 'docker.pkg.dev', 'x-docker.pkg.dev.evil'])(
    '%s: not Google, no token asked',
    async (registry) => {
      let asked = false;
      const provider = googleCredentials(async () => {
        asked = true;
        return 't';
      });
      expect(await provider({ registry, path: 'p/app' })).toBeUndefined();
      expect(asked).toBe(false);
    },
  );
});

describe('googleCredentials without a token', () => {
  it('fails the resolution, or with onUnavailable says so and asks anonymously', async () => {
    const missing = async () => {
      throw new Error('Could not load the default credentials');
    };
    await expect(googleCredentials(missing)({ registry: 'gcr.io', path: 'p/app' })).rejects.toThrow(
      'Could not load the default credentials',
    );
    const said: string[] = [];
    const lenient = googleCredentials(missing, (registry, error) =>
      said.push(`${registry}: ${(error as Error).message}`),
    );
    expect(await lenient({ registry: 'eu.gcr.io', path: 'p/app' })).toBeUndefined();
    expect(said).toEqual(['eu.gcr.io: Could not load the default credentials']);
  });
});

describe('credentialChain', () => {
  it('the first provider that answers wins; none answering is anonymous', async () => {
    const first = dockerConfigCredentials(
      JSON.stringify({ auths: { 'a.example': { username: 'pod', password: 's' } } }),
      'pod',
    );
    const second = dockerConfigCredentials(
      JSON.stringify({
        auths: {
          'a.example': { username: 'node', password: 's' },
          'b.example': { username: 'b', password: 's' },
        },
      }),
      'file',
    );
    const chain = credentialChain(first, second);
    expect(await chain({ registry: 'a.example', path: 'x' })).toMatchObject({ username: 'pod' });
    expect(await chain({ registry: 'b.example', path: 'x' })).toMatchObject({ username: 'b' });
    expect(await chain({ registry: 'c.example', path: 'x' })).toBeUndefined();
  });
});
