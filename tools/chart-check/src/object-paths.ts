/** Reading rendered objects, which are untyped JSON, without `any`. */
export type Json = Record<string, unknown>;

export const isRecord = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The record at `path` below `value`, or undefined. */
export function recordAt(value: unknown, ...path: string[]): Json | undefined {
  let current: unknown = value;
  for (const key of path) {
    if (!isRecord(current)) return undefined;
    current = current[key];
  }
  return isRecord(current) ? current : undefined;
}

/** The records of the list at `path` below `value` ([] when there is none). */
export function recordsAt(value: unknown, ...path: string[]): Json[] {
  const parent = path.length === 0 ? undefined : recordAt(value, ...path.slice(0, -1));
  const list = parent?.[path[path.length - 1] ?? ''];
  return Array.isArray(list) ? list.filter(isRecord) : [];
}

/** A string-to-string map at `path` ({} when there is none). */
export function labelsAt(value: unknown, ...path: string[]): Record<string, string> {
  const record = recordAt(value, ...path) ?? {};
  return Object.fromEntries(Object.entries(record).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}
