import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseObjects, REPO_ROOT } from './guide-commands.js';

/**
 * The Dockerfiles cannot be built on these machines (no container runtime), so these checks hold
 * them to what the deployment and the packages expect: the current Node LTS, a production-only
 * `pnpm deploy`, a non-root numeric user matching the pod's runAsUser, and an entrypoint that is the
 * package's own bin.
 */
function dockerfile(name: string): { lines: string[]; stages: string[][] } {
  const lines = readFileSync(join(REPO_ROOT, 'deploy', name), 'utf8')
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const stages: string[][] = [];
  for (const line of lines) {
    if (line.startsWith('FROM ')) stages.push([]);
    stages.at(-1)?.push(line);
  }
  return { lines, stages };
}

describe.each([
  ['Dockerfile.webhook', '@signet/webhook', 'apps/webhook'],
  ['Dockerfile.signer', '@signet/signer', 'apps/signer'],
])('deploy/%s', (file, pkg, dir) => {
  const { lines, stages } = dockerfile(file);
  const runtime = stages.at(-1) ?? [];

  it('is multi-stage on the Node LTS the suite also runs on (22)', () => {
    expect(lines).toContain('ARG NODE_VERSION=22');
    const base = 'FROM node:$' + '{NODE_VERSION}-bookworm-slim';
    expect(stages.map((stage) => stage[0])).toEqual([`${base} AS build`, base]);
  });

  it('ships only the production deployment of the package', () => {
    expect(lines).toContain(`RUN pnpm --filter ${pkg} deploy --prod /out`);
    expect(lines).toContain('RUN pnpm install --frozen-lockfile');
    expect(runtime.filter((line) => line.startsWith('COPY'))).toEqual(['COPY --from=build /out /app']);
  });

  it('runs as a non-root numeric user, its package’s bin as entrypoint', () => {
    expect(runtime).toContain('USER 1000:1000');
    const bin = JSON.parse(readFileSync(join(REPO_ROOT, dir, 'package.json'), 'utf8')).bin as Record<
      string,
      string
    >;
    const entry = runtime.find((line) => line.startsWith('ENTRYPOINT')) ?? '';
    expect(
      Object.values(bin).map((path) => `ENTRYPOINT ["node", "/app/${path.replace(/^\.\//, '')}"]`),
    ).toContain(entry);
  });
});

it("the webhook pod's runAsUser is the image's user", () => {
  const [deployment] = parseObjects(readFileSync(join(REPO_ROOT, 'deploy', 'deployment.yaml'), 'utf8'));
  const spec = deployment?.spec as
    | { template: { spec: { securityContext: Record<string, unknown> } } }
    | undefined;
  const securityContext = spec?.template.spec.securityContext;
  expect([securityContext?.runAsUser, securityContext?.runAsGroup]).toEqual([1000, 1000]);
});
