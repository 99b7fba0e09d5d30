export interface ComponentCheck {
  /** Resolves when healthy, throws (with a short message) when not. */
  (): Promise<void> | void;
}

export interface ComponentStatus {
  readonly name: string;
  readonly status: 'up' | 'down';
  readonly critical: boolean;
  readonly detail?: string;
  readonly durationMs: number;
}

export interface HealthReport {
  readonly status: 'up' | 'down';
  readonly service: string;
  readonly uptimeSeconds: number;
  readonly components: readonly ComponentStatus[];
}

/**
 * Liveness answers "is the process able to make progress" (it is, if it can answer);
 * readiness answers "should it get work" — every critical component check passes.
 */
export class HealthRegistry {
  private readonly checks = new Map<string, { check: ComponentCheck; critical: boolean }>();
  private readonly startedAt = Date.now();
  private shuttingDown = false;

  constructor(readonly service: string) {}

  register(name: string, check: ComponentCheck, options: { critical?: boolean } = {}): void {
    this.checks.set(name, { check, critical: options.critical ?? true });
  }

  markShuttingDown(): void {
    this.shuttingDown = true;
  }

  async readiness(timeoutMs = 2000): Promise<HealthReport> {
    const components = await Promise.all(
      [...this.checks.entries()].map(async ([name, { check, critical }]): Promise<ComponentStatus> => {
        const started = performance.now();
        let timer: NodeJS.Timeout | undefined;
        try {
          await Promise.race([
            Promise.resolve().then(check),
            new Promise((_, reject) => {
              timer = setTimeout(() => reject(new Error(`check timed out after ${timeoutMs} ms`)), timeoutMs);
            }),
          ]);
          return { name, status: 'up', critical, durationMs: performance.now() - started };
        } catch (error) {
          return { name, status: 'down', critical, detail: (error as Error).message, durationMs: performance.now() - started };
        } finally {
          clearTimeout(timer);
        }
      }),
    );
    const down = this.shuttingDown || components.some((component) => component.critical && component.status === 'down');
    return { status: down ? 'down' : 'up', service: this.service, uptimeSeconds: (Date.now() - this.startedAt) / 1000, components };
  }

  liveness(): HealthReport {
    return { status: 'up', service: this.service, uptimeSeconds: (Date.now() - this.startedAt) / 1000, components: [] };
  }
}
