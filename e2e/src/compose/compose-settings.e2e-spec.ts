import { describe, expect, it } from '@jest/globals';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { repositoryRoot } from './docker-engine.js';

/**
 * The compose stack's settings stay complete as services gain settings: every variable a service
 * or the demo app reads is either documented in .env (with its default) and passed to its
 * container by docker-compose.yml, or fixed by docker-compose.yml itself. Reads the declarations
 * (`NAME: { schema: …` in each config spec, and the demo app's list) as text: no Docker needed.
 */
const fixedByCompose = [
  'NATS_URL',
  'MAPEK_CONFIG_FILE',
  'ENVIRONMENT',
  'MAPEK_IDENTITY_DIR',
  'MAPEK_IDENTITY',
  'MAPEK_NATS_PROVISION',
  'DATABASE_URL',
  'MAPEK_DATABASE_TLS',
  'MAPEK_GATEWAY_API_KEYS_FILE',
  'MAPEK_TARGET',
];
/** Set by the images (`ENV` in the Dockerfile): the address and port each process listens on. */
const fixedByImage = ['MAPEK_HTTP_HOST', 'MAPEK_HTTP_PORT', 'HOST', 'PORT'];
/** Not settings of the whole stack, with why. */
const notStackSettings: Record<string, string> = {
  MAPEK_INSTANCE_ID: 'names one replica; each container defaults to its hostname and pid',
  PQC_REQUIRED: 'implied by ENVIRONMENT=production, which the compose stack always sets',
  OTEL_SERVICE_NAME: 'names one service; each container defaults to its own service name',
};

async function declaredSettings(): Promise<Map<string, string>> {
  const files = [
    join('libs', 'config', 'src', 'common.config.ts'),
    join('libs', 'config', 'src', 'configuration-file.config.ts'),
    join('examples', 'demo-app', 'src', 'demo.config.ts'),
  ];
  for (const service of await readdir(join(repositoryRoot, 'services'))) {
    const dir = join('services', service, 'src');
    files.push(...(await readdir(join(repositoryRoot, dir))).filter((name) => name.endsWith('.config.ts')).map((name) => join(dir, name)));
  }
  const settings = new Map<string, string>();
  for (const file of files) {
    const text = await readFile(join(repositoryRoot, file), 'utf8');
    for (const match of text.matchAll(/^\s+([A-Z][A-Z0-9_]+): \{/gm)) settings.set(match[1]!, file);
  }
  return settings;
}

describe('the settings of the compose stack', () => {
  it('documents in .env and passes on in docker-compose.yml every setting the services and the demo app read', async () => {
    const settings = await declaredSettings();
    const dotEnv = await readFile(join(repositoryRoot, '.env'), 'utf8');
    const compose = await readFile(join(repositoryRoot, 'docker-compose.yml'), 'utf8');
    const dockerfile = await readFile(join(repositoryRoot, 'Dockerfile'), 'utf8');
    const inDotEnv = (name: string) => new RegExp(`^#? ?${name}=`, 'm').test(dotEnv);
    const inCompose = (name: string) => new RegExp(`^\\s+${name}:`, 'm').test(compose);
    const inImage = (name: string) => new RegExp(`^ENV .*\\b${name}=`, 'm').test(dockerfile);
    expect(settings.size).toBeGreaterThan(40);
    const problems = [...settings]
      .filter(([name]) => !(name in notStackSettings))
      .flatMap(([name, file]) => {
        if (fixedByCompose.includes(name))
          return inCompose(name) ? [] : [`${name} (${file}) is fixed by the stack but docker-compose.yml does not set it`];
        if (fixedByImage.includes(name))
          return inImage(name) ? [] : [`${name} (${file}) is fixed by the images but no ENV in the Dockerfile sets it`];
        return [
          ...(inDotEnv(name) ? [] : [`${name} (${file}) is not documented in .env`]),
          ...(inCompose(name) ? [] : [`${name} (${file}) is not passed on by docker-compose.yml`]),
        ];
      });
    expect(problems).toEqual([]);
  });
});
