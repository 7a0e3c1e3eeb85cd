import { describe, expect, it } from 'vitest';
import { canonicalRegistryName, registryEndpoint } from './endpoint.js';

describe('registryEndpoint', () => {
  it('serves docker.io from registry-1.docker.io over HTTPS', () => {
    expect(registryEndpoint('docker.io', new Set())).toEqual({
      registry: 'docker.io',
      origin: 'https://registry-1.docker.io',
    });
  });

  it('uses plain HTTP only for a registry listed exactly, port included', () => {
    const insecure = new Set(['127.0.0.1:5000']);
    expect(registryEndpoint('127.0.0.1:5000', insecure).origin).toBe('http://127.0.0.1:5000');
    expect(registryEndpoint('127.0.0.1:5001', insecure).origin).toBe('https://127.0.0.1:5001');
    expect(registryEndpoint('127.0.0.1', insecure).origin).toBe('https://127.0.0.1');
  });
});

describe('canonicalRegistryName', () => {
  it.each([
    ['index.docker.io', 'docker.io'],
    ['registry-1.docker.io', 'docker.io'],
    ['Docker.IO', 'docker.io'],
    ['ghcr.io', 'ghcr.io'],
  ])('%s → %s', (host, expected) => {
    expect(canonicalRegistryName(host)).toBe(expected);
  });
});
