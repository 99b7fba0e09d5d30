import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  context,
  propagation,
  trace,
  type Attributes,
  type Context,
  type Link,
  type Span,
  type TextMapGetter,
  type TextMapSetter,
  type Tracer,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter as OtlpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpProtobufExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  TracerProvider,
  type Sampler,
} from '@opentelemetry/sdk-trace';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';

export { SpanKind } from '@opentelemetry/api';
export type { Span, Attributes } from '@opentelemetry/api';

/** The OTLP encodings the exporter speaks (OTEL_EXPORTER_OTLP_PROTOCOL); gRPC is not offered. */
export const OtlpProtocol = { protobuf: 'http/protobuf', json: 'http/json' } as const;
export type OtlpProtocol = (typeof OtlpProtocol)[keyof typeof OtlpProtocol];

/** The standard OTEL_TRACES_SAMPLER values mapek accepts. */
export const TraceSamplerName = {
  alwaysOn: 'always_on',
  alwaysOff: 'always_off',
  ratio: 'traceidratio',
  parentAlwaysOn: 'parentbased_always_on',
  parentAlwaysOff: 'parentbased_always_off',
  parentRatio: 'parentbased_traceidratio',
} as const;
export type TraceSamplerName = (typeof TraceSamplerName)[keyof typeof TraceSamplerName];

export interface TracingSettings {
  /** `service.name` of every span (OTEL_SERVICE_NAME overrides it). */
  readonly service: string;
  readonly instance: string;
  readonly version?: string;
  /**
   * Where spans go: the full OTLP/HTTP traces URL (`…/v1/traces`). Unset: no exporter, no span is
   * recorded, and trace context is still propagated (so log lines keep their trace ids).
   */
  readonly tracesUrl: string | undefined;
  readonly protocol: OtlpProtocol;
  readonly sampler: TraceSamplerName;
  /** The ratio of the `*traceidratio` samplers, 0..1. */
  readonly samplerRatio: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** How long spans wait in the batch before export (ms). */
  readonly exportDelayMs?: number;
}

export interface Tracing {
  /** True when spans are exported. */
  readonly exporting: boolean;
  /** Exports what is buffered (at shutdown; tests). */
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}

/** The traces URL from the standard variables: the signal-specific one as is, else the base endpoint + `/v1/traces`. */
export function otlpTracesUrl(endpoint: string | undefined, tracesEndpoint: string | undefined): string | undefined {
  if (tracesEndpoint) return tracesEndpoint;
  if (!endpoint) return undefined;
  return `${endpoint.replace(/\/+$/, '')}/v1/traces`;
}

/** `OTEL_EXPORTER_OTLP_HEADERS`: `key=value` pairs, comma separated, values URL-encoded. */
export function parseOtlpHeaders(value: string | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const pair of (value ?? '').split(',')) {
    const at = pair.indexOf('=');
    if (at <= 0) continue;
    headers[decodeURIComponent(pair.slice(0, at).trim())] = decodeURIComponent(pair.slice(at + 1).trim());
  }
  return headers;
}

function samplerOf(name: TraceSamplerName, ratio: number): Sampler {
  switch (name) {
    case TraceSamplerName.alwaysOn:
      return new AlwaysOnSampler();
    case TraceSamplerName.alwaysOff:
      return new AlwaysOffSampler();
    case TraceSamplerName.ratio:
      return new TraceIdRatioBasedSampler(ratio);
    case TraceSamplerName.parentAlwaysOn:
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case TraceSamplerName.parentAlwaysOff:
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case TraceSamplerName.parentRatio:
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio) });
  }
}

/** The standard `OTEL_*` variables mapek honours, once validated (libs/config `tracingConfig` declares them). */
export interface OtelVariables {
  readonly OTEL_EXPORTER_OTLP_ENDPOINT?: string | undefined;
  readonly OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?: string | undefined;
  readonly OTEL_EXPORTER_OTLP_PROTOCOL: OtlpProtocol;
  readonly OTEL_EXPORTER_OTLP_TRACES_PROTOCOL?: OtlpProtocol | undefined;
  readonly OTEL_EXPORTER_OTLP_HEADERS?: string | undefined;
  readonly OTEL_TRACES_EXPORTER: 'otlp' | 'none';
  readonly OTEL_SDK_DISABLED: boolean;
  readonly OTEL_TRACES_SAMPLER: TraceSamplerName;
  readonly OTEL_TRACES_SAMPLER_ARG: number;
  readonly OTEL_BSP_SCHEDULE_DELAY: number;
}

