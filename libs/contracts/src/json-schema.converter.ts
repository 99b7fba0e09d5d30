import { z } from 'zod';
import { envelopeSchema } from './envelope.schema.js';
import { eventRegistry, type EventType } from './event-registry.js';

/**
 * A JSON Schema as plain JSON: zod's type of it, under a name of this lib's, so the documents
 * other projects build from it have a type they can name in their declarations.
 */
export interface JsonSchema extends z.core.JSONSchema.JSONSchema {
  /** `urn:mapek:<kind>:<name>:v<version>` on the documents mapek publishes. */
  $id?: string;
}

/** The dialect of every JSON Schema mapek publishes. */
export const JSON_SCHEMA_DIALECT = 'https://json-schema.org/draft/2020-12/schema';

/**
 * Which side of a zod schema a JSON Schema describes. `input` is what a validator accepts: request
 * bodies, and events as their subscribers validate them (a `z.object` is open, a field with a
 * default is optional). `output` is what a parse hands back: response bodies.
 */
export const SchemaSide = { input: 'input', output: 'output' } as const;
export type SchemaSide = (typeof SchemaSide)[keyof typeof SchemaSide];

/**
 * The JSON Schema (draft 2020-12, without `$schema`, reused parts inlined) of a zod schema. Two
 * conventions keep the documents faithful and stable:
 * - a date-time string is described by `format: date-time` alone: zod's own regex for it is an
 *   implementation detail that may change with zod, and would read as a change of contract;
 * - `z.string({ error }).pipe(schema)` (a bare type in front of a schema, there only to word the
 *   "required" message) is described as the schema it pipes into, which is what it accepts.
 */
export function toJsonSchema(schema: z.core.$ZodType, side: SchemaSide): JsonSchema {
  const convert = (zodSchema: z.core.$ZodType): JsonSchema => {
    const jsonSchema: JsonSchema = z.toJSONSchema(zodSchema, params);
    delete jsonSchema.$schema;
    return jsonSchema;
  };
  const params: z.core.ToJSONSchemaParams = {
    target: 'draft-2020-12',
    io: side,
    reused: 'inline',
    unrepresentable: 'throw',
    override: ({ zodSchema, jsonSchema }) => {
      const def = zodSchema._zod.def;
      if (def.type === 'pipe' && isBareTypeInFront(def.in, def.out)) {
        const piped = convert(def.out);
        for (const keyword of Object.keys(jsonSchema)) delete jsonSchema[keyword];
        Object.assign(jsonSchema, piped);
      }
      if (jsonSchema.format === 'date-time') delete jsonSchema.pattern;
    },
  };
  return convert(schema);
}

function isBareTypeInFront(input: z.core.$ZodType, output: z.core.$ZodType): boolean {
  const checks = (input._zod.def as { checks?: unknown[] }).checks ?? [];
  return input._zod.def.type === output._zod.def.type && checks.length === 0;
}

/** The envelope of one event type, its `type` and `version` fixed and `data` its registered schema. */
export function eventEnvelopeSchema<T extends EventType>(type: T) {
  const entry = eventRegistry[type];
  return envelopeSchema.extend({ type: z.literal(type), version: z.literal(entry.version), data: entry.schema });
}

/** `urn:mapek:event:<type>:v<version>`: the `$id` of an event's JSON Schema. */
export function eventSchemaId(type: string, version: number): string {
  return `urn:mapek:event:${type}:v${version}`;
}

/**
 * The JSON Schema of one event type at its registered version: the envelope with its data, as
 * subscribers validate it. What the `docs/contracts/events/*.schema.json` files hold.
 */
export function eventJsonSchema(type: EventType): JsonSchema {
  const entry = eventRegistry[type];
  return {
    $schema: JSON_SCHEMA_DIALECT,
    $id: eventSchemaId(type, entry.version),
    title: `${type} v${entry.version}`,
    description: `A \`${type}\` event, version ${entry.version}: the envelope with its data. Published on \`<prefix>.${entry.subjectKind}.*\` (stream ${entry.stream}) by ${entry.emitters.join(', ')}.`,
    ...toJsonSchema(eventEnvelopeSchema(type), SchemaSide.input),
  };
}

/** The text of a generated contract document: two-space JSON with a final newline, byte-stable. */
export function contractDocumentText(document: unknown): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}
