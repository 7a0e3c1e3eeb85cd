/**
 * The base of every error Signet raises on purpose. `code` is stable and machine-readable;
 * `fix` tells the person reading it what to do next.
 */
export class SignetError extends Error {
  readonly code: string;
  readonly fix: string;

  constructor(code: string, message: string, fix: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.fix = fix;
  }

  /** The message followed by the fix, as printed to users. */
  explain(): string {
    return this.fix ? `${this.message}\n  fix: ${this.fix}` : this.message;
  }
}

export function isSignetError(value: unknown): value is SignetError {
  return value instanceof SignetError;
}

/** The message of anything thrown: for wrapping another library's error in a typed one. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
