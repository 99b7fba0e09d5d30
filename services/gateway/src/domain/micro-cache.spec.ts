import { describe, expect, it } from '@jest/globals';
import { MicroCache } from './micro-cache.js';

/** A backend whose answers the test releases by hand, counting the calls. */
function backend() {
  const calls: Array<{ key: string; resolve: (value: string) => void; reject: (error: Error) => void }> = [];
  const load = (key: string) => () =>
    new Promise<string>((resolve, reject) => {
      calls.push({ key, resolve, reject });
    });
  return { calls, load };
}

function clock(start = 1_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('MicroCache', () => {
  it('lets concurrent identical questions share one backend call', async () => {
    const { calls, load } = backend();
    const cache = new MicroCache<string>({ ttlMs: 250 });
    const answers = Promise.all(Array.from({ length: 50 }, () => cache.get('incidents?limit=20', load('a'))));
    expect(calls).toHaveLength(1);
    calls[0]?.resolve('list');
    const settled = await answers;
    expect(settled.map((answer) => answer.value)).toEqual(Array.from({ length: 50 }, () => 'list'));
    expect(settled.filter((answer) => answer.source === 'miss')).toHaveLength(1);
    expect(settled.filter((answer) => answer.source === 'shared')).toHaveLength(49);
  });

  it('answers from the store within the TTL, with the age, and asks the backend again after it', async () => {
    const time = clock();
    const { calls, load } = backend();
    const cache = new MicroCache<string>({ ttlMs: 250, now: time.now });
    const first = cache.get('q', load('q'));
    time.advance(5); // the backend takes 5 ms
    calls[0]?.resolve('v1');
    expect(await first).toEqual({ value: 'v1', ageMs: 5, source: 'miss' });
    time.advance(200);
    expect(await cache.get('q', load('q'))).toEqual({ value: 'v1', ageMs: 205, source: 'hit' });
    time.advance(45); // 250 ms since the question that loaded it
    const again = cache.get('q', load('q'));
    expect(calls).toHaveLength(2);
    calls[1]?.resolve('v2');
    expect(await again).toMatchObject({ value: 'v2', source: 'miss' });
  });

  it('keeps different keys apart', async () => {
    const { calls, load } = backend();
    const cache = new MicroCache<string>({ ttlMs: 250 });
    const viewer = cache.get('role=viewer q', load('viewer'));
    const admin = cache.get('role=admin q', load('admin'));
    expect(calls.map((call) => call.key)).toEqual(['viewer', 'admin']);
    calls[0]?.resolve('viewer view');
    calls[1]?.resolve('admin view');
    expect((await viewer).value).toBe('viewer view');
    expect((await admin).value).toBe('admin view');
  });

  it('stores no failure: everyone waiting on it gets the error, the next question tries again', async () => {
    const { calls, load } = backend();
    const cache = new MicroCache<string>({ ttlMs: 250 });
    const waiting = [cache.get('q', load('q')), cache.get('q', load('q'))];
    calls[0]?.reject(new Error('knowledge did not answer in time'));
    for (const answer of waiting) await expect(answer).rejects.toThrow('knowledge did not answer in time');
    const retry = cache.get('q', load('q'));
    expect(calls).toHaveLength(2);
    calls[1]?.resolve('v');
    expect((await retry).value).toBe('v');
  });

  it('with a TTL of 0 sends every question to the backend and shares nothing', async () => {
    const { calls, load } = backend();
    const cache = new MicroCache<string>({ ttlMs: 0 });
    const answers = Promise.all([cache.get('q', load('q')), cache.get('q', load('q'))]);
    expect(calls).toHaveLength(2);
    calls.forEach((call, index) => call.resolve(`v${index}`));
    expect((await answers).map((answer) => [answer.value, answer.source])).toEqual([
      ['v0', 'miss'],
      ['v1', 'miss'],
    ]);
  });

  it('keeps at most maxEntries answers, dropping the oldest first', async () => {
    const time = clock();
    let loads = 0;
    const cache = new MicroCache<string>({ ttlMs: 10_000, maxEntries: 2, now: time.now });
    const get = (key: string) =>
      cache.get(key, () => {
        loads += 1;
        return Promise.resolve(key);
      });
    await get('a');
    await get('b');
    await get('c'); // a goes
    expect(loads).toBe(3);
    await get('c');
    await get('b');
    expect(loads).toBe(3);
    await get('a');
    expect(loads).toBe(4);
  });
});
