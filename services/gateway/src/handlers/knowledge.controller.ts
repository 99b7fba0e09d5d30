import { Controller, Get, Inject } from '@nestjs/common';
import { KnowledgeEndpoint } from '@mapek/contracts';
import type { KnowledgeClient } from '../adapters/knowledge.client.js';
import { fromKnowledge } from './http-errors.js';
import { KNOWLEDGE } from './incidents.controller.js';

/** What the loop has learned, and whether its audit trail is intact. */
@Controller('api/v1')
export class KnowledgeController {
  constructor(@Inject(KNOWLEDGE) private readonly knowledge: KnowledgeClient) {}

  /** Which remedies work against which causes, with confidence and time to recovery. */
  @Get('insights')
  async insights(): Promise<unknown> {
    try {
      return await this.knowledge.query(KnowledgeEndpoint.insights);
    } catch (error) {
      throw fromKnowledge(error);
    }
  }

  /** Recomputes the audit hash chain: `{ ok, checked, brokenAt? }`. */
  @Get('audit/verify')
  async verifyAudit(): Promise<unknown> {
    try {
      return await this.knowledge.query(KnowledgeEndpoint.auditVerify);
    } catch (error) {
      throw fromKnowledge(error);
    }
  }
}
