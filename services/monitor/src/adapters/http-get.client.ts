import net from 'node:net';
import tls from 'node:tls';
import { MapekError } from '@mapek/contracts';

/**
 * A GET-only HTTP/1.1 client over plain sockets, with a small keep-alive pool per origin: what the
 * monitor needs to scrape and probe a thousand targets a second. `node:http`'s client keeps ~5 KB
 * more of V8 heap per kept connection than the socket itself, and an `IncomingMessage` stream
 * per answer (load report §18: the monitor's HTTP client alone, 1,000 targets); this keeps a
 * socket, a few fields, and the parse state of the answer in flight.
 *
 * It speaks what scrape targets and health endpoints answer: a status line, headers, a body by
 * `content-length`, `transfer-encoding: chunked` or the connection's close; informational (1xx)
 * heads are skipped. No request body, no compression asked for, no pipelining: one exchange at a
 * time per connection.
 */

/** Why a GET got no answer, told apart by the caller. Retryable: a target is asked again next interval. */
export class HttpGetError extends MapekError {
  readonly retryable = true;
  constructor(
    readonly code: 'unreachable' | 'too_large' | 'malformed',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Where a GET goes: made once per URL (`prepareGet`) and used for every request of it. */
export interface PreparedGet {
  readonly origin: Origin;
  /** The request's bytes, written as they are. */
  readonly head: Buffer;
}

export interface GetAnswer {
  readonly status: number;
  /** The `location` header, when the answer had one. */
  readonly location: string | undefined;
  /** The body as UTF-8 text; empty when it was not asked for. */
  readonly body: string;
}

/** A GET in flight: its answer, and `abort` to give it up (the connection is closed). */
export interface GetExchange {
  readonly answer: Promise<GetAnswer>;
  abort(): void;
}

interface Origin {
  readonly secure: boolean;
  readonly host: string;
  readonly port: number;
  /** TLS server name (SNI), for a host name; none for an IP address. */
  readonly servername: string | undefined;
  /** Kept connections, the last one kept first (LIFO: the others close on the idle timeout). */
  readonly idle: Connection[];
}

/** At most this many idle connections are kept per origin: a target's scrape and its probe. */
const MAX_IDLE_PER_ORIGIN = 2;
/** A kept connection unused this long is closed. */
const IDLE_TIMEOUT_MS = 30_000;
/** An answer's status line and headers larger than this are refused (`node:http` allows 16 KB). */
const MAX_HEAD_BYTES = 64 * 1024;
const HEAD_END = Buffer.from('\r\n\r\n');
const CRLF = Buffer.from('\r\n');

/** Origins requested before; past this many, those with no kept connection are forgotten. */
const MAX_ORIGINS = 10_000;
const origins = new Map<string, Origin>();

/**
 * The request of a GET of `url` with `accept` (none: no header), as bytes, and the origin whose
 * kept connections it may use. A URL parsed by WHATWG rules carries no spaces or line breaks in
 * its host or path.
 */
export function prepareGet(url: URL, accept: string | undefined): PreparedGet {
  const secure = url.protocol === 'https:';
  const port = url.port === '' ? (secure ? 443 : 80) : Number(url.port);
  // An IPv6 literal comes bracketed in `hostname`; the socket wants it bare.
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const key = `${secure ? 's' : 'p'}|${host}|${port}`;
  let origin = origins.get(key);
  if (origin === undefined) {
    if (origins.size >= MAX_ORIGINS) for (const [known, { idle }] of origins) if (idle.length === 0) origins.delete(known);
    origin = { secure, host, port, servername: net.isIP(host) === 0 ? host : undefined, idle: [] };
    origins.set(key, origin);
  }
  const lines = [`GET ${url.pathname}${url.search} HTTP/1.1`, `Host: ${url.host}`, 'User-Agent: mapek-monitor'];
  if (accept !== undefined) lines.push(`Accept: ${accept}`);
  return { origin, head: Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1') };
}

/**
 * Sends a prepared GET on a kept connection of its origin, or a new one. A kept connection that
 * fails before any byte of the answer (the server closed it while it was idle) is replaced by a
 * new one once: a GET may be sent again.
 */
export function get(prepared: PreparedGet, readBody: boolean, maxBodyBytes: number): GetExchange {
  let current: Connection | undefined;
  let aborted = false;
  const answer = new Promise<GetAnswer>((resolve, reject) => {
    const attempt = (retryStale: boolean) => {
      const kept = prepared.origin.idle.pop();
      const connection = kept ?? new Connection(prepared.origin);
      current = connection;
      connection.send(prepared.head, readBody, maxBodyBytes, (error, result) => {
        if (aborted) return;
        if (error === undefined) resolve(result as GetAnswer);
        else if (retryStale && kept !== undefined && !connection.answered) attempt(false);
        else reject(error);
      });
    };
    attempt(true);
  });
  return {
    answer,
    abort() {
      aborted = true;
      current?.close();
    },
  };
}

type Done = (error: Error | undefined, answer?: GetAnswer) => void;

const enum Phase {
  head,
  fixed,
  chunkSize,
  chunkData,
  chunkEnd,
  trailers,
  untilClose,
  /** The answer is whole. */
  whole,
}

/** One socket to an origin, and the parse state of the answer it waits for. */
class Connection {
  private readonly socket: net.Socket;
  private done: Done | undefined;
  private readBody = false;
  private maxBodyBytes = 0;
  /** Whether any byte of the current answer came. */
  answered = false;
  private phase = Phase.head;
  /** Bytes of a head, a chunk-size line or trailers not yet complete. */
  private pending: Buffer | undefined;
  private status = 0;
  private location: string | undefined;
  private keepAlive = false;
  /** Body bytes still to come: of the body (`fixed`) or of the current chunk. */
  private remaining = 0;
  private bodyBytes = 0;
  private chunks: Buffer[] = [];

  constructor(private readonly origin: Origin) {
    const { host, port, servername } = origin;
    this.socket = origin.secure
      ? tls.connect({ host, port, ...(servername ? { servername } : {}), ALPNProtocols: ['http/1.1'] })
      : net.connect({ host, port });
    this.socket.setNoDelay(true);
    this.socket.setKeepAlive(true, 1000);
    this.socket.on('data', (data: Buffer) => this.receive(data));
    this.socket.on('end', () => this.ended());
    this.socket.on('error', (error) => this.fail(new HttpGetError('unreachable', error.message, { cause: error })));
    this.socket.on('close', () => this.fail(new HttpGetError('unreachable', 'connection closed before the answer was complete')));
    this.socket.on('timeout', () => this.close());
  }

  send(head: Buffer, readBody: boolean, maxBodyBytes: number, done: Done): void {
    this.done = done;
    this.readBody = readBody;
    this.maxBodyBytes = maxBodyBytes;
    this.answered = false;
    this.phase = Phase.head;
    this.status = 0;
    this.location = undefined;
    this.bodyBytes = 0;
    this.chunks = [];
    this.socket.setTimeout(0);
    this.socket.ref();
    this.socket.write(head);
  }

  close(): void {
    this.socket.destroy();
  }

  private receive(data: Buffer): void {
    if (this.done === undefined) {
      // Bytes nobody asked for: the connection is out of step.
      this.close();
      return;
    }
    this.answered = true;
    let at = 0;
    while (at < data.length && this.done !== undefined) {
      switch (this.phase) {
        case Phase.head: {
          const end = this.lineUntil(data, at, HEAD_END, MAX_HEAD_BYTES);
          if (end === undefined) return;
          at = end.next;
          const next = this.readHead(end.text);
          if (next === undefined) return;
          if (next === Phase.whole) this.complete(at === data.length);
          break;
        }
        case Phase.fixed:
          at = this.bodyPart(data, at);
          if (this.remaining === 0) this.complete(at === data.length);
          break;
        case Phase.chunkSize: {
          const end = this.lineUntil(data, at, CRLF, 1024);
          if (end === undefined) return;
          at = end.next;
          const size = Number.parseInt(end.text.split(';', 1)[0] ?? '', 16);
          if (!Number.isSafeInteger(size) || size < 0)
            return this.fail(new HttpGetError('malformed', `bad chunk size ${JSON.stringify(end.text)}`));
          this.remaining = size;
          this.phase = size === 0 ? Phase.trailers : Phase.chunkData;
          break;
        }
        case Phase.chunkData:
          at = this.bodyPart(data, at);
          if (this.remaining === 0) this.phase = Phase.chunkEnd;
          break;
        case Phase.chunkEnd: {
          const end = this.lineUntil(data, at, CRLF, 2);
          if (end === undefined) return;
          at = end.next;
          if (end.text !== '') return this.fail(new HttpGetError('malformed', 'a chunk not followed by CRLF'));
          this.phase = Phase.chunkSize;
          break;
        }
        case Phase.trailers: {
          const end = this.lineUntil(data, at, CRLF, MAX_HEAD_BYTES);
          if (end === undefined) return;
          at = end.next;
          if (end.text === '') this.complete(at === data.length);
          break;
        }
        case Phase.untilClose:
          this.body(data, at, data.length - at);
          at = data.length;
          break;
        case Phase.whole:
          return;
      }
    }
  }

  /**
   * The text before `delimiter` from `data` at `at` (with what an earlier piece left pending), and
   * where the bytes after it start; undefined while the delimiter has not come (kept pending).
   */
  private lineUntil(data: Buffer, at: number, delimiter: Buffer, limit: number): { text: string; next: number } | undefined {
    const pending = this.pending;
    const view = pending === undefined ? data.subarray(at) : Buffer.concat([pending, data.subarray(at)]);
    const index = view.indexOf(delimiter);
    if (index < 0) {
      if (view.length > limit) this.fail(new HttpGetError('malformed', `no end of line within ${limit} bytes`));
      else this.pending = Buffer.from(view);
      return undefined;
    }
    if (index > limit) {
      this.fail(new HttpGetError('malformed', `no end of line within ${limit} bytes`));
      return undefined;
    }
    this.pending = undefined;
    const consumedBefore = pending?.length ?? 0;
    return { text: view.toString('latin1', 0, index), next: at + index + delimiter.length - consumedBefore };
  }

  /** Reads a status line and headers: the phase that comes next, or undefined when the answer was refused. */
  private readHead(text: string): Phase | undefined {
    const lines = text.split('\r\n');
    const statusLine = /^HTTP\/1\.([01]) (\d{3})(?: |$)/.exec(lines[0] ?? '');
    if (statusLine === null) {
      this.fail(new HttpGetError('malformed', `not an HTTP/1 answer: ${JSON.stringify((lines[0] ?? '').slice(0, 80))}`));
      return undefined;
    }
    const status = Number(statusLine[2]);
    // An informational head (100 Continue, 103 Early Hints) comes before the answer's own.
    if (status >= 100 && status < 200 && status !== 101) return Phase.head;
    let contentLength: number | undefined;
    let chunked = false;
    let connection = '';
    let location: string | undefined;
    for (let index = 1; index < lines.length; index += 1) {
      const line = lines[index] as string;
      const colon = line.indexOf(':');
      if (colon <= 0) {
        this.fail(new HttpGetError('malformed', `bad header line ${JSON.stringify(line.slice(0, 80))}`));
        return undefined;
      }
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      if (name === 'content-length') {
        const length = /^\d+$/.test(value) ? Number(value) : NaN;
        if (!Number.isSafeInteger(length) || (contentLength !== undefined && contentLength !== length)) {
          this.fail(new HttpGetError('malformed', `bad content-length ${JSON.stringify(value)}`));
          return undefined;
        }
        contentLength = length;
      } else if (name === 'transfer-encoding') chunked = value.toLowerCase().split(',').pop()?.trim() === 'chunked';
      else if (name === 'connection') connection += `,${value.toLowerCase()}`;
      else if (name === 'location') location = value;
    }
    const tokens = connection.split(',').map((token) => token.trim());
    this.keepAlive = statusLine[1] === '1' ? !tokens.includes('close') : tokens.includes('keep-alive');
    this.status = status;
    this.location = location;
    if (status === 204 || status === 304 || contentLength === 0) this.phase = Phase.whole;
    else if (chunked) this.phase = Phase.chunkSize;
    else if (contentLength !== undefined) {
      this.remaining = contentLength;
      this.phase = Phase.fixed;
    } else {
      this.keepAlive = false;
      this.phase = Phase.untilClose;
    }
    return this.phase;
  }

  /** Takes what `data` holds of the `remaining` body bytes from `at`; where the rest starts. */
  private bodyPart(data: Buffer, at: number): number {
    const take = Math.min(this.remaining, data.length - at);
    this.body(data, at, take);
    this.remaining -= take;
    return at + take;
  }

  private body(data: Buffer, at: number, length: number): void {
    if (length === 0) return;
    this.bodyBytes += length;
    if (this.bodyBytes > this.maxBodyBytes) {
      this.fail(new HttpGetError('too_large', `more than ${this.maxBodyBytes} bytes`));
      return;
    }
    // A slice of the socket's buffer: copied only when the body is put together.
    if (this.readBody) this.chunks.push(data.subarray(at, at + length));
  }

  /**
   * The answer is whole: it goes to its caller, and the connection back to the pool, unless the
   * server said it closes it or sent bytes after the answer (out of step).
   */
  private complete(nothingAfter: boolean): void {
    const done = this.done;
    if (done === undefined) return;
    this.done = undefined;
    const body = this.chunks.length === 0 ? '' : Buffer.concat(this.chunks, this.bodyBytes).toString('utf8');
    this.chunks = [];
    this.phase = Phase.whole;
    if (this.keepAlive && nothingAfter && this.origin.idle.length < MAX_IDLE_PER_ORIGIN && !this.socket.destroyed) {
      this.socket.setTimeout(IDLE_TIMEOUT_MS);
      this.socket.unref();
      this.origin.idle.push(this);
    } else {
      this.close();
    }
    done(undefined, { status: this.status, location: this.location, body });
  }

  /** The server ended the connection: an answer read until the close is whole; anything else failed. */
  private ended(): void {
    if (this.done !== undefined && this.phase === Phase.untilClose) {
      this.keepAlive = false;
      this.complete(false);
    }
  }

  private fail(error: Error): void {
    this.forget();
    const done = this.done;
    this.done = undefined;
    this.chunks = [];
    this.pending = undefined;
    this.socket.destroy();
    done?.(error);
  }

  /** Out of the pool, if it was kept there. */
  private forget(): void {
    const index = this.origin.idle.indexOf(this);
    if (index >= 0) this.origin.idle.splice(index, 1);
  }
}
