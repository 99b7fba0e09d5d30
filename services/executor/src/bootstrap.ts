import { BucketName, ConsumerName, ServiceName, StreamName } from '@mapek/contracts';
import { openKv } from '@mapek/messaging';
import { createRequestSealer } from '@mapek/pqc';
import { startService } from '@mapek/service-kit';
import { AgentEffector } from './adapters/agent.effector.js';
import { EscalationEffector } from './adapters/escalation.effector.js';
import { SymptomHistory } from './adapters/symptom-history.js';
import { executorConfig } from './executor.config.js';
import { ExecutorModule } from './executor.module.js';

export async function bootstrap(): Promise<void> {
  await startService({
    service: ServiceName.executor,
    defaultPort: 9104,
    config: executorConfig,
    ownedPrefix: 'MAPEK_EXECUTOR_',
    consumers: ({ config }) => [{
      stream: StreamName.events,
      durable: ConsumerName.executor,
      ackWaitMs: config.MAPEK_ACK_WAIT_MS,
      concurrency: config.MAPEK_EXECUTOR_MAX_CONCURRENT,
    }],
    module: async ({ config, runtime, logger, security }) =>
      ExecutorModule.forRoot(
        {
          verificationWindowMs: config.MAPEK_EXECUTOR_VERIFICATION_WINDOW_MS,
          verificationGraceMs: config.MAPEK_EXECUTOR_VERIFICATION_GRACE_MS,
          stepRetries: config.MAPEK_EXECUTOR_STEP_RETRIES,
          breakerFailures: config.MAPEK_EXECUTOR_BREAKER_FAILURES,
          breakerResetMs: config.MAPEK_EXECUTOR_BREAKER_RESET_MS,
        },
        await openKv(runtime.js, BucketName.executorExecutions, { replicas: runtime.replicas }),
        {
          agent: new AgentEffector(
            runtime.nc,
            runtime.prefix,
            security && createRequestSealer({ backend: security.backend, identity: security.identity, trust: security.trust, sealer: security.sealer }),
          ),
          escalation: new EscalationEffector(logger),
        },
        new SymptomHistory(runtime.js, runtime.prefix, runtime.verifier),
      ),
  });
}
