import type { JsonSchema } from '@mapek/contracts';

/**
 * Backward compatibility of a published JSON Schema and its current form, for the constructs the
 * generated schemas use (type, const, enum, string/number/array bounds, pattern, format,
 * properties, required, additionalProperties, propertyNames, items, anyOf/oneOf).
 *
 * The current schema is compatible when:
 * - it accepts every message the published one accepts: a subscriber on the current schema still
 *   reads what was published before (events stay in MAPEK_EVENTS for days); and
 * - it keeps every field the published one names: a subscriber written against the published
 *   schema still finds its fields.
 *
 * Adding an optional field, adding an enum value and loosening a bound are compatible; removing a
 * field or making a required one optional is not. A keyword the checker does not know is reported
 * as `unsupported_keyword` rather than passed unchecked.
 */
export const BreakingChange = {
  fieldRemoved: 'field_removed',
  fieldMadeOptional: 'field_made_optional',
  requiredFieldAdded: 'required_field_added',
  typeChanged: 'type_changed',
  enumValueRemoved: 'enum_value_removed',
  constChanged: 'const_changed',
  constraintNarrowed: 'constraint_narrowed',
  additionalPropertiesClosed: 'additional_properties_closed',
  alternativeRemoved: 'alternative_removed',
  unsupportedKeyword: 'unsupported_keyword',
} as const;
export type BreakingChange = (typeof BreakingChange)[keyof typeof BreakingChange];

export interface Incompatibility {
  /** Where, as `data.steps[].action` (`(root)` for the schema itself). */
  readonly path: string;
  readonly change: BreakingChange;
  readonly detail: string;
}

type JsonType = 'object' | 'array' | 'string' | 'number' | 'integer' | 'boolean' | 'null';
type Value = string | number | boolean | null;
/** Where a subschema may stand, `true` accepts anything and `false` nothing. */
type Subschema = JsonSchema | boolean;

/** Keywords that describe but do not constrain. */
const ANNOTATIONS = new Set([
  '$schema',
  '$id',
  '$comment',
  'title',
  'description',
  'default',
  'examples',
  'deprecated',
  'readOnly',
  'writeOnly',
]);
/** Keywords the checks below understand. */
const CHECKED = new Set([
  'type',
  'const',
  'enum',
  'minLength',
  'maxLength',
  'pattern',
  'format',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'multipleOf',
  'items',
  'minItems',
  'maxItems',
  'uniqueItems',
  'properties',
  'required',
  'additionalProperties',
  'propertyNames',
  'minProperties',
  'maxProperties',
  'anyOf',
  'oneOf',
]);

/** Every way `current` breaks a consumer of `published`; empty when it is backward compatible. */
export function backwardIncompatibilities(published: JsonSchema, current: JsonSchema): Incompatibility[] {
  return compare(published, current, '');
}

function compare(published: JsonSchema, current: JsonSchema, path: string): Incompatibility[] {
  const unsupported = unsupportedKeywords(published, current, path);
  if (unsupported.length > 0) return unsupported;
  if (alternativesOf(published) || alternativesOf(current)) return compareAlternatives(published, current, path);
  const typeChanges = compareTypes(published, current, path);
  if (typeChanges.length > 0) return typeChanges;
  // A bound on strings cannot refuse a published number, and so on: check only what could hold values.
  return [
    ...compareValues(published, current, path),
    ...(mayBe(published, 'string') ? compareStrings(published, current, path) : []),
    ...(mayBe(published, 'number') ? compareNumbers(published, current, path) : []),
    ...(mayBe(published, 'array') ? compareArrays(published, current, path) : []),
    ...(mayBe(published, 'object') ? compareObjects(published, current, path) : []),
  ];
}

/** Whether a schema accepts values of a type (a `number` may be an `integer`). */
function mayBe(schema: JsonSchema, type: JsonType): boolean {
  const types = typesOf(schema);
  return types === undefined || types.includes(type) || (type === 'number' && types.includes('integer'));
}

function unsupportedKeywords(published: JsonSchema, current: JsonSchema, path: string): Incompatibility[] {
  const keywords = new Set([...Object.keys(published), ...Object.keys(current)]);
  const unknown = [...keywords]
    .filter((keyword) => !ANNOTATIONS.has(keyword) && !CHECKED.has(keyword))
    .map((keyword) =>
      broken(
        path,
        BreakingChange.unsupportedKeyword,
        `the checker does not know \`${keyword}\`; extend it before publishing a schema that uses it`,
      ),
    );
  const besideAlternatives = [published, current]
    .filter(
      (schema) =>
        alternativesOf(schema) && Object.keys(schema).some((keyword) => CHECKED.has(keyword) && keyword !== 'anyOf' && keyword !== 'oneOf'),
    )
    .map(() => broken(path, BreakingChange.unsupportedKeyword, 'constraints beside anyOf/oneOf are not supported'));
  return [...unknown, ...besideAlternatives];
}

