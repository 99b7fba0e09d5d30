import type { FastifyInstance } from 'fastify';
import type { WebSocket } from 'ws';
import type { Logger } from '@mapek/observability';
import type { EventFeed } from '../adapters/event-feed.js';
import type { FlagFrame } from '../adapters/flags.feed.js';
import { WEBSOCKET_PROTOCOL } from '../domain/api-key.verifier.js';
import { principalOf } from './access-control.js';

export interface WebSocketOptions {
  readonly allowedOrigins: readonly string[];
  readonly maxFrameBytes: number;
  /** Clients that cannot keep up are cut off rather than buffered without bound. */
  readonly maxBufferedBytes?: number;
  /** Runtime flag changes, sent as `{"type":"flag","key","record"}` frames. */
  readonly flags?: { subscribe(listener: (frame: FlagFrame) => void): () => void };
}

/**
 * The subprotocol answered to a browser that offers `mapek.v1` (and its key as
 * `mapek.bearer.<token>`): never a bearer entry, so the key is not echoed back. Clients that offer
 * none get none.
 */
export function selectWebSocketProtocol(offered: Set<string>): string | false {
  return offered.has(WEBSOCKET_PROTOCOL) ? WEBSOCKET_PROTOCOL : false;
}

/**
 * `GET /ws`: streams every loop event as `{"subject": …, "event": <envelope>}`, and runtime flag
 * changes as `{"type": "flag", …}`. Browsers must come
 * from an allowed Origin (non-browser clients send none); frames from clients are capped and ignored
 * except `ping`. Access control (API key or token, role `read`) ran before the upgrade
 * (access-control.ts); the socket is closed (1008) when that credential expires.
 */
export function registerWebSocket(app: FastifyInstance, feed: EventFeed, logger: Logger, options: WebSocketOptions): void {
  app.get('/ws', { websocket: true }, (socket: WebSocket, request) => {
    const origin = request.headers.origin;
    // The gateway's own console (same scheme, host and port) is always allowed; other browser
    // origins only when listed.
    const own = `${request.protocol}://${request.headers.host ?? ''}`;
    if (origin && origin !== own && !options.allowedOrigins.includes(origin)) {
      logger.warn({ origin }, 'websocket origin refused');
      socket.close(1008, 'origin not allowed');
      return;
    }
    const limit = options.maxBufferedBytes ?? 8 * 1024 * 1024;
    const send = (frame: object) => {
      if (socket.readyState !== socket.OPEN) return;
      if (socket.bufferedAmount > limit) {
        socket.close(1013, 'client too slow');
        return;
      }
      socket.send(JSON.stringify(frame));
    };
    // The key or token was checked at the upgrade only: the stream ends when it would be refused.
    const expiresAt = principalOf(request)?.expiresAt;
    const expiry =
      expiresAt === undefined
        ? undefined
        : setTimeout(() => socket.close(1008, 'credentials expired'), Math.min(Math.max(0, expiresAt - Date.now()), 2_147_000_000));
    const unsubscribeEvents = feed.subscribe(send);
    const unsubscribeFlags = options.flags?.subscribe(send);
    const unsubscribe = () => {
      clearTimeout(expiry);
      unsubscribeEvents();
      unsubscribeFlags?.();
    };
    socket.on('message', (data: Buffer) => {
      if (data.toString() === 'ping') socket.send(JSON.stringify({ type: 'pong' }));
    });
    socket.on('close', unsubscribe);
    socket.on('error', unsubscribe);
    socket.send(JSON.stringify({ type: 'hello', time: new Date().toISOString() }));
  });
}
