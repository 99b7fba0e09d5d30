/**
 * Connections the embedded PGlite accepts at once. pglite-socket can multiplex several onto the
 * single backend, but it interleaves the extended-protocol messages of concurrent clients (see
 * pglite-server.main.ts), so the stack allows one and tells the knowledge service to pool one.
 */
export const PGLITE_MAX_CONNECTIONS = 1;

/** Messages between the stack and its PGlite child process (over the Node IPC channel). */
export const PgliteMessageType = {
  listening: 'listening',
  failed: 'failed',
  statsRequest: 'stats-request',
  stats: 'stats',
} as const;
export type PgliteMessageType = (typeof PgliteMessageType)[keyof typeof PgliteMessageType];

export type PgliteMessage =
  | { readonly type: typeof PgliteMessageType.listening; readonly port: number; readonly maxConnections: number }
  | { readonly type: typeof PgliteMessageType.failed; readonly message: string }
  | { readonly type: typeof PgliteMessageType.statsRequest }
  | { readonly type: typeof PgliteMessageType.stats; readonly activeConnections: number };

const TYPES: ReadonlySet<string> = new Set(Object.values(PgliteMessageType));

export function isPgliteMessage(value: unknown): value is PgliteMessage {
  if (typeof value !== 'object' || value === null || !('type' in value)) return false;
  const { type } = value;
  return typeof type === 'string' && TYPES.has(type);
}
