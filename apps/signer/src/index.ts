export type { CommandContext, CommandResult } from './cli/command-result.js';
export { ExitCode, type ExitCodeValue } from './cli/exit-codes.js';
export { type CliIo, runCli } from './cli/run-cli.js';
