import { describe, expect, it } from '@jest/globals';
import { eventRegistry } from '@mapek/contracts';
import { renderNatsConfig } from './nats-config.renderer.js';
import { natsPermissions } from './nats-permissions.js';

const permissions = natsPermissions('mapek');

describe('NATS permissions per identity', () => {
  it('lets only the planner publish plans', () => {
    for (const kind of ['proposed', 'approved', 'rejected']) {
      const publishers = Object.entries(permissions).filter(([, p]) => p.publish.allow.includes(`mapek.plans.${kind}.>`)).map(([name]) => name);
      expect(publishers).toEqual(['planner']);
    }
    expect(Object.values(permissions).some((p) => p.publish.allow.includes('mapek.plans.>'))).toBe(false);
  });

  it('grants event subjects exactly as the event registry lists emitters', () => {
    for (const type of Object.keys(eventRegistry) as Array<keyof typeof eventRegistry>) {
      const subject = `mapek.${eventRegistry[type].subjectKind}.>`;
      const publishers = Object.entries(permissions).filter(([, p]) => p.publish.allow.includes(subject)).map(([name]) => name).sort();
      expect(publishers).toEqual([...eventRegistry[type].emitters].sort());
    }
  });

  it('lets only the executor publish actuation requests, and only the agent receive them', () => {
    const publishers = Object.entries(permissions).filter(([, p]) => p.publish.allow.includes('mapek.actuate.>')).map(([name]) => name);
    const subscribers = Object.entries(permissions).filter(([, p]) => p.subscribe.allow.includes('mapek.actuate.>')).map(([name]) => name);
    expect(publishers).toEqual(['executor']);
    expect(subscribers).toEqual(['agent']);
    expect(permissions.gateway.subscribe.deny).toContain('mapek.actuate.>');
  });

  it('lets only the gateway publish decisions, commands and alerts (the cli may send commands)', () => {
    const owners = (subject: string) => Object.entries(permissions).filter(([, p]) => p.publish.allow.includes(subject)).map(([name]) => name);
    expect(owners('mapek.decisions.>')).toEqual(['gateway']);
    expect(owners('mapek.alerts.>')).toEqual(['gateway']);
    expect(owners('mapek.commands.>')).toEqual(['gateway', 'cli']);
  });

  it('gives every JetStream client the API, ack and inbox rights, and the agent none', () => {
    for (const [name, p] of Object.entries(permissions)) {
      if (name === 'agent') continue;
      expect(p.publish.allow).toEqual(expect.arrayContaining(['$JS.API.>', '$JS.ACK.>']));
      expect(p.subscribe.allow).toContain('_INBOX.>');
    }
    expect(permissions.agent).toMatchObject({ publish: { allow: [], deny: ['>'] }, allowResponses: true });
  });

  it('lets each stateful service write its own KV bucket only', () => {
    const kv = (name: keyof typeof permissions) => permissions[name].publish.allow.filter((subject) => subject.startsWith('$KV.'));
    expect(kv('analyzer')).toEqual(['$KV.mapek_analyzer.>']);
    expect(kv('planner')).toEqual(['$KV.mapek_plans.>']);
    expect(kv('executor')).toEqual(['$KV.mapek_executions.>']);
    expect(kv('gateway')).toEqual([]);
    expect(kv('monitor')).toEqual([]);
  });

  it('renders one verify_and_map user per SPIFFE id', () => {
    const config = renderNatsConfig({ listen: '127.0.0.1:4333', trustDomain: 'td', prefix: 'mapek', serverCert: '/s.crt', serverKey: '/s.key', caCert: '/ca.crt' });
    expect(config).toContain('verify_and_map: true');
    expect(config.match(/user: "spiffe:\/\/td\/[a-z]+"/g)).toHaveLength(8);
    expect(config).not.toContain('jetstream');
  });
});
