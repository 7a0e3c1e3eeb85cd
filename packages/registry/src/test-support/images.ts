import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tool } from './tools.js';

/**
 * An OCI layout made with umoci: `single` (one empty image), `other` (another, with another digest), and
 * `multi`, an OCI index of two platform manifests (linux/amd64, linux/arm64), written by hand.
 */
export async function makeLayout(dir: string): Promise<string> {
  const layout = join(dir, 'layout');
  await tool('umoci', ['init', '--layout', layout]);
  await tool('umoci', ['new', '--image', `${layout}:single`]);
  await tool('umoci', [
    'config',
    '--image',
    `${layout}:single`,
    '--config.label',
    'variant=other',
    '--tag',
    'other',
  ]);
  for (const arch of ['amd64', 'arm64']) {
    await tool('umoci', ['new', '--image', `${layout}:${arch}`]);
    await tool('umoci', ['config', '--image', `${layout}:${arch}`, '--architecture', arch, '--os', 'linux']);
  }
  addIndex(layout, 'multi', ['amd64', 'arm64']);
  return layout;
}

interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
  platform?: { architecture: string; os: string };
}

const REF_NAME = 'org.opencontainers.image.ref.name';

function addIndex(layout: string, name: string, archs: string[]): void {
  const indexFile = join(layout, 'index.json');
  const index = JSON.parse(readFileSync(indexFile, 'utf8')) as { manifests: Descriptor[] };
  const manifests = archs.map((arch) => {
    const found = index.manifests.find((m) => m.annotations?.[REF_NAME] === arch);
    if (found === undefined) throw new Error(`no ${arch} image in ${layout}`);
    return {
      mediaType: found.mediaType,
      digest: found.digest,
      size: found.size,
      platform: { architecture: arch, os: 'linux' },
    };
  });
  const blob = Buffer.from(
    JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests }),
  );
  const hex = createHash('sha256').update(blob).digest('hex');
  writeFileSync(join(layout, 'blobs', 'sha256', hex), blob);
  index.manifests.push({
    mediaType: 'application/vnd.oci.image.index.v1+json',
    digest: `sha256:${hex}`,
    size: blob.length,
    annotations: { [REF_NAME]: name },
  });
  writeFileSync(indexFile, JSON.stringify(index));
}

export interface PushOptions {
  /** `v2s2` converts to a Docker v2 manifest; the default keeps OCI. */
  format?: 'v2s2' | 'oci';
  /** Copy every platform of an index (`skopeo copy --all`). */
  all?: boolean;
  creds?: string;
  /** A folder with the registry's `ca.crt`; without it TLS is not verified. */
  certDir?: string;
}

/** `skopeo copy oci:LAYOUT:NAME docker://DEST`. */
export async function push(
  layout: string,
  name: string,
  dest: string,
  options: PushOptions = {},
): Promise<void> {
  await tool('skopeo', [
    'copy',
    '--quiet',
    ...transportFlags('dest', options),
    ...(options.format ? ['--format', options.format] : []),
    ...(options.all ? ['--all'] : []),
    `oci:${layout}:${name}`,
    `docker://${dest}`,
  ]);
}

/** What skopeo says the image's digest is: sha256 of `skopeo inspect --raw`, and `skopeo inspect`'s Digest. */
export async function skopeoDigests(
  image: string,
  options: PushOptions = {},
): Promise<{ raw: string; inspect: string }> {
  const flags = transportFlags('src', options).map((flag) => flag.replace('--src-', '--'));
  const raw = await tool('skopeo', ['inspect', '--raw', ...flags, `docker://${image}`]);
  const inspected = JSON.parse(await tool('skopeo', ['inspect', ...flags, `docker://${image}`])) as {
    Digest: string;
  };
  return { raw: `sha256:${createHash('sha256').update(raw).digest('hex')}`, inspect: inspected.Digest };
}

function transportFlags(side: 'src' | 'dest', options: PushOptions): string[] {
  return [
    ...(options.certDir ? [`--${side}-cert-dir`, options.certDir] : [`--${side}-tls-verify=false`]),
    ...(options.creds ? [`--${side}-creds`, options.creds] : []),
  ];
}
