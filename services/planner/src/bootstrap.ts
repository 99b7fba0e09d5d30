import { BucketName, ConsumerName, ServiceName, StreamName } from '@mapek/contracts';
import { startService } from '@mapek/service-kit';
import { KnowledgeClient } from './adapters/knowledge.client.js';
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
    module: async ({ config, runtime }) =>
      PlannerModule.forRoot(
        {
          rules: loadRemediationRules(config.MAPEK_PLANNER_RULES_FILE),
          guardrails: {
            autoHealing: config.MAPEK_AUTO_HEALING,
            dryRun: config.MAPEK_DRY_RUN,
            maxAutoRisk: config.MAPEK_PLANNER_AUTO_APPROVE_MAX_RISK,
            planTtlMs: config.MAPEK_PLANNER_PLAN_TTL_MS,
          },
          effectors: config.MAPEK_PLANNER_EFFECTORS,
          cooldownMs: config.MAPEK_PLANNER_COOLDOWN_MS,
          maxActionsPerHour: config.MAPEK_PLANNER_MAX_ACTIONS_PER_HOUR,
        },
        await runtime.openBucket(BucketName.plannerPlans),
        new KnowledgeClient(runtime.nc, runtime.prefix, config.MAPEK_PLANNER_KNOWLEDGE_TIMEOUT_MS),
      ),
  });
}
