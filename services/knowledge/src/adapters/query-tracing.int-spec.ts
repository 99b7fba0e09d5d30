import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { newEventId, type Envelope } from '@mapek/contracts';
import { SpanKind, createLogger, inSpan, recordSpansInMemory, type RecordedSpans } from '@mapek/observability';
import { createTestDatabase, startPostgresServer, memorySymptomData } from '@mapek/testing';
import type pg from 'pg';
import { DatabaseSchema, createPool, withClient } from './database.js';
import { KnowledgeRepository } from './knowledge.repository.js';

/** A database knowledge can be pointed at: its URL, the pool size it allows, and how to remove it. */
interface Database {
  readonly url: string;
  readonly poolSize: number;
  stop(): Promise<void>;
}

/** The machine's PostgreSQL (TEST_DATABASE_ADMIN_URL) when there is one, else a server of the test's own. */
async function postgres(): Promise<Database> {
  if (process.env['TEST_DATABASE_ADMIN_URL']) {
    const database = await createTestDatabase('mapek_query_spans');
    return { url: database.url, poolSize: 4, stop: () => database.drop() };
  }
  const server = await startPostgresServer();
  return { url: server.adminUrl, poolSize: 4, stop: () => server.stop() };
}

/** PGlite served over the wire protocol, as `./mapek start` runs it for knowledge (one connection: ADR 0004). */
async function pglite(): Promise<Database> {
  const db = await PGlite.create();
  const server = new PGLiteSocketServer({ db, port: 0, host: '127.0.0.1', maxConnections: 1 });
  await server.start();
  const port = Number(server.getServerConn().split(':').at(-1));
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    poolSize: 1,
    stop: async () => {
      await server.stop();
      await db.close();
    },
  };
}

const symptom = (): Envelope<'symptom'> => ({
  id: newEventId(),
  type: 'symptom',
  version: 1,
  source: 'monitor',
  time: new Date().toISOString(),
  target: 'checkout-secret-target',
  data: memorySymptomData(),
});

describe.each([
  ['PostgreSQL', postgres],
  ['PGlite over the wire protocol', pglite],
])('knowledge’s query spans on %s', (_name, start) => {
  let spans: RecordedSpans;
  let database: Database;
  let pool: pg.Pool;
  let repository: KnowledgeRepository;

  beforeAll(async () => {
    spans = recordSpansInMemory();
    database = await start();
    pool = createPool(database.url, database.poolSize);
    pool.on('error', () => undefined);
    // Outside any span: the migrations make no trace.
    await new DatabaseSchema(pool, createLogger('knowledge-test', 'silent')).prepare();
    repository = new KnowledgeRepository(pool);
  });

  afterAll(async () => {
    await pool?.end().catch(() => undefined);
    await database?.stop();
    await spans?.stop();
  });

  beforeEach(() => spans.reset());

  it('records an event as client spans under the handler’s span, one per statement, with the server’s attributes and none of the event’s values', async () => {
    const event = symptom();
    await inSpan('process symptom', { kind: SpanKind.CONSUMER }, () => repository.record(event));
    const finished = spans.finished();
    const handler = finished.find((span) => span.name === 'process symptom');
    const queries = finished.filter((span) => span.name.startsWith('db.query'));
    expect(queries.map((span) => span.name)).toEqual(
      expect.arrayContaining(['db.query begin', 'db.query insert events', 'db.query insert audit_log', 'db.query commit']),
    );
    for (const query of queries) {
      expect(query.kind).toBe(SpanKind.CLIENT);
      expect(query.parentSpanContext?.spanId).toBe(handler?.spanContext().spanId);
      expect(query.attributes).toMatchObject({
        'db.system.name': 'postgresql',
        'db.system': 'postgresql',
        'server.address': new URL(database.url).hostname,
        'server.port': Number(new URL(database.url).port),
        'db.namespace': new URL(database.url).pathname.slice(1),
      });
      expect(JSON.stringify(query.attributes)).not.toMatch(/checkout-secret-target|memory above threshold/);
      expect(JSON.stringify(query.attributes)).not.toContain(event.id);
    }
    const insert = queries.find((span) => span.name === 'db.query insert events');
    expect(insert?.attributes['db.operation.name']).toBe('INSERT');
    expect(insert?.attributes['db.collection.name']).toBe('events');
    expect(insert?.attributes['db.response.returned_rows']).toBe(1);
  });

  it('marks a failing statement’s span as an error with its SQLSTATE', async () => {
    await expect(
      inSpan('process query', { kind: SpanKind.SERVER }, () => withClient(pool, (client) => client.query('SELECT * FROM no_such_table'))),
    ).rejects.toThrow(/no_such_table/);
    const failed = spans.finished().find((span) => span.name === 'db.query select no_such_table');
    expect(failed?.status.code).toBe(2);
    expect(failed?.attributes['error.type']).toBe('42P01');
    expect(failed?.attributes['db.response.status_code']).toBe('42P01');
  });

  it('makes no span for a read outside any trace (a readiness probe)', async () => {
    expect(await repository.incidents({ limit: 1 })).toEqual(expect.any(Array));
    expect(spans.finished()).toEqual([]);
  });
});
