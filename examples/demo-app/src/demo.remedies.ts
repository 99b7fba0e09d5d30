import { type Agent, collectGarbage, type RemedyResult } from '@mapek/agent';
import { ActionType } from '@mapek/contracts';
import type { DemoFaults } from './demo.faults.js';

const MB = 1024 * 1024;

/**
 * The remedies that really fix the demo's faults. `collect_garbage` is the agent's built-in.
 * Each reports what it changed as numeric effects, so the verifier can check.
 */
export function registerDemoRemedies(agent: Agent, faults: DemoFaults): void {
  agent.registerRemedy(ActionType.clearCache, () => {
    const dropped = faults.leak.clear();
    const gc = collectGarbage();
    const freed = gc
      ? `; GC freed ${(gc.rssFreedBytes / MB).toFixed(1)} MB of RSS`
      : '; GC not exposed, memory returns at the next collection';
    return {
      detail: `dropped ${dropped.buffers} cached buffers (${(dropped.bytes / MB).toFixed(1)} MB)${freed}`,
      effects: {
        buffersDropped: dropped.buffers,
        bytesDropped: dropped.bytes,
        ...(gc ? { rssFreedBytes: gc.rssFreedBytes, rssBytes: gc.rssBytes } : {}),
      },
    };
  });

  agent.registerRemedy(ActionType.resetConnectionPool, () => {
    const closed = faults.pool.reset();
    return { detail: `closed ${closed} pooled connections`, effects: { connectionsClosed: closed } };
  });

  agent.registerRemedy(ActionType.throttleRequests, async (params, context): Promise<RemedyResult> => {
    const traffic = faults.selfTraffic;
    if (context.rollback) {
      faults.throttled = false;
      traffic?.restore();
      return { detail: 'throttling lifted', effects: { selfTrafficRps: traffic?.status().rps ?? 0 } };
    }
    const maxRps = typeof params['max_rps'] === 'number' ? params['max_rps'] : 1;
    const workersStopped = await faults.cpu.stop();
    faults.throttled = true;
    const rps = traffic?.limit(maxRps) ?? 0;
    return {
      detail: `stopped ${workersStopped} CPU workers, self-traffic limited to ${rps} rps`,
      effects: { workersStopped, selfTrafficRps: rps },
    };
  });

  agent.registerRemedy(ActionType.enableDegradedMode, (_params, context) => {
    if (context.rollback) {
      faults.failures.disableDegradedMode();
      return { detail: 'degraded mode off' };
    }
    const failureRate = faults.failures.enableDegradedMode();
    const latencyMs = faults.latency.stop();
    return {
      detail: `degraded mode on: stopped injected failures (rate was ${failureRate}) and latency (was ${latencyMs} ms)`,
      effects: { failureRateBefore: failureRate, latencyMsBefore: latencyMs },
    };
  });

  agent.registerRemedy(ActionType.resetCircuitBreaker, () => {
    const before = faults.breaker.reset();
    return { detail: `circuit breaker closed (was ${before})`, effects: { wasOpen: before === 'closed' ? 0 : 1 } };
  });
}
