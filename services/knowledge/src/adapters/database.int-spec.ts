import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createLogger } from '@mapek/observability';
import { startPostgresServer, waitFor, type PostgresServerProcess } from '@mapek/testing';
import type pg from 'pg';
import { DatabaseSchema, createPool, inTransaction, isDatabaseUnavailable } from './database.js';

describe('knowledge and a PostgreSQL server that dies', () => {
  let server: PostgresServerProcess;
  let pool: pg.Pool;
  const logger = createLogger('knowledge-test', 'silent');
  const uncaught: unknown[] = [];
  const onUncaught = (error: unknown): void => {
    uncaught.push(error);
  };

  beforeAll(async () => {
    process.on('uncaughtException', onUncaught);
    server = await startPostgresServer();
    pool = createPool(server.adminUrl, 4);
    pool.on('error', () => undefined);
  });

  afterAll(async () => {
    process.off('uncaughtException', onUncaught);
    await pool?.end().catch(() => undefined);
    await server?.stop();
  });

  it('comes up unready while the server is down and migrates by itself once it is back', async () => {
    await server.kill();
    const schema = new DatabaseSchema(pool, logger, { initialMs: 50, maxMs: 200 });
    const prepared = schema.prepare();
    await expect(schema.check()).rejects.toThrow(/schema not ready/);
    await server.restart();
    await prepared;
    expect(schema.ready).toBe(true);
    await expect(schema.check()).resolves.toBeUndefined();
    const tables = await pool.query<{ count: string }>("SELECT count(*) FROM information_schema.tables WHERE table_name = 'events'");
    expect(tables.rows[0]?.count).toBe('1');
  });

  it('turns a server killed in the middle of a transaction into an unavailable error, not a crash, and serves again after the restart', async () => {
    const transaction = inTransaction(pool, async (client) => {
      await client.query('SELECT 1');
      await server.kill();
      await client.query('SELECT pg_sleep(0.1)');
    });
    const error = await transaction.then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(isDatabaseUnavailable(error)).toBe(true);
    await server.restart();
    const answer = await waitFor(async () => (await pool.query<{ one: number }>('SELECT 1 AS one').catch(() => undefined))?.rows[0]?.one, {
      timeoutMs: 10_000,
      intervalMs: 100,
      what: 'the pool to reconnect',
    });
    expect(answer).toBe(1);
    expect(uncaught).toEqual([]);
  });
});
