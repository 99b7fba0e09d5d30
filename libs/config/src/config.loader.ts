import { z } from 'zod';
import { ConfigError } from './config.error.js';
import { redactUrl } from './redact-url.js';

/** One environment variable: its schema (which parses the raw string), what it is for, and whether it is secret. */
export interface ConfigVariable<S extends z.ZodType = z.ZodType> {
  readonly schema: S;
  readonly description: string;
  readonly sensitive?: boolean;
}

export type ConfigSpec = Record<string, ConfigVariable>;
export type ConfigValues<T extends ConfigSpec> = { readonly [K in keyof T]: z.output<T[K]['schema']> };

export interface LoadedConfig<T extends ConfigSpec> {
  readonly values: ConfigValues<T>;
  /** Values safe to log: sensitive ones replaced by "[redacted]", URLs stripped of passwords. */
  readonly redacted: Record<string, unknown>;
}

export interface LoadOptions {
  readonly service: string;
  readonly env?: NodeJS.ProcessEnv;
  /**
   * Variables with this prefix that the spec does not declare are rejected, so a typo such as
   * MAPEK_PLANNER_COOLDOWN_MSS fails the start instead of being silently ignored.
   */
  readonly ownedPrefix?: string;
}

/** Parses the environment once into a typed object, or throws a {@link ConfigError} listing every problem. */
export function loadConfig<T extends ConfigSpec>(spec: T, options: LoadOptions): LoadedConfig<T> {
  const env = options.env ?? process.env;
  const problems: string[] = [];
  const values: Record<string, unknown> = {};
  const redacted: Record<string, unknown> = {};
  for (const [key, variable] of Object.entries(spec)) {
    const raw = env[key];
    const parsed = variable.schema.safeParse(raw === '' ? undefined : raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const shown = raw === undefined ? 'unset' : variable.sensitive ? 'set (redacted)' : JSON.stringify(raw);
      problems.push(`${key} (${variable.description}) is ${shown}: ${issue?.message ?? 'invalid'}`);
      continue;
    }
    values[key] = parsed.data;
    redacted[key] = variable.sensitive
      ? parsed.data === undefined
        ? undefined
        : '[redacted]'
      : typeof parsed.data === 'string'
        ? redactUrl(parsed.data)
        : parsed.data;
  }
  if (options.ownedPrefix) {
    for (const key of Object.keys(env)) {
      if (key.startsWith(options.ownedPrefix) && !Object.hasOwn(spec, key)) {
        problems.push(
          `${key} is not a setting of ${options.service} (known: ${
            Object.keys(spec)
              .filter((k) => k.startsWith(options.ownedPrefix ?? ''))
              .join(', ') || 'none'
          })`,
        );
      }
    }
  }
  if (problems.length > 0) throw new ConfigError(options.service, problems);
  return { values: values as ConfigValues<T>, redacted };
}

/** Describes a spec as rows for documentation (README configuration tables). */
export function describeConfig(spec: ConfigSpec): Array<{ key: string; description: string; sensitive: boolean }> {
  return Object.entries(spec).map(([key, variable]) => ({
    key,
    description: variable.description,
    sensitive: variable.sensitive ?? false,
  }));
}
