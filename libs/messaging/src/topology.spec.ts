import { describe, expect, it } from '@jest/globals';
import { TopologyError } from './messaging.errors.js';
import { MIN_NATS_SERVER_VERSION, assertSupportedNatsServer, isSupportedNatsServer } from './topology.js';

describe('the supported nats-server versions', () => {
  it('start at 2.12.0: multi-filter consumers, per-message TTL and X25519MLKEM768', () => {
    expect(MIN_NATS_SERVER_VERSION).toBe('2.12.0');
    for (const version of ['2.12.0', '2.12.3', '2.14.10', 'v2.14.10', '2.20.0', '3.0.0']) expect(isSupportedNatsServer(version)).toBe(true);
    for (const version of ['2.9.10', '2.10.29', '2.11.9', '1.99.99', 'garbage', '']) expect(isSupportedNatsServer(version)).toBe(false);
  });

  it('refuse an older or unknown server with a readable topology error', () => {
    expect(() => assertSupportedNatsServer('2.9.10')).toThrow(TopologyError);
    expect(() => assertSupportedNatsServer('2.9.10')).toThrow(/nats-server 2\.9\.10 is too old: mapek needs 2\.12\.0 or newer/);
    expect(() => assertSupportedNatsServer(undefined)).toThrow(/unknown version/);
    expect(() => assertSupportedNatsServer('2.14.10')).not.toThrow();
  });
});
