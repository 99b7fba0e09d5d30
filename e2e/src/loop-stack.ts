import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStack, type Stack, type StackOptions } from '@mapek/stack';
import { createTestDatabase, type TestDatabase } from '@mapek/testing';
import { LoopClient } from './loop-client.js';

export interface LoopStack {
  readonly stack: Stack;
  readonly loop: LoopClient;
  /** Stops every process, drops the database and removes the data directory. */
  stop(): Promise<void>;
}

/**
 * The whole stack as separate OS processes, on a fresh database of the machine's PostgreSQL and
 * its own data directory, on free ports beside anything else running.
 */
export async function startLoopStack(
  name: string,
  serviceEnv: StackOptions['serviceEnv'] = {},
  options: { databaseAdminUrl?: string; configFile?: string; stack?: Pick<StackOptions, 'traces'> } = {},
): Promise<LoopStack> {
  const database: TestDatabase = await createTestDatabase(`mapek_e2e_${name}`, options.databaseAdminUrl);
  const dataDir = await mkdtemp(join(tmpdir(), `mapek-e2e-${name}-`));
  const cleanUp = async () => {
    await database.drop();
    await rm(dataDir, { recursive: true, force: true });
  };
  let stack: Stack;
  try {
    stack = await startStack({
      dataDir,
      databaseUrl: database.url,
      anyFreePort: true,
      output: null,
      logLevel: 'warn',
      serviceEnv,
      ...options.stack,
      ...(options.configFile !== undefined ? { configFile: options.configFile } : {}),
    });
  } catch (error) {
    await cleanUp();
    throw error;
  }
  return {
    stack,
    loop: new LoopClient(stack.gatewayUrl, stack.demoUrl, stack.caFile, stack.apiKeys?.adminToken),
    async stop() {
      await stack.stop();
      await cleanUp();
    },
  };
}
