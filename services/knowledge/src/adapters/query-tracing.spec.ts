import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { SpanKind, inSpan, recordSpansInSuite } from '@mapek/observability';
import type pg from 'pg';
import { describeStatement, sanitizedQueryText, traceQueries, type Queryable } from './query-tracing.js';

/** A query port that answers every statement with `rows`, or fails with `failure`. */
function fakeDatabase(
  options: { rows?: unknown[]; failure?: Error } = {},
): Queryable & { calls: Array<{ text: string; values?: unknown[] }> } {
  const calls: Array<{ text: string; values?: unknown[] }> = [];
  return {
    calls,
    query: <R extends pg.QueryResultRow>(text: string, values?: unknown[]) => {
      calls.push({ text, ...(values ? { values } : {}) });
      if (options.failure) return Promise.reject(options.failure);
      const rows = (options.rows ?? []) as R[];
      return Promise.resolve({ rows, rowCount: rows.length, command: '', oid: 0, fields: [] } as pg.QueryResult<R>);
    },
  };
}

const server = { host: 'db.example', port: 5433, database: 'mapek' };

describe('spans of the knowledge service’s PostgreSQL queries', () => {
  const spans = recordSpansInSuite({ beforeAll, afterAll, beforeEach });

  it('makes a client span per statement under the handler’s span, named by operation and table, with the database attributes and no parameter values', async () => {
    const database = fakeDatabase({ rows: [{ id: 'e1' }] });
    const traced = traceQueries(database, server);
    await inSpan('process symptom', { kind: SpanKind.CONSUMER }, () =>
      traced.query('INSERT INTO events (id, data)\n     VALUES ($1, $2) ON CONFLICT (id) DO NOTHING RETURNING id', [
        'e1',
        '{"secret":"s3cr3t"}',
      ]),
    );
    expect(database.calls).toEqual([{ text: expect.stringContaining('INSERT INTO events'), values: ['e1', '{"secret":"s3cr3t"}'] }]);
    const [query, parent] = spans.finished();
    expect(query?.name).toBe('db.query insert events');
    expect(query?.kind).toBe(SpanKind.CLIENT);
    expect(query?.parentSpanContext?.spanId).toBe(parent?.spanContext().spanId);
    expect(query?.attributes).toEqual({
      'db.system.name': 'postgresql',
      'db.system': 'postgresql',
      'db.operation.name': 'INSERT',
      'db.collection.name': 'events',
      'db.query.summary': 'INSERT events',
      'db.query.text': 'INSERT INTO events (id, data) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING RETURNING id',
      'db.namespace': 'mapek',
      'server.address': 'db.example',
      'server.port': 5433,
      'db.response.returned_rows': 1,
    });
    expect(JSON.stringify(query?.attributes)).not.toContain('s3cr3t');
  });

  it('marks a failing statement’s span as an error with its SQLSTATE and still throws the error', async () => {
    const failure = Object.assign(new Error('duplicate key value violates unique constraint'), { code: '23505' });
    const traced = traceQueries(fakeDatabase({ failure }), server);
    await expect(
      inSpan('parent', { kind: SpanKind.INTERNAL }, () => traced.query('UPDATE incidents SET status = $2 WHERE id = $1', ['i', 'x'])),
    ).rejects.toBe(failure);
    const query = spans.finished().find((span) => span.name === 'db.query update incidents');
    expect(query?.status).toEqual({ code: 2, message: 'duplicate key value violates unique constraint' });
    expect(query?.attributes['error.type']).toBe('23505');
    expect(query?.attributes['db.response.status_code']).toBe('23505');
    expect(query?.events.map((event) => event.name)).toEqual(['exception']);
  });

  it('makes no span without a recorded parent (a readiness probe, tracing off), and still runs the query', async () => {
    const database = fakeDatabase({ rows: [{ one: 1 }] });
    const result = await traceQueries(database, server).query<{ one: number }>('SELECT 1 AS one');
    expect(result.rows).toEqual([{ one: 1 }]);
    expect(spans.finished()).toEqual([]);
  });
});

describe('what a statement does, for its span name', () => {
  it.each([
    ['INSERT INTO events (id) VALUES ($1)', { operation: 'INSERT', collection: 'events' }],
    ['  -- the chain head\n SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1', { operation: 'SELECT', collection: 'audit_log' }],
    ['UPDATE incidents SET status = $2 WHERE id = $1', { operation: 'UPDATE', collection: 'incidents' }],
    ['DELETE FROM "public"."events" WHERE id = $1', { operation: 'DELETE', collection: 'public.events' }],
    ['CREATE TABLE IF NOT EXISTS schema_migrations (version integer)', { operation: 'CREATE', collection: 'schema_migrations' }],
    ['SELECT pg_advisory_xact_lock(7261002)', { operation: 'SELECT' }],
    ['BEGIN', { operation: 'BEGIN' }],
  ])('%s', (text, described) => expect(describeStatement(text)).toEqual(described));

  it('shows literals as ? and keeps $n placeholders', () =>
    expect(sanitizedQueryText("SELECT * FROM t WHERE a = 'x''y' AND b = 42 AND c = $1 AND d = v2")).toBe(
      'SELECT * FROM t WHERE a = ? AND b = ? AND c = $1 AND d = v2',
    ));
});
