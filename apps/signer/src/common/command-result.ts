import type { ExitCodeValue } from './exit-codes.js';
import type { GlobalOptions } from './global-options.js';

/** What a command hands back: the process prints `text` or `json` depending on `--output`. */
export interface CommandResult {
  exitCode: ExitCodeValue;
  text: string;
  json: unknown;
  /** Exact bytes for `--output text` instead of `text` (e.g. the payload to sign). */
  raw?: Uint8Array;
}

export interface CommandContext {
  global: GlobalOptions;
  env: NodeJS.ProcessEnv;
  /** Progress lines go to stderr so that stdout stays machine-readable. */
  progress(line: string): void;
}

export type CommandAction<Options> = (options: Options, context: CommandContext) => Promise<CommandResult>;
