import type { Agent } from '@mapek/agent';
import { canCollectGarbage } from '@mapek/agent';
import { CircuitBreaker } from './faults/circuit-breaker.js';
import { LeakyConnectionPool } from './faults/connection-pool.fault.js';
import { CpuBurner } from './faults/cpu-burner.fault.js';
import { LatencyCreep } from './faults/latency-creep.fault.js';
import { LeakCache } from './faults/leak-cache.fault.js';
import { FailureInjector } from './faults/request-failures.fault.js';
import { SelfTraffic } from './faults/self-traffic.generator.js';

const MB = 1024 * 1024;

/** Every fault the demo can inject, and the state the remedies act on. */
export class DemoFaults {
  readonly leak = new LeakCache();
  readonly cpu = new CpuBurner();
  readonly pool: LeakyConnectionPool;
  readonly failures = new FailureInjector();
  readonly latency = new LatencyCreep();
  readonly breaker = new CircuitBreaker();
  /** Set by the throttle_requests remedy: no new CPU load until /demo/reset. */
  throttled = false;
  private traffic: SelfTraffic | undefined;
  private inFlightRequests = 0;
  private readonly startedAt = Date.now();

  constructor(
    private readonly agent: Agent,
    private readonly selfTrafficRps: number,
  ) {
    this.pool = new LeakyConnectionPool(() => this.publishConnections());
  }

  startTraffic(url: string): void {
    this.traffic = new SelfTraffic(url, this.selfTrafficRps);
    this.traffic.start();
  }

  get selfTraffic(): SelfTraffic | undefined {
    return this.traffic;
  }

  requestStarted(): void {
    this.inFlightRequests += 1;
    this.publishConnections();
  }

  requestFinished(): void {
    this.inFlightRequests -= 1;
    this.publishConnections();
  }

  /** Active connections = pooled dependency connections + HTTP requests being served. */
  private publishConnections(): void {
    this.agent.setActiveConnections(this.pool.size + this.inFlightRequests);
  }

  /** Undoes every fault and every remedy's lasting effect. */
  async reset(): Promise<void> {
    this.leak.clear();
    await this.cpu.stop();
    this.pool.reset();
    this.failures.setRate(0);
    this.failures.disableDegradedMode();
    this.latency.stop();
    this.breaker.reset();
    this.throttled = false;
    this.traffic?.restore();
  }

  status(): Record<string, unknown> {
    const memory = process.memoryUsage();
    return {
      target: this.agent.target,
      uptimeSeconds: Math.round((Date.now() - this.startedAt) / 1000),
      actuating: this.agent.actuating,
      subject: this.agent.subject,
      gcExposed: canCollectGarbage(),
      faults: {
        memoryLeak: { buffers: this.leak.count, bytes: this.leak.bytes, mb: +(this.leak.bytes / MB).toFixed(1) },
        cpuOverload: { ...this.cpu.status(), throttled: this.throttled },
        connections: { pooled: this.pool.size, inFlightRequests: this.inFlightRequests },
        requestFailures: this.failures.status(),
        latency: this.latency.status(),
        circuitBreaker: this.breaker.status(),
        selfTraffic: this.traffic?.status() ?? null,
      },
      memory: {
        rssBytes: memory.rss,
        heapUsedBytes: memory.heapUsed,
        externalBytes: memory.external,
        rssMb: +(memory.rss / MB).toFixed(1),
      },
    };
  }

  async close(): Promise<void> {
    this.traffic?.stop();
    this.latency.stop();
    await this.cpu.stop();
    await this.pool.close();
  }
}
