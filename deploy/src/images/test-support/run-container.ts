import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import { tool } from './container-tools.js';

/** The parts of an OCI runtime spec (runc's config.json) that the harness edits. */
interface RuntimeSpec {
  process: {
    args: string[];
    env?: string[];
    user: { uid: number; gid: number };
    terminal?: boolean;
  } & Record<string, unknown>;
  root: { path: string; readonly?: boolean };
  mounts?: Array<{ destination: string; type?: string; source?: string; options?: string[] }>;
  linux?: { namespaces?: Array<{ type: string }> } & Record<string, unknown>;
  [key: string]: unknown;
}

/** An image unpacked once into a root filesystem that any number of containers share (read-only). */
export interface UnpackedImage {
  /** The image's runtime spec as umoci made it from the image config (user, env; args = entrypoint + cmd). */
  readonly spec: RuntimeSpec;
  /** The image config's Entrypoint: given `args` replace its Cmd, as `docker run IMAGE ARGS` does. */
  readonly entrypoint: readonly string[];
  readonly rootfs: string;
  /** Deletes the unpacked files. */
  remove(): Promise<void>;
}

/**
 * Unpacks the image `name:tag` of an OCI archive (`oci-archive:` transport): skopeo copies it into an OCI
 * layout, umoci unpacks that into a bundle. Takes seconds to a minute: do it once per test file.
 */
