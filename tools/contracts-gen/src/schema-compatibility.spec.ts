import { describe, expect, it } from '@jest/globals';
import type { JsonSchema } from '@mapek/contracts';
import { BreakingChange, backwardIncompatibilities } from './schema-compatibility.js';

/** A published v1 in the shape the generator writes: an envelope-like object with nested data. */
const published: JsonSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'urn:mapek:event:example:v1',
  type: 'object',
  properties: {
    id: { type: 'string', pattern: '^[0-9a-f-]{36}$' },
    version: { type: 'number', const: 1 },
    data: {
      type: 'object',
      properties: {
        severity: { type: 'string', enum: ['critical', 'warning', 'info'] },
        value: { type: 'number', minimum: 0 },
        count: { type: 'integer', minimum: 0, maximum: 100 },
        note: { type: 'string', maxLength: 2000 },
        tags: { type: 'array', items: { type: 'string' }, maxItems: 20 },
        labels: { type: 'object', propertyNames: { type: 'string' }, additionalProperties: { type: 'string' } },
        settledMs: { anyOf: [{ type: 'number', minimum: 0 }, { type: 'null' }] },
      },
      required: ['severity', 'value', 'tags'],
    },
  },
  required: ['id', 'version', 'data'],
};

/** The published schema with one change applied to a copy of `data` (or of the root). */
function changed(
  change: (data: Required<JsonSchema>['properties'] & Record<string, JsonSchema>, root: JsonSchema & { required: string[] }) => void,
): JsonSchema {
  const copy = structuredClone(published) as JsonSchema & { required: string[]; properties: Record<string, JsonSchema> };
  const data = copy.properties.data as JsonSchema & { properties: Record<string, JsonSchema> };
  change(data.properties, copy);
  return copy;
}

const changesOf = (current: JsonSchema) => backwardIncompatibilities(published, current).map(({ path, change }) => `${path} ${change}`);

