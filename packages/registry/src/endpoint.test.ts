import { parseImageReference } from '@signet/signing';
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

describe('Docker Hub names, parsed by @signet/signing then given their endpoint', () => {
  it.each([
    ['nginx', 'docker.io/library/nginx'],
    ['nginx:1.27', 'docker.io/library/nginx'],
    ['library/nginx', 'docker.io/library/nginx'],
    ['index.docker.io/bitnami/redis:7', 'docker.io/bitnami/redis'],
  ])('%s is %s, fetched from registry-1.docker.io', (image, name) => {
    const ref = parseImageReference(image);
    expect(ref.name).toBe(name);
    expect(registryEndpoint(ref.registry, new Set()).origin).toBe('https://registry-1.docker.io');
  });
});
