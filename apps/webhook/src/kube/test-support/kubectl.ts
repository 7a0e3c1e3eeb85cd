import { execFile } from 'node:child_process';

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

const KUBECTL_TIMEOUT_MS = 60_000;

/**
 * Runs the real `kubectl` with `--kubeconfig`, as a user would; its exit code and output are returned,
 * not thrown. A missing kubectl fails the test, saying how to install it.
 */
export function kubectl(kubeconfigFile: string, args: readonly string[]): Promise<KubectlResult> {
  return new Promise((resolve, reject) => {
    execFile(
      'kubectl',
      [`--kubeconfig=${kubeconfigFile}`, ...args],
      { encoding: 'utf8', timeout: KUBECTL_TIMEOUT_MS },
      (error, stdout, stderr) => {
        const failure = error as
          | (NodeJS.ErrnoException & { code?: number | string; killed?: boolean })
          | null;
        if (failure?.code === 'ENOENT') {
          reject(
            new Error(
              'kubectl is not installed: pnpm test:kube runs it against the test API server (install it from the Kubernetes release or your distribution)',
            ),
          );
        } else if (failure?.killed) {
          reject(
            new Error(`kubectl ${args.join(' ')} did not finish within ${KUBECTL_TIMEOUT_MS} ms: ${stderr}`),
          );
        } else {
          resolve({ code: typeof failure?.code === 'number' ? failure.code : 0, stdout, stderr });
        }
      },
    );
  });
}
