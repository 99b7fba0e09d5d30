import { z } from 'zod';
import {
  ConsumerName,
  DEFAULT_SUBJECT_PREFIX,
  Header,
  KnowledgeEndpoint,
  SchemaSide,
  SubjectKind,
  eventRegistry,
  eventTypes,
  toJsonSchema,
  uuidSchema,
  type EventType,
  type JsonSchema,
} from '@mapek/contracts';
import { Algorithm, SignatureHeader } from '@mapek/pqc';
import { ContractKind, contractKey, contracts, type Contract } from './contract-catalogue.js';

/** The version of the contract documents (the gateway's OpenAPI has the same). */
export const CONTRACTS_DOCUMENT_VERSION = '0.1.0';

type Reference = { readonly $ref: string };
type Parameter = 'prefix' | 'target' | 'planId' | 'consumer' | 'endpoint';

/** What the last token of each subject kind is, and what travels there. */
interface SubjectChannel {
  readonly key: Parameter;
  readonly description: string;
}

const subjectChannels: Record<SubjectKind, SubjectChannel> = {
  [SubjectKind.samples]: {
    key: 'target',
    description:
      'The scrapes of a partition of targets in one scrape round, one signed batch (telemetry stream: limits retention, short max age). The last token is the partition key the monitor gives the batch, `samples-<n>`: a target is always in the same partition.',
  },
  [SubjectKind.heartbeats]: {
    key: 'target',
    description:
      "A target is alive: its embedded agent, or a caller of the gateway's `POST /api/v1/heartbeats/<target>` (telemetry stream). The monitor raises a symptom for a target silent longer than its configured timeout.",
  },
  [SubjectKind.symptoms]: { key: 'target', description: 'Threshold, health, anomaly and alert violations of a target.' },
  [SubjectKind.analyses]: { key: 'target', description: 'The analysis of an incident with its ranked root causes.' },
  [SubjectKind.plansProposed]: { key: 'target', description: 'A scored remediation plan.' },
  [SubjectKind.plansApproved]: { key: 'target', description: 'A plan cleared to run (the planner only).' },
  [SubjectKind.plansRejected]: { key: 'target', description: 'A plan that will not run: rejected or expired.' },
  [SubjectKind.decisions]: {
    key: 'planId',
    description: "An operator's approve or reject of a pending plan (the gateway only), keyed by plan id.",
  },
  [SubjectKind.executions]: { key: 'target', description: 'Status changes of an execution (the executor only).' },
  [SubjectKind.outcomes]: { key: 'target', description: 'The verified outcome of an execution.' },
  [SubjectKind.commands]: {
    key: 'target',
    description: "An operator's manual command (the gateway only); params and reason are sealed to the executor.",
  },
  [SubjectKind.flags]: {
    key: 'target',
    description:
      "A runtime flag changed (auto-healing, shadow mode, autonomy), keyed by the flag's target or `global`: by an operator through the gateway, or by the planner's autonomy ladder.",
  },
  [SubjectKind.alerts]: {
    key: 'target',
    description:
      "An Alertmanager alert that had become a symptom was resolved (the gateway's webhook receiver only); firing alerts are symptoms.",
  },
  [SubjectKind.incidents]: {
    key: 'target',
    description:
      'An incident whose signal went away before a remedy (the analyzer only): the planner cancels its plans that have not started and the executor refuses to start one.',
  },
  [SubjectKind.actuate]: {
    key: 'target',
    description: 'Core NATS request-reply to the agent embedded in a managed service (the executor only); not stored on a stream.',
  },
  [SubjectKind.dlq]: {
    key: 'consumer',
    description: 'Messages a durable consumer refused or could not handle, byte for byte, with the reason in headers (dead-letter stream).',
  },
};

const parameters: Record<Parameter, { readonly description: string; readonly default?: string; readonly enum?: readonly string[] }> = {
  prefix: { description: 'The subject prefix of the installation (`MAPEK_SUBJECT_PREFIX`).', default: DEFAULT_SUBJECT_PREFIX },
  target: { description: 'The managed service, as a subject token: letters, digits, `_` and `-`.' },
  planId: { description: 'The plan the decision is about (a lowercase UUID).' },
  consumer: { description: 'The durable consumer that refused the message.', enum: Object.values(ConsumerName) },
  endpoint: { description: 'The knowledge query.', enum: Object.values(KnowledgeEndpoint) },
};

const traceparentSchema = z.string().regex(/^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/);

/** The Mapek-Sig-* headers (libs/pqc `SignatureHeader`): present whenever the sender has an identity, always in production. */
const signatureHeaders = {
  [SignatureHeader.alg]: z.literal(Algorithm.mlDsa65).optional().describe('The signature algorithm.'),
  [SignatureHeader.kid]: z.string().min(1).optional().describe("The id of the sender's ML-DSA-65 key in the trust bundle."),
  [SignatureHeader.sig]: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/)
    .optional()
    .describe('The detached signature (base64url) over the canonical envelope and the subject.'),
};