describe('backward compatibility of a published schema', () => {
  it('accepts the same schema, and changed titles and descriptions', () => {
    expect(backwardIncompatibilities(published, published)).toEqual([]);
    expect(changesOf({ ...published, title: 'example v1', description: 'reworded' })).toEqual([]);
  });

  it('accepts a new optional field', () => {
    expect(changesOf(changed((data) => (data.component = { type: 'string', minLength: 1 })))).toEqual([]);
  });

  it('accepts a new enum value, a looser bound and a wider type', () => {
    expect(changesOf(changed((data) => (data.severity = { type: 'string', enum: ['critical', 'warning', 'info', 'debug'] })))).toEqual([]);
    expect(changesOf(changed((data) => (data.note = { type: 'string', maxLength: 4000 })))).toEqual([]);
    expect(changesOf(changed((data) => (data.count = { type: 'number', minimum: 0 })))).toEqual([]);
    expect(changesOf(changed((data) => (data.value = { type: ['number', 'string'] })))).toEqual([]);
  });

  it('catches a removed field, even an optional one, and a required field made optional', () => {
    expect(changesOf(changed((data) => delete data.value))).toEqual(['data.value field_removed']);
    expect(changesOf(changed((data) => delete data.note))).toEqual(['data.note field_removed']);
    const optionalTags = changed(() => undefined) as JsonSchema & { properties: { data: JsonSchema } };
    optionalTags.properties.data.required = ['severity', 'value'];
    expect(changesOf(optionalTags)).toEqual(['data.tags field_made_optional']);
  });

  it('catches a changed type', () => {
    expect(changesOf(changed((data) => (data.value = { type: 'string' })))).toEqual(['data.value type_changed']);
    expect(changesOf(changed((data) => (data.value = { type: 'integer', minimum: 0 })))).toEqual(['data.value type_changed']);
    expect(changesOf(changed((data) => (data.tags = { type: 'array', items: { type: 'number' }, maxItems: 20 })))).toEqual([
      'data.tags[] type_changed',
    ]);
  });

  it('catches a required field added, new or formerly optional', () => {
    const added = changed((data) => (data.owner = { type: 'string' })) as JsonSchema & { properties: { data: JsonSchema } };
    added.properties.data.required = ['severity', 'value', 'tags', 'owner', 'note'];
    expect(backwardIncompatibilities(published, added)).toEqual([
      { path: 'data.owner', change: BreakingChange.requiredFieldAdded, detail: 'is new: messages published without it are refused' },
      { path: 'data.note', change: BreakingChange.requiredFieldAdded, detail: 'was optional: messages published without it are refused' },
    ]);
  });

  it('catches an enum value removed and a changed const', () => {
    expect(
      backwardIncompatibilities(
        published,
        changed((data) => (data.severity = { type: 'string', enum: ['critical', 'warning'] })),
      ),
    ).toEqual([{ path: 'data.severity', change: BreakingChange.enumValueRemoved, detail: '"info" is no longer accepted' }]);
    expect(
      changesOf(changed((_data, root) => ((root.properties as Record<string, JsonSchema>).version = { type: 'number', const: 2 }))),
    ).toEqual(['version const_changed']);
  });

  it('catches narrowed bounds, patterns, formats and sizes', () => {
    expect(changesOf(changed((data) => (data.value = { type: 'number', exclusiveMinimum: 0 })))).toEqual([
      'data.value constraint_narrowed',
    ]);
    expect(changesOf(changed((data) => (data.count = { type: 'integer', minimum: 0, maximum: 10 })))).toEqual([
      'data.count constraint_narrowed',
    ]);
    expect(changesOf(changed((data) => (data.note = { type: 'string', maxLength: 200 })))).toEqual(['data.note constraint_narrowed']);
    expect(changesOf(changed((data) => (data.note = { type: 'string', maxLength: 2000, minLength: 1 })))).toEqual([
      'data.note constraint_narrowed',
    ]);
    expect(changesOf(changed((data) => (data.note = { type: 'string', maxLength: 2000, format: 'email' })))).toEqual([
      'data.note constraint_narrowed',
    ]);
    expect(changesOf(changed((data) => (data.tags = { type: 'array', items: { type: 'string' }, maxItems: 20, minItems: 1 })))).toEqual([
      'data.tags constraint_narrowed',
    ]);
    expect(
      changesOf(
        changed((_data, root) => ((root.properties as Record<string, JsonSchema>).id = { type: 'string', pattern: '^[0-9a-f]{36}$' })),
      ),
    ).toEqual(['id constraint_narrowed']);
  });

  it('catches a record whose values or names narrowed, and an object closed to fields it does not name', () => {
    expect(
      changesOf(
        changed(
          (data) =>
            (data.labels = { type: 'object', propertyNames: { type: 'string' }, additionalProperties: { type: 'string', maxLength: 10 } }),
        ),
      ),
    ).toEqual(['data.labels{*} constraint_narrowed']);
    expect(
      changesOf(
        changed(
          (data) =>
            (data.labels = {
              type: 'object',
              propertyNames: { type: 'string', pattern: '^[a-z]+$' },
              additionalProperties: { type: 'string' },
            }),
        ),
      ),
    ).toEqual(['data.labels{name} constraint_narrowed']);
    expect(changesOf({ ...published, additionalProperties: false })).toEqual(['(root) additional_properties_closed']);
  });

  it('catches an alternative removed from a union, naming what changed in the closest one', () => {
    expect(changesOf(changed((data) => (data.settledMs = { type: 'number', minimum: 0 })))).toEqual([
      'data.settledMs alternative_removed',
      'data.settledMs type_changed',
    ]);
    const sealed: JsonSchema = {
      type: 'object',
      properties: { encoding: { type: 'string', const: 'sealed' }, sealed: { type: 'string' } },
      required: ['encoding', 'sealed'],
    };
    const clear: JsonSchema = {
      type: 'object',
      properties: { encoding: { type: 'string', const: 'clear' }, spec: { type: 'string' } },
      required: ['encoding', 'spec'],
    };
    const before: JsonSchema = { oneOf: [structuredClone(sealed), structuredClone(clear)] };
    expect(backwardIncompatibilities(before, { oneOf: [structuredClone(sealed)] }).map(({ path, change }) => `${path} ${change}`)).toEqual([
      '(root) alternative_removed',
      'encoding const_changed',
      'spec field_removed',
      'sealed required_field_added',
    ]);
    expect(backwardIncompatibilities(before, { oneOf: [structuredClone(clear), structuredClone(sealed), { type: 'null' }] })).toEqual([]);
  });

  it('reports a keyword it does not know instead of passing it unchecked', () => {
    expect(changesOf({ ...published, allOf: [{ type: 'object' }] })).toEqual(['(root) unsupported_keyword']);
  });
});
