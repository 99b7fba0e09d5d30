#!/usr/bin/env node
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { contractDocumentText } from '@mapek/contracts';
import { OPENAPI_DOCUMENT_FILE, openApiDocument } from './handlers/openapi.document.js';

/**
 * Writes the gateway's OpenAPI document where the other contract documents are
 * (`pnpm contracts:generate`); the argument is the repository root (default: the current directory).
 */
const file = path.join(path.resolve(process.argv[2] ?? process.cwd()), OPENAPI_DOCUMENT_FILE);
writeFileSync(file, contractDocumentText(openApiDocument));
process.stdout.write(`wrote ${OPENAPI_DOCUMENT_FILE}\n`);
