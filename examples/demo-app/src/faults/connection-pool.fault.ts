import { createServer, type Server, type Socket, connect } from 'node:net';

/**
 * The "connection pool issue": real TCP connections to an in-process fake database, opened and
 * never given back. The fake database accepts and holds them; nothing is sent.
 */
export class LeakyConnectionPool {
  private readonly held = new Set<Socket>();
  private readonly accepted = new Set<Socket>();
  private database: Server | undefined;
  private port = 0;

  constructor(private readonly onChange: (size: number) => void) {}

  private async listen(): Promise<number> {
    if (this.database) return this.port;
    const database = createServer((socket) => {
      this.accepted.add(socket);
      socket.once('close', () => this.accepted.delete(socket));
      socket.on('error', () => socket.destroy());
    });
    this.database = database;
    await new Promise<void>((resolve, reject) => {
      database.once('error', reject);
      database.listen(0, '127.0.0.1', () => resolve());
    });
    const address = database.address();
    this.port = typeof address === 'object' && address !== null ? address.port : 0;
    return this.port;
  }

  /** Opens `count` connections and keeps them; resolves when all are connected. */
  async open(count: number): Promise<number> {
    const port = await this.listen();
    await Promise.all(
      Array.from(
        { length: count },
        () =>
          new Promise<void>((resolve, reject) => {
            const socket = connect(port, '127.0.0.1', () => {
              this.held.add(socket);
              this.onChange(this.held.size);
              resolve();
            });
            socket.once('error', reject);
            socket.once('close', () => {
              if (this.held.delete(socket)) this.onChange(this.held.size);
            });
          }),
      ),
    );
    return this.held.size;
  }

  /** Closes every held connection; returns how many there were. */
  reset(): number {
    const sockets = [...this.held];
    this.held.clear();
    for (const socket of sockets) socket.destroy();
    this.onChange(0);
    return sockets.length;
  }

  get size(): number {
    return this.held.size;
  }

  async close(): Promise<void> {
    this.reset();
    for (const socket of this.accepted) socket.destroy();
    const database = this.database;
    this.database = undefined;
    if (database) await new Promise<void>((resolve) => database.close(() => resolve()));
  }
}
