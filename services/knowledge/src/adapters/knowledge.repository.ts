import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { Envelope } from '@mapek/contracts';
import { GENESIS_HASH, chainHash, sha256, verifyChain, type ChainVerdict } from '../domain/audit-chain.js';
import { insightsFrom, meanTtr, type ActionStatsRow, type Insight } from '../domain/insights.js';
import { inTransaction, queriesOf, type Queryable } from './database.js';
import { remedySignature } from '@mapek/contracts';

export interface IncidentRow {
  readonly id: string;
  readonly target: string;
  readonly openedAt: string;
  readonly updatedAt: string;
  readonly status: string;
  readonly cause: string | null;
  readonly confidence: number | null;
  readonly planId: string | null;
  readonly planStatus: string | null;
  readonly executionStatus: string | null;
  readonly outcome: string | null;
  readonly closedAt: string | null;
}

interface StoredEvent {
  readonly id: string;
  readonly type: string;
  readonly time: string;
  readonly source: string;
  readonly target: string;
  readonly incidentId: string | null;
  readonly causationId: string | null;
  readonly data: unknown;
}

const incidentColumns = `id, target, opened_at AS "openedAt", updated_at AS "updatedAt", status, cause, confidence,
  plan_id AS "planId", plan_status AS "planStatus", execution_status AS "executionStatus", outcome, closed_at AS "closedAt"`;

/** A dead letter as knowledge audits it. */
export interface RejectionRecord {
  /** The dead letter's own id (its Nats-Msg-Id: `<stream>:<consumer>:<sequence>`). */
  readonly deadLetterId: string;
  readonly reason: string;
  readonly detail: string;
  readonly originalSubject: string;
  /** The consumer that rejected it. */
  readonly consumer: string;
  readonly body: Uint8Array;
}

