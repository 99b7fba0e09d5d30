import { createServer } from 'node:net';

export interface PortChoice {
  readonly port: number;
  readonly preferred: number;
  /** True when the preferred port was taken and a free one was chosen instead. */
  readonly moved: boolean;
}

function canListen(port: number, host: string): Promise<'free' | 'taken' | 'no-such-address'> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', (error: NodeJS.ErrnoException) => {
      resolve(error.code === 'EADDRNOTAVAIL' || error.code === 'EAFNOSUPPORT' ? 'no-such-address' : 'taken');
    });
    server.listen({ port, host, exclusive: true }, () => {
      server.close(() => resolve('free'));
    });
  });
}

/** Whether nothing listens on `port`, on 127.0.0.1 nor on ::1 (where `localhost` may resolve). */
export async function isPortFree(port: number): Promise<boolean> {
  if ((await canListen(port, '127.0.0.1')) !== 'free') return false;
  return (await canListen(port, '::1')) !== 'taken';
}

async function ephemeralPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ port: 0, host: '127.0.0.1', exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Hands out ports for one stack: the preferred port when it is free, otherwise a free one. Ports
 * already handed out are never handed out twice, even before the process using them listens.
 */
export class PortAllocator {
  private readonly handedOut = new Set<number>();

  /** `preferred` 0 means any free port. */
  async allocate(preferred: number): Promise<PortChoice> {
    if (preferred > 0 && !this.handedOut.has(preferred) && (await isPortFree(preferred))) {
      this.handedOut.add(preferred);
      return { port: preferred, preferred, moved: false };
    }
    for (let attempt = 0; attempt < 50; attempt += 1) {
      const port = await ephemeralPort();
      if (!this.handedOut.has(port) && (await isPortFree(port))) {
        this.handedOut.add(port);
        return { port, preferred, moved: preferred > 0 };
      }
    }
    throw new Error('could not find a free TCP port on 127.0.0.1');
  }
}
