import { describe, expect, it } from '@jest/globals';
import { CommandRejectReason, newEventId, type CommandSpecV1 } from '@mapek/contracts';
import { CommandRejectedError, assertSpecMatchesAudit, commandExecutionId, commandPlan } from './manual-command.js';

const spec: CommandSpecV1 = { action: 'clear_cache', params: { ttl_s: 30 }, reason: 'leak suspected', actor: 'alice', dryRun: false };

describe('manual commands as plans', () => {
  it('is a one-step plan whose plan id is the command id and whose cause is unknown', () => {
    const commandId = newEventId();
    expect(commandPlan(commandId, 'demo-app', spec, 5000)).toEqual({
      planId: commandId,
      cause: 'unknown',
      dryRun: false,
      steps: [{ action: 'clear_cache', target: 'demo-app', params: { ttl_s: 30 }, timeoutMs: 5000 }],
    });
  });

  it('keeps the dry-run flag of the spec', () => {
    expect(commandPlan(newEventId(), 't', { ...spec, dryRun: true }, 1000).dryRun).toBe(true);
  });

  it('derives one execution id per command event, the same on every redelivery', () => {
    const eventId = newEventId();
    expect(commandExecutionId(eventId)).toBe(commandExecutionId(eventId));
    expect(commandExecutionId(eventId)).not.toBe(commandExecutionId(newEventId()));
  });

  it('accepts a spec that agrees with the clear audit fields', () => {
    expect(() => assertSpecMatchesAudit({ actor: 'alice', action: 'clear_cache', dryRun: false }, spec)).not.toThrow();
  });

  it('refuses a spec whose action, actor or dry-run flag differs from the audit fields, naming them', () => {
    let caught: unknown;
    try {
      assertSpecMatchesAudit({ actor: 'mallory', action: 'restart_service', dryRun: false }, spec);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(CommandRejectedError);
    expect(caught).toMatchObject({ code: CommandRejectReason.mismatch, retryable: false });
    expect((caught as Error).message).toMatch(/actor, action/);
  });
});
