import { describe, expect, it } from '@jest/globals';
import { eventRegistry, inboxPrefixOf } from '@mapek/contracts';
import { renderNatsConfig } from './nats-config.renderer.js';
import { durableConsumers, natsPermissions } from './nats-permissions.js';

const permissions = natsPermissions('mapek');

describe('NATS permissions per identity', () => {
  it('lets only the planner publish plans', () => {
    for (const kind of ['proposed', 'approved', 'rejected']) {
      const publishers = Object.entries(permissions)
        .filter(([, p]) => p.publish.allow.includes(`mapek.plans.${kind}.>`))
        .map(([name]) => name);
      expect(publishers).toEqual(['planner']);
    }
    expect(Object.values(permissions).some((p) => p.publish.allow.includes('mapek.plans.>'))).toBe(false);
  });

  it('grants event subjects exactly as the event registry lists emitters', () => {
    for (const type of Object.keys(eventRegistry) as Array<keyof typeof eventRegistry>) {
      const subject = `mapek.${eventRegistry[type].subjectKind}.>`;
      const publishers = Object.entries(permissions)
        .filter(([, p]) => p.publish.allow.includes(subject))
        .map(([name]) => name)
        .sort();
      expect(publishers).toEqual([...eventRegistry[type].emitters].sort());
    }
  });

  it('lets only the executor publish actuation requests, and only the agent receive them', () => {
    const publishers = Object.entries(permissions)
      .filter(([, p]) => p.publish.allow.includes('mapek.actuate.>'))
      .map(([name]) => name);
    const subscribers = Object.entries(permissions)
      .filter(([, p]) => p.subscribe.allow.includes('mapek.actuate.>'))
      .map(([name]) => name);
    expect(publishers).toEqual(['executor']);
    expect(subscribers).toEqual(['agent']);
    expect(permissions.cli.subscribe.deny).toContain('mapek.actuate.>');
    expect(permissions.gateway.subscribe.allow.some((subject) => subject.startsWith('mapek.'))).toBe(false);
  });

  it('lets only the gateway publish decisions and alerts, and the cli no loop events', () => {
    const owners = (subject: string) =>
      Object.entries(permissions)
        .filter(([, p]) => p.publish.allow.includes(subject))
        .map(([name]) => name);
    expect(owners('mapek.decisions.>')).toEqual(['gateway']);
    expect(owners('mapek.alerts.>')).toEqual(['gateway']);
    expect(owners('mapek.incidents.>')).toEqual(['analyzer']);
    expect(owners('mapek.symptoms.>')).toEqual(['monitor', 'analyzer', 'gateway', 'agent']);
    const loopSubjects = permissions.cli.publish.allow.filter(
      (subject) => subject.startsWith('mapek.') && subject !== 'mapek.svc.>' && subject !== 'mapek.dlq.>',
    );
    expect(loopSubjects).toEqual([]);
  });

  it('gives JetStream management (stream and bucket create, update, delete) to the cli identity alone', () => {
    for (const [name, p] of Object.entries(permissions)) {
      const manages = p.publish.allow.some(
        (subject) => subject === '$JS.API.>' || /^\$JS\.API\.STREAM\.(CREATE|UPDATE|DELETE|PURGE)/.test(subject),
      );
      expect([name, manages]).toEqual([name, name === 'cli']);
    }
  });

  it("lets each service control its own durable consumers and deny it the others' where it may read a stream", () => {
    for (const [durable, { owner, stream }] of Object.entries(durableConsumers)) {
      for (const [name, p] of Object.entries(permissions)) {
        if (name === 'cli') continue;
        const next = `$JS.API.CONSUMER.MSG.NEXT.${stream}.${durable}`;
        const mayPull =
          p.publish.allow.includes(next) ||
          (p.publish.allow.includes(`$JS.API.CONSUMER.MSG.NEXT.${stream}.*`) && !(p.publish.deny ?? []).includes(next));
        expect([durable, name, mayPull]).toEqual([durable, name, name === owner]);
        expect([durable, name, p.publish.allow.includes(`$JS.ACK.${stream}.${durable}.>`)]).toEqual([durable, name, name === owner]);
        expect([durable, name, p.publish.allow.includes(`mapek.dlq.${durable}`)]).toEqual([durable, name, name === owner]);
      }
    }
  });

  it('gives every identity but the cli its own inbox only, and the agent no JetStream API at all: it may only push symptoms and heartbeats', () => {
    for (const [name, p] of Object.entries(permissions)) {
      if (name === 'cli') continue;
      const inboxes = p.subscribe.allow.filter((subject) => subject.startsWith('_INBOX'));
      expect([name, inboxes]).toEqual([name, [`${inboxPrefixOf(name)}.>`]]);
    }
    expect(permissions.agent).toMatchObject({ publish: { allow: ['mapek.symptoms.>', 'mapek.heartbeats.>'] }, allowResponses: true });
    expect(permissions.agent.publish.allow.some((subject) => subject.startsWith('$JS'))).toBe(false);
  });

  it('lets the subscriber identity read every event subject and its own inbox, and publish nothing', () => {
    const kinds = new Set(Object.values(eventRegistry).map((entry) => entry.subjectKind));
    expect(permissions.subscriber).toEqual({
      publish: { allow: [], deny: ['>'] },
      subscribe: { allow: [...[...kinds].map((kind) => `mapek.${kind}.>`), '_INBOX_subscriber.>'] },
      allowResponses: false,
    });
    for (const kind of ['actuate', 'svc', 'dlq']) expect(permissions.subscriber.subscribe.allow).not.toContain(`mapek.${kind}.>`);
  });

  it('lets the agent and the gateway send heartbeats, and the monitor follow them on the telemetry stream without touching the analyzer durable', () => {
    const senders = Object.entries(permissions)
      .filter(([, p]) => p.publish.allow.includes('mapek.heartbeats.>'))
      .map(([name]) => name);
    expect(senders.sort()).toEqual(['agent', 'gateway']);
    expect(permissions.monitor.publish.allow).toContain('$JS.API.CONSUMER.CREATE.MAPEK_TELEMETRY.*.>');
    expect(permissions.monitor.publish.deny).toContain('$JS.API.CONSUMER.MSG.NEXT.MAPEK_TELEMETRY.analyzer-samples');
  });

  it('renders one verify_and_map user per SPIFFE id', () => {
    const config = renderNatsConfig({
      listen: '127.0.0.1:4333',
      trustDomain: 'td',
      prefix: 'mapek',
      serverCert: '/s.crt',
      serverKey: '/s.key',
      caCert: '/ca.crt',
    });
    expect(config).toContain('verify_and_map: true');
    expect(config).toContain('curve_preferences: ["X25519MLKEM768", "X25519", "CurveP256"]');
    expect(config.match(/user: "spiffe:\/\/td\/[a-z]+"/g)).toHaveLength(9);
    expect(config).not.toContain('jetstream');
  });

  it('lets a service watch several keys of its own bucket with one consumer, and of no other bucket', () => {
    const multiKeyWatch = (bucket: string) => `$JS.API.CONSUMER.CREATE.KV_${bucket}`;
    expect(permissions.planner.publish.allow).toContain(multiKeyWatch('mapek_plans'));
    expect(permissions.monitor.publish.allow).not.toContain(multiKeyWatch('mapek_plans'));
    expect(permissions.agent.publish.allow).not.toContain(multiKeyWatch('mapek_plans'));
  });
});