/** anyOf/oneOf: every published alternative must still be accepted by some current alternative. */
function compareAlternatives(published: JsonSchema, current: JsonSchema, path: string): Incompatibility[] {
  const candidates = alternativesOf(current) ?? [current];
  const publishedAlternatives = alternativesOf(published);
  const problems: Incompatibility[] = [];
  for (const [index, alternative] of (publishedAlternatives ?? [published]).entries()) {
    const outcomes = candidates.map((candidate) => compare(alternative, candidate, path));
    if (outcomes.some((outcome) => outcome.length === 0)) continue;
    // Name the closest current alternative's problems too, so the report says what changed in it.
    const closest = outcomes.reduce((best, outcome) => (outcome.length < best.length ? outcome : best));
    const what = publishedAlternatives ? `published alternative ${index}` : 'what was published';
    problems.push(broken(path, BreakingChange.alternativeRemoved, `nothing current accepts ${what}`), ...closest);
  }
  return problems;
}

function alternativesOf(schema: JsonSchema): JsonSchema[] | undefined {
  return schema.anyOf ?? schema.oneOf;
}

function compareTypes(published: JsonSchema, current: JsonSchema, path: string): Incompatibility[] {
  const now = typesOf(current);
  if (now === undefined) return [];
  const before = typesOf(published);
  if (before === undefined) return [broken(path, BreakingChange.typeChanged, `was any type, is now ${now.join(' | ')}`)];
  const lost = before.filter((type) => !now.includes(type) && !(type === 'integer' && now.includes('number')));
  return lost.length === 0 ? [] : [broken(path, BreakingChange.typeChanged, `was ${before.join(' | ')}, is now ${now.join(' | ')}`)];
}

function typesOf(schema: JsonSchema): JsonType[] | undefined {
  if (schema.type === undefined) return undefined;
  return Array.isArray(schema.type) ? schema.type : [schema.type];
}

/** const and enum: every value the published schema allowed is still allowed. */
function compareValues(published: JsonSchema, current: JsonSchema, path: string): Incompatibility[] {
  const now = valuesOf(current);
  if (now === undefined) return [];
  const before = valuesOf(published);
  if (before === undefined) return [broken(path, BreakingChange.constraintNarrowed, `now limited to ${now.map(show).join(', ')}`)];
  const change = current.const !== undefined ? BreakingChange.constChanged : BreakingChange.enumValueRemoved;
  return before.filter((value) => !now.includes(value)).map((value) => broken(path, change, `${show(value)} is no longer accepted`));
}

function valuesOf(schema: JsonSchema): Value[] | undefined {
  if (schema.const !== undefined) return [schema.const];
  return schema.enum;
}

function compareStrings(published: JsonSchema, current: JsonSchema, path: string): Incompatibility[] {
  const problems = [
    ...lowerBound(path, 'minLength', published.minLength, current.minLength),
    ...upperBound(path, 'maxLength', published.maxLength, current.maxLength),
  ];
  // Whether one regular expression accepts everything another does is not decidable here: any change counts.
  if (current.pattern !== undefined && current.pattern !== published.pattern) {
    problems.push(
      broken(path, BreakingChange.constraintNarrowed, `pattern ${show(published.pattern ?? null)} became ${show(current.pattern)}`),
    );
  }
  if (current.format !== undefined && current.format !== published.format) {
    problems.push(
      broken(path, BreakingChange.constraintNarrowed, `format ${show(published.format ?? null)} became ${show(current.format)}`),
    );
  }
  return problems;
}

function compareNumbers(published: JsonSchema, current: JsonSchema, path: string): Incompatibility[] {
  const problems: Incompatibility[] = [];
  const [lowBefore, lowNow] = [minimumOf(published), minimumOf(current)];
  if (
    lowNow &&
    (!lowBefore || lowNow.value > lowBefore.value || (lowNow.value === lowBefore.value && lowNow.exclusive && !lowBefore.exclusive))
  ) {
    problems.push(
      broken(path, BreakingChange.constraintNarrowed, `lower bound ${showBound(lowBefore, '>')} became ${showBound(lowNow, '>')}`),
    );
  }
  const [highBefore, highNow] = [maximumOf(published), maximumOf(current)];
  if (
    highNow &&
    (!highBefore || highNow.value < highBefore.value || (highNow.value === highBefore.value && highNow.exclusive && !highBefore.exclusive))
  ) {
    problems.push(
      broken(path, BreakingChange.constraintNarrowed, `upper bound ${showBound(highBefore, '<')} became ${showBound(highNow, '<')}`),
    );
  }
  if (current.multipleOf !== undefined && (published.multipleOf === undefined || published.multipleOf % current.multipleOf !== 0)) {
    problems.push(broken(path, BreakingChange.constraintNarrowed, `now a multiple of ${current.multipleOf}`));
  }
  return problems;
}

interface Bound {
  readonly value: number;
  readonly exclusive: boolean;
}

function minimumOf(schema: JsonSchema): Bound | undefined {
  return tighter(schema.minimum, schema.exclusiveMinimum, (a, b) => a > b);
}

function maximumOf(schema: JsonSchema): Bound | undefined {
  return tighter(schema.maximum, schema.exclusiveMaximum, (a, b) => a < b);
}

