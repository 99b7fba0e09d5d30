import { Controller, Get, HttpCode, Inject, Param, Post, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { KnowledgeEndpoint, PlannerEndpoint, uuidSchema } from '@mapek/contracts';
import type { KnowledgeClient } from '../adapters/knowledge.client.js';
import type { PlannerClient } from '../adapters/planner.client.js';
import { answerScope } from '../domain/access-policy.js';
import type { Principal } from '../domain/api-key.verifier.js';
import type { MicroCache } from '../domain/micro-cache.js';
import { Caller } from './access-control.js';
import { cacheHeaders } from './cache-headers.js';
import { badRequest, fromKnowledge, fromPlanner } from './http-errors.js';

export const KNOWLEDGE = Symbol.for('mapek.gateway.knowledge');
export const PLANNER = Symbol.for('mapek.gateway.planner');
/** The micro-cache of list answers (MAPEK_GATEWAY_LIST_CACHE_MS; disabled at 0). */
export const LIST_CACHE = Symbol.for('mapek.gateway.list-cache');

const listQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  status: z.enum(['open', 'closed']).optional(),
  target: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/)
    .optional(),
});

@Controller('api/v1/incidents')
export class IncidentsController {
  constructor(
    @Inject(KNOWLEDGE) private readonly knowledge: KnowledgeClient,
    @Inject(PLANNER) private readonly planner: PlannerClient,
    @Inject(LIST_CACHE) private readonly lists: MicroCache<unknown>,
  ) {}

  /**
   * The latest incidents. Identical lists asked within the cache's TTL share one query to
   * knowledge (a dashboard polling, many tabs open): the answer may be that old, and says so in
   * its headers. The key is the validated query (defaults filled in, so `?limit=50` and no limit
   * are one question) and the caller's answer scope. The live view is the WebSocket, never cached.
   */
  @Get()
  async list(
    @Query() query: Record<string, unknown>,
    @Caller() caller: Principal | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    const parsed = listQuery.safeParse(query);
    if (!parsed.success) throw badRequest(parsed.error);
    // Every field of the validated query, in a fixed order: a field added to the schema joins the key.
    const fields = Object.entries(parsed.data).sort(([a], [b]) => (a < b ? -1 : 1));
    const key = JSON.stringify([KnowledgeEndpoint.incidents, answerScope(caller), fields]);
    try {
      const answer = await this.lists.get(key, () => this.knowledge.query(KnowledgeEndpoint.incidents, parsed.data));
      if (this.lists.enabled) reply.headers(cacheHeaders(answer, this.lists.ttlMs));
      return answer.value;
    } catch (error) {
      throw fromKnowledge(error);
    }
  }

  @Get(':id')
  async one(@Param('id') id: string): Promise<unknown> {
    const parsed = uuidSchema.safeParse(id);
    if (!parsed.success) throw badRequest(new z.ZodError(parsed.error.issues.map((issue) => ({ ...issue, path: ['id'] }))));
    try {
      return await this.knowledge.query(KnowledgeEndpoint.incident, { id: parsed.data });
    } catch (error) {
      throw fromKnowledge(error);
    }
  }

  /**
   * What the current rules, flags and learned statistics would decide for a stored incident,
   * beside what was decided then (read-only; the planner replays it, ADR 0010). A POST because
   * it computes rather than reads a resource; it changes nothing, so a viewer may call it.
   */
  @Post(':id/replay')
  @HttpCode(200)
  async replay(@Param('id') id: string): Promise<unknown> {
    const parsed = uuidSchema.safeParse(id);
    if (!parsed.success) throw badRequest(new z.ZodError(parsed.error.issues.map((issue) => ({ ...issue, path: ['id'] }))));
    try {
      return await this.planner.query(PlannerEndpoint.replay, { id: parsed.data });
    } catch (error) {
      throw fromPlanner(error);
    }
  }
}
