import { BucketName, ConsumerName, ServiceName, StreamName } from '@mapek/contracts';
import { followConfigurationFile, startService } from '@mapek/service-kit';
import { FlagsWatcher } from './adapters/flags.watcher.js';
import { KnowledgeClient } from './adapters/knowledge.client.js';
import { RuntimeFlags } from './domain/runtime-flags.js';
import { KnowledgeStatsCache } from './adapters/knowledge-stats.cache.js';
import { loadRemediationRules } from './domain/remediation-rules.js';
import { plannerConfig } from './planner.config.js';
import { PlannerModule } from './planner.module.js';

export async function bootstrap(): Promise<void> {
  await startService({
    service: ServiceName.planner,
    defaultPort: 9103,
    config: plannerConfig,
    ownedPrefix: 'MAPEK_PLANNER_',
    consumers: ({ config }) => [{ stream: StreamName.events, durable: ConsumerName.planner, ackWaitMs: config.MAPEK_ACK_WAIT_MS }],
    module: async ({ config, runtime, logger, metrics }) => {
      const rules = loadRemediationRules(config.MAPEK_PLANNER_RULES_FILE);
      const file = config.MAPEK_CONFIG_FILE;
      const configuration =
        file === undefined
          ? undefined
          : await followConfigurationFile({
              service: ServiceName.planner,
              file,
              logger,
              metrics,
              intervalMs: config.MAPEK_CONFIG_RELOAD_MS,
            });
      const plans = await runtime.openBucket(BucketName.plannerPlans);
      // Runtime flags (set through the gateway) are read once, then watched: no KV read per plan.
      const flags = new RuntimeFlags();
      const watcher = new FlagsWatcher(plans, flags, logger);
      await watcher.start();
      return PlannerModule.forRoot(
        {
          rules,
          guardrails: {
            autoHealing: config.MAPEK_AUTO_HEALING,
            dryRun: config.MAPEK_DRY_RUN,
            maxAutoRisk: config.MAPEK_PLANNER_AUTO_APPROVE_MAX_RISK,
            planTtlMs: config.MAPEK_PLANNER_PLAN_TTL_MS,
          },
          effectors: config.MAPEK_PLANNER_EFFECTORS,
          cooldownMs: config.MAPEK_PLANNER_COOLDOWN_MS,
          maxActionsPerHour: config.MAPEK_PLANNER_MAX_ACTIONS_PER_HOUR,
          ...(configuration ? { configuration } : {}),
        },
        plans,
        new KnowledgeStatsCache(new KnowledgeClient(runtime.nc, runtime.prefix, config.MAPEK_PLANNER_KNOWLEDGE_TIMEOUT_MS), {
          causes: [
            ...new Set(
              [
                ...rules,
                ...(configuration?.current().remediation ?? []),
                ...(configuration?.current().targets.flatMap((target) => target.remediation) ?? []),
              ].map((rule) => rule.cause),
            ),
          ],
          refreshMs: config.MAPEK_PLANNER_KNOWLEDGE_REFRESH_MS,
          onRefreshError: (causes, error) =>
            logger.warn({ err: error, causes }, 'knowledge statistics not refreshed; plans use the last ones for now'),
        }),
        {
          view: flags,
          watcher,
          autonomy: {
            defaultLevel: config.MAPEK_PLANNER_AUTONOMY_DEFAULT_LEVEL,
            policy: {
              promoteAfter: config.MAPEK_PLANNER_AUTONOMY_PROMOTE_AFTER,
              demoteOn: config.MAPEK_PLANNER_AUTONOMY_DEMOTE_ON,
              maxLevel: config.MAPEK_PLANNER_AUTONOMY_MAX_LEVEL,
            },
          },
        },
      );
    },
  });
}
