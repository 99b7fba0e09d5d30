import { describe, expect, it } from '@jest/globals';
import { GENESIS_HASH, chainHash, verifyChain, type AuditEntry } from './audit-chain.js';
import { insightsFrom } from './insights.js';

function chain(count: number) {
  const rows: Array<AuditEntry & { prevHash: string; hash: string }> = [];
  let previous = GENESIS_HASH;
  for (let seq = 1; seq <= count; seq++) {
    const entry = { seq, eventId: `e${seq}`, eventType: 'symptom', source: 'monitor', recordedAt: `t${seq}`, payloadSha256: `p${seq}` };
    const hash = chainHash(previous, entry);
    rows.push({ ...entry, prevHash: previous, hash });
    previous = hash;
  }
  return rows;
}

describe('audit chain', () => {
  it('verifies an untouched chain', () => expect(verifyChain(chain(5))).toEqual({ ok: true, checked: 5 }));

  it('finds the first edited row', () => {
    const rows = chain(5);
    rows[2] = { ...rows[2]!, payloadSha256: 'tampered' };
    expect(verifyChain(rows)).toEqual({ ok: false, checked: 2, brokenAt: 3 });
  });

  it('finds a removed row', () => {
    const rows = chain(5);
    rows.splice(1, 1);
    expect(verifyChain(rows).brokenAt).toBe(3);
  });
});

describe('insights', () => {
  it('recommend what works and flag what makes things worse', () => {
    const insights = insightsFrom([
      {
        cause: 'memory_leak',
        action: 'clear_cache',
        attempts: 6,
        successes: 5,
        partials: 0,
        ineffective: 1,
        degradations: 0,
        unknown: 0,
        ttrCount: 5,
        ttrSumMs: 24_000,
      },
      {
        cause: 'memory_leak',
        action: 'collect_garbage',
        attempts: 4,
        successes: 0,
        partials: 0,
        ineffective: 1,
        degradations: 3,
        unknown: 0,
        ttrCount: 0,
        ttrSumMs: 0,
      },
      {
        cause: 'latency',
        action: 'throttle_requests',
        attempts: 1,
        successes: 1,
        partials: 0,
        ineffective: 0,
        degradations: 0,
        unknown: 0,
        ttrCount: 0,
        ttrSumMs: 0,
      },
    ]);
    expect(insights).toHaveLength(2);
    expect(insights.find((i) => i.action === 'clear_cache')?.recommendation).toBe('prefer');
    expect(insights.find((i) => i.action === 'clear_cache')?.title).toBe(
      'clear_cache is 83% effective against memory_leak (n=6), stabilizes in ~4.8 s',
    );
    expect(insights.find((i) => i.action === 'collect_garbage')?.recommendation).toBe('avoid');
  });
});
