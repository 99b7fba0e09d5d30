import { SchemaSide, planRecordV1Schema, toJsonSchema } from '@mapek/contracts';
import { alertmanagerWebhookSchema } from '../domain/alertmanager-webhook.js';
import { heartbeatRequestSchema } from '../domain/heartbeat-request.js';
import { commandRequestSchema } from '../domain/command-request.js';
import { decisionRequestSchema } from '../domain/decision-request.js';
import { flagRequestSchema } from '../domain/flag-request.js';

/**
 * The gateway's API as OpenAPI 3.1, served at /docs/openapi.json and rendered at /docs. Bodies
 * that are contract or request types are generated from the zod schemas that validate them;
 * `pnpm contracts:generate` writes this document to docs/contracts/openapi.json.
 */
/** Where the document is committed, relative to the repository root, beside the AsyncAPI document. */
export const OPENAPI_DOCUMENT_FILE = 'docs/contracts/openapi.json';

const error = { $ref: '#/components/schemas/Error' };
const uuidParam = { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } };
const decisionBody = { required: false, content: { 'application/json': { schema: { $ref: '#/components/schemas/DecisionRequest' } } } };
const errors = {
  '400': { description: 'invalid request; the reason says what', content: { 'application/json': { schema: error } } },
  '404': { description: 'unknown id', content: { 'application/json': { schema: error } } },
};

