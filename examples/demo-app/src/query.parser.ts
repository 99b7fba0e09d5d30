import { QueryParamError } from './demo.errors.js';

export interface NumberParamRule {
  readonly min: number;
  readonly max: number;
  readonly fallback: number;
  readonly integer?: boolean;
}

const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Reads one numeric query parameter: absent → `fallback`; present → a plain decimal number
 * within [min, max] (an integer when `integer`), otherwise a {@link QueryParamError}.
 */
export function numberParam(query: URLSearchParams, name: string, rule: NumberParamRule): number {
  const values = query.getAll(name);
  if (values.length === 0) return rule.fallback;
  if (values.length > 1) throw new QueryParamError(name, 'given more than once');
  const raw = (values[0] ?? '').trim();
  if (!DECIMAL.test(raw)) throw new QueryParamError(name, `"${raw}" is not a number`);
  const value = Number(raw);
  if (rule.integer === true && !Number.isInteger(value)) throw new QueryParamError(name, `must be a whole number, got ${raw}`);
  if (value < rule.min || value > rule.max) throw new QueryParamError(name, `must be between ${rule.min} and ${rule.max}, got ${raw}`);
  return value;
}

/** Rejects parameters an endpoint does not know, so a typo is not silently ignored. */
export function onlyParams(query: URLSearchParams, allowed: readonly string[]): void {
  for (const name of query.keys()) {
    if (!allowed.includes(name)) throw new QueryParamError(name, `unknown parameter (allowed: ${allowed.join(', ') || 'none'})`);
  }
}