const headerSchemas = {
  EventHeaders: z.object({
    [Header.msgId]: uuidSchema.describe('The envelope id: JetStream stores a retried publish once.'),
    [Header.traceparent]: traceparentSchema.describe('W3C trace context of the publishing span.'),
    ...signatureHeaders,
  }),
  SignedRequestHeaders: z.object(signatureHeaders),
  DeadLetterHeaders: z.object({
    [Header.msgId]: z
      .string()
      .describe('`<stream>:<durable>:<stream sequence>` of the refused message: a retried dead-lettering is stored once.'),
    [Header.rejectReason]: z
      .string()
      .describe(
        "Why: an envelope reject reason (`malformed`, `unknown_type`, `invalid_data`, …), a verifier's, a command's, or `max_deliveries`.",
      ),
    [Header.rejectDetail]: z.string().max(1000).describe('What was wrong, on one line.'),
    [Header.originalSubject]: z.string().describe('The subject the message was refused on.'),
  }),
  ServiceReplyHeaders: z.object({
    'Nats-Service-Error': z.string().optional().describe('NATS services framework: the error of a failed query.'),
    'Nats-Service-Error-Code': z
      .enum(['400', '404', '500', '503'])
      .optional()
      .describe('400 bad request, 404 not found, 503 database unavailable (retry later), 500 internal.'),
  }),
} as const;

function ref(path: string): Reference {
  return { $ref: `#/${path}` };
}

function channelIdOf(kind: SubjectKind): string {
  const entry = Object.entries(SubjectKind).find(([, value]) => value === kind);
  if (!entry) throw new RangeError(`no SubjectKind ${kind}`);
  return entry[0];
}

function typesOn(kind: SubjectKind): EventType[] {
  return eventTypes.filter((type) => eventRegistry[type].subjectKind === kind);
}

function bySubject(kind: SubjectKind): { readonly address: string; readonly parameters: Record<string, Reference> } {
  // Typed as total, but tests run untyped (swc): say what to do rather than fail on `undefined`.
  const channel = subjectChannels[kind] as SubjectChannel | undefined;
  if (!channel)
    throw new RangeError(
      `subject kind "${kind}" has no channel: describe it in subjectChannels (tools/contracts-gen/src/asyncapi.document.ts)`,
    );
  const key = channel.key;
  return {
    address: `{prefix}.${kind}.{${key}}`,
    parameters: { prefix: ref('components/parameters/prefix'), [key]: ref(`components/parameters/${key}`) },
  };
}

/** A contract's schema inside the document, which declares no dialect of its own for it. */
function schemaOf(contract: Contract): JsonSchema {
  const schema = { ...contract.schema };
  delete schema.$schema;
  return schema;
}

/**
 * The AsyncAPI 3.0 document of every subject mapek uses: one channel per subject kind (plus the
 * knowledge queries), the messages with their headers and payloads from the zod registry, the
 * operations of their senders, and mutual TLS on the NATS server.
 */
