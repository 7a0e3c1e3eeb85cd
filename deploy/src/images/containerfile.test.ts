import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseObjects, REPO_ROOT } from '../guide-commands.js';
import { IMAGE_USER, IMAGES } from './spec.js';

/** deploy/Containerfile's instructions, stage by stage (continuations joined, comments dropped). */
function stages(): Map<string, string[]> {
  const lines = readFileSync(join(REPO_ROOT, 'deploy/Containerfile'), 'utf8')
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const byName = new Map<string, string[]>();
  let current: string[] = [];
  for (const line of lines) {
    const from = line.match(/^FROM (\S+) AS (\S+)$/);
    if (from) {
      current = [line];
      byName.set(from[2] as string, current);
    } else current.push(line);
  }
  return byName;
}

describe('deploy/Containerfile', () => {
  const byName = stages();

  it('starts from scratch: no base image to pull, and nothing run at build time (no shell)', () => {
    expect(byName.get('base')?.[0]).toBe('FROM scratch AS base');
    for (const spec of IMAGES) expect(byName.get(spec.target)?.[0]).toBe(`FROM base AS ${spec.target}`);
    expect([...byName.values()].flat().filter((line) => /^(RUN|ADD) /.test(line))).toEqual([]);
  });

  it('runs as the non-root user the Pod names', () => {
    expect(byName.get('base')).toContain(`USER ${IMAGE_USER.uid}:${IMAGE_USER.gid}`);
    const [deployment] = parseObjects(readFileSync(join(REPO_ROOT, 'deploy/deployment.yaml'), 'utf8'));
    const spec = deployment?.spec as { template: { spec: { securityContext: Record<string, unknown> } } };
    const pod = spec.template.spec;
    expect([pod.securityContext.runAsUser, pod.securityContext.runAsGroup]).toEqual([
      IMAGE_USER.uid,
      IMAGE_USER.gid,
    ]);
  });

  it.each(IMAGES)('$name: its entrypoint is its package’s own bin, run by the image’s Node', (spec) => {
    const manifest = JSON.parse(readFileSync(join(REPO_ROOT, spec.workspaceDir, 'package.json'), 'utf8'));
    const bins = Object.values(manifest.bin as Record<string, string>).map((path) =>
      path.replace(/^\.\//, ''),
    );
    const entry = byName.get(spec.target)?.find((line) => line.startsWith('ENTRYPOINT')) ?? '';
    expect(bins.map((bin) => `ENTRYPOINT ["/nodejs/bin/node", "/app/${bin}"]`)).toContain(entry);
    expect(byName.get(spec.target)).toContain(`COPY ${spec.target}/ /`);
  });
});
