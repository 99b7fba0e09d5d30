import { z } from 'zod';
import {
  actionParamsSchema,
  actionTypeSchema,
  causeKindSchema,
  prioritySchema,
  riskLevelSchema,
  severitySchema,
  targetSchema,
  type ActionType,
} from './events/common.schema.js';
import { comparisonSchema, thresholdRuleSchema } from './threshold-rules.js';

/**
 * The configuration file (`mapek.yaml`): the services mapek watches and heals, how it watches
 * them (sources), what it may do to them (effectors) and within which limits. One file for
 * `./mapek start --config`, the compose file and the Helm chart; every service that needs a part
 * of it reads the same file and reloads it when it changes (a bad file is refused and the last
 * good one stays in force). Published as JSON Schema in docs/contracts/configuration.
 */

const durationMsSchema = (max: number) => z.number().int().positive().max(max);
const envNameSchema = z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'an environment variable name');

/** Threshold rules and remediation rules, shared with the built-in defaults. */
export const stepTemplateSchema = z.strictObject({
  action: actionTypeSchema,
  params: actionParamsSchema.default({}),
  timeoutMs: durationMsSchema(600_000).default(10_000),
  rollback: z.strictObject({ action: actionTypeSchema, params: actionParamsSchema.default({}) }).optional(),
});

export const remediationCandidateSchema = z.strictObject({
  name: z.string().min(1),
  /** Overrides the risk derived from the steps' actions. */
  risk: riskLevelSchema.optional(),
  /** Success rate assumed before knowledge has outcomes for it (a Laplace prior worth two tries). */
  prior: z.number().min(0).max(1).default(0.5),
  steps: z.array(stepTemplateSchema).min(1).max(20),
});

/** What to do about one kind of cause: candidate plans, ranked by knowledge's success rates. */
export const remediationRuleSchema = z.strictObject({
  name: z.string().min(1),
  cause: causeKindSchema,
  priority: prioritySchema,
  candidates: z.array(remediationCandidateSchema).min(1),
});
export type RemediationRule = z.infer<typeof remediationRuleSchema>;
export type RemediationCandidate = z.infer<typeof remediationCandidateSchema>;

// ─── sources ────────────────────────────────────────────────────────────────────────────────

