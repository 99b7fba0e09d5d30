import { ApiRole, AutonomyLevel, FlagName, autonomyLadder, type FlagChangeV1, type FlagRecordV1 } from '@mapek/contracts';

/** What a request does, as far as authorization is concerned. */
export const Permission = {
  /** Read incidents, plans, insights, the audit check, /status, the /ws feed. */
  read: 'read',
  /** POST /api/v1/commands: actuate a managed service by hand. */
  command: 'command',
  /** POST /api/v1/plans/:id/approve|reject. */
  decide: 'decide',
  /** POST /api/v1/flags: change a runtime flag (see {@link mayChangeFlag} for which changes). */
  configure: 'configure',
  /** POST /api/v1/alertmanager: hand alerts to the loop (Alertmanager's webhook). */
  alert: 'alert',
  /** POST /api/v1/heartbeats/<target>: say a target is alive. */
  heartbeat: 'heartbeat',
} as const;
export type Permission = (typeof Permission)[keyof typeof Permission];

/**
 * Each role's permissions. Operators and approvers are separate duties: whoever runs commands by
 * hand does not thereby approve the loop's plans, and the other way round; admin holds both.
 */
export const rolePermissions: Readonly<Record<ApiRole, readonly Permission[]>> = {
  [ApiRole.viewer]: [Permission.read],
  [ApiRole.operator]: [Permission.read, Permission.command, Permission.configure],
  [ApiRole.approver]: [Permission.read, Permission.decide],
  [ApiRole.admin]: [Permission.read, Permission.command, Permission.decide, Permission.configure, Permission.alert, Permission.heartbeat],
  // Alertmanager's key lives in its configuration file: whoever reads that file may post alerts, no more.
  [ApiRole.alertmanager]: [Permission.alert],
  // The key sits in a job's or a host's environment: whoever reads it may keep a target looking alive, no more.
  [ApiRole.heartbeat]: [Permission.heartbeat],
};

export type Access = { readonly public: true } | { readonly public: false; readonly permission: Permission };

const PUBLIC: Access = { public: true };
const needs = (permission: Permission): Access => ({ public: false, permission });

/**
 * Liveness, readiness and /metrics stay open for orchestrators and Prometheus, the API's own
 * description for whoever wants to learn it, and the console's static page, assets and sign-in
 * settings (its data comes from the API, with the key or token the user signs in with); they
 * reveal no incident, plan or event.
 */
const PUBLIC_PATHS = new Set([
  '/health',
  '/health/live',
  '/health/ready',
  '/metrics',
  '/docs',
  '/docs/openapi.json',
  '/',
  '/api/v1/console/config',
]);
const CONSOLE_ASSET = /^\/console\/[a-z][a-z-]*\.(js|css)$/;
const DECISION_PATH = /^\/api\/v1\/plans\/[^/]+\/(approve|reject)$/;
const HEARTBEAT_PATH = /^\/api\/v1\/heartbeats\/[^/]+$/;

/**
 * What a request needs: everything not listed as public needs at least `read`, so a new route is
 * closed until someone decides otherwise. CORS preflights carry no credentials and are public.
 */
export function requiredAccess(method: string, url: string): Access {
  const path = (url.split('?', 1)[0] ?? '/').replace(/\/+$/, '') || '/';
  if (method === 'OPTIONS') return PUBLIC;
  if ((method === 'GET' || method === 'HEAD') && (PUBLIC_PATHS.has(path) || CONSOLE_ASSET.test(path))) return PUBLIC;
  if (method === 'POST' && path === '/api/v1/commands') return needs(Permission.command);
  if (method === 'POST' && path === '/api/v1/flags') return needs(Permission.configure);
  if (method === 'POST' && DECISION_PATH.test(path)) return needs(Permission.decide);
  if (method === 'POST' && path === '/api/v1/alertmanager') return needs(Permission.alert);
  if (method === 'POST' && HEARTBEAT_PATH.test(path)) return needs(Permission.heartbeat);
  return needs(Permission.read);
}

/**
 * The part of a caller's authorization that a read answer depends on, for keys of cached answers
 * (handlers/incidents.controller.ts): two callers with the same scope must be allowed to see the
 * same answer. Today every role that may read sees the same lists, so the role is enough (and
 * stricter than needed); a filter by principal added to a list must be added here too.
 */
export function answerScope(caller: { readonly role: ApiRole } | undefined): string {
  return caller === undefined ? 'open' : `role:${caller.role}`;
}

export function mayAccess(role: ApiRole, access: Access): boolean {
  return access.public || rolePermissions[role].includes(access.permission);
}

/**
 * Who a decision or command is recorded as. With API keys it is the key's name, and a body that
 * claims someone else is refused rather than silently rewritten; without keys (development) the
 * body's `actor` is taken at its word.
 */
export function actorOf(
  caller: { readonly name: string } | undefined,
  claimed: string | undefined,
): { ok: true; actor: string } | { ok: false; reason: string } {
  if (caller === undefined) return { ok: true, actor: claimed ?? 'operator' };
  if (claimed === undefined || claimed === caller.name) return { ok: true, actor: caller.name };
  return { ok: false, reason: `actor: this API key acts as ${caller.name}, not ${claimed} (leave actor out)` };
}

/**
 * Whether a role may make a flag change: an operator may make the loop more careful (turn
 * auto-healing off, shadow mode on, lower an autonomy level), which anyone on call should be able
 * to do at once; only an admin may widen what the loop does without an approver (auto-healing on
 * or back to the default, shadow mode off, a higher autonomy level, the ladder's rules), since that
 * stands in for the approvers' judgement. `current` is the flag's record, if any.
 */
export function mayChangeFlag(
  role: ApiRole,
  change: FlagChangeV1,
  current: FlagRecordV1 | undefined,
): { ok: true } | { ok: false; reason: string } {
  if (role === ApiRole.admin) return { ok: true };
  if (!rolePermissions[role].includes(Permission.configure)) return { ok: false, reason: `role ${role} may not change runtime flags` };
  const careful = (() => {
    switch (change.flag) {
      case FlagName.autoHealing:
        return change.enabled === false;
      case FlagName.shadowMode:
        return change.enabled;
      case FlagName.autonomy: {
        // Without a record the planner's default applies, which may be auto: only lowering below it is careful.
        const was = current?.change.flag === FlagName.autonomy ? current.change.level : AutonomyLevel.auto;
        return autonomyLadder.indexOf(change.level) <= autonomyLadder.indexOf(was);
      }
      case FlagName.autonomyPolicy:
        return false;
    }
  })();
  return careful
    ? { ok: true }
    : {
        ok: false,
        reason: `role ${role} may only make the loop more careful (auto-healing off, shadow mode on, a lower autonomy level); this change needs an admin`,
      };
}
