import { describe, expect, it } from '@jest/globals';
import { isNatsSyncInterval, renderStackNatsConfig } from './nats-server-config.js';

describe('the nats-server config the stack writes', () => {
  it("includes tools/pki's config by a path relative to itself, and owns the JetStream block", () => {
    const config = renderStackNatsConfig({
      file: '/data/nats-server.conf',
      storeDir: '/data/nats',
      pkiConfig: '/data/certs/nats/nats-server.conf',
    });
    expect(config).toContain('include "certs/nats/nats-server.conf"');
    expect(config).toMatch(/jetstream \{\n {2}store_dir: "\/data\/nats"\n/);
  });

  it("leaves the fsync interval at nats-server's default unless told, and states it when told", () => {
    expect(renderStackNatsConfig({ file: '/d/n.conf', storeDir: '/d/nats' })).not.toMatch(/^\s*sync_interval/m);
    expect(renderStackNatsConfig({ file: '/d/n.conf', storeDir: '/d/nats' })).not.toContain('include');
    expect(renderStackNatsConfig({ file: '/d/n.conf', storeDir: '/d/nats', syncInterval: 'always' })).toMatch(
      /^ {2}sync_interval: "always"$/m,
    );
    expect(renderStackNatsConfig({ file: '/d/n.conf', storeDir: '/d/nats', syncInterval: '10s' })).toMatch(/^ {2}sync_interval: "10s"$/m);
  });

  it('accepts always or a positive duration as the fsync interval', () => {
    for (const value of ['always', '10s', '500ms', '2m', '1h']) expect(isNatsSyncInterval(value)).toBe(true);
    for (const value of ['', 'never', '0s', '10', '-1s', 'ALWAYS', '1d', '10 s']) expect(isNatsSyncInterval(value)).toBe(false);
  });
});
