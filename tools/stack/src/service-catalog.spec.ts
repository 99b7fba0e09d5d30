import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { DEFAULT_LOOP_NODE_ARGS } from './service-catalog.js';

const root = join(import.meta.dirname, '..', '..', '..');
const read = (path: string): string => readFileSync(join(root, path), 'utf8');

describe('the V8 flags of the loop services (ADR 0013)', () => {
  it('are the same in the container images as in ./mapek start', () => {
    const dockerfile = read('Dockerfile');
    const stage = /^FROM runtime AS loop-service\n(?:.*\n)*?ENV NODE_OPTIONS="([^"]*)"/m.exec(dockerfile);
    expect(stage?.[1]).toBe(DEFAULT_LOOP_NODE_ARGS.join(' '));
    for (const service of ['monitor', 'analyzer', 'planner', 'executor', 'knowledge', 'gateway']) {
      expect(dockerfile).toMatch(new RegExp(`^FROM loop-service AS ${service}$`, 'm'));
    }
  });

  it('are not changed by the compose stack or the chart, which run the images as they are', () => {
    expect(read('docker-compose.yml')).not.toContain('NODE_OPTIONS');
    for (const template of ['deployments.yaml', '_helpers.tpl'])
      expect(read(join('charts/mapek/templates', template))).not.toContain('NODE_OPTIONS');
    expect(read('charts/mapek/values.yaml')).not.toContain('NODE_OPTIONS');
  });

  it('keep every compiler on', () => {
    expect(DEFAULT_LOOP_NODE_ARGS.filter((flag) => /^--(no-opt|no-maglev|no-sparkplug|jitless|lite-mode)$/.test(flag))).toEqual([]);
  });
});
