import type pg from 'pg';
import { SpanKind, activeSpanRecording, endSpan, startSpan, type Attributes } from '@mapek/observability';
import {
  ATTR_DB_COLLECTION_NAME,
  ATTR_DB_NAMESPACE,
  ATTR_DB_OPERATION_NAME,
  ATTR_DB_QUERY_SUMMARY,
  ATTR_DB_QUERY_TEXT,
  ATTR_DB_RESPONSE_STATUS_CODE,
  ATTR_DB_SYSTEM_NAME,
  ATTR_ERROR_TYPE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  DB_SYSTEM_NAME_VALUE_POSTGRESQL,
} from '@opentelemetry/semantic-conventions';

/** The query port: what the repository and the migrations call, on the pool or a checked-out client. */
export interface Queryable {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>>;
}

/** Where the queries go, for the spans' `server.*` and `db.namespace` attributes. */
export interface DatabaseServer {
  readonly host?: string;
  readonly port?: number;
  readonly database?: string;
}

/** The older attribute name, still what many trace views and the brief of issue 11 look for. */
const ATTR_DB_SYSTEM = 'db.system';
const ATTR_DB_RETURNED_ROWS = 'db.response.returned_rows';
/** Long statements (the migrations) are cut here: a span is not an archive of the schema. */
const QUERY_TEXT_LIMIT = 2048;

/** The server a pool connects to, from its connection string or its fields. */
export function databaseServerOf(pool: pg.Pool): DatabaseServer {
  const options = pool.options as pg.PoolConfig;
  let host = options.host;
  let port = options.port;
  let database = options.database;
  if (options.connectionString) {
    try {
      const url = new URL(options.connectionString);
      host ??= decodeURIComponent(url.hostname) || undefined;
      port ??= url.port ? Number(url.port) : 5432;
      database ??= decodeURIComponent(url.pathname.replace(/^\//, '')) || undefined;
    } catch {
      // Not a URL (a libpq keyword string): the spans go without server attributes.
    }
  }
  return { ...(host ? { host } : {}), ...(port ? { port } : {}), ...(database ? { database } : {}) };
}

/** What a statement does and to which table, from its text: `INSERT` into `events`, `BEGIN`, … */
export function describeStatement(text: string): { operation: string; collection?: string } {
  const statement = text.replace(/^(\s|--[^\n]*\n|\/\*[\s\S]*?\*\/)+/, '');
  const operation = (/^[A-Za-z]+/.exec(statement)?.[0] ?? 'QUERY').toUpperCase();
  const table = (pattern: RegExp) => pattern.exec(statement)?.[1]?.replace(/"/g, '');
  const name = String.raw`("?[A-Za-z_][\w$]*"?(?:\."?[A-Za-z_][\w$]*"?)?)`;
  let collection: string | undefined;
  switch (operation) {
    case 'INSERT':
      collection = table(new RegExp(String.raw`^INSERT\s+INTO\s+${name}`, 'i'));
      break;
    case 'UPDATE':
      collection = table(new RegExp(String.raw`^UPDATE\s+(?:ONLY\s+)?${name}`, 'i'));
      break;
    case 'DELETE':
      collection = table(new RegExp(String.raw`^DELETE\s+FROM\s+(?:ONLY\s+)?${name}`, 'i'));
      break;
    case 'SELECT':
      collection = table(new RegExp(String.raw`\bFROM\s+${name}`, 'i'));
      break;
    case 'CREATE':
    case 'ALTER':
    case 'DROP':
      collection = table(new RegExp(String.raw`^${operation}\s+TABLE\s+(?:IF\s+(?:NOT\s+)?EXISTS\s+)?${name}`, 'i'));
      break;
  }
  return collection ? { operation, collection } : { operation };
}

/**
 * The statement as a span may show it: whitespace folded, literals replaced by `?` (mapek binds
 * every value as `$n`, so this only guards against a literal written into SQL), cut to a limit.
 * Bound parameter values are never recorded.
 */
export function sanitizedQueryText(text: string): string {
  const folded = text
    .replace(/'(?:[^']|'')*'/g, '?')
    .replace(/(?<![$\w.])\d+(?:\.\d+)?\b/g, '?')
    .replace(/\s+/g, ' ')
    .trim();
  return folded.length > QUERY_TEXT_LIMIT ? `${folded.slice(0, QUERY_TEXT_LIMIT - 1)}…` : folded;
}

function queryAttributes(text: string, server: DatabaseServer): { name: string; attributes: Attributes } {
  const { operation, collection } = describeStatement(text);
  const summary = collection ? `${operation} ${collection}` : operation;
  return {
    name: `db.query ${operation.toLowerCase()}${collection ? ` ${collection}` : ''}`,
    attributes: {
      [ATTR_DB_SYSTEM_NAME]: DB_SYSTEM_NAME_VALUE_POSTGRESQL,
      [ATTR_DB_SYSTEM]: DB_SYSTEM_NAME_VALUE_POSTGRESQL,
      [ATTR_DB_OPERATION_NAME]: operation,
      [ATTR_DB_QUERY_SUMMARY]: summary,
      [ATTR_DB_QUERY_TEXT]: sanitizedQueryText(text),
      ...(collection ? { [ATTR_DB_COLLECTION_NAME]: collection } : {}),
      ...(server.database ? { [ATTR_DB_NAMESPACE]: server.database } : {}),
      ...(server.host ? { [ATTR_SERVER_ADDRESS]: server.host } : {}),
      ...(server.port ? { [ATTR_SERVER_PORT]: server.port } : {}),
    },
  };
}

/**
 * The query port with a CLIENT span per statement (`db.query insert events`, database semantic
 * conventions), marked failed with the SQLSTATE when the statement fails. A span is made only
 * under a recorded parent (a handler's consumer span, a query's server span): with tracing off a
 * query pays one context lookup, and readiness probes and migrations make no root traces.
 *
 * Wrapped where a `Queryable` is handed out — the pool, and each checked-out client — rather than
 * inside pg's Client: pg-pool runs a queued query's callbacks in the context of the query that
 * released the connection, so a span made there could land in another event's trace.
 */
export function traceQueries(queryable: Queryable, server: DatabaseServer): Queryable {
  return {
    async query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>> {
      if (!activeSpanRecording()) return queryable.query<R>(text, values);
      const { name, attributes } = queryAttributes(text, server);
      const span = startSpan(name, { kind: SpanKind.CLIENT, attributes });
      let result: pg.QueryResult<R>;
      try {
        result = await queryable.query<R>(text, values);
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        endSpan(span, error, {
          [ATTR_ERROR_TYPE]: typeof code === 'string' ? code : error instanceof Error ? error.name : 'error',
          ...(typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? { [ATTR_DB_RESPONSE_STATUS_CODE]: code } : {}),
        });
        throw error;
      }
      endSpan(span, undefined, { [ATTR_DB_RETURNED_ROWS]: result.rows.length });
      return result;
    },
  };
}
