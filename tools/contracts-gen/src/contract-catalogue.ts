import { z } from 'zod';
import {
  JSON_SCHEMA_DIALECT,
  SchemaSide,
  actuationReplyV1Schema,
  actuationRequestV1Schema,
  envelopeSchema,
  eventJsonSchema,
  eventRegistry,
  eventTypes,
  mapekConfigurationSchema,
  planRecordV1Schema,
  sealedPayloadSchema,
  toJsonSchema,
  type JsonSchema,
} from '@mapek/contracts';
import { SealedRequestType } from '@mapek/pqc';

/** What a published schema describes. */
export const ContractKind = {
  /** A loop event on JetStream: the envelope with its data (the event registry). */
  event: 'event',
  /** A core NATS message outside the registry (actuation request-reply). */
  message: 'message',
  /** A KV record one service writes and another reads. */
  record: 'record',
  /** A file an operator writes and the services read (`mapek.yaml`). */
  configuration: 'configuration',
} as const;
export type ContractKind = (typeof ContractKind)[keyof typeof ContractKind];

/** One published schema version. */
export interface Contract {
  /** `symptom`, `plan.proposed`, `actuation.request`, … */
  readonly name: string;
  readonly version: number;
  readonly kind: ContractKind;
  /** Its document, relative to the generated directory (and its snapshot, to the snapshots directory). */
  readonly file: string;
  /** The JSON Schema document, with `$schema` and `$id`. */
  readonly schema: JsonSchema;
}

/** The key of a contract in the AsyncAPI document: `<name>.v<version>`. */
export function contractKey(contract: Pick<Contract, 'name' | 'version'>): string {
  return `${contract.name}.v${contract.version}`;
}

/**
 * The envelope of a sealed request (libs/pqc `createRequestSealer`): signed by the sender, its
 * data sealed to the receiver's X-Wing key and bound to the subject and the envelope id.
 */
export const sealedActuationRequestV1Schema = envelopeSchema.extend({
  type: z.literal(SealedRequestType.actuation),
  version: z.literal(1),
  data: sealedPayloadSchema,
});

interface OtherContract {
  readonly name: string;
  readonly version: number;
  readonly kind: ContractKind;
  readonly description: string;
  readonly schema: z.ZodType;
}

const otherContracts: readonly OtherContract[] = [
  {
    name: 'actuation.request',
    version: 1,
    kind: ContractKind.message,
    description: 'Executor → agent, core NATS request on `<prefix>.actuate.<target>`: one step of a plan (in clear in development only).',
    schema: actuationRequestV1Schema,
  },
  {
    name: 'actuation.sealed-request',
    version: 1,
    kind: ContractKind.message,
    description:
      'An actuation request as it travels with security on: an envelope signed by the executor (Mapek-Sig-* headers) whose data is the request sealed to the agent.',
    schema: sealedActuationRequestV1Schema,
  },
  {
    name: 'actuation.reply',
    version: 1,
    kind: ContractKind.message,
    description: 'Agent → executor, the reply to an actuation request. Errors travel as codes.',
    schema: actuationReplyV1Schema,
  },
  {
    name: 'plan-record',
    version: 1,
    kind: ContractKind.record,
    description: 'A plan as the planner keeps it in the `mapek_plans` KV bucket under `plan.<planId>`; the gateway reads it.',
    schema: planRecordV1Schema,
  },
  {
    name: 'mapek-config',
    version: 1,
    kind: ContractKind.configuration,
    description:
      'The configuration file (`mapek.yaml`, YAML or JSON) that `./mapek start --config`, the compose file and the Helm chart hand to every service as MAPEK_CONFIG_FILE: the targets mapek watches and heals, its sources (scrapes, probes, PromQL rules, heartbeats, Alertmanager), the effector of each target and the limits. Defaults are filled in on reading; cross-field rules (unique target names, known dependencies, PromQL only with sources.prometheus) are checked by the services.',
    schema: mapekConfigurationSchema,
  },
];

const directoryOf: Record<ContractKind, string> = {
  [ContractKind.event]: 'events',
  [ContractKind.message]: 'messages',
  [ContractKind.record]: 'records',
  [ContractKind.configuration]: 'configuration',
};

/**
 * Every schema mapek publishes at its current version: each registered event type (the envelope
 * with its data), the actuation request-reply and the plan record, as subscribers validate them.
 */
export function contracts(): Contract[] {
  const events = eventTypes.map((type): Contract => {
    const { version } = eventRegistry[type];
    return {
      name: type,
      version,
      kind: ContractKind.event,
      file: fileOf(ContractKind.event, type, version),
      schema: eventJsonSchema(type),
    };
  });
  const others = otherContracts.map(({ name, version, kind, description, schema }): Contract => ({
    name,
    version,
    kind,
    file: fileOf(kind, name, version),
    schema: {
      $schema: JSON_SCHEMA_DIALECT,
      $id: `urn:mapek:${kind}:${name}:v${version}`,
      title: `${name} v${version}`,
      description,
      ...toJsonSchema(schema, SchemaSide.input),
    },
  }));
  return [...events, ...others];
}

function fileOf(kind: ContractKind, name: string, version: number): string {
  // The configuration file's schema keeps one address for editors (`# yaml-language-server: $schema=`); its `version` field tells versions apart.
  if (kind === ContractKind.configuration) return `${directoryOf[kind]}/${name}.schema.json`;
  return `${directoryOf[kind]}/${name}.v${version}.schema.json`;
}
