import { describe, expect, it } from 'vitest';
import { parseChallenges } from './challenge.js';

describe('parseChallenges', () => {
  it('reads a Bearer challenge as Docker Hub sends it', () => {
    expect(
      parseChallenges(
        'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull"',
      ),
    ).toEqual([
      {
        scheme: 'bearer',
        params: {
          realm: 'https://auth.docker.io/token',
          service: 'registry.docker.io',
          scope: 'repository:library/nginx:pull',
        },
      },
    ]);
  });

  it('reads Basic with a token-valued parameter and odd spacing and case', () => {
    expect(parseChallenges('basic   Realm = basic-realm ')).toEqual([
      { scheme: 'basic', params: { realm: 'basic-realm' } },
    ]);
  });

  it('reads several challenges in one header, and escaped quotes', () => {
    expect(parseChallenges('Basic realm="a \\"b\\"", Bearer realm="https://t/x",service=reg')).toEqual([
      { scheme: 'basic', params: { realm: 'a "b"' } },
      { scheme: 'bearer', params: { realm: 'https://t/x', service: 'reg' } },
    ]);
  });

  it('keeps a scope holding commas inside its quotes', () => {
    const [challenge] = parseChallenges('Bearer realm="r",scope="repository:a:pull,push"');
    expect(challenge?.params.scope).toBe('repository:a:pull,push');
  });

  it.each([
    ['', []],
    ['   ', []],
    ['"quoted"', []],
    ['Bearer realm="unterminated', [{ scheme: 'bearer', params: {} }]],
    ['Bearer realm=', [{ scheme: 'bearer', params: {} }]],
  ])('malformed %j keeps what came before', (header, expected) => {
    expect(parseChallenges(header)).toEqual(expected);
  });
});
