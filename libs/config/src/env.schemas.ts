import { z } from 'zod';

/** Schemas for raw environment strings. */
export const env = {
  string: (fallback?: string) => (fallback === undefined ? z.string().min(1) : z.string().min(1).default(fallback)),
  optionalString: () => z.string().min(1).optional(),
  url: (fallback?: string, protocols: readonly string[] = ['nats:', 'tls:', 'http:', 'https:', 'postgres:', 'postgresql:']) => {
    const base = z.string().refine(
      (value) => {
        try {
          return value.split(',').every((part) => protocols.includes(new URL(part.trim()).protocol));
        } catch {
          return false;
        }
      },
      `must be a URL (${protocols.join(' ')})`,
    );
    return fallback === undefined ? base : base.default(fallback);
  },
  integer: (fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER) =>
    z.coerce.number().int(`must be an integer`).min(min).max(max).default(fallback),
  number: (fallback: number, min = -Infinity, max = Infinity) => z.coerce.number().min(min).max(max).default(fallback),
  port: (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback),
  boolean: (fallback: boolean) =>
    z
      .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
      .default(fallback ? 'true' : 'false')
      .transform((value) => value === 'true' || value === '1' || value === 'yes'),
  oneOf: <const T extends readonly [string, ...string[]]>(values: T, fallback: T[number]) => z.enum(values).default(fallback),
  logLevel: () => z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
};
