import { spawn } from 'node:child_process';

/**
 * An image build step that failed, with what to do about it. deploy/ imports no Signet package (its
 * import rule), so this mirrors @signet/errors' shape instead of extending it.
 */
export class ImageBuildError extends Error {
  constructor(
    message: string,
    readonly fix: string,
  ) {
    super(message);
    this.name = 'ImageBuildError';
  }
}

export interface RunOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * Runs a tool to the end and returns its stdout. A failure names the command, its exit and the end of
 * what it printed; a missing tool names the Debian package that has it.
 */
export function runTool(command: string, args: readonly string[], options: RunOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', (error: NodeJS.ErrnoException) => {
      reject(error.code === 'ENOENT' ? missingTool(command) : error);
    });
    child.on('close', (code, signal) => {
      if (code === 0) return resolve(Buffer.concat(stdout).toString('utf8'));
      const said = tail(Buffer.concat([stderr, stdout].flat()).toString('utf8'));
      reject(
        new ImageBuildError(
          `${[command, ...args].join(' ')} failed (${signal ?? `exit ${code}`})${said ? `:\n${said}` : ''}`,
          'see the tool’s own message above',
        ),
      );
    });
  });
}

/** How to get each tool the build runs, for the error when it is missing. */
const TOOL_FIXES: Record<string, string> = {
  buildah: 'apt-get install buildah',
  skopeo: 'apt-get install skopeo',
  'apt-get': 'build on Debian or Ubuntu: apt-get download fetches the packages the images are made of',
  'dpkg-deb': 'apt-get install dpkg',
  tar: 'apt-get install tar',
  npm: 'install Node.js with npm',
  pnpm: 'bash scripts/setup.sh (it installs pnpm 12.4.2)',
};

function missingTool(command: string): ImageBuildError {
  return new ImageBuildError(`${command} is not installed`, TOOL_FIXES[command] ?? `install ${command}`);
}

function tail(text: string, lines = 20): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}
