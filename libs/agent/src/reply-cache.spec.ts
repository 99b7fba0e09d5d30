import { describe, expect, it } from '@jest/globals';
import type { ActuationReplyV1 } from '@mapek/contracts';
import { ReplyCache } from './reply-cache.js';

const reply = (requestId: string): Promise<ActuationReplyV1> => Promise.resolve({ requestId, ok: true, detail: 'done' });

describe('ReplyCache', () => {
  it('returns the reply stored for a requestId', async () => {
    const cache = new ReplyCache(2);
    cache.set('a', reply('a'));
    await expect(cache.get('a')).resolves.toMatchObject({ requestId: 'a' });
    expect(cache.get('b')).toBeUndefined();
  });

  it('evicts the oldest entries beyond its capacity', () => {
    const cache = new ReplyCache(2);
    cache.set('a', reply('a'));
    cache.set('b', reply('b'));
    cache.set('c', reply('c'));
    expect(cache.size).toBe(2);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('c')).toBeDefined();
  });
});
