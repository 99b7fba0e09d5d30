import { describe, expect, it } from '@jest/globals';
import { DemoConfigError } from './demo.errors.js';
import { parseDemoConfig, redactedConfig } from './demo.config.js';

describe('parseDemoConfig', () => {
  it('uses the documented defaults for an empty environment', () => {
    expect(parseDemoConfig({})).toEqual({
      http: { host: '127.0.0.1', port: 8000 },
      mapek: { target: 'demo-app', subjectPrefix: 'mapek', natsUrl: undefined },
      selfTrafficRps: 4,
      requestWindowMs: 5000,
      otel: expect.objectContaining({ OTEL_EXPORTER_OTLP_ENDPOINT: undefined, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf' }),
    });
  });

  it('reads every variable', () => {
    const config = parseDemoConfig({
      HOST: '0.0.0.0',
      PORT: '0',
      NATS_URL: 'nats://u:p@h:4222',
      MAPEK_SUBJECT_PREFIX: 'stage.mapek',
      MAPEK_TARGET: 'shop',
      DEMO_SELF_TRAFFIC_RPS: '0',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318',
      OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20secret',
    });
    expect(config).toEqual({
      http: { host: '0.0.0.0', port: 0 },
      mapek: { target: 'shop', subjectPrefix: 'stage.mapek', natsUrl: 'nats://u:p@h:4222' },
      selfTrafficRps: 0,
      requestWindowMs: 5000,
      otel: expect.objectContaining({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318' }),
    });
    expect(redactedConfig(config).mapek.natsUrl).toBe('<redacted>');
    expect(redactedConfig(config).otel.OTEL_EXPORTER_OTLP_HEADERS).toBe('<redacted>');
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ MAPEK_TARGET: 'demo app' }, 'MAPEK_TARGET'],
    [{ MAPEK_SUBJECT_PREFIX: 'a.>' }, 'MAPEK_SUBJECT_PREFIX'],
  ])('fails fast on %j naming the variable', (env, variable) => {
    expect(() => parseDemoConfig(env)).toThrow(DemoConfigError);
    expect(() => parseDemoConfig(env)).toThrow(variable);
  });

  it('refuses a tracing variable the services would refuse, naming it', () => {
    expect(() => parseDemoConfig({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })).toThrow(/OTEL_EXPORTER_OTLP_PROTOCOL/);
  });
});
