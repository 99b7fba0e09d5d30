import { describe, expect, it } from '@jest/globals';
import { renderNatsConfig } from './nats-config.renderer.js';

const base = {
  listen: '10.0.0.1:4222',
  trustDomain: 'td',
  prefix: 'mapek',
  serverCert: '/s.crt',
  serverKey: '/s.key',
  caCert: '/ca.crt',
} as const;

describe('the nats-server config of a cluster member', () => {
  it('renders no cluster block and no server name for a single server', () => {
    const config = renderNatsConfig(base);
    expect(config).not.toContain('cluster');
    expect(config).not.toContain('server_name');
  });

  it('runs routes over mutual TLS with the server certificate, lists every member and advertises none', () => {
    const config = renderNatsConfig({
      ...base,
      jetStreamDir: '/js/n1',
      serverName: 'n1',
      cluster: { name: 'mapek', listen: '10.0.0.1:6222', routes: ['nats-route://10.0.0.1:6222', 'nats-route://10.0.0.2:6222'] },
    });
    expect(config).toContain('server_name: "n1"');
    const cluster = /cluster \{[\s\S]*\n\}/.exec(config)?.[0] ?? '';
    expect(cluster).toContain('name: "mapek"');
    expect(cluster).toContain('listen: "10.0.0.1:6222"');
    expect(cluster).toContain('routes: ["nats-route://10.0.0.1:6222", "nats-route://10.0.0.2:6222"]');
    expect(cluster).toContain('no_advertise: true');
    // A silent dead member is dropped in about 10 s.
    expect(cluster).toContain('ping_interval: "5s"');
    expect(cluster).toContain('ping_max: 2');
    expect(cluster).toMatch(/tls \{\s+cert_file: "\/s\.crt"\s+key_file: "\/s\.key"\s+ca_file: "\/ca\.crt"\s+verify: true/);
    expect(cluster).toContain('curve_preferences: ["X25519MLKEM768", "X25519", "CurveP256"]');
  });
});
