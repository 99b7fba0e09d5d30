import { describe, expect, it } from '@jest/globals';
import { mapekConfigurationSchema } from '@mapek/contracts';
import { declaredDependencies } from './declared-dependencies.js';

describe('declared dependencies', () => {
  it("add every dependsOn of the configuration file's targets to the environment's edges, each once", () => {
    const configuration = mapekConfigurationSchema.parse({
      version: 1,
      targets: [{ name: 'orders-db' }, { name: 'bus' }, { name: 'orders-api', dependsOn: ['orders-db', 'bus'] }],
    });
    expect(
      declaredDependencies(
        [
          ['orders-api', 'orders-db'],
          ['demo-app', 'postgres'],
        ],
        configuration,
      ),
    ).toEqual([
      ['orders-api', 'orders-db'],
      ['demo-app', 'postgres'],
      ['orders-api', 'bus'],
    ]);
  });

  it("keep the environment's edges alone without a configuration file", () => {
    expect(declaredDependencies([['demo-app', 'postgres']], undefined)).toEqual([['demo-app', 'postgres']]);
  });
});
