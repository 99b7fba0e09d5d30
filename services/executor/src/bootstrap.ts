import { BucketName, ServiceName } from '@mapek/contracts';
import { createRequestSealer } from '@mapek/pqc';
import { followConfigurationFile, startService, type ServiceSecurity } from '@mapek/service-kit';
import { AgentEffector } from './adapters/agent.effector.js';
import { CommandOpener } from './adapters/command-opener.js';
import { EffectorRegistry } from './adapters/effector.registry.js';
import { EscalationEffector } from './adapters/escalation.effector.js';
import { SafetyStore } from './adapters/safety.store.js';
import { StreamSymptomHistory } from './adapters/symptom-history.js';
import { webhookSignerOf } from './adapters/webhook.effector.js';
import type { SafetyLimits } from './application/execution.service.js';
import { executorConfig } from './executor.config.js';
import { executorConsumers } from './executor.consumers.js';
import { ExecutorModule } from './executor.module.js';

/** Commands must come sealed to this identity when there is one, in clear only without. */
function commandOpenerOf(security: ServiceSecurity | undefined): CommandOpener {
  return new CommandOpener(security && { identity: security.identity, sealer: security.sealer });
}

/** Without a configuration file: a lease per target as always, and no caps (as before the file existed). */
const noFileLimits: SafetyLimits = { leaseTtlMs: 120_000 };

export async function bootstrap(): Promise<void> {
  await startService({
    service: ServiceName.executor,
    defaultPort: 9104,
    config: executorConfig,
    ownedPrefix: 'MAPEK_EXECUTOR_',
    consumers: ({ config, runtime, security }) =>
      executorConsumers({
        ackWaitMs: config.MAPEK_ACK_WAIT_MS,
        concurrency: config.MAPEK_EXECUTOR_MAX_CONCURRENT,
        verifier: runtime.verifier,
        commands: commandOpenerOf(security),
      }),
    module: async ({ config, runtime, logger, metrics, security }) => {
      // The file is read at every step: a reloaded one takes effect at the next.
      const configuration =
        config.MAPEK_CONFIG_FILE === undefined
          ? undefined
          : await followConfigurationFile({
              service: ServiceName.executor,
              file: config.MAPEK_CONFIG_FILE,
              logger,
              metrics,
              intervalMs: config.MAPEK_CONFIG_RELOAD_MS,
            });
      return ExecutorModule.forRoot(
        {
          verificationWindowMs: config.MAPEK_EXECUTOR_VERIFICATION_WINDOW_MS,
          verificationGraceMs: config.MAPEK_EXECUTOR_VERIFICATION_GRACE_MS,
          stepRetries: config.MAPEK_EXECUTOR_STEP_RETRIES,
          breakerFailures: config.MAPEK_EXECUTOR_BREAKER_FAILURES,
          breakerResetMs: config.MAPEK_EXECUTOR_BREAKER_RESET_MS,
          commandStepTimeoutMs: config.MAPEK_EXECUTOR_COMMAND_TIMEOUT_MS,
          symptomStaleMs: config.MAPEK_EXECUTOR_SYMPTOM_STALE_MS,
        },
        await runtime.openBucket(BucketName.executorExecutions),
        new EffectorRegistry(
          {
            agent: new AgentEffector(
              runtime.nc,
              runtime.prefix,
              security &&
                createRequestSealer({
                  backend: security.backend,
                  identity: security.identity,
                  trust: security.trust,
                  sealer: security.sealer,
                }),
            ),
            escalation: new EscalationEffector(logger),
          },
          configuration,
          security && webhookSignerOf({ backend: security.backend, identity: security.identity }),
        ),
        new StreamSymptomHistory(runtime.js, runtime.prefix, runtime.verifier),
        commandOpenerOf(security),
        {
          store: new SafetyStore(await runtime.openBucket(BucketName.executorLeases)),
          limits: () => configuration?.current().limits ?? noFileLimits,
        },
      );
    },
  });
}
