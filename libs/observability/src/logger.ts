import { pino, type Logger, type LevelWithSilent } from 'pino';
import { logContext } from './log-context.js';
import { activeTraceIds } from './tracing.js';

export type { Logger } from 'pino';

/** Keys whose values never reach a log line, wherever they appear one or two levels deep. */
const SECRET_KEYS = ['password', 'secret', 'token', 'apiKey', 'api_key', 'authorization', 'privateKey', 'DATABASE_URL', 'databaseUrl'];

export function createLogger(service: string, level: LevelWithSilent = 'info', instance?: string): Logger {
  return pino({
    level,
    base: { service, instance: instance ?? `${process.pid}` },
    timestamp: pino.stdTimeFunctions.isoTime,
    messageKey: 'msg',
    formatters: { level: (label) => ({ level: label }) },
    // The active span's ids win over a trace id set by hand: they name the span the line belongs to.
    mixin: () => ({ ...logContext.current(), ...activeTraceIds() }),
    redact: {
      paths: [...SECRET_KEYS, ...SECRET_KEYS.map((key) => `*.${key}`), ...SECRET_KEYS.map((key) => `*.*.${key}`)],
      censor: '[redacted]',
    },
  });
}
