import { ExitCode, type ExitCodeValue } from './exit-codes.js';

/**
 * An error the CLI raises itself. It has the shape of `SignetError` (code, message, fix, explain) without
 * importing @signet/signing, whose index loads openpgp: `signet --help` must stay light.
 */
export class CliError extends Error {
  readonly code: string;
  readonly fix: string;
  readonly exitCode: ExitCodeValue;

  constructor(code: string, message: string, fix: string, exitCode: ExitCodeValue = ExitCode.usage) {
    super(message);
    this.name = 'CliError';
    this.code = code;
    this.fix = fix;
    this.exitCode = exitCode;
  }

  explain(): string {
    return this.fix ? `${this.message}\n  fix: ${this.fix}` : this.message;
  }
}

export function usageError(code: string, message: string, fix: string): CliError {
  return new CliError(code, message, fix, ExitCode.usage);
}

export function backendError(code: string, message: string, fix: string): CliError {
  return new CliError(code, message, fix, ExitCode.backend);
}
