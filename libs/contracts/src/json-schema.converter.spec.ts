import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { isoTimeSchema, targetSchema } from './events/common.schema.js';
import { eventRegistry, eventTypes } from './event-registry.js';
import { JSON_SCHEMA_DIALECT, SchemaSide, contractDocumentText, eventJsonSchema, toJsonSchema } from './json-schema.converter.js';

describe('toJsonSchema', () => {
  it('describes the input side as validators accept it: open objects, defaults optional', () => {
    const schema = z.object({ name: z.string(), dryRun: z.boolean().default(false) });
    expect(toJsonSchema(schema, SchemaSide.input)).toEqual({
      type: 'object',
      properties: { name: { type: 'string' }, dryRun: { type: 'boolean', default: false } },
      required: ['name'],
    });
    expect(toJsonSchema(schema, SchemaSide.output)).toMatchObject({ required: ['name', 'dryRun'], additionalProperties: false });
  });

  it('keeps a strict object closed on the input side', () => {
    expect(toJsonSchema(z.strictObject({ a: z.string() }), SchemaSide.input)).toMatchObject({ additionalProperties: false });
  });

  it("describes a date-time by its format alone, without zod's regex", () => {
    expect(toJsonSchema(isoTimeSchema, SchemaSide.input)).toEqual({ type: 'string', format: 'date-time' });
  });

  it('describes a bare string piped into a schema as that schema', () => {
    const target = z.string({ error: 'required: a target' }).pipe(targetSchema);
    expect(toJsonSchema(target, SchemaSide.input)).toEqual(toJsonSchema(targetSchema, SchemaSide.input));
    expect(toJsonSchema(z.object({ target }), SchemaSide.input)).toMatchObject({ properties: { target: { pattern: '^[A-Za-z0-9_-]+$' } } });
  });

  it('leaves out the dialect, which the document that embeds the schema declares', () => {
    expect(toJsonSchema(z.string(), SchemaSide.input)).not.toHaveProperty('$schema');
  });
});

describe('eventJsonSchema', () => {
  it("fixes the envelope's type and version and carries the registered data schema", () => {
    for (const type of eventTypes) {
      const schema = eventJsonSchema(type);
      expect(schema).toMatchObject({
        $schema: JSON_SCHEMA_DIALECT,
        $id: `urn:mapek:event:${type}:v${eventRegistry[type].version}`,
        properties: { type: { const: type }, version: { const: eventRegistry[type].version } },
        required: expect.arrayContaining(['id', 'type', 'version', 'source', 'time', 'target', 'data']),
      });
      expect(schema.properties?.data).toEqual(toJsonSchema(eventRegistry[type].schema, SchemaSide.input));
    }
  });
});

describe('contractDocumentText', () => {
  it('is two-space JSON with a final newline', () => {
    expect(contractDocumentText({ a: [1] })).toBe('{\n  "a": [\n    1\n  ]\n}\n');
  });
});
