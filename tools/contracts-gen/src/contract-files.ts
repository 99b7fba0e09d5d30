import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { contractDocumentText, type JsonSchema } from '@mapek/contracts';
import { contracts, type Contract } from './contract-catalogue.js';
import {
  GENERATED_DIRECTORY,
  SNAPSHOT_DIRECTORY,
  compatibilityReport,
  contractDirectories,
  generatedDocuments,
  type CompatibilityReport,
} from './contract-documents.js';

export const DriftProblem = {
  /** The code generates it, the tree does not have it. */
  missing: 'missing',
  /** The committed file is not what the code generates. */
  differs: 'differs',
  /** A committed schema the code no longer generates. */
  stale: 'stale',
} as const;
export type DriftProblem = (typeof DriftProblem)[keyof typeof DriftProblem];

export interface Drift {
  /** Relative to the repository root. */
  readonly file: string;
  readonly problem: DriftProblem;
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function listFiles(directory: string): string[] {
  try {
    return readdirSync(directory);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

function staleFiles(root: string, documents: ReadonlyMap<string, string>, catalogue: readonly Contract[]): string[] {
  return contractDirectories(catalogue).flatMap((directory) =>
    listFiles(path.join(root, GENERATED_DIRECTORY, directory))
      .map((name) => `${directory}/${name}`)
      .filter((file) => !documents.has(file)),
  );
}

/** How the committed documents under `root` differ from what the code generates; empty when they agree. */
export function documentDrift(root: string, catalogue: readonly Contract[] = contracts()): Drift[] {
  const documents = generatedDocuments(catalogue);
  const drift: Drift[] = [];
  for (const [file, text] of documents) {
    const committed = readText(path.join(root, GENERATED_DIRECTORY, file));
    if (committed === undefined) drift.push({ file: `${GENERATED_DIRECTORY}/${file}`, problem: DriftProblem.missing });
    else if (committed !== text) drift.push({ file: `${GENERATED_DIRECTORY}/${file}`, problem: DriftProblem.differs });
  }
  for (const file of staleFiles(root, documents, catalogue))
    drift.push({ file: `${GENERATED_DIRECTORY}/${file}`, problem: DriftProblem.stale });
  return drift;
}

/** Each contract version against its committed snapshot under `root`. */
export function snapshotCompatibility(root: string, catalogue: readonly Contract[] = contracts()): CompatibilityReport {
  return compatibilityReport((file) => {
    const text = readText(path.join(root, SNAPSHOT_DIRECTORY, file));
    return text === undefined ? undefined : (JSON.parse(text) as JsonSchema);
  }, catalogue);
}

export interface WriteResult {
  /** Relative to the repository root. */
  readonly written: readonly string[];
  readonly removed: readonly string[];
  readonly snapshotted: readonly string[];
}

/**
 * Brings the tree under `root` in line with the code: writes every generated document that
 * differs, removes stale schemas, and snapshots versions published for the first time. It never
 * rewrites a snapshot: a published version only changes compatibly, checked against it.
 */
export function writeDocuments(root: string, catalogue: readonly Contract[] = contracts()): WriteResult {
  const documents = generatedDocuments(catalogue);
  const written: string[] = [];
  for (const [file, text] of documents) {
    const target = path.join(root, GENERATED_DIRECTORY, file);
    if (readText(target) === text) continue;
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, text);
    written.push(`${GENERATED_DIRECTORY}/${file}`);
  }
  const removed = staleFiles(root, documents, catalogue).map((file) => {
    rmSync(path.join(root, GENERATED_DIRECTORY, file));
    return `${GENERATED_DIRECTORY}/${file}`;
  });
  const snapshotted = snapshotCompatibility(root, catalogue).unpublished.map((contract) => {
    const target = path.join(root, SNAPSHOT_DIRECTORY, contract.file);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, contractDocumentText(contract.schema));
    return `${SNAPSHOT_DIRECTORY}/${contract.file}`;
  });
  return { written, removed, snapshotted };
}
