import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A Grafeas stand-in on 127.0.0.1 that holds every request until `release()`: a review that asks it is
 * in flight for as long as the test wants. Released requests are answered with an empty occurrence list.
 */
export interface HeldStore {
  url: string;
  /** Resolves when the first request arrives (its path). */
  firstRequest: Promise<string>;
  /** Answers the held requests, and every later one at once. */
  release(): void;
  close(): Promise<void>;
}

export async function startHeldStore(): Promise<HeldStore> {
  const held: ServerResponse[] = [];
  let released = false;
  let arrived: (path: string) => void = () => {};
  const firstRequest = new Promise<string>((resolve) => {
    arrived = resolve;
  });
  const answer = (response: ServerResponse) =>
    response.writeHead(200, { 'content-type': 'application/json' }).end('{"occurrences":[]}');
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    arrived(request.url ?? '');
    request.resume();
    if (released) answer(response);
    else held.push(response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    firstRequest,
    release() {
      released = true;
      for (const response of held.splice(0)) answer(response);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
