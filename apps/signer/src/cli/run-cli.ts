import { CommanderError } from 'commander';
import type { CommandResult } from '../common/command-result.js';
import { ExitCode, type ExitCodeValue } from '../common/exit-codes.js';
import { buildProgram, type ResultSink } from './program.js';
import { describeError } from './report-error.js';

export interface CliIo {
  stdout: (text: string | Uint8Array) => void;
  stderr: (text: string) => void;
  /** stderr is a terminal: progress lines may be redrawn in place. */
  stderrIsTty?: boolean;
  env: NodeJS.ProcessEnv;
}

const commandNames = [
  'note',
  'sign',
  'attach',
  'verify',
  'check',
  'payload',
  'evaluate',
  'audit',
  'keygen',
  'resolve',
];

function usageFix(args: string[]): string {
  const command = args.find((arg) => commandNames.includes(arg));
  const sub = command === 'note' && args.includes('create') ? 'note create' : command;
  return sub ? `run 'signet ${sub} --help' for its flags` : "run 'signet --help' for the commands and flags";
}

/** Parses argv (without `node` and the script), runs the command, prints its result; returns the exit code. */
export async function runCli(args: string[], version: string, io: CliIo): Promise<ExitCodeValue> {
  let finished: { result: CommandResult; json: boolean } | undefined;
  const sink: ResultSink = (result, context) => {
    finished = { result, json: context.global.output === 'json' };
  };
  const program = buildProgram(
    version,
    sink,
    io.env,
    {
      writeOut: io.stdout,
      writeErr: io.stderr,
      outputError: (message, write) => write(`signet: ${message.trimEnd()}\n  fix: ${usageFix(args)}\n`),
    },
    io.stderrIsTty === true,
  );
  const wantsJson = jsonRequested(args);
  try {
    await program.parseAsync(args, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) return commanderExit(error, wantsJson, io);
    return reportFailure(error, wantsJson, io);
  }
  if (!finished) return ExitCode.ok;
  const { result, json } = finished;
  if (json) io.stdout(`${JSON.stringify(result.json, null, 2)}\n`);
  else io.stdout(result.raw ?? ensureNewline(result.text));
  return result.exitCode;
}

/** Commander already printed its message (through outputError); JSON callers also get it on stdout. */
function commanderExit(error: CommanderError, json: boolean, io: CliIo): ExitCodeValue {
  if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return ExitCode.ok;
  if (json) {
    const message = error.message.replace(/^error: /, '');
    const body = { code: 'USAGE', message, fix: "run 'signet --help'", exitCode: ExitCode.usage };
    io.stdout(`${JSON.stringify({ error: body }, null, 2)}\n`);
  }
  return ExitCode.usage;
}

function reportFailure(error: unknown, json: boolean, io: CliIo): ExitCodeValue {
  const report = describeError(error);
  io.stderr(`signet: error: ${report.text}\n`);
  if (io.env.SIGNET_DEBUG === '1' && error instanceof Error && error.stack) io.stderr(`${error.stack}\n`);
  if (json) {
    const { code, message, fix, exitCode } = report;
    io.stdout(`${JSON.stringify({ error: { code, message, fix, exitCode } }, null, 2)}\n`);
  }
  return report.exitCode;
}

function jsonRequested(args: string[]): boolean {
  const at = args.indexOf('--output');
  return args.includes('--output=json') || (at >= 0 && args[at + 1] === 'json');
}

function ensureNewline(text: string): string {
  if (text.length === 0) return '';
  return text.endsWith('\n') ? text : `${text}\n`;
}
