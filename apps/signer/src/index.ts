export { type CliIo, runCli } from './cli/run-cli.js';
export type { CommandContext, CommandResult } from './common/command-result.js';
export { ExitCode, type ExitCodeValue } from './common/exit-codes.js';
