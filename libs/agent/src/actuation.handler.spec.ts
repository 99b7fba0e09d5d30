import { describe, expect, it } from '@jest/globals';
import { ActionType, ActuationErrorCode, actuationReplyV1Schema, type ActuationRequestV1 } from '@mapek/contracts';
import { ActuationRejectedError, RemedyFailedError } from './agent.errors.js';
import { ActuationHandler, type ActuationHandlerDependencies, type InboundMessage, NIL_REQUEST_ID } from './actuation.handler.js';
import type { RemedyOutcome } from './agent.metrics.js';
import { RemedyRegistry } from './remedy.registry.js';
import { ReplyCache } from './reply-cache.js';

const REQUEST_ID = '0190a6e2-7c1d-7b3e-8f00-0000000000aa';
const PLAN_ID = '0190a6e2-7c1d-7b3e-8f00-0000000000bb';

function request(overrides: Partial<Record<keyof ActuationRequestV1, unknown>> = {}): Record<string, unknown> {
  return {
    requestId: REQUEST_ID,
    planId: PLAN_ID,
    step: 0,
    action: ActionType.clearCache,
    params: { size: 3 },
    rollback: false,
    ...overrides,
  };
}

function message(body: unknown): InboundMessage {
  const data = typeof body === 'string' ? new TextEncoder().encode(body) : new TextEncoder().encode(JSON.stringify(body));
  return { subject: 'mapek.actuate.demo', data, header: () => undefined };
}

function setup(extra: Partial<ActuationHandlerDependencies> = {}): {
  handler: ActuationHandler;
  remedies: RemedyRegistry;
  counted: [string, RemedyOutcome][];
} {
  const remedies = new RemedyRegistry();
  const counted: [string, RemedyOutcome][] = [];
  const handler = new ActuationHandler({ remedies, cache: new ReplyCache(8), countRemedy: (a, o) => counted.push([a, o]), ...extra });
  return { handler, remedies, counted };
}

describe('ActuationHandler', () => {
  it('runs the registered remedy with the request params and replies ok with its effects', async () => {
    const { handler, remedies, counted } = setup();
    const seen: unknown[] = [];
    remedies.register(ActionType.clearCache, (params, context) => {
      seen.push(params, context.step, context.planId);
      return { detail: 'cleared', effects: { entries: 3, bogus: Number.NaN } };
    });
    const reply = await handler.handle(message(request()));
    expect(reply).toEqual({ requestId: REQUEST_ID, ok: true, detail: 'cleared', effects: { entries: 3 } });
    expect(actuationReplyV1Schema.safeParse(reply).success).toBe(true);
    expect(seen).toEqual([{ size: 3 }, 0, PLAN_ID]);
    expect(counted).toEqual([[ActionType.clearCache, 'ok']]);
  });

  it('answers a repeated requestId from the cache without running the remedy again, even while the first is running', async () => {
    const { handler, remedies, counted } = setup();
    let runs = 0;
    let finish: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      finish = resolve;
    });
    remedies.register(ActionType.clearCache, async () => {
      runs += 1;
      await gate;
      return { detail: 'cleared' };
    });
    const first = handler.handle(message(request()));
    const second = handler.handle(message(request()));
    finish();
    expect(await first).toEqual(await second);
    await handler.handle(message(request()));
    expect(runs).toBe(1);
    expect(counted.map(([, outcome]) => outcome)).toEqual(['replayed', 'ok', 'replayed']);
  });

  it('replies unknown_action for a known action without a remedy and for an action the contracts do not define', async () => {
    const { handler } = setup();
    await expect(handler.handle(message(request({ action: ActionType.scaleUp })))).resolves.toMatchObject({
      requestId: REQUEST_ID,
      ok: false,
      errorCode: ActuationErrorCode.unknownAction,
    });
    await expect(handler.handle(message(request({ action: 'summon_dragon' })))).resolves.toMatchObject({
      requestId: REQUEST_ID,
      ok: false,
      errorCode: ActuationErrorCode.unknownAction,
    });
  });

  it('replies remedy_failed with the error message when the remedy throws', async () => {
    const { handler, remedies } = setup();
    remedies.register(ActionType.clearCache, () => {
      throw new RemedyFailedError('cache is locked');
    });
    const reply = await handler.handle(message(request()));
    expect(reply).toMatchObject({ ok: false, errorCode: ActuationErrorCode.remedyFailed });
    expect(reply.detail).toContain('cache is locked');
  });

  it.each([
    ['not JSON', '{nope', NIL_REQUEST_ID],
    ['a JSON array', [1, 2], NIL_REQUEST_ID],
    ['a missing planId', request({ planId: undefined }), REQUEST_ID],
    ['a bad requestId', request({ requestId: 'abc' }), NIL_REQUEST_ID],
    ['nested params', request({ params: { deep: { x: 1 } } }), REQUEST_ID],
  ])('replies invalid_request to %s, echoing the requestId when it is valid', async (_what, body, requestId) => {
    const { handler } = setup();
    const reply = await handler.handle(message(body));
    expect(reply).toMatchObject({ requestId, ok: false, errorCode: ActuationErrorCode.invalidRequest });
    expect(actuationReplyV1Schema.safeParse(reply).success).toBe(true);
  });

  it('replies invalid_request when the verify hook refuses the request, without running the remedy', async () => {
    let runs = 0;
    const { handler, remedies } = setup({
      verifyRequest: () => {
        throw new ActuationRejectedError('bad signature');
      },
    });
    remedies.register(ActionType.clearCache, () => {
      runs += 1;
      return { detail: 'x' };
    });
    const reply = await handler.handle(message(request()));
    expect(reply).toMatchObject({ ok: false, errorCode: ActuationErrorCode.invalidRequest });
    expect(reply.detail).toContain('bad signature');
    expect(runs).toBe(0);
  });

  it('reads the request through the open hook', async () => {
    const { handler, remedies } = setup({
      openRequest: (m) => new TextEncoder().encode(new TextDecoder().decode(m.data).replace('SEALED:', '')),
    });
    remedies.register(ActionType.clearCache, () => ({ detail: 'opened' }));
    await expect(handler.handle(message(`SEALED:${JSON.stringify(request())}`))).resolves.toMatchObject({ ok: true, detail: 'opened' });
  });
});
