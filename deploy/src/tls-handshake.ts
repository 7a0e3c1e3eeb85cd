import { connect } from 'node:tls';

/** A TLS handshake with 127.0.0.1:port trusting `ca` for `servername`: 'authorized', or the error code. */
export function handshake(port: number, ca: string, servername: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, ca, servername }, () => {
      socket.end();
      resolve('authorized');
    });
    socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}