/** A health probe; `failures` consecutive failures raise an `unavailable` symptom. */
export const probeSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('http'), url: z.url(), expectStatus: z.number().int().min(100).max(599).optional() }),
  z.strictObject({ kind: z.literal('tcp'), host: z.string().min(1), port: z.number().int().min(1).max(65_535) }),
  /** Runs `select 1`; the password, if any, comes from `passwordEnv`, never from the file. */
  z.strictObject({
    kind: z.literal('postgres'),
    url: z.string().regex(/^postgres(ql)?:\/\//, 'a postgres:// URL'),
    passwordEnv: envNameSchema.optional(),
  }),
  /** Connects and flushes (a PING round trip). */
  z.strictObject({ kind: z.literal('nats'), url: z.string().regex(/^(nats|tls):\/\//, 'a nats:// or tls:// URL') }),
]);
export type Probe = z.infer<typeof probeSchema>;

/** A PromQL instant query; every series of the answer is compared like a threshold rule. */
export const prometheusRuleSchema = z.strictObject({
  name: z.string().min(1),
  query: z.string().min(1),
  op: comparisonSchema.default('>'),
  threshold: z.number(),
  severity: severitySchema,
  description: z.string().min(1),
  /** Names the symptom's metric (the cause is read from it); the rule name by default. */
  metric: z.string().min(1).optional(),
});
export type PrometheusRule = z.infer<typeof prometheusRuleSchema>;

// ─── effectors ──────────────────────────────────────────────────────────────────────────────

/**
 * What an effector can do to its target, offered to the planner: each action says its inverse
 * (what the executor runs to undo it; none when it cannot be undone), how its effect is verified
 * (`symptom_cleared`: the symptom is gone within the verification window; `probe`: the target's
 * probes pass again) and how long it may take.
 */
export const capabilitySchema = z.strictObject({
  action: actionTypeSchema,
  params: actionParamsSchema.default({}),
  inverse: z.strictObject({ action: actionTypeSchema, params: actionParamsSchema.default({}) }).optional(),
  verify: z.enum(['symptom_cleared', 'probe']).default('symptom_cleared'),
  timeoutMs: durationMsSchema(600_000).default(30_000),
});
export type Capability = z.infer<typeof capabilitySchema>;

const capabilitiesSchema = z.array(capabilitySchema).min(1);

/** An argv run without a shell; `{param}` placeholders take the step's params, checked by `allow`. */
const allowedCommandSchema = z.strictObject({
  argv: z.array(z.string().min(1)).min(1),
  /** Each placeholder's allowed values as an anchored regular expression. */
  allow: z.record(z.string(), z.string()).default({}),
  cwd: z.string().min(1).optional(),
});

export const effectorSchema = z.discriminatedUnion('kind', [
  /** The Node agent embedded in the target (libs/agent), over signed NATS request-reply. */
  z.strictObject({
    kind: z.literal('agent'),
    /** The remedies the app registered with its agent; every agent action when absent. */
    actions: z.array(actionTypeSchema).min(1).optional(),
  }),
  /** An HTTP endpoint of the target's own; the request is signed with the executor's ML-DSA-65 key. */
  z.strictObject({
    kind: z.literal('webhook'),
    url: z.url(),
    /** Extra headers whose values come from environment variables (a bearer token, …). */
    headersFromEnv: z.record(z.string(), envNameSchema).default({}),
    capabilities: capabilitiesSchema,
  }),
  /** A container, through the Docker Engine API on its Unix socket. */
  z.strictObject({
    kind: z.literal('container'),
    socket: z.string().min(1).default('/var/run/docker.sock'),
    /** A container name or id, or a compose project and service (the service's containers). */
    container: z.string().min(1).optional(),
    compose: z.strictObject({ project: z.string().min(1), service: z.string().min(1) }).optional(),
    capabilities: capabilitiesSchema,
  }),
  /** A process: one the executor supervises by pid file, or a systemd unit, plus allow-listed commands. */
  z.strictObject({
    kind: z.literal('process'),
    supervisor: z
      .discriminatedUnion('kind', [
        z.strictObject({
          kind: z.literal('pidfile'),
          pidFile: z.string().min(1),
          start: allowedCommandSchema,
          stopTimeoutMs: durationMsSchema(120_000).default(10_000),
        }),
        z.strictObject({ kind: z.literal('systemd'), unit: z.string().regex(/^[\w@.:-]+\.service$/, 'a systemd service unit') }),
      ])
      .optional(),
    /** Named commands an action may run (`params.command` picks one). */
    commands: z.record(z.string().regex(/^[\w-]+$/), allowedCommandSchema).default({}),
    capabilities: capabilitiesSchema,
  }),
  /** A Deployment, through the API server with a service account (the chart grants only these verbs). */
  z.strictObject({
    kind: z.literal('kubernetes'),
    /** In-cluster by default (KUBERNETES_SERVICE_HOST and the mounted service account). */
    apiServer: z.url().optional(),
    namespace: z.string().min(1),
    deployment: z.string().min(1),
    tokenFile: z.string().min(1).default('/var/run/secrets/kubernetes.io/serviceaccount/token'),
    caFile: z.string().min(1).default('/var/run/secrets/kubernetes.io/serviceaccount/ca.crt'),
    capabilities: capabilitiesSchema,
  }),
  /** Watch only: every plan for this target escalates to people. */
  z.strictObject({ kind: z.literal('none') }),
]);
export type EffectorConfig = z.infer<typeof effectorSchema>;
export type EffectorConfigKind = EffectorConfig['kind'];

// ─── targets ────────────────────────────────────────────────────────────────────────────────

export const managedTargetSchema = z.strictObject({
  name: targetSchema,
  component: z.string().min(1).optional(),
  labels: z.record(z.string(), z.string()).default({}),
  /** Targets this one needs; a failure there explains symptoms here (dependency_failure). */
  dependsOn: z.array(targetSchema).default([]),
  /** Prometheus text format to scrape; `rules` (or the built-in ones) apply to it. */
  metricsUrl: z.url().optional(),
  /** Threshold rules on the scraped metrics; the built-in rules when absent. */
  rules: z.array(thresholdRuleSchema).min(1).optional(),
  probes: z.array(probeSchema).default([]),
  /** PromQL rules, run against `sources.prometheus`. */
  prometheus: z.array(prometheusRuleSchema).default([]),
  /** The target reports in (agent heartbeats or `POST /api/v1/heartbeats/<target>`); silence longer than this is a symptom. */
  heartbeat: z.strictObject({ timeoutMs: durationMsSchema(86_400_000) }).optional(),
  effector: effectorSchema.default({ kind: 'none' }),
  /** Remediation rules for this target only, before the global ones and the built-in ones. */
  remediation: z.array(remediationRuleSchema).default([]),
});
export type ManagedTarget = z.infer<typeof managedTargetSchema>;

export const mapekConfigurationSchema = z
  .strictObject({
    version: z.literal(1),
    sources: z
      .strictObject({
        prometheus: z.strictObject({ url: z.url(), timeoutMs: durationMsSchema(60_000).default(5000) }).optional(),
        /** The gateway's Alertmanager webhook receiver (`POST /api/v1/alertmanager`), with the `alertmanager` role's API key. */
        alertmanager: z
          .strictObject({
            enabled: z.boolean().default(true),
            /** Which label names the alert's target (its value must be a configured target). */
            targetLabel: z.string().min(1).default('target'),
          })
          .optional(),
      })
      .default({}),
    targets: z.array(managedTargetSchema).default([]),
    /** Global remediation rules, before the built-in ones. */
    remediation: z.array(remediationRuleSchema).default([]),
    limits: z
      .strictObject({
        /** Distinct targets the executor may act on in any sliding minute. */
        targetsPerMinute: z.number().int().positive().default(5),
        /** Actions each effector kind may run in any sliding hour. */
        actionsPerEffectorPerHour: z.number().int().positive().default(30),
        /** How long a target's lease lasts without renewal (a replica that dies frees it). */
        leaseTtlMs: durationMsSchema(3_600_000).default(120_000),
      })
      .default({ targetsPerMinute: 5, actionsPerEffectorPerHour: 30, leaseTtlMs: 120_000 }),
  })
  .superRefine((config, context) => {
    const names = new Set<string>();
    config.targets.forEach((target, index) => {
      if (names.has(target.name))
        context.addIssue({ code: 'custom', path: ['targets', index, 'name'], message: `target ${target.name} is declared twice` });
      names.add(target.name);
    });
    config.targets.forEach((target, index) => {
      target.dependsOn.forEach((dependency, at) => {
        if (!names.has(dependency))
          context.addIssue({ code: 'custom', path: ['targets', index, 'dependsOn', at], message: `unknown target ${dependency}` });
      });
      if (target.prometheus.length > 0 && config.sources.prometheus === undefined) {
        context.addIssue({ code: 'custom', path: ['targets', index, 'prometheus'], message: 'PromQL rules need sources.prometheus.url' });
      }
      const effector = target.effector;
      if (effector.kind === 'container' && (effector.container === undefined) === (effector.compose === undefined)) {
        context.addIssue({
          code: 'custom',
          path: ['targets', index, 'effector'],
          message: 'a container effector names exactly one of container or compose',
        });
      }
    });
  });
export type MapekConfiguration = z.infer<typeof mapekConfigurationSchema>;

/**
 * The actions a target's effector offers the planner; `undefined` for an agent that does not list
 * its remedies (the planner then offers every agent action). Escalation is always possible.
 */
export function capabilitiesOf(target: Pick<ManagedTarget, 'effector'>): readonly ActionType[] | undefined {
  const effector = target.effector;
  switch (effector.kind) {
    case 'agent':
      return effector.actions;
    case 'none':
      return [];
    case 'webhook':
    case 'container':
    case 'process':
    case 'kubernetes':
      return effector.capabilities.map((capability) => capability.action);
  }
}