/** The binding one of an inclusive and an exclusive bound (draft 2020-12: both are numbers). */
function tighter(
  inclusive: number | undefined,
  exclusive: number | boolean | undefined,
  isTighter: (a: number, b: number) => boolean,
): Bound | undefined {
  const exclusiveBound = typeof exclusive === 'number' ? { value: exclusive, exclusive: true } : undefined;
  const inclusiveBound = inclusive === undefined ? undefined : { value: inclusive, exclusive: false };
  if (!exclusiveBound) return inclusiveBound;
  if (!inclusiveBound) return exclusiveBound;
  return isTighter(inclusiveBound.value, exclusiveBound.value) ? inclusiveBound : exclusiveBound;
}

function compareArrays(published: JsonSchema, current: JsonSchema, path: string): Incompatibility[] {
  const problems = [
    ...lowerBound(path, 'minItems', published.minItems, current.minItems),
    ...upperBound(path, 'maxItems', published.maxItems, current.maxItems),
  ];
  if (current.uniqueItems === true && published.uniqueItems !== true)
    problems.push(broken(path, BreakingChange.constraintNarrowed, 'items must now be unique'));
  if (current.items !== undefined) problems.push(...compareSubschema(published.items, current.items, `${path}[]`));
  return problems;
}

function compareObjects(published: JsonSchema, current: JsonSchema, path: string): Incompatibility[] {
  const problems: Incompatibility[] = [];
  const before = published.properties ?? {};
  const now = current.properties ?? {};
  for (const [name, schema] of Object.entries(before)) {
    const field = join(path, name);
    const kept = now[name];
    if (kept === undefined) problems.push(broken(field, BreakingChange.fieldRemoved, 'a subscriber may rely on it'));
    else problems.push(...compareSubschema(schema, kept, field));
  }
  const requiredBefore = new Set(published.required ?? []);
  const requiredNow = new Set(current.required ?? []);
  for (const name of requiredBefore) {
    if (!requiredNow.has(name) && name in now)
      problems.push(broken(join(path, name), BreakingChange.fieldMadeOptional, 'a subscriber may rely on it being there'));
  }
  for (const name of requiredNow) {
    if (requiredBefore.has(name)) continue;
    const was = name in before ? 'was optional' : 'is new';
    problems.push(broken(join(path, name), BreakingChange.requiredFieldAdded, `${was}: messages published without it are refused`));
  }
  problems.push(...compareAdditionalProperties(published, current, path));
  if (current.propertyNames !== undefined)
    problems.push(...compareSubschema(published.propertyNames, current.propertyNames, `${path}{name}`));
  problems.push(
    ...lowerBound(path, 'minProperties', published.minProperties, current.minProperties),
    ...upperBound(path, 'maxProperties', published.maxProperties, current.maxProperties),
  );
  return problems;
}

/** Fields the published schema does not name: a closed object stays closed, an open one open. */
function compareAdditionalProperties(published: JsonSchema, current: JsonSchema, path: string): Incompatibility[] {
  const before = published.additionalProperties;
  const now = current.additionalProperties;
  if (now === undefined || now === true || before === false) return [];
  if (now === false) return [broken(path, BreakingChange.additionalPropertiesClosed, 'fields it does not name are now refused')];
  return compareSubschema(before, now, `${path}{*}`);
}

/** Compares a subschema where an absent or `true` one means "anything". */
function compareSubschema(
  published: Subschema | Subschema[] | undefined,
  current: Subschema | Subschema[],
  path: string,
): Incompatibility[] {
  if (Array.isArray(published) || Array.isArray(current))
    return [broken(path, BreakingChange.unsupportedKeyword, 'tuple `items` is not supported')];
  if (current === true) return [];
  if (current === false) return published === false ? [] : [broken(path, BreakingChange.typeChanged, 'nothing is accepted any more')];
  if (published === false) return [];
  return compare(published === undefined || published === true ? {} : published, current, path);
}

function lowerBound(path: string, keyword: string, before: number | undefined, now: number | undefined): Incompatibility[] {
  if (now === undefined || (before !== undefined && now <= before)) return [];
  return [broken(path, BreakingChange.constraintNarrowed, `${keyword} ${before ?? 'none'} became ${now}`)];
}

function upperBound(path: string, keyword: string, before: number | undefined, now: number | undefined): Incompatibility[] {
  if (now === undefined || (before !== undefined && now >= before)) return [];
  return [broken(path, BreakingChange.constraintNarrowed, `${keyword} ${before ?? 'none'} became ${now}`)];
}

function broken(path: string, change: BreakingChange, detail: string): Incompatibility {
  return { path: path === '' ? '(root)' : path, change, detail };
}

function join(path: string, name: string): string {
  return path === '' ? name : `${path}.${name}`;
}

function show(value: Value): string {
  return JSON.stringify(value);
}

function showBound(bound: Bound | undefined, symbol: '>' | '<'): string {
  return bound ? `${symbol}${bound.exclusive ? '' : '='} ${bound.value}` : 'none';
}
