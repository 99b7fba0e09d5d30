import { Controller, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { z } from 'zod';
import { KnowledgeEndpoint, PlannerEndpoint, uuidSchema } from '@mapek/contracts';
import type { KnowledgeClient } from '../adapters/knowledge.client.js';
import type { PlannerClient } from '../adapters/planner.client.js';
import { badRequest, fromKnowledge, fromPlanner } from './http-errors.js';

export const KNOWLEDGE = Symbol.for('mapek.gateway.knowledge');
export const PLANNER = Symbol.for('mapek.gateway.planner');

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
  ) {}

  @Get()
  async list(@Query() query: Record<string, unknown>): Promise<unknown> {
    const parsed = listQuery.safeParse(query);
    if (!parsed.success) throw badRequest(parsed.error);
    try {
      return await this.knowledge.query(KnowledgeEndpoint.incidents, parsed.data);
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
