import { execFile, execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Google's `gcloud` CLI pointed at loopback servers (this emulator for containeranalysis, stubs for
 * the other APIs), with a throwaway configuration: for interop tests and for trying gcloud against
 * the emulator by hand. A machine without gcloud gets an error that says so (never a skip).
 */

/** The gcloud API names whose endpoints can be overridden, each with its root URL (trailing slash added). */
type GcloudEndpoints = Partial<
  Record<
    'containeranalysis' | 'binaryauthorization' | 'cloudkms' | 'artifactregistry' | 'serviceusage',
    string
  >
>;

export interface GcloudOptions {
  project: string;
  endpoints: GcloudEndpoints;
  /** Deadline of every gcloud call (default 120 s: gcloud takes seconds to start on a busy machine). */
  timeoutMs?: number;
}

interface GcloudRun {
  /** null when the call was killed at its deadline. */
  code: number | null;
  stdout: string;
  stderr: string;
}

/** An attestation for `gcloud container binauthz attestations create --note` (files in `Gcloud.dir`). */
interface GcloudAttestation {
  artifactUrl: string;
  /** `projects/P/notes/N`, or just `N` for a note of the configured project. */
  note: string;
  signatureFile: string;
  publicKeyId: string;
  /** Default: the payload gcloud makes for artifactUrl. */
  payloadFile?: string;
}

/** One occurrence as `gcloud container binauthz attestations list --format=json` prints it. */
interface GcloudListedAttestation {
  name: string;
  resourceUri: string;
  /** Bytes are printed in base64, URL-safe or not. */
  attestation: { serializedPayload: string; signatures: { publicKeyId: string; signature: string }[] };
}

export interface Gcloud {
  /** The throwaway CLOUDSDK_CONFIG; also gcloud's working directory (files named in argv go here). */
  dir: string;
  run(args: string[]): Promise<GcloudRun>;
  /** Like run, but throws with gcloud's stderr unless it exits 0; returns stdout. */
  ok(args: string[]): Promise<string>;
  createAttestation(attestation: GcloudAttestation): Promise<void>;
  /** `gcloud container binauthz attestations list` of an image, under one attestor if given. */
  listAttestations(query: { artifactUrl: string; attestor?: string }): Promise<GcloudListedAttestation[]>;
  close(): Promise<void>;
}

function requireGcloud(): string {
  try {
    return execFileSync('gcloud', ['version'], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 })
      .toString('utf8')
      .split('\n')[0] as string;
  } catch (error) {
    throw new Error(
      `gcloud is needed here but cannot run (${(error as Error).message}): install google-cloud-cli 528 ` +
        '(https://cloud.google.com/sdk/docs/install#deb), as .ci/run does',
    );
  }
}

/** The settings `gcloud config set` would write, in its own file format. */
function properties(options: GcloudOptions): string {
  const overrides = Object.entries(options.endpoints).map(
    ([api, url]) => `${api} = ${url.endsWith('/') ? url : `${url}/`}`,
  );
  return [
    '[core]',
    `project = ${options.project}`,
    'disable_usage_reporting = true',
    'disable_prompts = true',
    'check_gce_metadata = false',
    '[component_manager]',
    'disable_update_check = true',
    '[api_endpoint_overrides]',
    ...overrides,
    '',
  ].join('\n');
}

export async function gcloudAgainst(options: GcloudOptions): Promise<Gcloud> {
  requireGcloud();
  const dir = await mkdtemp(join(tmpdir(), 'signet-gcloud-'));
  await mkdir(join(dir, 'configurations'));
  await writeFile(join(dir, 'active_config'), 'default');
  await writeFile(join(dir, 'configurations', 'config_default'), properties(options));
  const env = {
    PATH: process.env.PATH,
    HOME: dir,
    CLOUDSDK_CONFIG: dir,
    CLOUDSDK_AUTH_ACCESS_TOKEN: 'any',
    ...(process.env.CLOUDSDK_PYTHON ? { CLOUDSDK_PYTHON: process.env.CLOUDSDK_PYTHON } : {}),
  };
  const run = (args: string[]) =>
    new Promise<GcloudRun>((resolve) => {
      execFile(
        'gcloud',
        args,
        { cwd: dir, env, timeout: options.timeoutMs ?? 120_000, killSignal: 'SIGKILL', maxBuffer: 16 << 20 },
        (error, stdout, stderr) => {
          const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
          resolve({ code, stdout, stderr });
        },
      );
    });
  const ok = async (args: string[]) => {
    const result = await run(args);
    if (result.code !== 0) {
      throw new Error(
        `gcloud ${args.join(' ')} exited ${result.code ?? 'at its deadline'}:\n${result.stderr}`,
      );
    }
    return result.stdout;
  };
  return {
    dir,
    run,
    ok,
    async createAttestation(a) {
      const note = a.note.startsWith('projects/') ? a.note : `projects/${options.project}/notes/${a.note}`;
      await ok([
        ...['container', 'binauthz', 'attestations', 'create', `--artifact-url=${a.artifactUrl}`],
        ...[`--note=${note}`, `--signature-file=${a.signatureFile}`, `--public-key-id=${a.publicKeyId}`],
        ...(a.payloadFile ? [`--payload-file=${a.payloadFile}`] : []),
      ]);
    },
    async listAttestations(query) {
      const out = await ok([
        ...['container', 'binauthz', 'attestations', 'list', `--artifact-url=${query.artifactUrl}`],
        ...(query.attestor ? [`--attestor=${query.attestor}`] : []),
        '--format=json',
      ]);
      return JSON.parse(out) as GcloudListedAttestation[];
    },
    close: () => rm(dir, { recursive: true, force: true }),
  };
}
