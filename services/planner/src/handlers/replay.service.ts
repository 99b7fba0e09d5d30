import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Svcm, type Service, type ServiceMsg } from '@nats-io/services';
import { z } from 'zod';
import { PlannerEndpoint, subjects, uuidSchema, type CauseKind } from '@mapek/contracts';
import { MESSAGING, type MessagingRuntime } from '@mapek/messaging';
import { LOGGER, type Logger } from '@mapek/observability';
import { IncidentQueryError, KnowledgeIncidentClient } from '../adapters/knowledge-incident.client.js';
import { ReplayNotPossibleError, replayIncident } from '../domain/incident-replay.js';
import { buildPlan, type ActionStats } from '../domain/plan-builder.js';
import { planningFlags, type RuntimeFlags } from '../domain/runtime-flags.js';
import { KNOWLEDGE_CLIENT, PLANNER_SETTINGS, type PlannerSettings } from './planning.handler.js';
import { AUTONOMY_SETTINGS, RUNTIME_FLAGS, type AutonomySettings } from './runtime-flags.handler.js';

const replayRequest = z.strictObject({ id: uuidSchema });
/** Knowledge is asked for one incident; its reply is bounded by the knowledge query itself. */
const INCIDENT_TIMEOUT_MS = 3000;

/**
 * `<prefix>.svc.planner.replay`: re-decides a stored incident with the rules, runtime flags and
 * learned statistics this replica holds now, beside what was decided then (ADR 0010). Read-only:
 * nothing is published, no KV entry written. Errors go back as service error codes: 400 bad
 * request, 404 unknown incident, 422 nothing to replay, 503 knowledge unavailable.
 */
@Injectable()
export class ReplayService implements OnApplicationBootstrap, OnApplicationShutdown {
  private service: Service | undefined;
  private readonly incidents: KnowledgeIncidentClient;

  constructor(
    @Inject(PLANNER_SETTINGS) private readonly settings: PlannerSettings,
    @Inject(KNOWLEDGE_CLIENT) private readonly knowledge: { stats(cause: CauseKind): Promise<Map<string, ActionStats>> },
    @Inject(RUNTIME_FLAGS) private readonly flags: RuntimeFlags,
    @Inject(AUTONOMY_SETTINGS) private readonly autonomy: AutonomySettings,
    @Inject(MESSAGING) private readonly runtime: MessagingRuntime,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.incidents = new KnowledgeIncidentClient(runtime.nc, runtime.prefix, INCIDENT_TIMEOUT_MS);
  }

  async onApplicationBootstrap(): Promise<void> {
    // @nats-io/services is still on a prerelease nats-core; the connection is the same object.
    const svcm = new Svcm(this.runtime.nc as unknown as ConstructorParameters<typeof Svcm>[0]);
    this.service = await svcm.add({
      name: 'mapek-planner',
      version: '0.1.0',
      description: 'mapek planner: replay of stored incidents',
      queue: 'planner',
    });
    this.service
      .addGroup(subjects.plannerService(this.runtime.prefix))
      .addEndpoint(PlannerEndpoint.replay, { handler: (error, msg) => void this.answer(error, msg) });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.service?.stop().catch(() => undefined);
  }

  private async answer(error: Error | null, msg: ServiceMsg): Promise<void> {
    if (error) return;
    let body: unknown;
    try {
      body = msg.data.length > 0 ? msg.json() : {};
    } catch {
      msg.respondError(400, 'request is not JSON');
      return;
    }
    const parsed = replayRequest.safeParse(body);
    if (!parsed.success) {
      msg.respondError(400, z.prettifyError(parsed.error).replace(/\s+/g, ' '));
      return;
    }
    try {
      msg.respond(JSON.stringify(await this.replay(parsed.data.id)));
    } catch (replayError) {
      if (replayError instanceof IncidentQueryError) msg.respondError(replayError.code === 'not_found' ? 404 : 503, replayError.message);
      else if (replayError instanceof ReplayNotPossibleError) msg.respondError(422, replayError.message);
      else {
        this.logger.error({ err: replayError, incidentId: parsed.data.id }, 'replay failed');
        msg.respondError(500, 'internal error');
      }
    }
  }

  private async replay(id: string): Promise<unknown> {
    const incident = await this.incidents.incident(id);
    const now = Date.now();
    // Statistics for every cause a rule names: the replayed analysis may rank another cause first.
    const causes = [...new Set(this.settings.rules.map((rule) => rule.cause))];
    const learned = new Map<CauseKind, Map<string, ActionStats>>();
    await Promise.all(
      causes.map(async (cause) => {
        learned.set(cause, await this.knowledge.stats(cause).catch(() => new Map<string, ActionStats>()));
      }),
    );
    const report = replayIncident({
      incident,
      now,
      decide: (analysisId, analysis) => {
        const top = analysis.rootCauses[0];
        return buildPlan({
          analysisId,
          analysis,
          rules: this.settings.rules,
          stats: (top && learned.get(top.cause)) ?? new Map(),
          coolingDown: new Set(),
          effectors: this.settings.effectors,
          ...(top ? planningFlags(this.flags, this.settings.guardrails, this.autonomy, top) : { guardrails: this.settings.guardrails }),
          now,
        });
      },
    });
    this.logger.info({ incidentId: id, differences: report.differences.length }, 'incident replayed');
    return report;
  }
}