/** Tracing settings from the standard variables: spans are exported only when an endpoint is set and nothing turns the exporter off. */
export function tracingSettingsOf(service: string, instance: string, otel: OtelVariables, version?: string): TracingSettings {
  const off = otel.OTEL_SDK_DISABLED || otel.OTEL_TRACES_EXPORTER === 'none';
  return {
    service,
    instance,
    ...(version ? { version } : {}),
    tracesUrl: off ? undefined : otlpTracesUrl(otel.OTEL_EXPORTER_OTLP_ENDPOINT, otel.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT),
    protocol: otel.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? otel.OTEL_EXPORTER_OTLP_PROTOCOL,
    sampler: otel.OTEL_TRACES_SAMPLER,
    samplerRatio: otel.OTEL_TRACES_SAMPLER_ARG,
    headers: parseOtlpHeaders(otel.OTEL_EXPORTER_OTLP_HEADERS),
    exportDelayMs: otel.OTEL_BSP_SCHEDULE_DELAY,
  };
}

let active: Tracing | undefined;

/**
 * Sets up tracing for the process, once, before anything publishes: the AsyncLocalStorage context
 * manager, the W3C `traceparent` propagator and a tracer provider whose `service.name` is the
 * service. With a traces URL, spans are batched and exported over OTLP/HTTP (protobuf or JSON).
 * Without one no span is recorded: roots are not sampled (their trace ids still reach the logs
 * and the next hop) and nothing is exported, so tracing costs a few random ids per message.
 */
