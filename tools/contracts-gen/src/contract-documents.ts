import { contractDocumentText, type JsonSchema } from '@mapek/contracts';
import { asyncApiDocument } from './asyncapi.document.js';
import { contracts, type Contract } from './contract-catalogue.js';
import { backwardIncompatibilities, type Incompatibility } from './schema-compatibility.js';

/** The generated documents, relative to the repository root. */
export const GENERATED_DIRECTORY = 'docs/contracts';
/** The snapshot of every published schema version, relative to the repository root; never rewritten. */
export const SNAPSHOT_DIRECTORY = 'libs/contracts/published';
/** The AsyncAPI document, relative to {@link GENERATED_DIRECTORY}. */
export const ASYNCAPI_FILE = 'asyncapi.json';

/**
 * Every document the generator owns, relative to {@link GENERATED_DIRECTORY}, with its text: one
 * JSON Schema per contract version and the AsyncAPI document. (The gateway writes `openapi.json`
 * beside them from its own routes.)
 */
export function generatedDocuments(catalogue: readonly Contract[] = contracts()): Map<string, string> {
  const documents = new Map<string, string>();
  for (const contract of catalogue) documents.set(contract.file, contractDocumentText(contract.schema));
  documents.set(ASYNCAPI_FILE, contractDocumentText(asyncApiDocument(catalogue)));
  return documents;
}

/** The directories of contract schemas, where a file the generator no longer writes is stale. */
export function contractDirectories(catalogue: readonly Contract[] = contracts()): string[] {
  return [...new Set(catalogue.map((contract) => contract.file.slice(0, contract.file.lastIndexOf('/'))))].sort();
}

export interface Break {
  readonly contract: Contract;
  readonly incompatibilities: readonly Incompatibility[];
}

export interface CompatibilityReport {
  /** Versions without a snapshot yet: published by this change (`pnpm contracts:generate` snapshots them). */
  readonly unpublished: readonly Contract[];
  /** Versions whose current schema breaks a subscriber of their snapshot. */
  readonly breaks: readonly Break[];
}

/** Checks every contract version against its snapshot (`snapshotOf` reads it, undefined when there is none). */
export function compatibilityReport(
  snapshotOf: (file: string) => JsonSchema | undefined,
  catalogue: readonly Contract[] = contracts(),
): CompatibilityReport {
  const unpublished: Contract[] = [];
  const breaks: Break[] = [];
  for (const contract of catalogue) {
    const snapshot = snapshotOf(contract.file);
    if (snapshot === undefined) {
      unpublished.push(contract);
      continue;
    }
    const incompatibilities = backwardIncompatibilities(snapshot, contract.schema);
    if (incompatibilities.length > 0) breaks.push({ contract, incompatibilities });
  }
  return { unpublished, breaks };
}

/** A break as a person reads it, with what to do about it. */
export function describeBreak({ contract, incompatibilities }: Break): string {
  const lines = incompatibilities.map(({ path, change, detail }) => `  ${path}: ${change} (${detail})`);
  return [
    `${contract.name} v${contract.version} is not backward compatible with its published snapshot ${SNAPSHOT_DIRECTORY}/${contract.file}:`,
    ...lines,
    `  publish the change as v${contract.version + 1} instead (a …V${contract.version + 1} schema beside …V${contract.version}).`,
  ].join('\n');
}
