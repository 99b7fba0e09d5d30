import { describe, expect, it } from '@jest/globals';
import { expandCommand } from './command-template.js';

describe('allow-listed command templates', () => {
  const flush = {
    argv: ['/usr/bin/cache-tool', 'flush', '--region={region}', '{count}'],
    allow: { region: '[a-z]+-\\d', count: '\\d{1,3}' },
  };

  it('fills each placeholder with a param that matches its pattern whole', () => {
    expect(expandCommand(flush, { region: 'eu-1', count: 12 })).toEqual({
      ok: true,
      argv: ['/usr/bin/cache-tool', 'flush', '--region=eu-1', '12'],
    });
  });

  it('refuses a value that matches only a part of the pattern', () => {
    const expanded = expandCommand(flush, { region: 'eu-1; rm -rf /', count: 1 });
    expect(expanded).toEqual({ ok: false, problem: 'param region="eu-1; rm -rf /" does not match [a-z]+-\\d' });
  });

  it('refuses an alternation that would match outside the anchors', () => {
    const loose = { argv: ['echo', '{word}'], allow: { word: 'a|b' } };
    expect(expandCommand(loose, { word: 'xa' }).ok).toBe(false);
    expect(expandCommand(loose, { word: 'b' }).ok).toBe(true);
  });

  it('refuses a missing param and a placeholder without a pattern', () => {
    expect(expandCommand(flush, { region: 'eu-1' })).toEqual({ ok: false, problem: 'param count is missing' });
    expect(expandCommand({ argv: ['echo', '{free}'], allow: {} }, { free: 'x' })).toEqual({
      ok: false,
      problem: 'placeholder {free} has no allow pattern',
    });
  });
});
