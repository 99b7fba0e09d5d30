import { describe, expect, it } from '@jest/globals';
import { heartbeatRequestSchema, heartbeatTarget } from './heartbeat-request.js';

describe('a heartbeat request', () => {
  it('takes any valid target name without a configuration file, and only its targets with one', () => {
    expect(heartbeatTarget('nightly-report', undefined)).toEqual({ ok: true, target: 'nightly-report' });
    expect(heartbeatTarget('nightly-report', new Set(['nightly-report']))).toEqual({ ok: true, target: 'nightly-report' });
    expect(heartbeatTarget('billing', new Set(['nightly-report']))).toMatchObject({ ok: false, status: 404 });
    expect(heartbeatTarget('nightly.report', undefined)).toMatchObject({ ok: false, status: 400 });
  });

  it('takes an empty body or an uptime, and refuses fields it does not know', () => {
    expect(heartbeatRequestSchema.safeParse({}).success).toBe(true);
    expect(heartbeatRequestSchema.safeParse({ uptimeSeconds: 12.5 }).success).toBe(true);
    expect(heartbeatRequestSchema.safeParse({ status: 'ok' }).success).toBe(false);
    expect(heartbeatRequestSchema.safeParse({ uptimeSeconds: -1 }).success).toBe(false);
  });
});
