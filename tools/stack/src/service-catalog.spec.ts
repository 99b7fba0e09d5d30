import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import {
  DEFAULT_LOOP_NODE_ARGS,
  DEFAULT_SERVICES,
  LOOP_ALLOCATOR_ENV,
  LOOP_NODE_ARGS_BY_SERVICE,
  bulkNiceness,
  type LoopServiceName,
} from './service-catalog.js';

const root = join(import.meta.dirname, '..', '..', '..');
const read = (path: string): string => readFileSync(join(root, path), 'utf8');

/** V8 flags by name, the last one given winning (as node takes NODE_OPTIONS, then its command line). */
const effective = (...flagLists: ReadonlyArray<readonly string[]>): Record<string, string> =>
  Object.fromEntries(flagLists.flat().map((flag) => [flag.split('=')[0] ?? flag, flag]));

describe('the V8 flags of the loop services (ADR 0013, ADR 0016)', () => {
  it('are the same in the container images as in ./mapek start', () => {
    const dockerfile = read('Dockerfile');
    const stage = /^FROM runtime AS loop-service\n(?:.*\n)*?ENV NODE_OPTIONS="([^"]*)"/m.exec(dockerfile);
    expect(stage?.[1]).toBe(DEFAULT_LOOP_NODE_ARGS.join(' '));
    const nodeOptions = (stage?.[1] ?? '').split(' ').filter(Boolean);
    for (const service of Object.keys(LOOP_NODE_ARGS_BY_SERVICE) as LoopServiceName[]) {
      const own = new RegExp(`^FROM loop-service AS ${service}\n(?:.*\n)*?CMD (\\[.*\\])$`, 'm').exec(dockerfile);
      expect(own).not.toBeNull();
      const command = JSON.parse(own?.[1] ?? '[]') as string[];
      expect(command[0]).toBe('node');
      expect(command.at(-1)).toBe('dist/main.bundle.mjs');
      expect(effective(nodeOptions, command.slice(1, -1))).toEqual(effective(LOOP_NODE_ARGS_BY_SERVICE[service]));
    }
  });

  it('come with the allocator settings in the container images as in ./mapek start', () => {
    const line = /^FROM runtime AS loop-service\n(?:.*\n)*?(ENV NODE_OPTIONS=.*)$/m.exec(read('Dockerfile'))?.[1] ?? '';
    for (const [name, value] of Object.entries(LOOP_ALLOCATOR_ENV)) expect(line).toContain(` ${name}=${value}`);
  });

  it('are not changed by the compose stack or the chart, which run the images as they are', () => {
    expect(read('docker-compose.yml')).not.toContain('NODE_OPTIONS');
    for (const template of ['deployments.yaml', '_helpers.tpl'])
      expect(read(join('charts/mapek/templates', template))).not.toContain('NODE_OPTIONS');
    expect(read('charts/mapek/values.yaml')).not.toContain('NODE_OPTIONS');
  });

  it('keep every compiler on', () => {
    for (const flags of Object.values(LOOP_NODE_ARGS_BY_SERVICE))
      expect(flags.filter((flag) => /^--(no-opt|no-maglev|no-sparkplug|jitless|lite-mode)$/.test(flag))).toEqual([]);
  });
});

describe('the CPU priority of the services whose work a remedy does not wait for', () => {
  it('is niceness 10 for the monitor, knowledge and the gateway, unless MAPEK_BULK_NICENESS says otherwise', () => {
    expect(DEFAULT_SERVICES.filter((service) => service.bulk).map((service) => service.name)).toEqual(['knowledge', 'monitor', 'gateway']);
    expect(bulkNiceness(undefined)).toBe(10);
    expect(bulkNiceness('')).toBe(10);
    expect(bulkNiceness('0')).toBe(0);
    expect(bulkNiceness('19')).toBe(19);
  });

  it('refuses a niceness that is not an integer from 0 to 19, with what it got', () => {
    for (const bad of ['-1', '20', '5.5', 'low'])
      expect(() => bulkNiceness(bad)).toThrow(/MAPEK_BULK_NICENESS must be an integer from 0 to 19/);
  });

  it('is a smaller CPU weight for the same service in the compose stack', () => {
    const compose = read('docker-compose.yml');
    const weighted = [...compose.matchAll(/^ {2}([a-z-]+):\n(?: {4}.*\n)*? {4}cpu_shares: (\d+)$/gm)].map((match) => [
      match[1],
      Number(match[2]),
    ]);
    expect(weighted).toEqual([
      ['postgres', 256],
      ['monitor', 256],
      ['knowledge', 256],
      ['gateway', 256],
    ]);
  });
});
