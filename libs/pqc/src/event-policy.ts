/**
 * Which sources may emit which event types: event type → allowed source names. A key ending in
 * `.*` covers every type under that prefix ("plan.*"). Anything not listed is denied.
 * `libs/contracts`' eventRegistry already records emitters per type, so a messaging layer can
 * derive this table from it.
 */
export type EventPolicy = Readonly<Record<string, readonly string[]>>;

export function isAuthorizedEmitter(policy: EventPolicy, source: string, type: string): boolean {
  const exact = policy[type];
  if (exact !== undefined) return exact.includes(source);
  let prefix = type;
  for (let dot = prefix.lastIndexOf('.'); dot > 0; dot = prefix.lastIndexOf('.')) {
    prefix = prefix.slice(0, dot);
    const wildcard = policy[`${prefix}.*`];
    if (wildcard !== undefined) return wildcard.includes(source);
  }
  return false;
}
