import { AsyncLocalStorage } from 'node:async_hooks';

/** What every log line written while handling an event carries. */
export interface LogContext {
  readonly incidentId?: string;
  readonly eventId?: string;
  readonly traceId?: string;
  readonly spanId?: string;
  readonly target?: string;
}

const storage = new AsyncLocalStorage<LogContext>();

export const logContext = {
  run<T>(context: LogContext, fn: () => T): T {
    return storage.run({ ...storage.getStore(), ...context }, fn);
  },
  current(): LogContext {
    return storage.getStore() ?? {};
  },
};
