import { ApiRole } from '@mapek/contracts';

/** What a request does, as far as authorization is concerned. */
export const Permission = {
  /** Read incidents, plans, insights, the audit check, /status, the /ws feed. */
  read: 'read',
  /** POST /api/v1/commands: actuate a managed service by hand. */
  command: 'command',
  /** POST /api/v1/plans/:id/approve|reject. */
  decide: 'decide',
} as const;
export type Permission = (typeof Permission)[keyof typeof Permission];

/**
 * Each role's permissions. Operators and approvers are separate duties: whoever runs commands by
 * hand does not thereby approve the loop's plans, and the other way round; admin holds both.
 */
export const rolePermissions: Readonly<Record<ApiRole, readonly Permission[]>> = {
  [ApiRole.viewer]: [Permission.read],
  [ApiRole.operator]: [Permission.read, Permission.command],
  [ApiRole.approver]: [Permission.read, Permission.decide],
  [ApiRole.admin]: [Permission.read, Permission.command, Permission.decide],
};

export type Access = { readonly public: true } | { readonly public: false; readonly permission: Permission };

const PUBLIC: Access = { public: true };
const needs = (permission: Permission): Access => ({ public: false, permission });

/**
 * Liveness, readiness and /metrics stay open for orchestrators and Prometheus, and the API's own
 * description for whoever wants to learn it; they reveal no incident, plan or event.
 */
const PUBLIC_PATHS = new Set(['/health', '/health/live', '/health/ready', '/metrics', '/docs', '/docs/openapi.json']);
const DECISION_PATH = /^\/api\/v1\/plans\/[^/]+\/(approve|reject)$/;

/**
 * What a request needs: everything not listed as public needs at least `read`, so a new route is
 * closed until someone decides otherwise. CORS preflights carry no credentials and are public.
 */
export function requiredAccess(method: string, url: string): Access {
  const path = (url.split('?', 1)[0] ?? '/').replace(/\/+$/, '') || '/';
  if (method === 'OPTIONS') return PUBLIC;
  if ((method === 'GET' || method === 'HEAD') && PUBLIC_PATHS.has(path)) return PUBLIC;
  if (method === 'POST' && path === '/api/v1/commands') return needs(Permission.command);
  if (method === 'POST' && DECISION_PATH.test(path)) return needs(Permission.decide);
  return needs(Permission.read);
}

export function mayAccess(role: ApiRole, access: Access): boolean {
  return access.public || rolePermissions[role].includes(access.permission);
}

/**
 * Who a decision or command is recorded as. With API keys it is the key's name, and a body that
 * claims someone else is refused rather than silently rewritten; without keys (development) the
 * body's `actor` is taken at its word.
 */
export function actorOf(caller: { readonly name: string } | undefined, claimed: string | undefined): { ok: true; actor: string } | { ok: false; reason: string } {
  if (caller === undefined) return { ok: true, actor: claimed ?? 'operator' };
  if (claimed === undefined || claimed === caller.name) return { ok: true, actor: caller.name };
  return { ok: false, reason: `actor: this API key acts as ${caller.name}, not ${claimed} (leave actor out)` };
}