export const openApiDocument = {
  openapi: '3.1.0',
  info: {
    title: 'mapek gateway',
    version: '0.1.0',
    description:
      "Incidents, plans and the live event stream of the mapek self-healing loop. With API keys configured (always in production) every route but /health*, /metrics and /docs needs `Authorization: Bearer mapek_<id>_<secret>` (browsers on /ws: subprotocols `mapek.v1, mapek.bearer.<token>`). Roles: viewer reads; operator also sends commands; approver also approves and rejects plans; admin does all; alertmanager only posts alerts to /api/v1/alertmanager; heartbeat only posts to /api/v1/heartbeats/<target>. Refusals: 401 (no or bad key), 403 (role), 429 (rate limit, with Retry-After). The key's name is the actor of its decisions and commands.",
  },
  security: [{ apiKey: [] }],
  paths: {
    '/health': {
      get: {
        security: [],
        summary: 'Readiness with component checks',
        responses: { '200': { description: 'up' }, '503': { description: 'down' } },
      },
    },
    '/health/live': { get: { security: [], summary: 'Liveness', responses: { '200': { description: 'alive' } } } },
    '/health/ready': {
      get: { security: [], summary: 'Readiness', responses: { '200': { description: 'ready' }, '503': { description: 'not ready' } } },
    },
    '/metrics': { get: { security: [], summary: 'Prometheus metrics', responses: { '200': { description: 'text format 0.0.4' } } } },
    '/status': { get: { summary: 'Streams and consumer lag', responses: { '200': { description: 'status' } } } },
    '/api/v1/incidents': {
      get: {
        summary: 'Recent incidents, newest first',
        parameters: [
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 500, default: 50 } },
          { name: 'status', in: 'query', schema: { type: 'string', enum: ['open', 'closed'] } },
          { name: 'target', in: 'query', schema: { type: 'string' } },
        ],
        responses: {
          '200': {
            description:
              'incidents; identical lists (same query, same role) within MAPEK_GATEWAY_LIST_CACHE_MS (250 ms) share one answer, which may be that old',
            headers: {
              'Cache-Control': {
                description: 'private, max-age=<the reuse time in whole seconds, rounded down>',
                schema: { type: 'string' },
              },
              Age: { description: 'whole seconds since the gateway asked knowledge for this answer', schema: { type: 'integer' } },
              'Cache-Status': {
                description: 'RFC 9211: mapek-gateway; hit, or fwd=uri-miss with stored or collapsed',
                schema: { type: 'string' },
              },
            },
          },
          '400': errors['400'],
          '503': { description: 'knowledge unavailable' },
        },
      },
    },
    '/api/v1/incidents/{id}': {
      get: {
        summary: 'One incident with its symptoms, analysis, plans, decisions, executions and outcome',
        parameters: [uuidParam],
        responses: { '200': { description: 'incident' }, ...errors },
      },
    },
    '/api/v1/incidents/{id}/replay': {
      post: {
        summary:
          'Replay a stored incident with the current rules, runtime flags and learned statistics (read-only; viewer or above): root-cause ranking, chosen plan, candidates and approval mode now beside then, with the differences',
        parameters: [uuidParam],
        responses: {
          '200': { description: 'then, now and the differences' },
          ...errors,
          '422': { description: 'the incident has no stored symptoms to replay', content: { 'application/json': { schema: error } } },
          '503': { description: 'planner or knowledge unavailable', content: { 'application/json': { schema: error } } },
        },
      },
    },
    '/api/v1/plans': {
      get: {
        summary: 'Plans, optionally by status',
        parameters: [{ name: 'status', in: 'query', schema: { type: 'string', enum: ['pending', 'approved', 'rejected', 'expired'] } }],
        responses: {
          '200': {
            description: 'plans, newest first',
            content: { 'application/json': { schema: { $ref: '#/components/schemas/PlanList' } } },
          },
          '400': errors['400'],
        },
      },
    },
    '/api/v1/plans/{id}/approve': {
      post: {
        summary: 'Approve a pending plan (a high-risk plan needs two different approvers)',
        parameters: [uuidParam],
        requestBody: decisionBody,
        responses: {
          '202': { description: 'decision published' },
          ...errors,
          '409': {
            description: 'not pending (error signal_resolved: cancelled because its signal was resolved at its source)',
            content: { 'application/json': { schema: error } },
          },
        },
      },
    },
    '/api/v1/plans/{id}/reject': {
      post: {
        summary: 'Reject a pending plan',
        parameters: [uuidParam],
        requestBody: decisionBody,
        responses: { '202': { description: 'decision published' }, ...errors, '409': { description: 'not pending' } },
      },
    },
    '/api/v1/commands': {
      post: {
        summary:
          'Send a manual command to the executor, which runs it as a one-step plan (signed by the gateway, params and reason sealed to the executor)',
        requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/CommandRequest' } } } },
        responses: {
          '202': {
            description: 'the command event is stored on the stream; watch /ws for its execution and outcome (planId = commandId)',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: { commandId: { type: 'string', format: 'uuid' }, eventId: { type: 'string', format: 'uuid' } },
                },
              },
            },
          },
          '400': errors['400'],
          '403': {
            description: "the key's role may not send commands, or commands are disabled (MAPEK_GATEWAY_COMMANDS_ENABLED)",
            content: { 'application/json': { schema: error } },
          },
          '413': { description: 'body larger than MAPEK_GATEWAY_BODY_LIMIT_BYTES' },
          '503': { description: 'the command could not be sealed or stored', content: { 'application/json': { schema: error } } },
        },
      },
    },
    '/api/v1/alertmanager': {
      post: {
        summary:
          "Alertmanager's webhook receiver (webhook_configs, payload version 4; role alertmanager). A firing alert becomes a symptom of the target its `target` label names (sources.alertmanager.targetLabel), once per fingerprint and start however often it is sent; a resolved one becomes alert.resolved, which cancels the plans of its incident that have not started",
        requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/AlertmanagerWebhook' } } } },
        responses: {
          '200': {
            description: 'taken: the symptoms and resolutions published; duplicates: alerts taken before',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: {
                    taken: { type: 'integer' },
                    duplicates: { type: 'integer' },
                    symptomIds: { type: 'array', items: { type: 'string', format: 'uuid' } },
                    resolutionIds: { type: 'array', items: { type: 'string', format: 'uuid' } },
                  },
                },
              },
            },
          },
          '400': {
            description: 'not a version 4 payload, or an alert names no target or one not configured; nothing was published',
            content: { 'application/json': { schema: error } },
          },
          '403': {
            description: "the key's role may not post alerts, or the source is disabled (sources.alertmanager.enabled)",
            content: { 'application/json': { schema: error } },
          },
          '503': {
            description: 'an alert could not be stored on the event stream; Alertmanager sends it again',
            content: { 'application/json': { schema: error } },
          },
        },
      },
    },
    '/api/v1/heartbeats/{target}': {
      post: {
        summary:
          'Say a target is alive (role heartbeat): a service, job or cron that does not embed the agent reports in. Published as a heartbeat on the telemetry stream; the monitor raises an unavailable symptom for a target silent longer than its heartbeat.timeoutMs (configuration file)',
        parameters: [
          { name: 'target', in: 'path', required: true, schema: { type: 'string', pattern: '^[A-Za-z0-9_-]+$', maxLength: 128 } },
        ],
        requestBody: { required: false, content: { 'application/json': { schema: { $ref: '#/components/schemas/HeartbeatRequest' } } } },
        responses: {
          '202': {
            description: 'stored: { target, eventId }',
            content: {
              'application/json': {
                schema: { type: 'object', properties: { target: { type: 'string' }, eventId: { type: 'string', format: 'uuid' } } },
              },
            },
          },
          '400': { description: 'not a target name, or a body with unknown fields', content: { 'application/json': { schema: error } } },
          '403': { description: "the key's role may not post heartbeats", content: { 'application/json': { schema: error } } },
          '404': { description: 'not a target of the configuration file', content: { 'application/json': { schema: error } } },
          '503': { description: 'the heartbeat could not be stored; send it again', content: { 'application/json': { schema: error } } },
        },
      },
    },
    '/api/v1/insights': {
      get: {
        summary: 'What the outcomes say: which remedy works against which cause, with confidence and time to recovery',
        responses: { '200': { description: 'insights' }, '503': { description: 'knowledge unavailable' } },
      },
    },
    '/api/v1/audit/verify': {
      get: {
        summary: 'Recompute the hash-chained audit trail: { ok, checked, brokenAt? }',
        responses: { '200': { description: 'verdict' }, '503': { description: 'knowledge unavailable' } },
      },
    },
    '/ws': {
      get: {
        summary: 'WebSocket: every loop event as JSON {subject, event}',
        responses: { '101': { description: 'switching protocols' } },
      },
    },
    '/api/v1/flags': {
      get: {
        summary:
          "Runtime flags in force (auto-healing, shadow mode, autonomy per cause and remedy, the autonomy rules), from the planner's bucket",
        responses: { '200': { description: '{ flags: [{ key, change, actor, reason?, changedAt, streak? }] }' } },
      },
      post: {
        summary:
          'Change a runtime flag; published as a signed flag.changed event, stored by the planner. Operators may only make the loop more careful; widening it needs an admin',
        requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/FlagRequest' } } } },
        responses: {
          '202': { description: '{ accepted, eventId, key }' },
          '400': errors['400'],
          '403': { description: 'the role may not make this change', content: { 'application/json': { schema: error } } },
          '503': { description: 'the change could not be stored on the event stream' },
        },
      },
    },
    '/api/v1/session': {
      get: {
        summary: 'The caller: { authenticated, name, role, permissions } (the console offers only what the role may do)',
        responses: { '200': { description: 'session' } },
      },
    },
    '/api/v1/console/config': {
      get: {
        security: [],
        summary:
          'How the console signs people in and the words its forms offer (public, no secrets): { apiKeys, signOn: { issuer, clientId, scopes, audiences, authorizationEndpoint, tokenEndpoint, endSessionEndpoint } | null, vocabulary: { causes, autonomyLevels } }',
        responses: { '200': { description: "the console's sign-in settings" } },
      },
    },
    '/': {
      get: {
        security: [],
        summary: 'The web console (HTML; its modules under /console/, all served by the gateway)',
        responses: { '200': { description: 'text/html' } },
      },
    },
  },
  components: {
    securitySchemes: {
      apiKey: {
        type: 'http',
        scheme: 'bearer',
        description: 'an API key from `mapek pki api-key create`, or a JWT of the configured OpenID provider (MAPEK_GATEWAY_OIDC_ISSUER)',
      },
    },
    schemas: {
      AlertmanagerWebhook: toJsonSchema(alertmanagerWebhookSchema, SchemaSide.input),
      CommandRequest: toJsonSchema(commandRequestSchema, SchemaSide.input),
      DecisionRequest: toJsonSchema(decisionRequestSchema, SchemaSide.input),
      FlagRequest: toJsonSchema(flagRequestSchema, SchemaSide.input),
      HeartbeatRequest: toJsonSchema(heartbeatRequestSchema, SchemaSide.input),
      PlanList: {
        type: 'object',
        required: ['plans'],
        properties: { plans: { type: 'array', items: { $ref: '#/components/schemas/PlanRecordV1' } } },
      },
      PlanRecordV1: toJsonSchema(planRecordV1Schema, SchemaSide.output),
      Error: {
        type: 'object',
        required: ['statusCode', 'error', 'reason'],
        properties: { statusCode: { type: 'integer' }, error: { type: 'string' }, reason: { type: 'string' } },
      },
    },
  },
} as const;
