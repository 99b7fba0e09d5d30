/**
 * Child process of the stack: an embedded PGlite served over the Postgres wire protocol.
 * Run as `node pglite-server.main.js --data-dir <dir> --port <port>`; reports its port to the
 * parent over IPC, exits cleanly on SIGTERM/SIGINT and when the parent goes away.
 *
 * Only ONE client connection at a time: pglite-socket multiplexes several connections onto the
 * single PGlite backend message by message, so two clients using the extended protocol (every
 * parameterised query of node-postgres) interleave Parse/Bind/Execute and get each other's
 * results or "portal does not exist" — seen when this tool was written. See the README.
 */
import { mkdir } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { isPgliteMessage, PGLITE_MAX_CONNECTIONS, PgliteMessageType, type PgliteMessage } from './pglite-ipc.js';

function report(message: PgliteMessage): void {
  process.send?.(message);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'data-dir': { type: 'string' },
      port: { type: 'string', default: '5432' },
      host: { type: 'string', default: '127.0.0.1' },
    },
  });
  const dataDir = values['data-dir'];
  if (dataDir === undefined) throw new Error('--data-dir is required');
  const port = Number(values.port);
  await mkdir(dataDir, { recursive: true });

  const db = await PGlite.create(dataDir);
  await db.query('select 1');
  const server = new PGLiteSocketServer({ db, port, host: values.host, maxConnections: PGLITE_MAX_CONNECTIONS });
  await server.start();
  const listeningPort = Number(server.getServerConn().split(':').at(-1));
  console.log(`pglite: data in ${dataDir}, listening on ${values.host}:${listeningPort} (max ${PGLITE_MAX_CONNECTIONS} connection)`);
  report({ type: PgliteMessageType.listening, port: listeningPort, maxConnections: PGLITE_MAX_CONNECTIONS });

  process.on('message', (message: unknown) => {
    if (isPgliteMessage(message) && message.type === PgliteMessageType.statsRequest) {
      report({ type: PgliteMessageType.stats, activeConnections: server.getStats().activeConnections });
    }
  });

  let stopping = false;
  const shutdown = async (why: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    console.log(`pglite: ${why}, closing`);
    await server.stop();
    await db.close();
    process.exit(0);
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => void shutdown(signal));
  // The parent died without stopping us: do not linger as an orphan holding the port.
  process.once('disconnect', () => void shutdown('parent disconnected'));
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  console.error(`pglite: failed to start: ${message}`);
  report({ type: PgliteMessageType.failed, message });
  process.exitCode = 1;
  process.disconnect?.();
});
