import { DeliverPolicy, type Consumer, type JetStreamClient } from '@nats-io/jetstream';
import { StreamName, parseEnvelope, subjects, type SymptomV1 } from '@mapek/contracts';
import { verifyInputOf, type EnvelopeVerifier } from '@mapek/messaging';
import type { SymptomHistory } from '../domain/symptom-history.port.js';
import type { SeenSymptom } from '../domain/symptom-state.js';

/**
 * When a symptom was observed: its signed `observedAt`, or its arrival in the stream when that is
 * earlier (a clock ahead of the server's). A symptom its source could not publish at once (NATS
 * failing over, a partition) arrives late, and counts when the trouble was seen, not when it was
 * stored: read by arrival, trouble seen before a remedy would count as trouble after it.
 */
function observedAt(data: SymptomV1, arrived: number): number {
  const observed = Date.parse(data.observedAt);
  return Number.isFinite(observed) ? Math.min(observed, arrived) : arrived;
}

/** Reads a target's symptoms between two instants back from the event stream. */
export class StreamSymptomHistory implements SymptomHistory {
  constructor(
    private readonly js: JetStreamClient,
    private readonly prefix: string,
    /** When set, only symptoms that pass the signature checks count toward an outcome. */
    private readonly verifier?: EnvelopeVerifier,
    /** How long one fetch waits for the stream to answer: the bound of a read the stream is slow to serve. */
    private readonly fetchExpiresMs = 1000,
  ) {}

  /** When the target's symptoms in [fromMs, toMs) whose metric passes the filter were observed (ms; see `observedAt`). */
  async between(target: string, fromMs: number, toMs: number, metricFilter: (metric: string) => boolean = () => true): Promise<number[]> {
    return (await this.symptoms(target, fromMs, toMs, metricFilter)).map((symptom) => symptom.at);
  }

  /**
   * The target's symptoms observed in [fromMs, toMs) and stored before `toMs`, whose metric passes
   * the filter: when observed, source and metric, oldest first.
   */
  async symptoms(
    target: string,
    fromMs: number,
    toMs: number,
    metricFilter: (metric: string) => boolean = () => true,
  ): Promise<SeenSymptom[]> {
    const consumer = await this.js.consumers.get(StreamName.events, {
      filter_subjects: subjects.symptoms(target, this.prefix),
      deliver_policy: DeliverPolicy.StartTime,
      opt_start_time: new Date(fromMs).toISOString(),
    });
    // Deleted on every way out without waiting for the answer: the read is done, and an ordered
    // consumer the delete misses is removed by the server after five idle minutes.
    try {
      const seen = await this.read(consumer, target, fromMs, toMs, metricFilter);
      // Oldest first: a symptom that arrived late was observed before some stored ahead of it.
      return seen.sort((a, b) => a.at - b.at);
    } finally {
      void consumer.delete().catch(() => undefined);
    }
  }

  /** The consumer's symptoms in [fromMs, toMs) as `symptoms` describes them, in the stream's order. */
  private async read(
    consumer: Consumer,
    target: string,
    fromMs: number,
    toMs: number,
    metricFilter: (metric: string) => boolean,
  ): Promise<SeenSymptom[]> {
    const seen: SeenSymptom[] = [];
    // Nothing stored since `fromMs`: a fetch would wait its whole expiry to find that out.
    if ((await consumer.info(true)).num_pending === 0) return seen;
    for (;;) {
      const batch = await consumer.fetch({ max_messages: 500, expires: this.fetchExpiresMs });
      let received = 0;
      let done = false;
      for await (const msg of batch) {
        received++;
        const arrived = msg.info.timestampNanos / 1e6;
        if (arrived >= toMs) done = true;
        else {
          const parsed = parseEnvelope(msg.data);
          const trusted =
            parsed.ok &&
            (this.verifier === undefined || this.verifier(verifyInputOf(msg, parsed.envelope, StreamName.events, parsed.sent)).ok);
          const data = parsed.ok && parsed.envelope.type === 'symptom' ? (parsed.envelope.data as SymptomV1) : undefined;
          const at = data ? observedAt(data, arrived) : arrived;
          if (trusted && data && at >= fromMs && metricFilter(data.metric)) seen.push({ at, source: data.source, metric: data.metric });
        }
        if (msg.info.pending === 0) done = true;
        // Leave the fetch as soon as the end is known: it would otherwise wait out its expiry for
        // the rest of the 500 messages it asked for — a second before every remedy step.
        if (done) break;
      }
      if (done) break;
      if (received === 0) {
        // Nothing came: either everything was read, or the stream did not answer in time (its
        // leader being elected while a NATS node is down). Only the server can tell which, and a
        // read that stopped short must not pass for "no symptom since".
        const info = await consumer.info(false);
        if (info.num_pending > 0)
          throw new Error(`symptom history of ${target} incomplete: ${info.num_pending} message(s) not delivered in time`);
        break;
      }
    }
    return seen;
  }
}
