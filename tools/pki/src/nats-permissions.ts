import { IdentityName } from './service-identities.js';

export interface SubjectPermissions {
  readonly publish: { readonly allow: readonly string[]; readonly deny?: readonly string[] };
  readonly subscribe: { readonly allow: readonly string[]; readonly deny?: readonly string[] };
  /** May reply to requests it received (core request-reply, NATS services framework). */
  readonly allowResponses: boolean;
}

/** Rights every JetStream client needs: the JS API, acks, and replies on its inbox. */
const jetStreamClient = { publish: ['$JS.API.>', '$JS.ACK.>'], subscribe: ['_INBOX.>'] } as const;

/**
 * Who may publish and subscribe where, following the subject hierarchy of DESIGN.md §2
 * (prefix default `mapek`). Consumers read their inputs through JetStream pull consumers, so most
 * identities need no core subscription on event subjects: deliveries arrive on their _INBOX.
 *   monitor   → samples, symptoms            (receives alerts from the gateway)
 *   analyzer  → analyses
 *   planner   → plans.{proposed,approved,rejected}
 *   executor  → executions, outcomes, actuate (core request to the agent)
 *   gateway   → decisions, commands, alerts; queries knowledge; reads everything but actuate
 *   knowledge → answers mapek.svc.> (NATS services framework, $SRV discovery)
 *   agent     → only answers mapek.actuate.> requests; no JetStream
 *   cli       → commands and knowledge queries; reads everything but actuate
 */
export function natsPermissions(prefix: string): Readonly<Record<IdentityName, SubjectPermissions>> {
  const s = (kind: string) => `${prefix}.${kind}.>`;
  const dlq = s('dlq');
  const readAll = { allow: [`${prefix}.>`, ...jetStreamClient.subscribe], deny: [s('actuate')] };
  return {
    [IdentityName.monitor]: {
      publish: { allow: [s('samples'), s('symptoms'), dlq, ...jetStreamClient.publish] },
      subscribe: { allow: [s('alerts'), ...jetStreamClient.subscribe] },
      allowResponses: false,
    },
    [IdentityName.analyzer]: {
      publish: { allow: [s('analyses'), dlq, ...jetStreamClient.publish] },
      subscribe: { allow: [...jetStreamClient.subscribe] },
      allowResponses: false,
    },
    [IdentityName.planner]: {
      publish: { allow: [s('plans'), dlq, ...jetStreamClient.publish] },
      subscribe: { allow: [...jetStreamClient.subscribe] },
      allowResponses: false,
    },
    [IdentityName.executor]: {
      publish: { allow: [s('executions'), s('outcomes'), s('actuate'), dlq, ...jetStreamClient.publish] },
      subscribe: { allow: [...jetStreamClient.subscribe] },
      allowResponses: false,
    },
    [IdentityName.knowledge]: {
      publish: { allow: [dlq, ...jetStreamClient.publish] },
      subscribe: { allow: [s('svc'), '$SRV.>', ...jetStreamClient.subscribe] },
      allowResponses: true,
    },
    [IdentityName.gateway]: {
      publish: { allow: [s('decisions'), s('commands'), s('alerts'), s('svc'), dlq, ...jetStreamClient.publish] },
      subscribe: readAll,
      allowResponses: false,
    },
    [IdentityName.agent]: {
      publish: { allow: [], deny: ['>'] },
      subscribe: { allow: [s('actuate')] },
      allowResponses: true,
    },
    [IdentityName.cli]: {
      publish: { allow: [s('commands'), s('svc'), ...jetStreamClient.publish] },
      subscribe: readAll,
      allowResponses: false,
    },
  };
}
