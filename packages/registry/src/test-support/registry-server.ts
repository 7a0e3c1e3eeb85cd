import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createServer } from 'node:net';
import { join } from 'node:path';

/** How the registry is reached and who it lets in. */
export type RegistrySetup =
  | { kind: 'anonymous' }
  | { kind: 'basic'; tls: TlsFiles; htpasswdFile: string }
  | { kind: 'token'; tls: TlsFiles; realm: string; service: string; issuer: string; rootCertFile: string };

interface TlsFiles {
  certFile: string;
  keyFile: string;
  caPem: string;
}

export interface RunningRegistry {
  /** `127.0.0.1:PORT`, as images name it. */
  host: string;
  port: number;
  /** Everything the registry wrote (its access log included). */
  log(): string;
  stop(): Promise<void>;
}

/** A free loopback port, as the kernel hands them out. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts Debian's `docker-registry` (CNCF distribution 2.8) on a free loopback port, storing in `dir`,
 * and waits until `/v2/` answers.
 */
export async function startRegistry(
  dir: string,
  setup: RegistrySetup,
  port?: number,
): Promise<RunningRegistry> {
  // A free port can be taken by another process before the registry binds it: then try another.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOn(dir, setup, port ?? (await freePort()));
    } catch (error) {
      const taken = String(error).includes('address already in use');
      if (!taken || port !== undefined || attempt >= 3) throw error;
    }
  }
}

async function startOn(dir: string, setup: RegistrySetup, listen: number): Promise<RunningRegistry> {
  mkdirSync(join(dir, 'storage'), { recursive: true });
  const configFile = join(dir, 'config.yml');
  writeFileSync(configFile, registryConfig(dir, listen, setup));
  const child = spawn('docker-registry', ['serve', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<never>((_, reject) => {
    child.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'ENOENT'
          ? new Error(
              'docker-registry is not installed: install it (Debian: `apt-get install -y docker-registry`) to run the interop suite',
            )
          : error,
      ),
    );
    child.once('exit', (code) =>
      reject(new Error(`docker-registry exited (${code}) before it was ready:\n${output}`)),
    );
  });
  const tls = setup.kind === 'anonymous' ? undefined : setup.tls;
  await Promise.race([waitReady(listen, tls?.caPem), exited]);
  exited.catch(() => {}); // the exit at stop() is expected
  return { host: `127.0.0.1:${listen}`, port: listen, log: () => output, stop: () => stop(child) };
}

function registryConfig(dir: string, port: number, setup: RegistrySetup): string {
  const lines = [
    'version: 0.1',
    'log:',
    '  level: info',
    '  accesslog:',
    '    disabled: false',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${join(dir, 'storage')}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: 127.0.0.1:${port}`,
  ];
  if (setup.kind !== 'anonymous') {
    lines.push('  tls:', `    certificate: ${setup.tls.certFile}`, `    key: ${setup.tls.keyFile}`);
  }
  if (setup.kind === 'basic') {
    lines.push('auth:', '  htpasswd:', '    realm: signet-test', `    path: ${setup.htpasswdFile}`);
  }
  if (setup.kind === 'token') {
    lines.push(
      'auth:',
      '  token:',
      `    realm: ${setup.realm}`,
      `    service: ${setup.service}`,
      `    issuer: ${setup.issuer}`,
      `    rootcertbundle: ${setup.rootCertFile}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** Polls `/v2/` until the registry answers at all (200 or 401), every 50 ms. */
async function waitReady(port: number, caPem: string | undefined): Promise<void> {
  for (;;) {
    if (await answers(port, caPem)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function answers(port: number, caPem: string | undefined): Promise<boolean> {
  return new Promise((resolve) => {
    const url = `${caPem ? 'https' : 'http'}://127.0.0.1:${port}/v2/`;
    const request = caPem ? httpsRequest(url, { ca: caPem }) : httpRequest(url);
    request.on('response', (response) => {
      response.resume();
      resolve(response.statusCode === 200 || response.statusCode === 401);
    });
    request.on('error', () => resolve(false));
    request.end();
  });
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
