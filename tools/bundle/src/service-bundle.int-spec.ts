import { describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUNDLED_SERVICES, RUNTIME_IMPORTS, serviceBundle, serviceEntry, type BundledService } from './service-bundle.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

interface Exit {
  readonly code: number | null;
  readonly stderr: string;
}

/** Runs one entry of a service with the given environment on top of a bare one, to its exit. */
function run(entry: string, env: Record<string, string>): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, entry)], {
      cwd: root,
      env: { PATH: process.env['PATH'] ?? '', NATS_URL: 'nats://127.0.0.1:1', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stderr }));
  });
}

/** What a refused start says for people: the service's own lines, without a stack's file names. */
const refusal = (exit: Exit): string => exit.stderr.trim();

describe.each(BUNDLED_SERVICES.map((service) => [service]))('the bundle of the %s', (service: BundledService) => {
  it('refuses a bad configuration exactly as the compiled modules do', async () => {
    const env = { MAPEK_HTTP_PORT: 'not-a-port' };
    const [modules, bundle] = await Promise.all([run(serviceEntry(service), env), run(serviceBundle(service), env)]);
    expect(modules.code).toBe(78);
    expect(bundle.code).toBe(78);
    expect(refusal(bundle)).toContain(`${service}: refusing to start, configuration is invalid`);
    expect(refusal(bundle)).toBe(refusal(modules));
  });

  it('gets as far as dialling its dependencies and gives up on them as the compiled modules do', async () => {
    const env = { DATABASE_URL: 'postgres://mapek@127.0.0.1:1/mapek' };
    const [modules, bundle] = await Promise.all([run(serviceEntry(service), env), run(serviceBundle(service), env)]);
    expect(modules.code).toBe(69);
    expect(bundle.code).toBe(69);
    expect(refusal(bundle)).toMatch(new RegExp(`^${service}: refusing to start, cannot reach `));
    expect(refusal(bundle)).toBe(refusal(modules));
  });

  it('is ASCII only, for Node to keep its source at a byte a character, with its source map beside it', async () => {
    const text = await readFile(join(root, serviceBundle(service)), 'utf8');
    expect(text.search(/[\u0080-\u{10ffff}]/u)).toBe(-1);
    expect(text.trimEnd().endsWith('//# sourceMappingURL=main.bundle.mjs.map')).toBe(true);
    const map = JSON.parse(await readFile(join(root, `${serviceBundle(service)}.map`), 'utf8')) as { sources: string[] };
    expect(map.sources).toContain('../src/bootstrap.ts');
  });

  it('starts without loading what the getters of the builtins it imports would load', async () => {
    // Node lists every builtin it has loaded; this prints, on the way out, those it should not have.
    const report = `process.on('exit', () => process.stdout.write('\\nloaded ' + JSON.stringify(process.moduleLoadList.filter((m) => /undici|util\\/debounce/.test(m))) + '\\n'));`;
    const stdout = await new Promise<string>((resolve, reject) => {
      const child = spawn(
        process.execPath,
        ['--import', `data:text/javascript,${encodeURIComponent(report)}`, join(root, serviceBundle(service))],
        {
          cwd: root,
          env: { PATH: process.env['PATH'] ?? '', NATS_URL: 'nats://127.0.0.1:1', DATABASE_URL: 'postgres://mapek@127.0.0.1:1/mapek' },
          stdio: ['ignore', 'pipe', 'ignore'],
        },
      );
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      child.on('error', reject);
      child.on('exit', () => resolve(out));
    });
    expect(stdout).toMatch(/^loaded \[\]$/m);
  });

  it('declares every package its bundle leaves to be imported at run time', async () => {
    const manifest = JSON.parse(await readFile(join(root, 'services', service, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    for (const name of RUNTIME_IMPORTS) expect(Object.keys(manifest.dependencies)).toContain(name);
  });
});