export function startTracing(settings: TracingSettings): Tracing {
  if (active) return active;
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  const resource = resourceFromAttributes({
    [ATTR_SERVICE_NAME]: process.env['OTEL_SERVICE_NAME'] || settings.service,
    'service.namespace': 'mapek',
    'service.instance.id': settings.instance,
    ...(settings.version ? { [ATTR_SERVICE_VERSION]: settings.version } : {}),
  });
  const exporting = settings.tracesUrl !== undefined;
  let provider: TracerProvider;
  if (settings.tracesUrl !== undefined) {
    const exporterConfig = { url: settings.tracesUrl, headers: { ...settings.headers } };
    const exporter =
      settings.protocol === OtlpProtocol.json ? new OtlpJsonExporter(exporterConfig) : new OtlpProtobufExporter(exporterConfig);
    provider = new TracerProvider({
      resource,
      sampler: samplerOf(settings.sampler, settings.samplerRatio),
      spanProcessors: [new BatchSpanProcessor({ exporter, scheduledDelayMillis: settings.exportDelayMs ?? 1000 })],
    });
  } else {
    // A sampled parent from another service is honoured (its children carry the sampled flag on),
    // but nothing here starts a recorded trace and nothing is exported.
    provider = new TracerProvider({ resource, sampler: new ParentBasedSampler({ root: new AlwaysOffSampler() }) });
  }
  trace.setGlobalTracerProvider(provider);
  active = {
    exporting,
    forceFlush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
  return active;
}

const TRACER_NAME = '@mapek/observability';

function tracer(): Tracer {
  return trace.getTracer(TRACER_NAME);
}

/** The trace and span ids of the active span, for log lines. */
export function activeTraceIds(): { traceId?: string; spanId?: string } {
  const span = trace.getActiveSpan();
  if (!span) return {};
  const { traceId, spanId } = span.spanContext();
  return trace.isSpanContextValid(span.spanContext()) ? { traceId, spanId } : {};
}

/** Reads and writes a carrier of string headers (NATS or HTTP) by name. */
export interface HeaderCarrier {
  get(name: string): string | undefined;
  set(name: string, value: string): void;
}

const carrierGetter: TextMapGetter<HeaderCarrier> = {
  get: (carrier, key) => carrier.get(key),
  keys: () => ['traceparent', 'tracestate'],
};

const carrierSetter: TextMapSetter<HeaderCarrier> = {
  set: (carrier, key, value) => carrier.set(key, value),
};

/** The context a message's or request's headers carry (their `traceparent`), under `base` (default: none). */
export function extractTraceContext(carrier: Pick<HeaderCarrier, 'get'>, base: Context = ROOT_CONTEXT): Context {
  return propagation.extract(base, { get: carrier.get, set: () => undefined }, carrierGetter);
}

/** Writes the span's context (or the active one) as `traceparent` into outgoing headers. */
export function injectTraceContext(carrier: Pick<HeaderCarrier, 'set'>, span?: Span): void {
  const into = span ? trace.setSpan(context.active(), span) : context.active();
  propagation.inject(into, { get: () => undefined, set: carrier.set }, carrierSetter);
}

/** The active context as a W3C `traceparent` value, to keep beside state that outlives the handler. */
export function currentTraceparent(): string | undefined {
  let value: string | undefined;
  injectTraceContext({ set: (name, header) => (name === 'traceparent' ? (value = header) : undefined) });
  return value;
}

/** Runs `fn` as part of the trace a stored `traceparent` names (or the active one when there is none). */
export function withTraceparent<T>(traceparent: string | undefined, fn: () => T): T {
  if (!traceparent) return fn();
  return context.with(extractTraceContext({ get: (name) => (name === 'traceparent' ? traceparent : undefined) }), fn);
}

export interface SpanOptions {
  readonly kind: SpanKind;
  readonly attributes?: Attributes;
  /** The parent; default: the active context. */
  readonly parent?: Context;
  /** Spans of other traces this one relates to (an operator's request that joins an incident's trace). */
  readonly links?: readonly Link[];
}

/** Starts a span that the caller ends (`endSpan`); it is not made active. */
export function startSpan(name: string, options: SpanOptions): Span {
  return tracer().startSpan(
    name,
    {
      kind: options.kind,
      ...(options.attributes ? { attributes: options.attributes } : {}),
      ...(options.links && options.links.length > 0 ? { links: [...options.links] } : {}),
    },
    options.parent ?? context.active(),
  );
}

/**
 * True when the active span is recorded: an exporter is configured and this trace is sampled.
 * Fine-grained instrumentation (a span per database query, an event per signature) asks first, so
 * with tracing off it costs one context lookup, and with it on makes no orphan root traces.
 */
export function activeSpanRecording(): boolean {
  return trace.getActiveSpan()?.isRecording() ?? false;
}

/**
 * Adds an event to the active span if it is recorded; does nothing otherwise. `startTime` (epoch
 * ms) dates the event at the start of what it reports, when the caller knows it.
 */
export function addSpanEvent(name: string, attributes?: Attributes, startTime?: number): void {
  const span = trace.getActiveSpan();
  if (!span?.isRecording()) return;
  span.addEvent(name, attributes, startTime);
}

/** The context a stored W3C `traceparent` names, or undefined when it is missing or malformed. */
export function traceparentContext(traceparent: string | undefined): Context | undefined {
  if (!traceparent) return undefined;
  const stored = extractTraceContext({ get: (name) => (name === 'traceparent' ? traceparent : undefined) });
  return trace.getSpanContext(stored) ? stored : undefined;
}

/**
 * Runs `fn` in a new active span that continues the trace a stored `traceparent` names (an
 * incident's), linked to the span active now (the HTTP request that asked for it), so both
 * traces lead to each other. Without a usable `traceparent` the span is a child of the active one.
 */
export function inStoredTrace<T>(
  traceparent: string | undefined,
  name: string,
  options: Omit<SpanOptions, 'parent' | 'links'>,
  fn: (span: Span) => Promise<T>,
): Promise<T> {
  const stored = traceparentContext(traceparent);
  if (!stored) return inSpan(name, options, fn);
  const current = trace.getActiveSpan()?.spanContext();
  const links = current && trace.isSpanContextValid(current) ? [{ context: current }] : [];
  return inSpan(name, { ...options, parent: stored, links }, fn);
}

/** Ends a span, marking it failed when `error` is given. */
export function endSpan(span: Span, error?: unknown, attributes?: Attributes): void {
  if (attributes) span.setAttributes(attributes);
  if (error !== undefined) {
    const failure = error instanceof Error ? error : new Error(typeof error === 'string' ? error : JSON.stringify(error));
    span.recordException(failure);
    span.setStatus({ code: SpanStatusCode.ERROR, message: failure.message });
  }
  span.end();
}

/** Runs `fn` with `span` active, so what it publishes or logs belongs to the span. */
export function withSpan<T>(span: Span, fn: () => T): T {
  return context.with(trace.setSpan(context.active(), span), fn);
}

/** Runs `fn` inside a new active span, ended (and marked failed on a throw) when its promise settles. */
export async function inSpan<T>(name: string, options: SpanOptions, fn: (span: Span) => Promise<T>): Promise<T> {
  const span = startSpan(name, options);
  try {
    const result = await withSpan(span, () => fn(span));
    endSpan(span);
    return result;
  } catch (error) {
    endSpan(span, error);
    throw error;
  }
}

/**
 * Runs `fn` inside a child span of the active span when that one is recorded, and as it is
 * otherwise: for I/O done on behalf of traced work (a KV record, an API call), which then costs one
 * context lookup with tracing off and never starts a root trace of its own. `fn` gets the span
 * (undefined when none was made) to add what it learns, such as a response status.
 */
export async function inRecordedChildSpan<T>(
  name: string,
  options: Omit<SpanOptions, 'parent'>,
  fn: (span: Span | undefined) => Promise<T>,
): Promise<T> {
  if (!activeSpanRecording()) return fn(undefined);
  return inSpan(name, options, fn);
}

/** Work already done, to be recorded as a span after the fact: its times (epoch ms) and how it ended. */
export interface FinishedWork {
  readonly name: string;
  readonly kind: SpanKind;
  readonly attributes?: Attributes;
  /** Epoch milliseconds, fractions allowed (`performance.timeOrigin + performance.now()`). */
  readonly startTime: number;
  readonly endTime: number;
  /** Set when the work failed (a probe that found the target down). */
  readonly error?: unknown;
}

/**
 * Records `work` as an ended span, a child of the active context (the root of a new trace under
 * `withoutTrace`), and returns it so what follows from it can run beneath it (`withSpan`). For
 * work whose span is worth its cost only once its result is known: the one scrape in a thousand
 * whose readings violate a rule starts its incident's trace; the others make no span.
 */
export function recordFinishedSpan(work: FinishedWork): Span {
  const span = tracer().startSpan(
    work.name,
    { kind: work.kind, startTime: work.startTime, ...(work.attributes ? { attributes: work.attributes } : {}) },
    context.active(),
  );
  if (work.error !== undefined) {
    const failure =
      work.error instanceof Error ? work.error : new Error(typeof work.error === 'string' ? work.error : JSON.stringify(work.error));
    span.recordException(failure, work.endTime);
    span.setStatus({ code: SpanStatusCode.ERROR, message: failure.message });
  }
  span.end(work.endTime);
  return span;
}

/** Runs `fn` outside any trace: what it publishes starts traces of its own. */
export function withoutTrace<T>(fn: () => T): T {
  return context.with(ROOT_CONTEXT, fn);
}

/**
 * The attributes of an HTTP client span (OpenTelemetry's HTTP semantic conventions): method, the
 * URL with any user and password replaced by `REDACTED`, the server, and the status when one came.
 * The span's name is the method alone, as the conventions ask of a client that knows no route.
 */
export function httpClientAttributes(method: string, url: string | URL, status?: number): Attributes {
  const parsed = typeof url === 'string' ? new URL(url) : new URL(url.href);
  if (parsed.username) parsed.username = 'REDACTED';
  if (parsed.password) parsed.password = 'REDACTED';
  const port = parsed.port ? Number(parsed.port) : parsed.protocol === 'https:' ? 443 : parsed.protocol === 'http:' ? 80 : undefined;
  return {
    'http.request.method': method,
    'url.full': parsed.href,
    'server.address': parsed.hostname.replace(/^\[|\]$/g, ''),
    ...(port !== undefined ? { 'server.port': port } : {}),
    ...(status !== undefined ? { 'http.response.status_code': status } : {}),
    ...(status !== undefined && status >= 400 ? { 'error.type': String(status) } : {}),
  };
}

/** Puts an HTTP answer's status on a client span: `http.response.status_code`, and for 4xx and 5xx `error.type` and an error status. */
export function setHttpResponseStatus(span: Span | undefined, status: number): void {
  if (!span) return;
  span.setAttribute('http.response.status_code', status);
  if (status < 400) return;
  span.setAttribute('error.type', String(status));
  span.setStatus({ code: SpanStatusCode.ERROR, message: `HTTP ${status}` });
}
