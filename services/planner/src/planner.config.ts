import { z } from 'zod';
import { configurationFileConfig, env, type ConfigSpec } from '@mapek/config';

export const plannerConfig = {
  MAPEK_PLANNER_RULES_FILE: { schema: env.optionalString(), description: 'remediation rules JSON file (default: built-in rules)' },
  MAPEK_PLANNER_AUTO_APPROVE_MAX_RISK: {
    schema: env.oneOf(['none', 'low', 'medium', 'high'] as const, 'medium'),
    description: 'highest plan risk approved without an operator',
  },
  MAPEK_PLANNER_COOLDOWN_MS: { schema: env.integer(60_000, 0), description: 'a target+action pair is not planned again for this long' },
  MAPEK_PLANNER_PLAN_TTL_MS: { schema: env.integer(15 * 60_000, 1000), description: 'a pending plan expires (rejected) after this' },
  MAPEK_PLANNER_MAX_ACTIONS_PER_HOUR: {
    schema: env.integer(60, 1),
    description: 'automatic approvals per hour before plans wait for an operator',
  },
  MAPEK_PLANNER_KNOWLEDGE_TIMEOUT_MS: { schema: env.integer(1000, 10), description: 'how long to wait for knowledge statistics' },
  MAPEK_PLANNER_KNOWLEDGE_REFRESH_MS: {
    schema: env.integer(5000, 0),
    description:
      'knowledge statistics are cached per cause and refreshed this often, so a plan does not wait for them; 0: ask knowledge for every plan',
  },
  MAPEK_PLANNER_EFFECTORS: {
    schema: z
      .string()
      .default('agent,operator')
      .transform(
        (value) =>
          new Set(
            value
              .split(',')
              .map((part) => part.trim())
              .filter(Boolean),
          ),
      ),
    description: 'effectors the executor has: agent, orchestrator, operator (comma separated)',
  },
  MAPEK_PLANNER_AUTONOMY_DEFAULT_LEVEL: {
    schema: env.oneOf(['suggest', 'approve', 'auto'] as const, 'auto'),
    description:
      'autonomy level of a (cause, remedy) the runtime flags hold nothing for: suggest (two approvers), approve (an operator), auto (the other guardrails decide)',
  },
  MAPEK_PLANNER_AUTONOMY_PROMOTE_AFTER: {
    schema: env.integer(3, 1, 100),
    description:
      'successful operator-approved runs in a row that promote a (cause, remedy) one autonomy level (unless the autonomy_policy flag says otherwise)',
  },
  MAPEK_PLANNER_AUTONOMY_DEMOTE_ON: {
    schema: z
      .string()
      .default('ineffective,degradation')
      .transform((value) =>
        value.trim() === 'none'
          ? []
          : value
              .split(',')
              .map((part) => part.trim())
              .filter(Boolean),
      )
      .pipe(z.array(z.enum(['partial', 'ineffective', 'degradation']))),
    // An empty variable counts as unset (the default), as for every variable: `none` turns demotion off.
    description:
      'outcomes that demote a (cause, remedy) one autonomy level (comma separated: partial, ineffective, degradation; none for no demotion)',
  },
  MAPEK_PLANNER_AUTONOMY_MAX_LEVEL: {
    schema: env.oneOf(['suggest', 'approve', 'auto'] as const, 'auto'),
    description: 'the highest autonomy level promotion reaches',
  },
  MAPEK_AUTO_HEALING: {
    schema: env.boolean(true),
    description: 'approve plans up to the max risk automatically, until the runtime flag auto_healing (gateway API) says otherwise',
  },
  MAPEK_DRY_RUN: { schema: env.boolean(false), description: 'plans are simulated by the executor, nothing is actuated' },
  // The configuration file: only remedies whose actions a target's effector offers are planned,
  // and its remediation rules come before the built-in ones.
  ...configurationFileConfig,
  MAPEK_ACK_WAIT_MS: { schema: env.integer(30_000, 1000), description: 'JetStream ack wait of the planner consumer' },
} satisfies ConfigSpec;
