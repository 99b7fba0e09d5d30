import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { z } from 'zod';
import { KnowledgeEndpoint, uuidSchema } from '@mapek/contracts';
import type { KnowledgeClient } from '../adapters/knowledge.client.js';
import { badRequest, fromKnowledge } from './http-errors.js';

export const KNOWLEDGE = Symbol.for('mapek.gateway.knowledge');

const listQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  status: z.enum(['open', 'closed']).optional(),
  target: z.string().regex(/^[A-Za-z0-9_-]+$/).optional(),
});

@Controller('api/v1/incidents')
export class IncidentsController {
  constructor(@Inject(KNOWLEDGE) private readonly knowledge: KnowledgeClient) {}

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
}
