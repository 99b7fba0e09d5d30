import type { CachedAnswer } from '../domain/micro-cache.js';

/** The cache's name in `Cache-Status` (RFC 9211). */
const CACHE_NAME = 'mapek-gateway';

/**
 * The headers of an answer the gateway may have reused (domain/micro-cache.ts), telling the client
 * how stale it may be: `Cache-Control: private, max-age=<TTL>` (the gateway reuses an answer that
 * long; private, since it was answered to an authenticated caller, and whole seconds, as HTTP
 * counts, rounded down so no client reuses it longer than the gateway would), `Age` (whole
 * seconds since the gateway asked knowledge for it) and `Cache-Status` (RFC 9211: `hit`, or
 * forwarded, `stored` or `collapsed` into a request already in flight).
 */
export function cacheHeaders(answer: CachedAnswer<unknown>, ttlMs: number): Record<string, string> {
  const status =
    answer.source === 'hit'
      ? `${CACHE_NAME}; hit`
      : answer.source === 'shared'
        ? `${CACHE_NAME}; fwd=uri-miss; collapsed`
        : `${CACHE_NAME}; fwd=uri-miss; stored`;
  return {
    'cache-control': `private, max-age=${Math.floor(ttlMs / 1000)}`,
    age: String(Math.floor(answer.ageMs / 1000)),
    'cache-status': status,
  };
}
