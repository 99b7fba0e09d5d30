import { describe, expect, it } from '@jest/globals';
import { build } from 'esbuild';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SKIPPED_GETTERS, skipLazyBuiltinGetters } from './service-bundle.js';

/** Bundles `source` as a service's bundle is bundled (ESM for Node), in memory. */
async function bundle(source: string) {
  const dir = await mkdtemp(join(tmpdir(), 'mapek-bundle-'));
  try {
    await writeFile(join(dir, 'entry.mjs'), source);
    const result = await build({
      entryPoints: [join(dir, 'entry.mjs')],
      bundle: true,
      platform: 'node',
      format: 'esm',
      write: false,
      logLevel: 'silent',
      plugins: [skipLazyBuiltinGetters],
    });
    return { code: result.outputFiles[0]!.text, warnings: result.warnings.map((warning) => warning.text) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('skipLazyBuiltinGetters', () => {
  it('turns an ESM import of a listed builtin into a require that exports all but the skipped getters', async () => {
    const { code, warnings } = await bundle(
      "import { STATUS_CODES, globalAgent } from 'node:http';\nimport * as http from 'http';\nconsole.log(STATUS_CODES[404], globalAgent, http.request, http.default.WebSocket);\n",
    );
    expect(warnings).toEqual([]);
    expect(code).not.toMatch(/from\s*"(node:)?http"/);
    expect(code).toContain('("node:http")');
    for (const getter of SKIPPED_GETTERS['http']!) expect(code).not.toMatch(new RegExp(`\\b${getter}\\s*[,}]`));
  });

  it('warns, so the service bundle fails, when a skipped getter is read from a namespace import', async () => {
    const { warnings } = await bundle("import * as http from 'node:http';\nconsole.log(http.WebSocket);\n");
    expect(warnings.join('\n')).toMatch(/WebSocket/);
  });

  it('fails the bundle when a skipped getter is imported by name', async () => {
    await expect(bundle("import { webcrypto } from 'node:crypto';\nconsole.log(webcrypto);\n")).rejects.toThrow(/webcrypto/);
  });

  it('leaves a require of the same builtin alone', async () => {
    const { code } = await bundle("const http = require('node:http');\nconsole.log(http.WebSocket);\n");
    expect(code).not.toContain('mapek-required-builtin');
  });
});
