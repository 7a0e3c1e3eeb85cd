import { Command, InvalidArgumentError, Option } from 'commander';
import { startEmulator } from './server.js';

// `… --help | head` closes the pipe early: that is not an error worth a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
}

const EXAMPLES = `
Examples:
  grafeas-emulator --port 8080 --db ./grafeas.db
  grafeas-emulator --db :memory: --flavor oss      # behave like the open-source Grafeas server

  # the user's guide, with only the host changed:
  curl -X POST -H 'Content-Type: application/json' --data-binary @note.json \\
    'http://127.0.0.1:8080/v1/projects/P/notes?noteId=N'
  curl -X POST -H 'Content-Type: application/json' --data-binary @occurrence.json \\
    http://127.0.0.1:8080/v1beta1/projects/P/occurrences

  # point Signet at it:
  signet --store containeranalysis:http://127.0.0.1:8080   (or grafeas:http://127.0.0.1:8080 with --flavor oss)

Serves /v1/... and /v1beta1/... (flavor google) or /v1beta1/... only (flavor oss). The Authorization
header is ignored. A file database can be shared with a running signer or webhook (SQLite WAL mode).
Stops cleanly on SIGTERM or SIGINT.`;

function port(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65535)
    throw new InvalidArgumentError('a port is an integer from 0 to 65535');
  return n;
}

const program = new Command('grafeas-emulator')
  .description('A local Grafeas / Container Analysis REST API on an embedded SQLite store.')
  .addOption(
    new Option('-p, --port <port>', 'TCP port to listen on (0: any free port)').default(8080).argParser(port),
  )
  .option('--host <host>', 'address to bind', '127.0.0.1')
  .option('--db <path>', 'SQLite file, or :memory: for a throwaway store', ':memory:')
  .addOption(
    new Option(
      '--flavor <flavor>',
      'google (Container Analysis v1 + v1beta1) or oss (open-source Grafeas v0.1.0, quirks included)',
    )
      .choices(['google', 'oss'])
      .default('google'),
  )
  .addHelpText('after', EXAMPLES)
  .showHelpAfterError('(run grafeas-emulator --help for usage)');

async function main(): Promise<void> {
  program.parse();
  const opts = program.opts<{ port: number; host: string; db: string; flavor: 'google' | 'oss' }>();
  let emulator: Awaited<ReturnType<typeof startEmulator>>;
  try {
    emulator = await startEmulator({ port: opts.port, host: opts.host, db: opts.db, flavor: opts.flavor });
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    const hint = e.code === 'EADDRINUSE' ? ` (port ${opts.port} is in use: choose another with --port)` : '';
    process.stderr.write(`grafeas-emulator: cannot start: ${e.message}${hint}\n`);
    process.exit(1);
  }
  process.stdout.write(
    `grafeas-emulator listening on ${emulator.url} (flavor ${opts.flavor}, db ${opts.db})\n`,
  );
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`grafeas-emulator: ${signal} received, stopping\n`);
    emulator.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

await main();
