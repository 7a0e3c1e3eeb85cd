import { errorMessage, isSignetError } from '@signet/errors';
import { CliError } from '../common/cli-error.js';
import { ExitCode, type ExitCodeValue } from '../common/exit-codes.js';

/**
 * Store answers that mean "your request is wrong" rather than "the backend failed": a store URL of
 * an unknown form, an invalid name or argument, something named that does not exist.
 */
const callerMistakes = new Set(['GRAFEAS_BAD_STORE_URL', 'GRAFEAS_INVALID_ARGUMENT', 'GRAFEAS_NOT_FOUND']);

/** Registry answers that mean "your request is wrong": a malformed config.json, a tag that does not exist. */
const registryMistakes = new Set(['REGISTRY_CONFIG_INVALID', 'REGISTRY_TAG_UNKNOWN']);

/**
 * CliError carries its own code. Any other SignetError is about the input (keys, signatures,
 * references, policies: exit 2) unless it comes from the metadata store (GrafeasError: exit 3 but for
 * the caller's own mistakes), and registry failures (RegistryError: exit 3 but for a malformed config or an
 * unknown tag). Anything else is unexpected: exit 3.
 */
function exitCodeFor(error: unknown): ExitCodeValue {
  if (error instanceof CliError) return error.exitCode;
  if (!isSignetError(error)) return ExitCode.backend;
  if (error.name === 'RegistryError')
    return registryMistakes.has(error.code) ? ExitCode.usage : ExitCode.backend;
  if (error.name === 'GrafeasError')
    return callerMistakes.has(error.code) ? ExitCode.usage : ExitCode.backend;
  return ExitCode.usage;
}

export interface ErrorReport {
  exitCode: ExitCodeValue;
  code: string;
  message: string;
  fix: string;
  /** One paragraph: the cause, then the fix. */
  text: string;
}

export function describeError(error: unknown): ErrorReport {
  const exitCode = exitCodeFor(error);
  if (isSignetError(error)) {
    return { exitCode, code: error.code, message: error.message, fix: error.fix, text: error.explain() };
  }
  const message = errorMessage(error);
  const fix =
    'this is a bug in signet or an unexpected environment failure: re-run with SIGNET_DEBUG=1 for the stack trace and report it';
  return { exitCode, code: 'UNEXPECTED', message, fix, text: `${message}\n  fix: ${fix}` };
}
