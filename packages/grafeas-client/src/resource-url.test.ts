import { describe, expect, it } from 'vitest';
import { resourceUrlFor, vulnerabilityProjectFor } from './resource-url.js';

const D = `sha256:${'a'.repeat(64)}`;

describe('resourceUrlFor', () => {
  it.each([
    ['gcr.io/p/app', `https://gcr.io/p/app@${D}`],
    ['https://gcr.io/p/app', `https://gcr.io/p/app@${D}`],
    ['gcr.io/p/app:1.0', `https://gcr.io/p/app@${D}`],
    ['localhost:5000/team/app:dev', `https://localhost:5000/team/app@${D}`],
    ['us-docker.pkg.dev/p/repo/app', `https://us-docker.pkg.dev/p/repo/app@${D}`],
  ])('%s', (repo, url) => expect(resourceUrlFor(repo, D)).toBe(url));
});

describe('vulnerabilityProjectFor', () => {
  it.each([
    [`https://gcr.io/my-proj/app@${D}`, 'my-proj'],
    [`https://eu.gcr.io/my-proj/team/app@${D}`, 'my-proj'],
    [`https://gcr.io/example.com/my-proj/app@${D}`, 'example.com:my-proj'],
    [`https://us-west1-docker.pkg.dev/my-proj/repo/app@${D}`, 'my-proj'],
    [`https://europe-docker.pkg.dev/example.com/my-proj/repo/app@${D}`, 'example.com:my-proj'],
    [`https://docker.io/library/nginx@${D}`, 'fallback'],
    [`https://registry.example.com/my-proj/app@${D}`, 'fallback'],
    [`https://gcr.io/app@${D}`, 'fallback'],
    [`https://gcr.io.evil.com/p/app@${D}`, 'fallback'],
    ['', 'fallback'],
  ])('%s -> %s', (url, project) => expect(vulnerabilityProjectFor(url, 'fallback')).toBe(project));
});
