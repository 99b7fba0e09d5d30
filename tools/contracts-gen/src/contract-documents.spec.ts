import { describe, expect, it } from '@jest/globals';
import path from 'node:path';
import type { JsonSchema } from '@mapek/contracts';
import { contracts } from './contract-catalogue.js';
import { compatibilityReport, describeBreak, generatedDocuments } from './contract-documents.js';
import { documentDrift, snapshotCompatibility } from './contract-files.js';

const repoRoot = path.resolve(import.meta.dirname, '../../..');
const regenerate = 'run `pnpm contracts:generate` and commit the result';

describe('the committed contract documents', () => {
  it('are exactly what the zod registry generates', () => {
    const drift = documentDrift(repoRoot).map(({ file, problem }) => `${file}: ${problem}`);
    expect({ drift, fix: drift.length > 0 ? regenerate : 'none' }).toEqual({ drift: [], fix: 'none' });
  });

  it('give every published version a snapshot it stays backward compatible with', () => {
    const report = snapshotCompatibility(repoRoot);
    expect({
      unpublished: report.unpublished.map((contract) => `${contract.file} has no snapshot: ${regenerate}`),
      breaks: report.breaks.map(describeBreak),
    }).toEqual({ unpublished: [], breaks: [] });
  });
});

describe('the compatibility report', () => {
  it('names the version that broke, how, and that it takes a new version', () => {
    const published = new Map(contracts().map((contract) => [contract.file, contract.schema]));
    const current = contracts().map((contract) => {
      if (contract.name !== 'symptom') return contract;
      const schema = structuredClone(contract.schema) as JsonSchema & {
        properties: { data: JsonSchema & { properties: Record<string, JsonSchema> } };
      };
      delete schema.properties.data.properties.threshold;
      return { ...contract, schema };
    });
    const report = compatibilityReport((file) => published.get(file), current);
    expect(report.unpublished).toEqual([]);
    expect(report.breaks.map(describeBreak)).toEqual([
      [
        'symptom v1 is not backward compatible with its published snapshot libs/contracts/published/events/symptom.v1.schema.json:',
        '  data.threshold: field_removed (a subscriber may rely on it)',
        '  publish the change as v2 instead (a …V2 schema beside …V1).',
      ].join('\n'),
    ]);
  });

  it('counts a version without a snapshot as published by this change', () => {
    const report = compatibilityReport(() => undefined);
    expect(report.unpublished.map((contract) => contract.file)).toEqual(
      [...generatedDocuments().keys()].filter((file) => file.endsWith('.schema.json')),
    );
  });
});
