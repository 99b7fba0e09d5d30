import { describe, expect, it } from '@jest/globals';
import { Parser } from '@asyncapi/parser';
import {
  DEFAULT_SUBJECT_PREFIX,
  Header,
  KnowledgeEndpoint,
  SubjectKind,
  eventRegistry,
  eventTypes,
  subjectFor,
  subjects,
} from '@mapek/contracts';
import { SignatureHeader } from '@mapek/pqc';
import { asyncApiDocument } from './asyncapi.document.js';

interface Document {
  channels: Record<string, { address: string | null; messages: Record<string, { $ref: string }> }>;
  operations: Record<string, { action: string; channel: { $ref: string } }>;
  servers: Record<string, { protocol: string; security: { $ref: string }[] }>;
  components: {
    schemas: Record<string, { properties?: Record<string, { const?: unknown }>; required?: string[] }>;
    messages: Record<string, { headers?: { $ref: string }; payload: { $ref?: string } }>;
    securitySchemes: Record<string, { type: string }>;
  };
}

const document = asyncApiDocument() as unknown as Document;
const resolve = <T>(reference: { $ref: string }): T =>
  reference.$ref
    .slice(2)
    .split('/')
    .reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], document) as T;

/** Fills a channel address the way a publisher fills a subject. */
const subjectOf = (address: string, values: Record<string, string>) =>
  address.replace(/\{(\w+)\}/g, (_match, name: string) => values[name] ?? `<${name}>`);

describe('the AsyncAPI document', () => {
  it('is valid AsyncAPI 3.0 for @asyncapi/parser, without errors or warnings', async () => {
    const diagnostics = await new Parser().validate(JSON.stringify(document));
    // Severity 0 is an error, 1 a warning; 2 and 3 are hints such as "3.1.0 exists".
    expect(
      diagnostics
        .filter((diagnostic) => Number(diagnostic.severity) <= 1)
        .map((diagnostic) => `${diagnostic.path.join('.')}: ${diagnostic.message}`),
    ).toEqual([]);
    expect(document).toMatchObject({ asyncapi: '3.0.0' });
  });

  it('would fail that validation if an operation pointed at a message its channel does not carry', async () => {
    const broken = structuredClone(document);
    broken.operations['symptom.send'] = {
      action: 'send',
      channel: { $ref: '#/channels/symptoms' },
      messages: [{ $ref: '#/channels/analyses/messages/analysis.v1' }],
    } as Document['operations'][string];
    const diagnostics = await new Parser().validate(JSON.stringify(broken));
    expect(diagnostics.filter((diagnostic) => Number(diagnostic.severity) === 0).length).toBeGreaterThan(0);
  });

  it('has a channel for every subject kind, addressed as the subject builders address it', () => {
    for (const [id, kind] of Object.entries(SubjectKind)) {
      const channel = document.channels[id];
      expect(channel?.address).toMatch(/^\{prefix\}\./);
      const values = { prefix: 'acme', target: 'demo-app', planId: 'p1', consumer: 'executor' };
      const key = kind === SubjectKind.decisions ? values.planId : kind === SubjectKind.dlq ? values.consumer : values.target;
      expect(subjectOf(channel?.address ?? '', values)).toBe(subjectFor(kind, key, 'acme'));
    }
    expect(
      subjectOf(document.channels.knowledge?.address ?? '', { prefix: DEFAULT_SUBJECT_PREFIX, endpoint: KnowledgeEndpoint.stats }),
    ).toBe(`${subjects.knowledgeService()}.stats`);
  });

  it('carries every event type on its subject, with its envelope schema and the event headers', () => {
    for (const type of eventTypes) {
      const { version, subjectKind } = eventRegistry[type];
      const channelId = Object.entries(SubjectKind).find(([, kind]) => kind === subjectKind)?.[0] ?? '';
      const message = resolve<Document['components']['messages'][string]>(
        document.channels[channelId]?.messages[`${type}.v${version}`] ?? { $ref: '#/missing' },
      );
      expect(message.headers).toEqual({ $ref: '#/components/schemas/EventHeaders' });
      const payload = resolve<Document['components']['schemas'][string]>({ $ref: message.payload.$ref ?? '' });
      expect(payload.properties?.type?.const).toBe(type);
      expect(payload.properties?.version?.const).toBe(version);
      expect(document.operations[`${type}.send`]).toMatchObject({ action: 'send', channel: { $ref: `#/channels/${channelId}` } });
    }
  });

  it('describes Nats-Msg-Id, traceparent and the signature headers of libs/pqc on every event', () => {
    const headers = document.components.schemas.EventHeaders;
    expect(Object.keys(headers?.properties ?? {}).sort()).toEqual(
      [Header.msgId, Header.traceparent, ...Object.values(SignatureHeader)].sort(),
    );
    expect(headers?.required).toEqual([Header.msgId, Header.traceparent]);
    expect(headers?.properties?.[SignatureHeader.alg]?.const).toBe('ML-DSA-65');
  });

  it('answers actuation requests on a reply channel, and secures the server with mutual TLS', () => {
    expect(document.operations['actuation.request']).toMatchObject({
      action: 'send',
      channel: { $ref: '#/channels/actuate' },
      reply: { channel: { $ref: '#/channels/actuateReply' } },
    });
    const server = document.servers.nats;
    expect(server?.protocol).toBe('nats');
    expect(server?.security.map((scheme) => resolve<{ type: string }>(scheme).type)).toEqual(['X509']);
  });
});
