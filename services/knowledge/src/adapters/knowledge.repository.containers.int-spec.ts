import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { deriveEventId, newEventId, type Envelope, type EventData, type EventType } from '@mapek/contracts';
import { createLogger } from '@mapek/observability';
import type pg from 'pg';
import { GenericContainer, Wait, type StartedTestContainer } from 'testcontainers';
import { DatabaseSchema, createPool } from './database.js';
import { KnowledgeRepository } from './knowledge.repository.js';
import { containerEngine, localImages, memorySymptomData } from '@mapek/testing';

/**
 * The repository against PostgreSQL 15 in a container of the local image (Debian's postgresql-15,
 * scripts/docker-engine.sh): the migrations on an empty server, storing each event once, the
 * incident projection, the learned statistics and the hash-chained audit trail.
 */
const engine = await containerEngine();
if (!engine.available && engine.impossible) console.warn(`testcontainers suite skipped: ${engine.reason}`);

(engine.available || !engine.impossible ? describe : describe.skip)(
  'KnowledgeRepository on PostgreSQL in a container (testcontainers)',
  () => {
    let container: StartedTestContainer;
    let pool: pg.Pool;
    let repository: KnowledgeRepository;

    beforeAll(async () => {
      if (!engine.available) throw new Error(engine.reason);
      const { postgres } = await localImages();
      // The bare server of the image, trust auth on a throw-away cluster: what is under test is the repository.
      container = await new GenericContainer(postgres)
        .withUser('postgres')
        .withEntrypoint(['bash', '-c'])
        .withCommand([
          'set -e; export PATH=/usr/lib/postgresql/15/bin:$PATH; initdb -D /tmp/data -U postgres -A trust -E UTF8 --no-sync >/dev/null; echo "host all all all trust" >>/tmp/data/pg_hba.conf; exec postgres -D /tmp/data -c listen_addresses=* -c fsync=off -c unix_socket_directories=/tmp',
        ])
        .withExposedPorts(5432)
        .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/))
        .withStartupTimeout(120_000)
        .start();
      pool = createPool(`postgres://postgres@${container.getHost()}:${container.getMappedPort(5432)}/postgres`, 4);
      pool.on('error', () => undefined);
      await new DatabaseSchema(pool, createLogger('knowledge-test', 'silent')).prepare();
      repository = new KnowledgeRepository(pool);
    }, 20 * 60_000);

    afterAll(async () => {
      await pool?.end().catch(() => undefined);
      await container?.stop({ remove: true, removeVolumes: true });
    });

    const target = 'checkout';
    const envelope = <T extends EventType>(
      type: T,
      data: EventData<T>,
      links: { incidentId?: string; causationId?: string; id?: string } = {},
    ): Envelope<T> => ({
      id: links.id ?? newEventId(),
      type,
      version: 1,
      source: 'test',
      time: new Date().toISOString(),
      target,
      ...(links.incidentId !== undefined && { incidentId: links.incidentId }),
      ...(links.causationId !== undefined && { causationId: links.causationId }),
      data,
    });

    it('stores an event once: the same id again is a duplicate, in the table and in the audit trail', async () => {
      const symptom = envelope('symptom', memorySymptomData());
      expect(await repository.record(symptom)).toBe(true);
      expect(await repository.record(symptom)).toBe(false);
      const rows = await pool.query<{ events: string; audited: string }>(
        'SELECT (SELECT count(*) FROM events WHERE id = $1) AS events, (SELECT count(*) FROM audit_log WHERE event_id = $1) AS audited',
        [symptom.id],
      );
      expect(rows.rows[0]).toEqual({ events: '1', audited: '1' });
    });

    it('projects an incident from analysis to outcome, learns the remedy and keeps a verifiable audit chain', async () => {
      const symptomId = newEventId();
      const incidentId = symptomId;
      const planId = deriveEventId(symptomId, 'plan');
      const executionId = deriveEventId(planId, 'execution');
      const startedAt = new Date().toISOString();
      await repository.record(
        envelope(
          'analysis',
          {
            symptomIds: [symptomId],
            patterns: [],
            rootCauses: [
              { target, cause: 'memory_leak', confidence: 0.8, explains: [symptomId], reasoning: 'resident memory grows without load' },
            ],
            confidence: 0.8,
          },
          { incidentId, causationId: symptomId },
        ),
      );
      expect(await repository.incident(incidentId)).toMatchObject({
        id: incidentId,
        target,
        status: 'open',
        cause: 'memory_leak',
        outcome: null,
      });

      const execution = (status: 'in_progress' | 'completed') =>
        envelope(
          'execution',
          {
            executionId,
            planId,
            status,
            steps: [{ index: 0, action: 'clear_cache', status }],
            startedAt,
            ...(status === 'completed' && { finishedAt: new Date().toISOString() }),
            dryRun: false,
          },
          { incidentId, causationId: planId },
        );
      await repository.record(execution('in_progress'));
      await repository.record(execution('completed'));
      const outcome = envelope(
        'outcome',
        {
          executionId,
          planId,
          cause: 'memory_leak',
          actions: ['clear_cache'],
          outcome: 'success',
          violationsBefore: 4,
          violationsAfter: 0,
          timeToStabilizationMs: 2500,
          verificationWindowMs: 10_000,
        },
        { incidentId, causationId: executionId },
      );
      expect(await repository.record(outcome)).toBe(true);
      // A redelivered outcome changes nothing: the statistics count the remedy once.
      expect(await repository.record(outcome)).toBe(false);

      const incident = await repository.incident(incidentId);
      expect(incident).toMatchObject({ status: 'closed', executionStatus: 'completed', outcome: 'success' });
      expect(incident?.events['executions']).toHaveLength(2);
      expect(incident?.events['outcomes']).toHaveLength(1);
      expect(await repository.stats('memory_leak')).toEqual(
        expect.arrayContaining([
          { action: 'clear_cache', attempts: 1, successes: 1, partials: 0, meanTimeToRecoveryMs: 2500 },
          { action: 'plan:clear_cache', attempts: 1, successes: 1, partials: 0, meanTimeToRecoveryMs: 2500 },
        ]),
      );
      expect(await repository.verifyAudit()).toMatchObject({ ok: true });
    });

    it('refuses to change the audit trail, and the chain shows an entry changed behind the trigger', async () => {
      const first = "UPDATE audit_log SET source = 'mallory' WHERE seq = (SELECT min(seq) FROM audit_log)";
      await expect(pool.query(first)).rejects.toThrow(/append-only/);
      // A superuser can turn triggers off for a session; the hashes still tell.
      const client = await pool.connect();
      try {
        await client.query('SET session_replication_role = replica');
        await client.query(first);
      } finally {
        client.release(true);
      }
      expect(await repository.verifyAudit()).toMatchObject({ ok: false, brokenAt: 1 });
    });
  },
);