export async function unpackImage(image: {
  archive: string;
  name: string;
  tag: string;
}): Promise<UnpackedImage> {
  const dir = await mkdtemp(join(tmpdir(), 'signet-image-'));
  try {
    const layout = join(dir, 'layout');
    const bundle = join(dir, 'bundle');
    await tool('skopeo', [
      'copy',
      `oci-archive:${image.archive}:${image.name}:${image.tag}`,
      `oci:${layout}:image`,
    ]);
    await tool('umoci', ['unpack', '--image', `${layout}:image`, bundle]);
    const config = JSON.parse(await tool('skopeo', ['inspect', '--config', `oci:${layout}:image`])) as {
      config?: { Entrypoint?: string[] };
    };
    await rm(layout, { recursive: true, force: true });
    const spec = JSON.parse(await readFile(join(bundle, 'config.json'), 'utf8')) as RuntimeSpec;
    return {
      spec,
      entrypoint: config.config?.Entrypoint ?? [],
      rootfs: join(bundle, 'rootfs'),
      remove: () => rm(dir, { recursive: true, force: true }),
    };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

/** A host file or folder seen at `destination` in the container, read-only unless `writable`. */
export interface BindMount {
  source: string;
  destination: string;
  writable?: boolean;
}

export interface ContainerOptions {
  /** Arguments after the image's entrypoint, in place of its Cmd (as `docker run IMAGE ARGS`). */
  args?: readonly string[];
  /** Instead of the image's entrypoint (e.g. `['/nodejs/bin/node', '-e', '…']`); `args` follow it. */
  entrypoint?: readonly string[];
  /** Files and folders from the host. The container runs as the image's user: make them readable to it. */
  mounts?: readonly BindMount[];
  /** Added to (or replacing) the image's environment. */
  env?: Readonly<Record<string, string>>;
  /** How long runc may take to start the process (default 120 s: a busy 2-core machine). */
  startTimeoutMs?: number;
}

export interface ContainerOutput {
  stdout: string;
  stderr: string;
}

export interface RunningContainer {
  readonly id: string;
  /** The host PID of the container's PID 1. */
  readonly pid: number;
  /** Everything the process wrote so far. */
  logs(): ContainerOutput;
  /** Resolves the first match of `pattern` in stdout or stderr; rejects when the process ends first or after the limit. */
  waitForOutput(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray>;
  /** `runc kill <id> <signal>`: the signal goes to the container's PID 1 (the app, no init before it). */
  kill(signal?: string): Promise<void>;
  /** The exit code of PID 1 (128 + n when signal n ended it); rejects after `timeoutMs` without exit. */
  waitExit(timeoutMs: number): Promise<number>;
  /** Kills what is left (`runc delete --force`) and deletes the bundle. Safe to call twice. */
  remove(): Promise<void>;
}

/**
 * Starts a container from `image` with Debian's runc, as the image's user (no capabilities), with a
 * read-only root, a tmpfs at /tmp, and the host's network (loopback included: the test's servers and
 * the container reach each other on 127.0.0.1). runc runs in the foreground: its exit code is PID 1's.
 */
export async function startContainer(
  image: UnpackedImage,
  options: ContainerOptions = {},
): Promise<RunningContainer> {
  const id = `signet-test-${process.pid}-${randomBytes(4).toString('hex')}`;
  const bundle = await mkdtemp(join(tmpdir(), `${id}-`));
  await writeFile(join(bundle, 'config.json'), JSON.stringify(containerSpec(image, options)));
  const pidFile = join(bundle, 'pid');
  const child = spawn('runc', ['run', '--bundle', bundle, '--pid-file', pidFile, id], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const container = new Container(id, bundle, child);
  try {
    container.pid = await container.started(pidFile, options.startTimeoutMs ?? 120_000);
    return container;
  } catch (error) {
    await container.remove();
    throw error;
  }
}

/** Runs a container to its end (a CLI command): its exit code and output. */
export async function runContainer(
  image: UnpackedImage,
  options: ContainerOptions & { timeoutMs?: number } = {},
): Promise<ContainerOutput & { exitCode: number }> {
  const container = await startContainer(image, options);
  try {
    const exitCode = await container.waitExit(options.timeoutMs ?? 120_000);
    return { exitCode, ...container.logs() };
  } finally {
    await container.remove();
  }
}

function containerSpec(image: UnpackedImage, options: ContainerOptions): RuntimeSpec {
  const spec = structuredClone(image.spec);
  const env = new Map((spec.process.env ?? []).map((line) => [line.split('=')[0] ?? '', line] as const));
  for (const [name, value] of Object.entries(options.env ?? {})) env.set(name, `${name}=${value}`);
  spec.process = {
    ...spec.process,
    terminal: false,
    args:
      options.entrypoint || options.args
        ? [...(options.entrypoint ?? image.entrypoint), ...(options.args ?? [])]
        : spec.process.args,
    env: [...env.values()],
    capabilities: { bounding: [], effective: [], inheritable: [], permitted: [], ambient: [] },
  };
  spec.root = { path: image.rootfs, readonly: true };
  spec.mounts = [
    ...(spec.mounts ?? []),
    {
      destination: '/tmp',
      type: 'tmpfs',
      source: 'tmpfs',
      options: ['nosuid', 'nodev', 'mode=1777', 'size=65536k'],
    },
    ...(options.mounts ?? []).map((mount) => ({
      destination: mount.destination,
      type: 'bind',
      source: mount.source,
      options: ['rbind', mount.writable ? 'rw' : 'ro'],
    })),
  ];
  // No network namespace: the container shares the host's, so 127.0.0.1 is the test's loopback.
  spec.linux = {
    ...spec.linux,
    namespaces: (spec.linux?.namespaces ?? []).filter((ns) => ns.type !== 'network'),
  };
  return spec;
}

class Container implements RunningContainer {
  pid = 0;
  private stdout = '';
  private stderr = '';
  private readonly exited: Promise<number>;
  private exitCode: number | undefined;
  private removed = false;

  constructor(
    readonly id: string,
    private readonly bundle: string,
    private readonly child: ChildProcess,
  ) {
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      this.stdout += chunk;
    });
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      this.stderr += chunk;
    });
    this.exited = new Promise((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code, signal) => {
        this.exitCode = code ?? 128 + (signal ? constants.signals[signal] : 0);
        resolve(this.exitCode);
      });
    });
    this.exited.catch(() => undefined);
  }

  /** Waits for runc to write PID 1's host PID (the process has started), or to end first. */
  async started(pidFile: string, timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (existsSync(pidFile)) {
        const text = (await readFile(pidFile, 'utf8')).trim();
        if (/^\d+$/.test(text)) return Number(text);
      }
      if (this.exitCode !== undefined) {
        throw new Error(
          `runc run ${this.id} ended (exit ${this.exitCode}) before starting: ${this.describeOutput()}`,
        );
      }
      await pause(50);
    }
    throw new Error(`runc run ${this.id} did not start within ${timeoutMs} ms: ${this.describeOutput()}`);
  }

  logs(): ContainerOutput {
    return { stdout: this.stdout, stderr: this.stderr };
  }

  async waitForOutput(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = this.stdout.match(pattern) ?? this.stderr.match(pattern);
      if (match) return match;
      if (this.exitCode !== undefined) {
        throw new Error(
          `${this.id} exited (${this.exitCode}) without printing ${pattern}: ${this.describeOutput()}`,
        );
      }
      if (Date.now() > deadline) {
        throw new Error(`${this.id} printed no ${pattern} within ${timeoutMs} ms: ${this.describeOutput()}`);
      }
      await pause(50);
    }
  }

  async kill(signal = 'TERM'): Promise<void> {
    await tool('runc', ['kill', this.id, signal]);
  }

  async waitExit(timeoutMs: number): Promise<number> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`${this.id} did not exit within ${timeoutMs} ms: ${this.describeOutput()}`)),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async remove(): Promise<void> {
    if (this.removed) return;
    this.removed = true;
    // Not an error when runc already cleaned up after PID 1's exit.
    await tool('runc', ['delete', '--force', this.id]).catch(() => undefined);
    if (this.exitCode === undefined) await this.waitExit(30_000).catch(() => this.child.kill('SIGKILL'));
    await rm(this.bundle, { recursive: true, force: true });
  }

  private describeOutput(): string {
    return `\n--- stdout ---\n${this.stdout}\n--- stderr ---\n${this.stderr}`;
  }
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
