import { describe, expect, it } from '@jest/globals';
import type { FlagRecordV1 } from '@mapek/contracts';
import { mayChangeFlag, requiredAccess } from './access-policy.js';

const at = '2026-12-04T12:00:00.000Z';

describe('who may change runtime flags', () => {
  it('needs the configure permission for POST /api/v1/flags and leaves the console page public', () => {
    expect(requiredAccess('POST', '/api/v1/flags')).toEqual({ public: false, permission: 'configure' });
    expect(requiredAccess('GET', '/api/v1/flags')).toEqual({ public: false, permission: 'read' });
    expect(requiredAccess('GET', '/')).toEqual({ public: true });
    expect(requiredAccess('GET', '/console/app.js')).toEqual({ public: true });
    expect(requiredAccess('GET', '/console/../api/v1/incidents')).toEqual({ public: false, permission: 'read' });
  });

  it('lets an operator make the loop more careful, and only an admin widen it', () => {
    expect(mayChangeFlag('operator', { flag: 'auto_healing', enabled: false }, undefined).ok).toBe(true);
    expect(mayChangeFlag('operator', { flag: 'shadow_mode', target: 'demo-app', enabled: true }, undefined).ok).toBe(true);
    expect(mayChangeFlag('operator', { flag: 'auto_healing', enabled: true }, undefined).ok).toBe(false);
    expect(mayChangeFlag('operator', { flag: 'shadow_mode', target: 'demo-app', enabled: false }, undefined).ok).toBe(false);
    expect(
      mayChangeFlag('operator', { flag: 'autonomy_policy', policy: { promoteAfter: 1, demoteOn: [], maxLevel: 'auto' } }, undefined).ok,
    ).toBe(false);
    expect(mayChangeFlag('admin', { flag: 'auto_healing', enabled: true }, undefined).ok).toBe(true);
  });

  it('judges an autonomy change against the level in force', () => {
    const atApprove: FlagRecordV1 = {
      change: { flag: 'autonomy', cause: 'memory_leak', actions: ['clear_cache'], level: 'approve' },
      actor: 'a',
      changedAt: at,
    };
    const change = (level: 'suggest' | 'approve' | 'auto') => ({
      flag: 'autonomy' as const,
      cause: 'memory_leak' as const,
      actions: ['clear_cache' as const],
      level,
    });
    expect(mayChangeFlag('operator', change('suggest'), atApprove).ok).toBe(true);
    expect(mayChangeFlag('operator', change('auto'), atApprove).ok).toBe(false);
    expect(mayChangeFlag('operator', change('approve'), undefined).ok).toBe(true);
  });

  it('refuses viewers and approvers', () => {
    expect(mayChangeFlag('viewer', { flag: 'auto_healing', enabled: false }, undefined)).toMatchObject({ ok: false });
    expect(mayChangeFlag('approver', { flag: 'auto_healing', enabled: false }, undefined)).toMatchObject({ ok: false });
  });
});
