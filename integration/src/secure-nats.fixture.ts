import { freePort } from '@mapek/testing';
import { type NatsServer, createNatsServer, ensureStackCredentials, findNatsServer, natsClientTls } from '@mapek/stack';

/**
 * For integration tests: a nats-server configured by the tooling exactly as the stack runs it
 * (development CA, an identity per service, verify_and_map, per-identity permissions), on free
 * ports, with its credentials under `<dataDir>/certs`.
 */
export async function startSecureNatsServer(dataDir: string, prefix: string): Promise<{ server: NatsServer; certsDir: string }> {
  const port = await freePort();
  const credentials = await ensureStackCredentials({ dataDir, natsPort: port, subjectPrefix: prefix });
  const server = await createNatsServer({
    binary: await findNatsServer(),
    port,
    monitorPort: await freePort(),
    dataDir,
    prefix: '',
    output: null,
    cwd: dataDir,
    pkiConfig: credentials.natsConfig,
    tls: natsClientTls(credentials.certsDir, 'cli'),
  });
  await server.start(30_000);
  return { server, certsDir: credentials.certsDir };
}
