import type { ConnectionOptions } from 'node:tls';
import pg from 'pg';
import type { Logger } from '@mapek/observability';
import { backoffDelay, sleep, type BackoffPolicy } from '@mapek/service-kit';
import { migrations } from './migrations/index.js';
import { databaseServerOf, traceQueries, type Queryable } from './query-tracing.js';

export type { Queryable } from './query-tracing.js';

/** The pool's own `query`, behind the traced query port (one CLIENT span per statement). */
export function queriesOf(pool: pg.Pool): Queryable {
  return traceQueries(pool, databaseServerOf(pool));
}

/** `ssl`: TLS options (CA, client certificate and key, preferred groups) for a verified, mutually authenticated connection. */
export function createPool(url: string, size: number, ssl?: ConnectionOptions): pg.Pool {
  return new pg.Pool({
    connectionString: url,
    max: size,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: 5000,
    ...(ssl ? { ssl } : {}),
  });
}

// SQLSTATE classes and codes that mean "the server is gone or not taking work", not "the query is wrong":
// 08 connection exception, 57P01-57P03 admin/crash shutdown and "cannot connect now", 53300 too many connections.
const unavailableCodes = new Set(['57P01', '57P02', '57P03', '53300']);
const unavailableErrnos = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/** True when `error` says PostgreSQL cannot be reached (as opposed to a failing statement). */
export function isDatabaseUnavailable(error: unknown): boolean {
  // Duck-typed, not `instanceof Error`: errors may come from another realm (a test VM, a worker).
  if (typeof error !== 'object' || error === null) return false;
  const { code, message, cause } = error as { code?: unknown; message?: unknown; cause?: unknown };
  if (typeof code === 'string' && (code.startsWith('08') || unavailableCodes.has(code) || unavailableErrnos.has(code))) return true;
  // node-postgres reports a dropped socket and a connect timeout without a code.
  if (
    typeof message === 'string' &&
    /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(message)
  )
    return true;
  return cause !== undefined && cause !== error && isDatabaseUnavailable(cause);
}

/**
 * Checks a client out for `work`, behind the traced query port. A checked-out pg client has no
 * error listener of the pool's, so a server that dies mid-query would emit an unhandled `error`
 * and end the process; here the error is caught, and a client that failed is destroyed instead of
 * going back to the pool.
 */
export async function withClient<T>(pool: pg.Pool, work: (client: Queryable) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  const onError = (error: Error): void => {
    broken = error;
  };
  client.on('error', onError);
  try {
    return await work(traceQueries(client, databaseServerOf(pool)));
  } catch (error) {
    if (isDatabaseUnavailable(error)) broken ??= error as Error;
    throw error;
  } finally {
    client.off('error', onError);
    client.release(broken);
  }
}

/** Applies pending migrations; an advisory lock keeps two knowledge replicas from racing. */
export async function migrate(pool: pg.Pool, logger: Logger): Promise<void> {
  await withClient(pool, async (client) => {
    await client.query('SELECT pg_advisory_lock(7261001)');
    try {
      await client.query(
        'CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())',
      );
      const applied = new Set(
        (await client.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((row) => row.version),
      );
      for (const migration of migrations) {
        if (applied.has(migration.version)) continue;
        await client.query('BEGIN');
        try {
          await client.query(migration.sql);
          await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
          await client.query('COMMIT');
          logger.info({ version: migration.version }, `migrated: ${migration.name}`);
        } catch (error) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw error;
        }
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock(7261001)').catch(() => undefined);
    }
  });
}

export async function inTransaction<T>(pool: pg.Pool, work: (client: Queryable) => Promise<T>): Promise<T> {
  return withClient(pool, async (client) => {
    await client.query('BEGIN');
    try {
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  });
}

/**
 * The schema's readiness. Knowledge starts without waiting for PostgreSQL: `prepare` migrates in
 * the background, retrying with backoff and jitter while the server cannot be reached, and the
 * readiness check stays down until it has.
 */
export class DatabaseSchema {
  private migrated = false;
  private lastError: Error | undefined;

  constructor(
    private readonly pool: pg.Pool,
    private readonly logger: Logger,
    private readonly backoff: BackoffPolicy = { initialMs: 250, maxMs: 10_000 },
  ) {}

  get ready(): boolean {
    return this.migrated;
  }

  /** Resolves once migrated; rejects only for an error that retrying cannot fix (a failing migration) or when aborted. */
  async prepare(signal?: AbortSignal): Promise<void> {
    for (let attempt = 0; !signal?.aborted; attempt++) {
      try {
        await migrate(this.pool, this.logger);
        this.migrated = true;
        this.lastError = undefined;
        if (attempt > 0) this.logger.info({ attempts: attempt + 1 }, 'database reachable again; schema ready');
        return;
      } catch (error) {
        if (!isDatabaseUnavailable(error)) throw error;
        this.lastError = error as Error;
        const delay = backoffDelay(attempt, this.backoff);
        this.logger.warn({ err: error, attempt: attempt + 1, retryInMs: delay }, 'database unavailable; retrying');
        await sleep(delay, signal);
      }
    }
    throw new Error('database preparation aborted');
  }

  /** The readiness check: throws while the schema is not ready or the server does not answer. */
  async check(): Promise<void> {
    if (!this.migrated) throw new Error(`schema not ready: ${this.lastError?.message ?? 'migrating'}`);
    await this.pool.query('SELECT 1');
  }
}
