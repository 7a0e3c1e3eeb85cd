import { execFileSync } from 'node:child_process';

/** What the release demo runs, and the Debian package each comes from. */
const TOOLS: Readonly<Record<string, string>> = {
  runc: 'runc',
  umoci: 'umoci',
  skopeo: 'skopeo',
  'docker-registry': 'docker-registry',
  htpasswd: 'apache2-utils',
  openssl: 'openssl',
};

function installed(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Fails loudly, before anything starts, when the machine cannot run the release demo: it runs the
 * webhook's image with runc (root) and pushes to Debian's docker-registry with skopeo.
 */
export function requireReleaseTools(): void {
  const problems: string[] = [];
  if (process.getuid?.() !== 0) {
    problems.push('it must run as root: runc runs the webhook image as uid 65532 and umoci unpacks it');
  }
  const missing = Object.keys(TOOLS).filter((command) => !installed(command));
  if (missing.length > 0) {
    const packages = [...new Set(missing.map((command) => TOOLS[command]))].join(' ');
    problems.push(`missing ${missing.join(', ')}: install with \`apt-get install -y ${packages}\``);
  }
  if (problems.length > 0) {
    throw new Error(`the release demo cannot run on this machine: ${problems.join('; ')}`);
  }
}
