import { createHash } from 'node:crypto';
import type { DebianPackage } from './debian-rootfs.js';
import type { NodeRuntime } from './node-runtime.js';
import { runTool } from './run.js';
import { NODE_RUNTIME } from './spec.js';
import { byText } from './text-order.js';

interface CycloneDxComponent {
  type: string;
  name: string;
  version: string;
  purl: string;
  'bom-ref': string;
  hashes?: { alg: string; content: string }[];
}

interface CycloneDx {
  serialNumber?: string;
  metadata: { timestamp?: string; lifecycles?: unknown[] } & Record<string, unknown>;
  components: CycloneDxComponent[];
  dependencies?: { ref: string; dependsOn?: string[] }[];
}

/**
 * The image's CycloneDX SBOM. pnpm makes it from the lockfile (production dependencies only); the
 * Debian packages and the Node.js build, which the lockfile does not know, are added as components of
 * their own. pnpm stamps a random serial number and the current time; both are replaced (the time by
 * the commit's, the serial by one derived from the content) so that the same commit gives the same
 * file, and so the same image digest.
 */
export async function makeSbom(
  repoRoot: string,
  workspacePackage: string,
  sourceDate: Date,
  node: NodeRuntime,
  debs: readonly DebianPackage[],
): Promise<string> {
  const generated = await runTool(
    'pnpm',
    [
      '--filter',
      workspacePackage,
      'sbom',
      '--sbom-format',
      'cyclonedx',
      '--prod',
      '--lockfile-only',
      '--sbom-type',
      'application',
    ],
    { cwd: repoRoot },
  );
  const sbom = JSON.parse(generated) as CycloneDx;
  sbom.components.push(nodeComponent(node), ...debs.map(debianComponent));
  // pnpm lists components and dependencies in no fixed order from one run to the next.
  sbom.components.sort((a, b) => byText(a['bom-ref'], b['bom-ref']));
  for (const dependency of sbom.dependencies ?? []) dependency.dependsOn?.sort(byText);
  sbom.dependencies?.sort((a, b) => byText(a.ref, b.ref));
  sbom.metadata.timestamp = sourceDate.toISOString();
  sbom.metadata.lifecycles = [{ phase: 'build' }];
  delete sbom.serialNumber;
  const text = JSON.stringify(sbom, null, 2);
  return JSON.stringify({ ...sbom, serialNumber: contentSerial(text) }, null, 2);
}

function nodeComponent(node: NodeRuntime): CycloneDxComponent {
  const purl = `pkg:npm/${NODE_RUNTIME.package}@${node.version}`;
  const [alg, base64] = NODE_RUNTIME.integrity.split('-', 2) as [string, string];
  return {
    type: 'platform',
    name: 'node',
    version: node.version,
    purl,
    'bom-ref': purl,
    hashes: [
      {
        alg: alg.toUpperCase().replace('SHA', 'SHA-'),
        content: Buffer.from(base64, 'base64').toString('hex'),
      },
    ],
  };
}

function debianComponent(deb: DebianPackage): CycloneDxComponent {
  const purl = `pkg:deb/debian/${deb.name}@${encodeURIComponent(deb.version)}?arch=${deb.architecture}`;
  return {
    type: 'library',
    name: deb.name,
    version: deb.version,
    purl,
    'bom-ref': purl,
    hashes: [{ alg: 'SHA-256', content: deb.sha256 }],
  };
}

/** A UUID-shaped serial from the content's hash (RFC 4122 version 8: vendor-defined). */
function contentSerial(text: string): string {
  const hex = createHash('sha256').update(text).digest('hex');
  const variant = ((Number.parseInt(hex[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  return `urn:uuid:${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
