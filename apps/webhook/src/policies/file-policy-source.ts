import { type FSWatcher, watch } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { decodePolicyText, readPolicyFileContents, unparsedFileConcerns } from '@signet/policy';
import type { Logger } from 'pino';
import { parseAllDocuments } from 'yaml';
import { WebhookError } from '../errors.js';
import {
  type PolicyDocument,
  type PolicyProblem,
  type PolicySnapshot,
  type PolicySource,
  SnapshotListeners,
} from './policy-source.js';

const POLICY_FILE = /\.(ya?ml|json)$/i;
const MAX_DEPTH = 3;
const MAX_FILE_BYTES = 1024 * 1024;

export interface FilePolicySourceOptions {
  directory: string;
  logger?: Logger;
  /** Re-scan this often even without a file event (a missed event must not leave stale policies). */
  pollIntervalMs?: number;
  /** Namespace of resources that do not name one and sit at the top of the folder. */
  defaultNamespace?: string;
  /** Told of each failed attempt (a scan that threw, a listener that threw), after it is logged. */
  onFailure?: (error: unknown) => void;
}

/**
 * Policies from YAML files in a folder. A resource's namespace is its `metadata.namespace`, else the
 * subfolder it sits in (`DIR/team-a/policy.yaml`), else `default`; a `v1 List` is read item by item. A
 * file that cannot be read as YAML, holds anything but the three policy kinds, or writes a namespace
 * (or sits in a subfolder) that is not a namespace name is dropped whole and fails closed every
 * namespace it names or could name (see `readPolicyFileContents`), or all of them when that is unknown.
 */
export function filePolicySource(options: FilePolicySourceOptions): PolicySource {
  const failed = (message: string) => (error: unknown) => {
    options.logger?.error({ err: error, directory: options.directory }, message);
    options.onFailure?.(error);
  };
  const listeners = new SnapshotListeners(
    failed('a policy listener failed; it is given the policies again at the next scan'),
  );
  let snapshot: PolicySnapshot = { generation: 0, documents: [], problems: [] };
  let signature = '';
  let watcher: FSWatcher | undefined;
  let poll: NodeJS.Timeout | undefined;
  let debounce: NodeJS.Timeout | undefined;
  let scanning: Promise<void> = Promise.resolve();
  let loaded = false;
  const scanFolder = folderScanner(options.directory, options.defaultNamespace ?? 'default');

  const scan = async () => {
    const next = await scanFolder();
    if (next.signature === signature) {
      listeners.retry(snapshot);
      return;
    }
    signature = next.signature;
    snapshot = { generation: snapshot.generation + 1, documents: next.documents, problems: next.problems };
    loaded = true;
    options.logger?.info(
      { directory: options.directory, documents: next.documents.length, problems: next.problems },
      'policies loaded',
    );
    listeners.notify(snapshot);
  };
  const scanFailed = failed(
    'the policy folder was not scanned; the policies in force stay until the next scan',
  );
  /** One scan after the others; the chain survives a scan that throws (the next event or poll tries again). */
  const rescan = () => {
    const attempt = scanning.then(scan);
    scanning = attempt.catch(scanFailed);
    return attempt;
  };

  return {
    snapshot: () => snapshot,
    readiness: () =>
      loaded ? { ready: true, reasons: [] } : { ready: false, reasons: ['policies not loaded'] },
    onChange: (listener) => listeners.add(listener),
    async start() {
      const info = await stat(options.directory).catch(() => undefined);
      if (!info?.isDirectory()) {
        throw new WebhookError(
          'POLICY_DIR_MISSING',
          `the policy folder ${options.directory} does not exist or is not a folder`,
          'give --policies a folder holding AttestationAuthority, GenericAttestationPolicy and ImageSecurityPolicy YAML files',
        );
      }
      await rescan();
      try {
        watcher = watch(options.directory, { recursive: true }, () => {
          clearTimeout(debounce);
          debounce = setTimeout(() => void rescan(), 50);
        });
        watcher.on('error', () => {});
      } catch {
        // Polling below still picks changes up.
      }
      poll = setInterval(() => void rescan(), options.pollIntervalMs ?? 5_000);
      poll.unref();
    },
    async close() {
      watcher?.close();
      clearInterval(poll);
      clearTimeout(debounce);
      await scanning;
    },
  };
}

interface ScanResult {
  signature: string;
  documents: PolicyDocument[];
  problems: PolicyProblem[];
}

/** The namespaces a file names or could name; `'any'`: no telling. */
type Concerns = Set<string> | 'any';

/** Why a file cannot be used, and the namespaces it fails closed. */
interface FileProblem {
  message: string;
  concerns: Concerns;
}

/**
 * Scans the folder, remembering what each file concerned: a file that breaks keeps failing closed the
 * namespaces it concerned when it was last read, as well as those it names now, so that breaking a
 * file (say, retyping its namespace) never leaves the namespace it held policies for with fewer rules.
 * A file deleted, or fixed, concerns only what it says again.
 */
export function folderScanner(directory: string, defaultNamespace: string): () => Promise<ScanResult> {
  let concerned = new Map<string, Concerns>();
  return async () => {
    const next = new Map<string, Concerns>();
    const result = await scanFolder(
      directory,
      defaultNamespace,
      (source, problem) => {
        const concerns = union(problem.concerns, concerned.get(source));
        next.set(source, concerns);
        return concerns;
      },
      next,
    );
    concerned = next;
    return result;
  };
}

