import { describe, expect, it } from '@jest/globals';
import type { JetStreamClient } from '@nats-io/jetstream';
import type { SampleBatchV2 } from '@mapek/contracts';
import { JetStreamPublisher, type EnvelopeSigner } from './event-publisher.js';
import { ContractViolationError } from './messaging.errors.js';

interface Sent {
  readonly subject: string;
  readonly body: Uint8Array;
}

/** A publisher over a JetStream client that only records what it is given. */
function publisherOf(signer?: EnvelopeSigner) {
  const sent: Sent[] = [];
  const js = {
    publish: (subject: string, body: Uint8Array) => {
      sent.push({ subject, body });
      return Promise.resolve({ stream: 'MAPEK_TELEMETRY', seq: sent.length, duplicate: false });
    },
  } as unknown as JetStreamClient;
  return { sent, publisher: new JetStreamPublisher({ js, prefix: 'mapek', source: 'monitor', ...(signer ? { signer } : {}) }) };
}

function batch(value: number, target = 'load-0001'): SampleBatchV2 {
  return {
    scrapes: [
      {
        samples: [{ labels: { le: '0.5', route: '/' }, metric: 'http_request_duration_seconds_bucket', value }],
        scrapeDurationMs: 1.5,
        scrapedAt: '2026-12-05T16:00:00.000Z',
        target,
      },
    ],
  };
}

describe('publishing an event', () => {
  it('refuses data its contract refuses, with a ContractViolationError, and sends nothing', async () => {
    const { sent, publisher } = publisherOf();
    for (const data of [batch(Number.NaN), batch(1, 'not a target name'), { scrapes: [] }]) {
      await expect(publisher.publish('sample.batch', { target: 'samples-0', data })).rejects.toBeInstanceOf(ContractViolationError);
    }
    const symptom = { source: 'threshold', rule: 'memory', severity: 'loud' } as never;
    await expect(publisher.publish('symptom', { target: 'load-0001', data: symptom })).rejects.toThrow(
      /refusing to publish invalid symptom/,
    );
    expect(sent).toHaveLength(0);
  });

  it('sends the data as given, in an envelope whose keys are in ascending order, and hands the signer the body’s JSON', async () => {
    const seen: { json: string; subject: string }[] = [];
    const { sent, publisher } = publisherOf((_envelope, subject, json) => {
      seen.push({ json, subject });
      return { 'Mapek-Sig': 'test' };
    });
    const data = batch(42);
    const envelope = await publisher.publish('sample.batch', { target: 'samples-0', data });
    expect(envelope.data).toBe(data);
    expect(Object.keys(envelope)).toEqual([...Object.keys(envelope)].sort());
    const body = new TextDecoder().decode(sent[0]?.body);
    expect(JSON.parse(body)).toEqual(envelope);
    expect(seen).toEqual([{ json: body, subject: 'mapek.samples.samples-0' }]);
  });

  it('sends keys its contract does not know as they were given, as it did when the contract parsed the data', async () => {
    const { sent, publisher } = publisherOf();
    const [scrape] = batch(1).scrapes;
    const data: SampleBatchV2 = { scrapes: [Object.assign({ extra: 'kept' }, scrape)] };
    await publisher.publish('sample.batch', { target: 'samples-0', data });
    expect(new TextDecoder().decode(sent[0]?.body)).toContain('"extra":"kept"');
  });
});
