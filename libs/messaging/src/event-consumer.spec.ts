import { describe, expect, it } from '@jest/globals';
import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { ServiceMetrics, createLogger } from '@mapek/observability';
import { JetStreamEventConsumer, consumerUpdate, type HandlerMap } from './event-consumer.js';

const ignore = () => Promise.resolve();

/** Only the configuration is looked at: no connection is ever used. */
function consumerOf(handlers: HandlerMap, filterSubjects?: string[]): JetStreamEventConsumer {
  return new JetStreamEventConsumer({
    nc: {} as NatsConnection,
    js: {} as JetStreamClient,
    jsm: {} as JetStreamManager,
    prefix: 'mapek',
    stream: 'MAPEK_EVENTS',
    durable: 'test',
    handlers,
    metrics: new ServiceMetrics('test'),
    logger: createLogger('test', 'silent'),
    ...(filterSubjects ? { filterSubjects } : {}),
  });
}

describe('a durable consumer configuration', () => {
  it('filters on the subject kinds of the handled types, several of them in filter_subjects', () => {
    expect(consumerOf({ symptom: ignore, outcome: ignore }).consumerConfig()).toMatchObject({
      filter_subjects: ['mapek.symptoms.>', 'mapek.outcomes.>'],
    });
    expect(consumerOf({ symptom: ignore, outcome: ignore }).consumerConfig()).not.toHaveProperty('filter_subject');
    expect(consumerOf({ analysis: ignore, decision: ignore }).consumerConfig()).toMatchObject({
      filter_subjects: ['mapek.analyses.>', 'mapek.decisions.>'],
    });
  });

  it('keeps a single subject in filter_subject, as earlier versions created it', () => {
    const config = consumerOf({ 'plan.approved': ignore }).consumerConfig();
    expect(config).toMatchObject({ filter_subject: 'mapek.plans.approved.>' });
    expect(config).not.toHaveProperty('filter_subjects');
    expect(consumerOf({ symptom: ignore }, ['mapek.>']).consumerConfig()).toMatchObject({ filter_subject: 'mapek.>' });
  });

  it('refuses a durable that handles nothing instead of consuming everything', () => {
    expect(() => consumerOf({}).consumerConfig()).toThrow(/handles no event type/);
  });
});

describe('the update of an existing durable', () => {
  it('clears the filter form that is not wanted, which nats.js would otherwise keep from the current configuration', () => {
    expect(consumerUpdate({ filter_subject: 'mapek.symptoms.>' }, { filter_subjects: ['mapek.symptoms.>', 'mapek.outcomes.>'] })).toEqual({
      filter_subjects: ['mapek.symptoms.>', 'mapek.outcomes.>'],
      filter_subject: '',
    });
    expect(consumerUpdate({ filter_subjects: ['a.>', 'b.>'] }, { filter_subject: 'a.>' })).toEqual({
      filter_subject: 'a.>',
      filter_subjects: [],
    });
  });

  it('changes nothing else when the current durable has no filter or the same form', () => {
    expect(consumerUpdate({}, { filter_subjects: ['a.>', 'b.>'] })).toEqual({ filter_subjects: ['a.>', 'b.>'] });
    expect(consumerUpdate({ filter_subject: 'a.>' }, { filter_subject: 'b.>' })).toEqual({ filter_subject: 'b.>' });
  });
});