async function scanFolder(
  directory: string,
  defaultNamespace: string,
  failed: (source: string, problem: FileProblem) => Concerns,
  concerned: Map<string, Concerns>,
): Promise<ScanResult> {
  const documents: PolicyDocument[] = [];
  const problems: PolicyProblem[] = [];
  let files: string[];
  try {
    files = await listPolicyFiles(directory, 0);
  } catch (error) {
    const message = `the policy folder cannot be read (${(error as Error).message}): every namespace fails closed`;
    return {
      signature: `error:${message}`,
      documents,
      problems: [{ source: directory, namespace: undefined, message }],
    };
  }
  const contents: string[] = [];
  const fail = (source: string, problem: FileProblem) => {
    const concerns = failed(source, problem);
    for (const namespace of concerns === 'any' ? [undefined] : [...concerns].sort()) {
      problems.push({ source, namespace, message: problem.message });
    }
  };
  for (const file of files.sort()) {
    const source = relative(directory, file);
    const folderNamespace = source.includes(sep) ? source.split(sep)[0] : undefined;
    let bytes: Buffer;
    try {
      const info = await stat(file);
      if (info.size > MAX_FILE_BYTES) throw new Error(`larger than ${MAX_FILE_BYTES} bytes`);
      bytes = await readFile(file);
    } catch (error) {
      // The signature holds the failure too: a file removed between the listing and this read is a
      // change of the folder, and the scan after it (the file simply gone) must replace this one.
      // Unread, it could name anything: its folder (what it concerned when last read is added).
      const message = `cannot read ${source}: ${(error as Error).message}`;
      contents.push(`${source}\0${message}`);
      const concerns: Concerns = folderNamespace ? new Set([folderNamespace]) : 'any';
      fail(source, { message, concerns });
      continue;
    }
    const decoded = decodePolicyText(bytes);
    if (!decoded.ok) {
      // Which namespaces the file names cannot be known without reading it: every namespace fails closed.
      const message = `${source} cannot be read as text: it is ${decoded.encoding}; save it as UTF-8 (every namespace fails closed until then)`;
      contents.push(`${source}\0${message}`);
      fail(source, { message, concerns: 'any' });
      continue;
    }
    const text = decoded.text;
    contents.push(`${source}\0${text}`);
    const read = readPolicyFile(source, text, folderNamespace ?? defaultNamespace, folderNamespace);
    if ('problem' in read) fail(source, read.problem);
    else {
      documents.push(...read.documents);
      concerned.set(source, read.concerns);
    }
  }
  return { signature: contents.join('\0\0'), documents, problems };
}

function union(a: Concerns, b: Concerns | undefined): Concerns {
  if (a === 'any' || b === 'any') return 'any';
  return new Set([...a, ...(b ?? [])]);
}

async function listPolicyFiles(directory: string, depth: number): Promise<string[]> {
  const entries = await readdir(directory, { withFileTypes: true });
  const files: string[] = [];
  for (const entry of entries) {
    // Kubernetes volume mounts keep their real files under `..data` and `..<timestamp>`: skip dot entries.
    if (entry.name.startsWith('.')) continue;
    const path = join(directory, entry.name);
    const info = await stat(path).catch(() => undefined);
    if (info?.isDirectory() && depth < MAX_DEPTH) files.push(...(await listPolicyFiles(path, depth + 1)));
    else if (info?.isFile() && POLICY_FILE.test(entry.name)) files.push(path);
  }
  return files;
}

function readPolicyFile(
  source: string,
  text: string,
  fallbackNamespace: string,
  folderNamespace: string | undefined,
): { documents: PolicyDocument[]; concerns: Concerns } | { problem: FileProblem } {
  const parsed = parseAllDocuments(text, { prettyErrors: false });
  const docs = Array.isArray(parsed) ? parsed : [parsed];
  const values: { where: string; value: unknown }[] = [];
  const errors: string[] = [];
  docs.forEach((doc, index) => {
    const where = docs.length > 1 ? `${source}#${index + 1}` : source;
    if (doc.errors.length > 0) {
      errors.push(`${where}: ${doc.errors[0]?.message ?? 'invalid YAML'}`);
      return;
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (error) {
      errors.push(`${where}: ${(error as Error).message}`);
      return;
    }
    if (value === null || value === undefined) return;
    values.push({ where, value });
  });
  // Lists are read item by item; kinds and namespaces are checked before anything is used.
  const place = { folder: folderNamespace, fallback: fallbackNamespace };
  const contents = readPolicyFileContents(values, place);
  if (errors.length === 0 && contents.problems.length === 0) {
    const documents = contents.entries.map((e) => ({
      source: e.where,
      namespace: e.namespace,
      document: e.document,
    }));
    return { documents, concerns: contents.concerns };
  }
  // A broken file is dropped whole: keeping half of a policy file could admit what the whole would deny.
  if (errors.length > 0) {
    const message = `${source} is not valid YAML: ${[...errors, ...contents.problems].join('; ')}`;
    return { problem: { message, concerns: unparsedFileConcerns(text, contents, place) } };
  }
  return {
    problem: {
      message: `${source} cannot be used: ${contents.problems.join('; ')}`,
      concerns: contents.concerns,
    },
  };
}
