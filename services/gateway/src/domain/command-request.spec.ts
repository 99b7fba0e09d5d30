import { describe, expect, it } from '@jest/globals';
import { authenticationProblem } from '../gateway.config.js';
import { MAX_COMMAND_PARAMS_BYTES, commandRequestSchema, commandSpecOf } from './command-request.js';

const reasonOf = (body: unknown): string => {
  const parsed = commandRequestSchema.safeParse(body);
  if (parsed.success) return 'accepted';
  return parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
};

describe('the manual command request', () => {
  it('fills in the defaults: no params, not a dry run; the actor comes from the caller', () => {
    const parsed = commandRequestSchema.parse({ target: 'demo-app', action: 'clear_cache', reason: ' leak ' });
    expect(parsed.actor).toBeUndefined();
    expect(commandSpecOf({ ...parsed, actor: 'alice' })).toEqual({
      action: 'clear_cache',
      params: {},
      reason: 'leak',
      actor: 'alice',
      dryRun: false,
    });
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
    expect(reasonOf({ target: 't', action: 'clear_cache', reason: 'r', params: { blob: 'x'.repeat(MAX_COMMAND_PARAMS_BYTES) } })).toMatch(
      /^params: at most/,
    );
  });
});

describe('authentication in production', () => {
  it('refuses production without an API keys file and accepts development without one', () => {
    expect(authenticationProblem({ ENVIRONMENT: 'production', PQC_REQUIRED: false, MAPEK_GATEWAY_API_KEYS_FILE: undefined })).toMatch(
      /MAPEK_GATEWAY_API_KEYS_FILE is required in production/,
    );
    expect(authenticationProblem({ ENVIRONMENT: 'development', PQC_REQUIRED: true, MAPEK_GATEWAY_API_KEYS_FILE: undefined })).toMatch(
      /required/,
    );
    expect(
      authenticationProblem({ ENVIRONMENT: 'production', PQC_REQUIRED: false, MAPEK_GATEWAY_API_KEYS_FILE: '/etc/mapek/api-keys.json' }),
    ).toBeUndefined();
    expect(
      authenticationProblem({ ENVIRONMENT: 'development', PQC_REQUIRED: false, MAPEK_GATEWAY_API_KEYS_FILE: undefined }),
    ).toBeUndefined();
  });
});
