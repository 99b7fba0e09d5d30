import { describe, expect, it } from '@jest/globals';
import { eventSigningInput, withEventSigningInput, type EventEnvelope } from './signed-event.js';

const subject = 'mapek.samples.samples-3';

function envelope(data: unknown): EventEnvelope {
  return {
    id: '0193a1b2-0000-7000-8000-000000000001',
    type: 'sample.batch',
    version: 2,
    source: 'monitor',
    time: '2026-12-05T04:00:00.000Z',
    target: 'samples-3',
    data,
  };
}

const copyOf = (event: EventEnvelope) => withEventSigningInput(subject, event, (input) => Uint8Array.from(input));

describe('the signing input written into a reused buffer', () => {
  it('is the same bytes as eventSigningInput, for ASCII, for other characters and for a batch of hundreds of KB', () => {
    const samples = Array.from({ length: 5000 }, (_, i) => ({ metric: `series_${i}`, labels: { pod: `p${i % 7}` }, value: i / 3 }));
    for (const event of [envelope({ note: 'plain' }), envelope({ note: 'grüße, 日本, 🚀' }), envelope({ samples })]) {
      expect(copyOf(event)).toEqual(eventSigningInput(subject, event));
    }
  });

  it('is written afresh by each call, so a shorter input after a longer one carries none of it', () => {
    const long = envelope({ note: 'x'.repeat(10_000) });
    const short = envelope({ note: 'y' });
    expect(copyOf(long)).toEqual(eventSigningInput(subject, long));
    expect(copyOf(short)).toEqual(eventSigningInput(subject, short));
  });

  it('is built around the body’s JSON when the envelope’s JSON is canonical, and written afresh when it is not', () => {
    const samples = Array.from({ length: 2000 }, (_, i) => ({ labels: { pod: `p${i % 7}` }, metric: `series_${i}`, value: i / 3 }));
    const { id, type, version, source, time, target } = envelope(null);
    // Keys in ascending order all the way down, as the publisher builds a sample batch's envelope.
    const inOrder = (data: unknown): EventEnvelope => ({ data, id, source, target, time, type, version });
    const events = [
      inOrder({ scrapes: [{ samples, target: 'a' }] }),
      inOrder({ note: 'grüße, 日本, 🚀 "quoted"' }),
      inOrder({ z: 1, a: 2 }),
      envelope({ samples }),
    ];
    for (const event of events) {
      const withJson = withEventSigningInput(subject, event, (input) => Uint8Array.from(input), JSON.stringify(event));
      expect(withJson).toEqual(eventSigningInput(subject, event));
    }
  });

  it('gives a call made inside another its own bytes', () => {
    const outer = envelope({ note: 'outer' });
    const inner = envelope({ note: 'inner' });
    withEventSigningInput(subject, outer, (outerInput) => {
      const before = Uint8Array.from(outerInput);
      expect(copyOf(inner)).toEqual(eventSigningInput(subject, inner));
      expect(outerInput).toEqual(before);
    });
  });
});