export function asyncApiDocument(catalogue: readonly Contract[] = contracts()): Record<string, unknown> {
  const byName = new Map(catalogue.map((contract) => [contract.name, contract]));
  const contract = (name: string): Contract => {
    const found = byName.get(name);
    if (!found) throw new RangeError(`no contract ${name}`);
    return found;
  };
  const actuationRequest = contractKey(contract('actuation.request'));
  const sealedActuationRequest = contractKey(contract('actuation.sealed-request'));
  const actuationReply = contractKey(contract('actuation.reply'));

  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  const messages: Record<string, unknown> = {};

  for (const kind of Object.values(SubjectKind)) {
    const id = channelIdOf(kind);
    const channelMessages: Record<string, Reference> = {};
    for (const type of typesOn(kind)) {
      const entry = eventRegistry[type];
      const key = contractKey({ name: type, version: entry.version });
      channelMessages[key] = ref(`components/messages/${key}`);
      messages[key] = {
        name: type,
        title: `${type} v${entry.version}`,
        summary: `Stream ${entry.stream}; emitted by ${entry.emitters.join(', ')}.`,
        contentType: 'application/json',
        headers: ref('components/schemas/EventHeaders'),
        payload: ref(`components/schemas/${key}`),
        correlationId: ref('components/correlationIds/incident'),
      };
      operations[`${type}.send`] = {
        action: 'send',
        channel: ref(`channels/${id}`),
        summary: `${entry.emitters.join(', ')} publish${entry.emitters.length === 1 ? 'es' : ''} \`${type}\` events.`,
        messages: [ref(`channels/${id}/messages/${key}`)],
      };
    }
    if (kind === SubjectKind.actuate) channelMessages[actuationRequest] = ref(`components/messages/${actuationRequest}`);
    if (kind === SubjectKind.dlq) channelMessages.deadLetter = ref('components/messages/deadLetter');
    channels[id] = { ...bySubject(kind), description: subjectChannels[kind].description, messages: channelMessages };
  }

  channels.actuateReply = {
    address: null,
    description: "The requester's inbox (`_INBOX_<identity>.…`), which only it may subscribe to.",
    messages: { [actuationReply]: ref(`components/messages/${actuationReply}`) },
  };
  channels.knowledge = {
    address: '{prefix}.svc.knowledge.{endpoint}',
    parameters: { prefix: ref('components/parameters/prefix'), endpoint: ref('components/parameters/endpoint') },
    description: 'Knowledge queries on the NATS services framework (discoverable with `$SRV.INFO`, counted in `$SRV.STATS`).',
    messages: { knowledgeQuery: ref('components/messages/knowledgeQuery') },
  };
  channels.knowledgeReply = {
    address: null,
    description: "The querying service's inbox.",
    messages: { knowledgeReply: ref('components/messages/knowledgeReply') },
  };

  operations['actuation.request'] = {
    action: 'send',
    channel: ref('channels/actuate'),
    summary: "The executor asks a managed service's agent to run one step of a plan, and waits for its reply.",
    messages: [ref(`channels/actuate/messages/${actuationRequest}`)],
    reply: { channel: ref('channels/actuateReply'), messages: [ref(`channels/actuateReply/messages/${actuationReply}`)] },
  };
  operations['knowledge.query'] = {
    action: 'send',
    channel: ref('channels/knowledge'),
    summary: 'The planner and the gateway query knowledge; errors come back as NATS service errors.',
    messages: [ref('channels/knowledge/messages/knowledgeQuery')],
    reply: { channel: ref('channels/knowledgeReply'), messages: [ref('channels/knowledgeReply/messages/knowledgeReply')] },
  };
  operations['deadLetter.send'] = {
    action: 'send',
    channel: ref(`channels/${channelIdOf(SubjectKind.dlq)}`),
    summary: 'A consuming service dead-letters a message it refused (counted, never dropped silently).',
    messages: [ref(`channels/${channelIdOf(SubjectKind.dlq)}/messages/deadLetter`)],
  };

  messages[actuationRequest] = {
    name: 'actuation.request',
    title: 'actuation request v1',
    summary:
      'With security on, the sealed request envelope signed by the executor; in development without identities, the request in clear.',
    contentType: 'application/json',
    headers: ref('components/schemas/SignedRequestHeaders'),
    payload: { oneOf: [ref(`components/schemas/${sealedActuationRequest}`), ref(`components/schemas/${actuationRequest}`)] },
  };
  messages[actuationReply] = {
    name: 'actuation.reply',
    title: 'actuation reply v1',
    contentType: 'application/json',
    payload: ref(`components/schemas/${actuationReply}`),
  };
  messages.knowledgeQuery = {
    name: 'knowledge.query',
    title: 'knowledge query',
    summary: "The query of one endpoint as JSON (an empty body is `{}`); its schema is the knowledge service's own for now.",
    contentType: 'application/json',
    payload: { type: 'object' },
  };
  messages.knowledgeReply = {
    name: 'knowledge.reply',
    title: 'knowledge reply',
    contentType: 'application/json',
    headers: ref('components/schemas/ServiceReplyHeaders'),
    payload: {},
  };
  messages.deadLetter = {
    name: 'dead-letter',
    title: 'dead letter',
    summary: 'The refused message, byte for byte; its own headers are not kept.',
    contentType: 'application/octet-stream',
    headers: ref('components/schemas/DeadLetterHeaders'),
    payload: {},
  };

  const schemas: Record<string, JsonSchema> = {};
  for (const [name, schema] of Object.entries(headerSchemas)) schemas[name] = toJsonSchema(schema, SchemaSide.input);
  for (const entry of catalogue)
    if (entry.kind !== ContractKind.record && entry.kind !== ContractKind.configuration) schemas[contractKey(entry)] = schemaOf(entry);

  return {
    asyncapi: '3.0.0',
    info: {
      title: 'mapek messaging',
      version: CONTRACTS_DOCUMENT_VERSION,
      description:
        "Every subject the mapek control plane uses on NATS: the loop events on JetStream (each message's `Nats-Msg-Id` is its envelope id, and consumers are idempotent on it), the actuation request-reply, the knowledge queries and the dead letters. Events are signed with ML-DSA-65 (Mapek-Sig-* headers); consumers verify the signature and that the sender may emit the type. Generated from the zod registry in libs/contracts by `pnpm contracts:generate`: do not edit.",
    },
    defaultContentType: 'application/json',
    servers: {
      nats: {
        host: '{host}:{port}',
        protocol: 'nats',
        description: 'NATS with JetStream. Every identity has its own publish and subscribe rights.',
        variables: { host: { default: 'localhost' }, port: { default: '4222' } },
        security: [ref('components/securitySchemes/mutualTls')],
      },
    },
    channels,
    operations,
    components: {
      schemas,
      messages,
      parameters,
      correlationIds: {
        incident: {
          description: 'The incident an event belongs to: symptom → analysis → plan → execution → outcome.',
          location: '$message.payload#/incidentId',
        },
      },
      securitySchemes: {
        mutualTls: {
          type: 'X509',
          description:
            'Mutual TLS: each service presents its X.509 certificate (`spiffe://<trust-domain>/<service>`) issued by the mapek CA (`mapek pki init`); TLS prefers the hybrid post-quantum group X25519MLKEM768.',
        },
      },
    },
  };
}
