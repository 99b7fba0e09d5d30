import { describe, expect, it } from '@jest/globals';
import { cacheHeaders } from './cache-headers.js';

describe('the headers of a list answer the gateway may have reused', () => {
  it('say a stored answer is private, how long the gateway reuses it and how old it is', () => {
    expect(cacheHeaders({ value: [], ageMs: 2400, source: 'hit' }, 5000)).toEqual({
      'cache-control': 'private, max-age=5',
      age: '2',
      'cache-status': 'mapek-gateway; hit',
    });
  });

  it('round a sub-second TTL down, so no client reuses an answer longer than the gateway would', () => {
    expect(cacheHeaders({ value: [], ageMs: 180, source: 'hit' }, 250)).toMatchObject({ 'cache-control': 'private, max-age=0', age: '0' });
  });

  it('tell a fresh answer from one that joined a request already in flight (RFC 9211)', () => {
    expect(cacheHeaders({ value: [], ageMs: 3, source: 'miss' }, 250)['cache-status']).toBe('mapek-gateway; fwd=uri-miss; stored');
    expect(cacheHeaders({ value: [], ageMs: 3, source: 'shared' }, 250)['cache-status']).toBe('mapek-gateway; fwd=uri-miss; collapsed');
  });
});
