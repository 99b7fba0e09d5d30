import { describe, expect, it } from '@jest/globals';
import { mapekConfigurationSchema } from '@mapek/contracts';
import { alertSourceSettings } from './alert-source.js';

describe('the Alertmanager source settings', () => {
  it('takes any valid target in the target label without a configuration file', () => {
    expect(alertSourceSettings(undefined)).toEqual({ enabled: true, targetLabel: 'target', targets: undefined });
  });

  it("takes only the file's targets, in the configured label, when the file turns the source on", () => {
    const config = mapekConfigurationSchema.parse({
      version: 1,
      sources: { alertmanager: { targetLabel: 'service' } },
      targets: [{ name: 'billing' }, { name: 'orders' }],
    });
    expect(alertSourceSettings(config)).toEqual({ enabled: true, targetLabel: 'service', targets: new Set(['billing', 'orders']) });
  });

  it('is off when the file does not mention Alertmanager, or turns it off', () => {
    expect(alertSourceSettings(mapekConfigurationSchema.parse({ version: 1, targets: [{ name: 'billing' }] })).enabled).toBe(false);
    expect(alertSourceSettings(mapekConfigurationSchema.parse({ version: 1, sources: { alertmanager: { enabled: false } } })).enabled).toBe(
      false,
    );
  });
});
