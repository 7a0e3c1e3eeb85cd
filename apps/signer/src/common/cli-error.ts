// The errors-only entry point: the package index would load openpgp, and `signet --help` must stay light.
import { SignetError } from '@signet/errors';
import { ExitCode, type ExitCodeValue } from './exit-codes.js';

/** An error the CLI raises itself, carrying the exit code it ends the process with. */
export class CliError extends SignetError {
  readonly exitCode: ExitCodeValue;

  constructor(code: string, message: string, fix: string, exitCode: ExitCodeValue = ExitCode.usage) {
    super(code, message, fix);
    this.exitCode = exitCode;
  }
}

export function usageError(code: string, message: string, fix: string): CliError {
  return new CliError(code, message, fix, ExitCode.usage);
}

export function backendError(code: string, message: string, fix: string): CliError {
  return new CliError(code, message, fix, ExitCode.backend);
}
