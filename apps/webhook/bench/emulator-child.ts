/**
 * The Grafeas emulator for the scale bench, in its own process, as a real server runs: in the bench's
 * process its synchronous SQLite and JSON work (the index re-reading 100 pages of a 100k project)
 * starved the load generator and the timers. argv: SQLITE_FILE FLAVOR (google | oss).
 * Reports { url } when listening, answers { type: 'requests' } with { requests } (HTTP requests served),
 * and closes the store and exits on { type: 'stop' }.
 */
import { createServer } from 'node:http';
import { SqliteMetadataStore } from '@signet/grafeas-client/records';
import { createEmulatorApp } from '@signet/grafeas-emulator';
import { listenOnLoopback } from '../../../packages/grafeas-client/src/test-support/loopback-server.js';

const [file, flavor] = process.argv.slice(2) as [string, string];

const store = new SqliteMetadataStore(file);
const app = createEmulatorApp({ store, flavor: flavor === 'oss' ? 'oss' : 'google' });
let requests = 0;
const server = createServer((req, res) => {
  requests += 1;
  app(req, res);
});
const loopback = await listenOnLoopback(server);

process.send?.({ url: loopback.url });
process.on('message', async (message: { type: string }) => {
  if (message.type === 'requests') process.send?.({ requests });
  if (message.type === 'stop') {
    await loopback.close();
    await store.close();
    process.exit(0);
  }
});
