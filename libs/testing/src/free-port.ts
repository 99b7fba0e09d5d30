import { connect, createServer } from 'node:net';

/** A TCP port nobody listens on right now (the OS picks it). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

/**
 * A TCP port that refuses connections and that no test's server can take while it runs: one below
 * 1024, which `freePort` (the kernel's ephemeral range) never hands out and which only a privileged
 * process may bind. A port `freePort` gave and then closed is not that: any server started later,
 * by this suite or another one running beside it, may be given it.
 */
export async function closedPort(host = '127.0.0.1'): Promise<number> {
  for (let port = 1; port < 1024; port++) {
    if (await refuses(port, host)) return port;
  }
  throw new Error(`no port below 1024 on ${host} refuses connections`);
}

function refuses(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host });
    socket.setTimeout(1000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}
