import { readdir, readFile, writeFile } from 'node:fs/promises';
import { errorMessage } from '@signet/errors';
import { decodePolicyText } from '@signet/policy';
import { backendError, usageError } from './cli-error.js';

/** Reads a file named on the command line; failures name the flag and say what to do. */
export async function readInputFile(path: string, what: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    throw fileError(error, path, what);
  }
}

export async function readInputText(path: string, what: string): Promise<string> {
  return (await readInputFile(path, what)).toString('utf8');
}

/** A YAML file (policies, settings, manifests): UTF-8, or UTF-16/32 with a byte-order mark; any other encoding is refused. */
export async function readYamlText(path: string, what: string): Promise<string> {
  const decoded = decodePolicyText(await readInputFile(path, what));
  if (decoded.ok) return decoded.text;
  throw usageError(
    'POLICY_FILE_ENCODING',
    `${what} ${path} cannot be read as text: it is ${decoded.encoding}`,
    'save it as UTF-8 (in PowerShell: Set-Content -Encoding utf8, or Out-File -Encoding utf8)',
  );
}

/** Writes a file that must not exist yet (a key): an existing one is a usage error with `fix`. */
export async function writeNewFile(path: string, content: string, mode: number, fix: string): Promise<void> {
  try {
    await writeFile(path, content, { mode, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      throw usageError('FILE_EXISTS', `${path} already exists`, fix);
    }
    throw backendError(
      'FILE_UNWRITABLE',
      `cannot write ${path}: ${errorMessage(error)}`,
      'check that the folder exists and is writable',
    );
  }
}

/** The regular files of a folder, sorted by name. */
export async function listFolder(path: string, what: string): Promise<string[]> {
  try {
    const entries = await readdir(path, { withFileTypes: true, recursive: true });
    return entries
      .filter((entry) => entry.isFile())
      .map((entry) => `${entry.parentPath}/${entry.name}`)
      .sort();
  } catch (error) {
    throw fileError(error, path, what);
  }
}

function fileError(error: unknown, path: string, what: string) {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') {
    return usageError('FILE_NOT_FOUND', `${what} ${path} does not exist`, `check the path given for ${what}`);
  }
  if (code === 'EISDIR') {
    return usageError(
      'FILE_IS_DIRECTORY',
      `${what} ${path} is a folder, not a file`,
      `give a file for ${what}`,
    );
  }
  if (code === 'ENOTDIR') {
    return usageError('NOT_A_FOLDER', `${what} ${path} is not a folder`, `give a folder for ${what}`);
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return backendError(
      'FILE_UNREADABLE',
      `${what} ${path} cannot be read: permission denied`,
      `make it readable by this user (chmod u+r ${path}) or run as its owner`,
    );
  }
  const reason = errorMessage(error);
  return backendError(
    'FILE_UNREADABLE',
    `${what} ${path} cannot be read: ${reason}`,
    'check the file and the disk',
  );
}
