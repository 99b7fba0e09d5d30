import { describe, expect, it } from '@jest/globals';
import { loadConfig } from '@mapek/config';
import { plannerConfig } from './planner.config.js';

const demoteOn = (value: string | undefined) =>
  loadConfig(plannerConfig, { service: 'planner', env: value === undefined ? {} : { MAPEK_PLANNER_AUTONOMY_DEMOTE_ON: value } }).values
    .MAPEK_PLANNER_AUTONOMY_DEMOTE_ON;

describe('the outcomes that demote a remedy', () => {
  it('are ineffective and degradation when unset or empty (an empty variable is unset)', () => {
    expect(demoteOn(undefined)).toEqual(['ineffective', 'degradation']);
    expect(demoteOn('')).toEqual(['ineffective', 'degradation']);
  });

  it('are none with `none`, and the listed ones otherwise', () => {
    expect(demoteOn('none')).toEqual([]);
    expect(demoteOn(' partial , degradation')).toEqual(['partial', 'degradation']);
  });

  it('refuse an outcome that is not one', () => {
    expect(() => demoteOn('failed')).toThrow(/MAPEK_PLANNER_AUTONOMY_DEMOTE_ON/);
  });
});
