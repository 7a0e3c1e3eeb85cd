import { execFile } from 'node:child_process';

/** Real cosign 2.5 (Debian trixie's package): $COSIGN, else `cosign` on PATH. */
const COSIGN = process.env.COSIGN || 'cosign';

export interface CosignRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs cosign with exactly `env` (plus PATH); a missing binary rejects, saying how to install it. */
export function runCosign(args: string[], env: NodeJS.ProcessEnv): Promise<CosignRun> {
  return new Promise((resolve, reject) => {
    execFile(COSIGN, args, { env: { PATH: process.env.PATH, ...env } }, (error, stdout, stderr) => {
      if ((error as NodeJS.ErrnoException | null)?.code === 'ENOENT') {
        reject(
          new Error(
            `cosign is not installed (looked for ${COSIGN}): run COSIGN=$(bash scripts/install-cosign.sh), which fetches Debian trixie's cosign 2.5, or put cosign on PATH`,
          ),
        );
        return;
      }
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
      resolve({ code, stdout, stderr });
    });
  });
}
