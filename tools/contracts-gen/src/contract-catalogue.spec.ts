import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { parse as parseYaml } from 'yaml';
import { eventEnvelopeSchema, eventRegistry, eventTypes, mapekConfigurationSchema, type EventType } from '@mapek/contracts';
import { contracts } from './contract-catalogue.js';
import { memorySymptomData } from '@mapek/testing';

const ajv = new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: true });
addFormats.default(ajv);
for (const contract of contracts()) ajv.addSchema(contract.schema);

const ids = {
  event: '0190a5b2-7c3e-7d4f-8a1b-2c3d4e5f6a7b',
  plan: '0190a5b2-7c3e-7d4f-8a1b-2c3d4e5f6a70',
  execution: '0190a5b2-7c3e-7d4f-8a1b-2c3d4e5f6a71',
};

const envelope = (type: EventType, data: unknown) => ({
  id: ids.event,
  type,
  version: eventRegistry[type].version as number,
  source: 'spiffe://mapek.local/executor',
  time: '2026-12-04T17:00:00.000Z',
  target: 'demo-app',
  data,
});

/** The id of the generated schema of a type's registered version. */
const schemaId = (type: EventType): string => `urn:mapek:event:${type}:v${eventRegistry[type].version}`;

/** One well-formed event of each kind the fixtures cover, as a publisher sends it. */
const events = [
  envelope('sample.batch', {
    scrapes: [
      {
        target: 'demo-app',
        scrapedAt: '2026-12-04T16:59:58.000Z',
        scrapeDurationMs: 2.5,
        samples: [{ metric: 'queue_depth', labels: { queue: 'orders' }, value: 7 }],
      },
    ],
  }),
  envelope('symptom', memorySymptomData({ labels: { instance: 'demo-app:8080' }, observedAt: '2026-12-04T16:59:58+01:00' })),
  envelope('outcome', {
    executionId: ids.execution,
    planId: ids.plan,
    cause: 'memory_leak',
    actions: ['collect_garbage'],
    outcome: 'success',
    violationsBefore: 3,
    violationsAfter: 0,
    timeToStabilizationMs: null,
    verificationWindowMs: 30_000,
  }),
  envelope('decision', { planId: ids.plan, verdict: 'approve', actor: 'alice' }),
  envelope('command', {
    commandId: ids.plan,
    actor: 'alice',
    action: 'clear_cache',
    dryRun: true,
    payload: {
      encoding: 'clear',
      spec: { action: 'clear_cache', params: { ttl: 5 }, reason: 'stale entries', actor: 'alice', dryRun: true },
    },
  }),
];

/** Ways to spoil an event, each of which the zod registry refuses. */
const spoilers: Record<string, (event: ReturnType<typeof envelope>) => unknown> = {
  'an unknown version': (event) => ({ ...event, version: event.version + 1 }),
  'another type': (event) => ({ ...event, type: event.type === 'decision' ? 'symptom' : 'decision' }),
  'an upper-case id': (event) => ({ ...event, id: event.id.toUpperCase() }),
  'a time that is not a date-time': (event) => ({ ...event, time: 'yesterday' }),
  'a target with a dot': (event) => ({ ...event, target: 'demo.app' }),
  'no data': ({ data: _data, ...event }) => event,
  'data missing a field': (event) => ({ ...event, data: Object.fromEntries(Object.entries(event.data as object).slice(1)) }),
};

const validate = (type: EventType, value: unknown): boolean => {
  const check = ajv.getSchema(schemaId(type));
  if (!check) throw new Error(`no schema for ${type}`);
  return check(value) as boolean;
};

describe('the generated event schemas', () => {
  it('compile under JSON Schema 2020-12 in strict mode, one per event type', () => {
    expect(eventTypes.every((type) => ajv.getSchema(schemaId(type)) !== undefined)).toBe(true);
  });

  it.each(events.map((event) => [event.type, event] as const))('accept the %s event that the zod registry accepts', (type, event) => {
    expect(eventEnvelopeSchema(type).safeParse(event).success).toBe(true);
    expect(validate(type, event)).toBe(true);
  });

  it.each(Object.entries(spoilers))('refuse, as zod does, an event with %s', (_what, spoil) => {
    for (const event of events) {
      const spoiled = spoil(event);
      expect([eventEnvelopeSchema(event.type).safeParse(spoiled).success, validate(event.type, spoiled)]).toEqual([false, false]);
    }
  });

  it('accept, as zod does, envelope and data fields they do not know (a strict command aside)', () => {
    const [, symptom, , , command] = events;
    const extended = { ...symptom, extra: 1, data: { ...(symptom?.data as object), extra: 1 } };
    expect([eventEnvelopeSchema('symptom').safeParse(extended).success, validate('symptom', extended)]).toEqual([true, true]);
    const strict = { ...command, data: { ...(command?.data as object), extra: 1 } };
    expect([eventEnvelopeSchema('command').safeParse(strict).success, validate('command', strict)]).toEqual([false, false]);
  });
});

describe('the published configuration file schema', () => {
  const check = () => {
    const validate = ajv.getSchema('urn:mapek:configuration:mapek-config:v1');
    if (!validate) throw new Error('no configuration schema');
    return validate;
  };
  const example = parseYaml(readFileSync(join(import.meta.dirname, '../../../examples/mapek.yaml'), 'utf8')) as Record<string, unknown>;

  it('compiles under JSON Schema 2020-12 in strict mode and accepts the example file that zod accepts', () => {
    expect(mapekConfigurationSchema.safeParse(example).success).toBe(true);
    expect(check()(example)).toBe(true);
  });

  it('refuses, as zod does, a key it does not know and a target name with a dot', () => {
    const unknownKey = { ...example, colour: 'blue' };
    const badName = { ...example, targets: [{ name: 'orders.api' }] };
    for (const spoiled of [unknownKey, badName])
      expect([mapekConfigurationSchema.safeParse(spoiled).success, check()(spoiled)]).toEqual([false, false]);
  });
});
