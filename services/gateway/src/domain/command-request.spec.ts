import { describe, expect, it } from '@jest/globals';
import { commandsEnabled } from '../gateway.config.js';
import { MAX_COMMAND_PARAMS_BYTES, commandRequestSchema, commandSpecOf } from './command-request.js';

const reasonOf = (body: unknown): string => {
  const parsed = commandRequestSchema.safeParse(body);
  if (parsed.success) return 'accepted';
  return parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
};

describe('the manual command request', () => {
  it('fills in the defaults: no params, actor operator, not a dry run', () => {
    const parsed = commandRequestSchema.parse({ target: 'demo-app', action: 'clear_cache', reason: ' leak ' });
    expect(commandSpecOf(parsed)).toEqual({ action: 'clear_cache', params: {}, reason: 'leak', actor: 'operator', dryRun: false });
  });

  it('says the reason is required when it is missing or blank', () => {
    expect(reasonOf({ target: 'demo-app', action: 'clear_cache' })).toMatch(/^reason: required/);
    expect(reasonOf({ target: 'demo-app', action: 'clear_cache', reason: '   ' })).toMatch(/^reason: required/);
  });

  it('names the unknown action and the bad target', () => {
    expect(reasonOf({ target: 'demo-app', action: 'format_disk', reason: 'r' })).toMatch(/^action: .*clear_cache/);
    expect(reasonOf({ target: 'demo app!', action: 'clear_cache', reason: 'r' })).toMatch(/^target: target must match/);
    expect(reasonOf({ action: 'clear_cache', reason: 'r' })).toMatch(/^target: required/);
  });

  it('refuses unknown fields, odd actors and oversized params', () => {
    expect(reasonOf({ target: 't', action: 'clear_cache', reason: 'r', force: true })).toMatch(/force/);
    expect(reasonOf({ target: 't', action: 'clear_cache', reason: 'r', actor: 'a b' })).toMatch(/^actor:/);
    expect(reasonOf({ target: 't', action: 'clear_cache', reason: 'r', params: { blob: 'x'.repeat(MAX_COMMAND_PARAMS_BYTES) } })).toMatch(/^params: at most/);
  });
});

describe('whether commands are enabled', () => {
  it('follows the environment unless set: on in development, off in production', () => {
    expect(commandsEnabled({ ENVIRONMENT: 'development', MAPEK_GATEWAY_COMMANDS_ENABLED: undefined })).toBe(true);
    expect(commandsEnabled({ ENVIRONMENT: 'production', MAPEK_GATEWAY_COMMANDS_ENABLED: undefined })).toBe(false);
    expect(commandsEnabled({ ENVIRONMENT: 'production', MAPEK_GATEWAY_COMMANDS_ENABLED: true })).toBe(true);
    expect(commandsEnabled({ ENVIRONMENT: 'development', MAPEK_GATEWAY_COMMANDS_ENABLED: false })).toBe(false);
  });
});
