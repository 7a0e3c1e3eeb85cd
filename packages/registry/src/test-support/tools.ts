import { execFile } from 'node:child_process';

/** The Debian package of each tool the interop tests run, for the message when one is missing. */
const PACKAGES: Readonly<Record<string, string>> = {
  'docker-registry': 'docker-registry',
  skopeo: 'skopeo',
  umoci: 'umoci',
  htpasswd: 'apache2-utils',
  openssl: 'openssl',
};

/**
 * Runs a tool without blocking the event loop (the token server answering the tool lives in the test's
 * own process). A missing tool fails loudly, naming its Debian package; a failing one, with its stderr.
 */
export function tool(
  command: string,
  args: readonly string[],
  options: { cwd?: string } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024, ...options },
      (error, stdout, stderr) => {
        if ((error as NodeJS.ErrnoException | null)?.code === 'ENOENT') {
          const pkg = PACKAGES[command] ?? command;
          reject(
            new Error(
              `${command} is not installed: install it (Debian: \`apt-get install -y ${pkg}\`) to run the interop suite`,
            ),
          );
        } else if (error) {
          reject(new Error(`${command} ${args.join(' ')} failed: ${stderr || error.message}`));
        } else {
          resolve(stdout);
        }
      },
    );
  });
}
