import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { capabilitiesOf } from '@mapek/contracts';
import { parseConfiguration } from './configuration-file.js';

const example = join(import.meta.dirname, '../../../examples/mapek.yaml');

describe('the example configuration file', () => {
  it('validates, with a target for every source and effector kind it shows', () => {
    const config = parseConfiguration(readFileSync(example, 'utf8'), example);
    expect(config.targets.map((target) => [target.name, target.effector.kind])).toEqual([
      ['orders-api', 'container'],
      ['orders-db', 'process'],
      ['bus', 'none'],
      ['nightly-report', 'webhook'],
      ['checkout', 'kubernetes'],
    ]);
    expect(new Set(config.targets.flatMap((target) => target.probes.map((probe) => probe.kind)))).toEqual(
      new Set(['http', 'postgres', 'tcp', 'nats']),
    );
    expect(config.targets.find((target) => target.name === 'nightly-report')?.heartbeat).toEqual({ timeoutMs: 900_000 });
    expect(capabilitiesOf(config.targets[4]!)).toEqual(['restart_service', 'scale_up']);
  });

  it('that docker-compose.yml mounts by default validates and declares no target', () => {
    const composeFile = join(import.meta.dirname, '../../../mapek.yaml');
    expect(parseConfiguration(readFileSync(composeFile, 'utf8'), composeFile).targets).toEqual([]);
  });
});
