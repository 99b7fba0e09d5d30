import { ServiceName } from '@mapek/contracts';

/**
 * Every identity `mapek pki` issues: the six loop services and managed-service agents (the wire's
 * service names), the CLI, and `subscriber`, a read-only observer of the loop's events (the
 * examples in examples/subscribers connect as it).
 */
export const IdentityName = { ...ServiceName, cli: 'cli', subscriber: 'subscriber' } as const;
export type IdentityName = (typeof IdentityName)[keyof typeof IdentityName];

export const ALL_IDENTITIES: readonly IdentityName[] = Object.values(IdentityName);

export function isIdentityName(value: string): value is IdentityName {
  return (ALL_IDENTITIES as readonly string[]).includes(value);
}

export function spiffeId(trustDomain: string, name: string): string {
  return `spiffe://${trustDomain}/${name}`;
}
