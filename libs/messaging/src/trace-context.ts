/**
 * Trace context that outlives a handler. The messaging layer carries the W3C `traceparent` of
 * every event (OpenTelemetry's propagator, ADR 0014); these let domain code keep that context
 * beside state (an incident) and continue it later, or start a trace of its own, without
 * importing a telemetry library.
 */
export { currentTraceparent, withTraceparent, withoutTrace as inNewTrace } from '@mapek/observability';