/** A UUID-shaped (version 8, RFC 9562 custom) SHA-256 of a text: a stable key for rows that have no event id. */
function uuidFromText(text: string): string {
  const hex = createHash('sha256').update(text).digest('hex');
  const variant = ((parseInt(hex.slice(16, 17), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Every event in PostgreSQL, the incident projection, per-action statistics and the audit chain. */
export class KnowledgeRepository {
  /** Reads outside a transaction, on the pool, through the traced query port. */
  private readonly db: Queryable;

  constructor(private readonly pool: pg.Pool) {
    this.db = queriesOf(pool);
  }

  /** Stores an event once (idempotent on its id) with its audit entry and projections; false if already stored. */
  async record(envelope: Envelope): Promise<boolean> {
    return inTransaction(this.pool, async (client) => {
      const inserted = await client.query(
        `INSERT INTO events (id, type, version, source, time, target, incident_id, causation_id, data)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (id) DO NOTHING RETURNING id`,
        [
          envelope.id,
          envelope.type,
          envelope.version,
          envelope.source,
          envelope.time,
          envelope.target,
          envelope.incidentId ?? null,
          envelope.causationId ?? null,
          JSON.stringify(envelope.data),
        ],
      );
      if (inserted.rowCount === 0) return false;
      await this.appendAudit(client, envelope);
      await this.project(client, envelope);
      return true;
    });
  }

  /**
   * Appends one rejection (a dead letter) to the audit chain, once: the row's id is derived from
   * the dead letter's id, so a redelivered dead letter is not audited twice. Its type is
   * `rejected.<reason>` and its source the consumer that rejected it; the payload hash covers the
   * reason, detail, original subject and the rejected bytes. Returns false if already audited.
   */
  async recordRejection(rejection: RejectionRecord): Promise<boolean> {
    const id = uuidFromText(`dead-letter:${rejection.deadLetterId}`);
    return inTransaction(this.pool, async (client) => {
      await client.query('SELECT pg_advisory_xact_lock(7261002)');
      const existing = await client.query('SELECT 1 FROM audit_log WHERE event_id = $1', [id]);
      if ((existing.rowCount ?? 0) > 0) return false;
      const payload = JSON.stringify({
        reason: rejection.reason,
        detail: rejection.detail,
        originalSubject: rejection.originalSubject,
        body: Buffer.from(rejection.body).toString('base64'),
      });
      await this.appendAuditEntry(client, {
        eventId: id,
        eventType: `rejected.${rejection.reason}`,
        source: rejection.consumer,
        payloadSha256: sha256(payload),
      });
      return true;
    });
  }

  private async appendAudit(client: Queryable, envelope: Envelope): Promise<void> {
    await this.appendAuditEntry(client, {
      eventId: envelope.id,
      eventType: envelope.type,
      source: envelope.source,
      payloadSha256: sha256(JSON.stringify(envelope)),
    });
  }

  private async appendAuditEntry(
    client: Queryable,
    row: { eventId: string; eventType: string; source: string; payloadSha256: string },
  ): Promise<void> {
    // One writer at a time extends the chain.
    await client.query('SELECT pg_advisory_xact_lock(7261002)');
    const head = await client.query<{ seq: string; hash: string }>('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1');
    const previous = head.rows[0];
    const entry = {
      seq: previous ? Number(previous.seq) + 1 : 1,
      eventId: row.eventId,
      eventType: row.eventType,
      source: row.source,
      recordedAt: new Date().toISOString(),
      payloadSha256: row.payloadSha256,
    };
    const prevHash = previous?.hash ?? GENESIS_HASH;
    await client.query(
      `INSERT INTO audit_log (seq, event_id, event_type, source, recorded_at, payload_sha256, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        entry.seq,
        entry.eventId,
        entry.eventType,
        entry.source,
        entry.recordedAt,
        entry.payloadSha256,
        prevHash,
        chainHash(prevHash, entry),
      ],
    );
  }

  private async project(client: Queryable, envelope: Envelope): Promise<void> {
    const incidentId = envelope.incidentId;
    if (!incidentId) return;
    const touch = async (sql: string, values: unknown[]) =>
      client.query(`UPDATE incidents SET ${sql}, updated_at = GREATEST(updated_at, $2) WHERE id = $1`, [
        incidentId,
        envelope.time,
        ...values,
      ]);
    switch (envelope.type) {
      case 'analysis': {
        const data = (envelope as Envelope<'analysis'>).data;
        await client.query(
          `INSERT INTO incidents (id, target, opened_at, updated_at, status, cause, confidence) VALUES ($1, $2, $3, $3, 'open', $4, $5)
           ON CONFLICT (id) DO UPDATE SET cause = EXCLUDED.cause, confidence = EXCLUDED.confidence`,
          [incidentId, envelope.target, envelope.time, data.rootCauses[0]?.cause ?? null, data.confidence],
        );
        return;
      }
      case 'plan.proposed':
        await touch(`plan_id = $3, plan_status = COALESCE(plan_status, 'proposed')`, [(envelope as Envelope<'plan.proposed'>).data.planId]);
        return;
      case 'plan.approved':
        await touch(`plan_id = $3, plan_status = 'approved'`, [(envelope as Envelope<'plan.approved'>).data.planId]);
        return;
      case 'plan.rejected':
        await touch(`plan_id = $3, plan_status = 'rejected', status = 'closed', closed_at = $2`, [
          (envelope as Envelope<'plan.rejected'>).data.planId,
        ]);
        return;
      case 'execution':
        await touch(`execution_status = $3`, [(envelope as Envelope<'execution'>).data.status]);
        return;
      case 'outcome': {
        const data = (envelope as Envelope<'outcome'>).data;
        await touch(`outcome = $3, status = 'closed', closed_at = $2`, [data.outcome]);
        // Not needed: the trouble was gone before anything acted, so the remedy taught nothing.
        if (data.outcome === 'not_needed') return;
        // Statistics per single action (for insights) and per remedy, the exact action sequence
        // (`plan:a+b`), which the planner scores on so one remedy's success is not credited to another.
        for (const action of new Set([...data.actions, remedySignature(data.actions)])) {
          const column = {
            success: 'successes',
            partial: 'partials',
            ineffective: 'ineffective',
            degradation: 'degradations',
            unknown: 'unknown',
          }[data.outcome];
          const ttr = data.timeToStabilizationMs;
          await client.query(
            `INSERT INTO action_stats (cause, action, attempts, ${column}, ttr_count, ttr_sum_ms) VALUES ($1, $2, 1, 1, $3, $4)
             ON CONFLICT (cause, action) DO UPDATE SET attempts = action_stats.attempts + 1, ${column} = action_stats.${column} + 1,
               ttr_count = action_stats.ttr_count + $3, ttr_sum_ms = action_stats.ttr_sum_ms + $4, updated_at = now()`,
            [data.cause, action, ttr === null ? 0 : 1, ttr ?? 0],
          );
        }
        return;
      }
      case 'incident.resolved':
        // The signal went away before a remedy: the incident is over, with no outcome.
        await touch(`status = 'closed', closed_at = COALESCE(closed_at, $2)`, []);
        return;
      case 'symptom':
      case 'sample.batch':
      case 'decision':
      case 'command':
      case 'flag.changed':
      case 'alert.resolved':
      case 'heartbeat':
        return;
    }
  }

  async stats(
    cause: string,
  ): Promise<Array<{ action: string; attempts: number; successes: number; partials: number; meanTimeToRecoveryMs: number | null }>> {
    const rows = await this.statsRows(cause);
    return rows.map((row) => ({
      action: row.action,
      attempts: row.attempts,
      successes: row.successes,
      partials: row.partials,
      meanTimeToRecoveryMs: meanTtr(row),
    }));
  }

  private async statsRows(cause?: string): Promise<ActionStatsRow[]> {
    const result = await this.db.query<ActionStatsRow>(
      `SELECT cause, action, attempts, successes, partials, ineffective, degradations, unknown, ttr_count AS "ttrCount", ttr_sum_ms AS "ttrSumMs"
       FROM action_stats ${cause ? 'WHERE cause = $1' : ''} ORDER BY cause, action`,
      cause ? [cause] : [],
    );
    return result.rows;
  }

  async insights(): Promise<Insight[]> {
    return insightsFrom(await this.statsRows());
  }

  async incidents(query: { limit: number; status?: string; target?: string }): Promise<IncidentRow[]> {
    const where: string[] = [];
    const values: unknown[] = [];
    if (query.status) where.push(`status = $${values.push(query.status)}`);
    if (query.target) where.push(`target = $${values.push(query.target)}`);
    const result = await this.db.query<IncidentRow>(
      `SELECT ${incidentColumns} FROM incidents ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY opened_at DESC LIMIT $${values.push(query.limit)}`,
      values,
    );
    return result.rows;
  }

  async incident(id: string): Promise<(IncidentRow & { events: Record<string, StoredEvent[]> }) | undefined> {
    const found = await this.db.query<IncidentRow>(`SELECT ${incidentColumns} FROM incidents WHERE id = $1`, [id]);
    const incident = found.rows[0];
    if (!incident) return undefined;
    const events = await this.db.query<StoredEvent>(
      `SELECT id, type, time, source, target, incident_id AS "incidentId", causation_id AS "causationId", data FROM events WHERE incident_id = $1
       UNION ALL
       SELECT id, type, time, source, target, incident_id, causation_id, data FROM (
         SELECT * FROM events WHERE type = 'symptom' AND target = $2 AND time >= $3::timestamptz - interval '1 minute' AND time <= COALESCE($4::timestamptz, now())
         ORDER BY time LIMIT 200) recent_symptoms
       ORDER BY time`,
      [id, incident.target, incident.openedAt, incident.closedAt],
    );
    const grouped: Record<string, StoredEvent[]> = {
      symptoms: [],
      analyses: [],
      plans: [],
      decisions: [],
      executions: [],
      outcomes: [],
      flags: [],
      resolutions: [],
    };
    const bucket: Record<string, string> = {
      symptom: 'symptoms',
      analysis: 'analyses',
      'plan.proposed': 'plans',
      'plan.approved': 'plans',
      'plan.rejected': 'plans',
      decision: 'decisions',
      execution: 'executions',
      outcome: 'outcomes',
      'flag.changed': 'flags',
      'incident.resolved': 'resolutions',
    };
    for (const event of events.rows) grouped[bucket[event.type] ?? 'other']?.push(event);
    return { ...incident, events: grouped };
  }

  async verifyAudit(): Promise<ChainVerdict> {
    const result = await this.db.query<{
      seq: string;
      eventId: string;
      eventType: string;
      source: string;
      recordedAt: Date;
      payloadSha256: string;
      prevHash: string;
      hash: string;
    }>(
      `SELECT seq, event_id AS "eventId", event_type AS "eventType", source, recorded_at AS "recordedAt", payload_sha256 AS "payloadSha256", prev_hash AS "prevHash", hash FROM audit_log ORDER BY seq`,
    );
    return verifyChain(result.rows.map((row) => ({ ...row, seq: Number(row.seq), recordedAt: row.recordedAt.toISOString() })));
  }
}
