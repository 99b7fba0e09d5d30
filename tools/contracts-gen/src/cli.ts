#!/usr/bin/env node
import path from 'node:path';
import { parseArgs } from 'node:util';
import { describeBreak } from './contract-documents.js';
import { snapshotCompatibility, writeDocuments } from './contract-files.js';

const usage = `usage: mapek-contracts-gen [generate] [--root DIR]

Writes the contract documents generated from the zod registry in libs/contracts (docs/contracts:
one JSON Schema per event type and version, the actuation messages, the plan record and the
AsyncAPI document), snapshots every version published for the first time
(libs/contracts/published), and exits 1 when a published version is no longer backward
compatible with its snapshot.

options:
  --root DIR   the repository root (default: the current directory)
`;

function main(argv: string[]): number {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { root: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help || positionals.some((command) => command !== 'generate')) {
    process.stdout.write(usage);
    return values.help ? 0 : 2;
  }
  const root = path.resolve(values.root ?? process.cwd());
  const result = writeDocuments(root);
  for (const file of result.written) process.stdout.write(`wrote ${file}\n`);
  for (const file of result.removed) process.stdout.write(`removed ${file}\n`);
  for (const file of result.snapshotted) process.stdout.write(`published ${file}\n`);
  if (result.written.length + result.removed.length + result.snapshotted.length === 0)
    process.stdout.write('contract documents are up to date\n');
  const { breaks } = snapshotCompatibility(root);
  for (const entry of breaks) process.stderr.write(`${describeBreak(entry)}\n`);
  return breaks.length === 0 ? 0 : 1;
}

process.exitCode = main(process.argv.slice(2));
