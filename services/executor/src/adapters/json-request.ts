import type { ClientRequest, IncomingMessage, OutgoingHttpHeaders, RequestOptions } from 'node:http';
import { SpanKind, httpClientAttributes, inRecordedChildSpan, injectTraceContext, setHttpResponseStatus } from '@mapek/observability';

/** Starts a request where the caller's API lives: `node:http` or `node:https`, a URL or a Unix socket, TLS settings. */
export type OpenRequest = (options: RequestOptions, onAnswer: (answer: IncomingMessage) => void) => ClientRequest;

export interface JsonRequest {
  readonly method: string;
  /** Where it goes, for its span (`url.full`, `server.address`); a Unix socket's API names its host, e.g. `http://docker/containers/…`. */
  readonly url: string | URL;
  readonly headers: OutgoingHttpHeaders;
  /** Sent as JSON; none, no body. */
  readonly body?: unknown;
  /** The body's content type; by default `application/json` (a patch has its own). */
  readonly contentType?: string;
  readonly timeoutMs: number;
}

/** The errors a request that got no answer fails with, in the caller's own terms. */
export interface RequestFailures {
  timedOut(): Error;
  unreachable(cause: Error): Error;
}

/** An HTTP answer, whatever its status; its body as text, for the caller to read as its API writes it. */
export interface HttpAnswer {
  readonly status: number;
  readonly text: string;
}

/**
 * One request to a JSON HTTP API (the Docker engine, the Kubernetes API server): the body as JSON
 * with its length, a deadline for the whole exchange, and the answer collected as text. It
 * rejects only when no answer came: `failures.timedOut()` past the deadline, `failures.unreachable`
 * when the connection failed.
 *
 * Under a recorded span (the effector's) it is a CLIENT span of its own, named by its method
 * (OpenTelemetry's HTTP conventions), and the request carries its `traceparent`.
 */
export function sendJson(open: OpenRequest, call: JsonRequest, failures: RequestFailures): Promise<HttpAnswer> {
  return inRecordedChildSpan(
    call.method,
    { kind: SpanKind.CLIENT, attributes: httpClientAttributes(call.method, call.url) },
    async (span) => {
      const answer = await exchange(open, call, failures, span !== undefined);
      setHttpResponseStatus(span, answer.status);
      return answer;
    },
  );
}

function exchange(open: OpenRequest, call: JsonRequest, failures: RequestFailures, traced: boolean): Promise<HttpAnswer> {
  const payload = call.body === undefined ? undefined : Buffer.from(JSON.stringify(call.body));
  const headers: OutgoingHttpHeaders = {
    ...call.headers,
    ...(payload ? { 'content-type': call.contentType ?? 'application/json', 'content-length': payload.length } : {}),
  };
  if (traced) injectTraceContext({ set: (name, value) => (headers[name] = value) });
  return new Promise<HttpAnswer>((resolve, reject) => {
    let timedOut: Error | undefined;
    const req = open({ method: call.method, headers, timeout: call.timeoutMs }, (answer) => {
      const chunks: Buffer[] = [];
      answer.on('data', (chunk: Buffer) => chunks.push(chunk));
      answer.on('end', () => resolve({ status: answer.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      answer.on('error', (error) => reject(failures.unreachable(error)));
    });
    req.on('timeout', () => req.destroy((timedOut = failures.timedOut())));
    req.on('error', (error) => reject(error === timedOut ? error : failures.unreachable(error)));
    req.end(payload);
  });
}
