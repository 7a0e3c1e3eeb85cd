import { execFile } from 'node:child_process';

/** The Debian package of each tool the image tests run, for the message when one is missing. */
const PACKAGES: Readonly<Record<string, string>> = {
  runc: 'runc',
  umoci: 'umoci',
  skopeo: 'skopeo',
  openssl: 'openssl',
};

/**
 * Runs a tool without blocking the event loop (the test's own servers answer the container meanwhile).
 * A missing tool fails loudly, naming its Debian package; a failing one, with its stderr.
 */
export function tool(command: string, args: readonly string[], timeoutMs = 300_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024, timeout: timeoutMs },
      (error, stdout, stderr) => {
        if ((error as NodeJS.ErrnoException | null)?.code === 'ENOENT') {
          reject(new Error(missingToolMessage(command)));
        } else if (error) {
          reject(new Error(`${command} ${args.join(' ')} failed: ${stderr || error.message}`));
        } else {
          resolve(stdout);
        }
      },
    );
  });
}

function missingToolMessage(command: string): string {
  const pkg = PACKAGES[command] ?? command;
  return `${command} is not installed: install it (Debian: \`apt-get install -y ${pkg}\`) to run the image tests`;
}

/**
 * Fails loudly, before any test runs, when the machine cannot run an image: runc, umoci and skopeo
 * (Debian packages of the same names) and root (runc without rootless setup needs it).
 */
export async function requireContainerTools(): Promise<void> {
  if (process.getuid?.() !== 0) {
    throw new Error(
      'the image tests run containers with runc and must run as root (uid 0): run `pnpm test:images` as root',
    );
  }
  for (const command of ['runc', 'umoci', 'skopeo']) {
    await tool(command, ['--version'], 60_000);
  }
}
