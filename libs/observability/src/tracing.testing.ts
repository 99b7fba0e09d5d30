import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { AlwaysOnSampler, InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace';

export type { ReadableSpan } from '@opentelemetry/sdk-trace';

/** Spans recorded in memory by {@link recordSpansInMemory}. */
export interface RecordedSpans {
  /** The spans ended so far, oldest first. */
  finished(): ReadableSpan[];
  reset(): void;
  /** Removes the in-memory provider (and the context manager) again. */
  stop(): Promise<void>;
}

/**
 * For unit tests of instrumentation: every new trace is sampled and each ended span is kept in
 * memory, as `startTracing` with an exporter would record it. Replaces the global provider.
 */
export function recordSpansInMemory(): RecordedSpans {
  trace.disable();
  context.disable();
  propagation.disable();
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ sampler: new AlwaysOnSampler(), spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  trace.setGlobalTracerProvider(provider);
  return {
    finished: () => exporter.getFinishedSpans(),
    reset: () => exporter.reset(),
    stop: async () => {
      await provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}

/** The lifecycle hooks of a test framework (Jest's, passed in, so this module does not depend on one). */
export interface SuiteHooks {
  beforeAll(fn: () => void): void;
  afterAll(fn: () => Promise<void>): void;
  beforeEach(fn: () => void): void;
}

/**
 * Records spans in memory for a whole suite, emptied before each test: the set-up every
 * instrumentation spec needs. Call it in the `describe` body with the framework's hooks.
 */
export function recordSpansInSuite(hooks: SuiteHooks): Pick<RecordedSpans, 'finished'> {
  let recorded: RecordedSpans | undefined;
  hooks.beforeAll(() => {
    recorded = recordSpansInMemory();
  });
  hooks.afterAll(async () => {
    await recorded?.stop();
  });
  hooks.beforeEach(() => recorded?.reset());
  return { finished: () => recorded?.finished() ?? [] };
}
