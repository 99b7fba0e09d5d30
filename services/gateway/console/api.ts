/** The gateway's API as the console uses it: the API key from sessionStorage, sent as a bearer token. */
const KEY_STORAGE = 'mapek.apiKey';

export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function storedKey(): string {
  return sessionStorage.getItem(KEY_STORAGE) ?? '';
}

export function storeKey(key: string): void {
  if (key) sessionStorage.setItem(KEY_STORAGE, key);
  else sessionStorage.removeItem(KEY_STORAGE);
}

export async function api<T>(path: string, init: { method?: 'GET' | 'POST'; body?: unknown } = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const key = storedKey();
  if (key) headers['authorization'] = `Bearer ${key}`;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(path, {
    method: init.method ?? 'GET',
    headers,
    credentials: 'omit',
    cache: 'no-store',
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
  const text = await response.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (!response.ok) {
    const error = (body ?? {}) as { error?: string; reason?: string };
    throw new ApiError(response.status, error.error ?? 'error', error.reason ?? `${response.status} ${response.statusText}`);
  }
  return body as T;
}

export type Frame =
  | { readonly type: 'hello' | 'pong'; readonly time?: string }
  | { readonly type: 'flag'; readonly key: string; readonly record: unknown }
  | { readonly subject: string; readonly event: LoopEvent };

export interface LoopEvent {
  readonly id: string;
  readonly type: string;
  readonly source: string;
  readonly time: string;
  readonly target: string;
  readonly incidentId?: string;
  readonly data: Record<string, unknown>;
}

/**
 * The live feed. A browser cannot set headers on a WebSocket, so the key travels as a subprotocol
 * (`mapek.bearer.<key>`, beside `mapek.v1`), over WSS like every request; the gateway never echoes it.
 */
export function openFeed(onFrame: (frame: Frame) => void, onState: (open: boolean) => void): () => void {
  let socket: WebSocket | undefined;
  let closed = false;
  let delay = 1000;
  let timer: number | undefined;
  const connect = () => {
    const key = storedKey();
    const url = `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/ws`;
    socket = new WebSocket(url, key ? ['mapek.v1', `mapek.bearer.${key}`] : ['mapek.v1']);
    socket.addEventListener('open', () => {
      delay = 1000;
      onState(true);
    });
    socket.addEventListener('message', (message: MessageEvent<string>) => {
      try {
        onFrame(JSON.parse(message.data) as Frame);
      } catch {
        // not a frame of ours
      }
    });
    socket.addEventListener('close', () => {
      onState(false);
      if (closed) return;
      timer = window.setTimeout(connect, delay);
      delay = Math.min(delay * 2, 15_000);
    });
  };
  connect();
  return () => {
    closed = true;
    window.clearTimeout(timer);
    socket?.close();
  };
}
