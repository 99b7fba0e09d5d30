import { HttpException, HttpStatus } from '@nestjs/common';
import type { z } from 'zod';
import { KnowledgeQueryError } from '../adapters/knowledge.client.js';
import { PlannerQueryError } from '../adapters/planner.client.js';

/** Every error body the API sends: a status, a machine code and a reason a person can act on. */
export function httpError(status: HttpStatus, code: string, reason: string): HttpException {
  return new HttpException({ statusCode: status, error: code, reason }, status);
}

export function badRequest(error: z.ZodError): HttpException {
  const reason = error.issues.map((issue) => `${issue.path.join('.') || 'request'}: ${issue.message}`).join('; ');
  return httpError(HttpStatus.BAD_REQUEST, 'bad_request', reason);
}

export function fromKnowledge(error: unknown): HttpException {
  if (error instanceof KnowledgeQueryError) {
    switch (error.code) {
      case 'not_found':
        return httpError(HttpStatus.NOT_FOUND, 'not_found', error.message);
      case 'bad_request':
        return httpError(HttpStatus.BAD_REQUEST, 'bad_request', error.message);
      case 'unavailable':
        return httpError(HttpStatus.SERVICE_UNAVAILABLE, 'knowledge_unavailable', error.message);
      case 'failed':
        return httpError(HttpStatus.BAD_GATEWAY, 'knowledge_failed', 'knowledge could not answer');
    }
  }
  return httpError(HttpStatus.INTERNAL_SERVER_ERROR, 'internal', 'internal error');
}

export function fromPlanner(error: unknown): HttpException {
  if (error instanceof PlannerQueryError) {
    switch (error.code) {
      case 'not_found':
        return httpError(HttpStatus.NOT_FOUND, 'not_found', error.message);
      case 'bad_request':
        return httpError(HttpStatus.BAD_REQUEST, 'bad_request', error.message);
      case 'unprocessable':
        return httpError(HttpStatus.UNPROCESSABLE_ENTITY, 'not_replayable', error.message);
      case 'unavailable':
        return httpError(HttpStatus.SERVICE_UNAVAILABLE, 'planner_unavailable', error.message);
      case 'knowledge_unavailable':
        return httpError(HttpStatus.SERVICE_UNAVAILABLE, 'knowledge_unavailable', error.message);
      case 'failed':
        return httpError(HttpStatus.BAD_GATEWAY, 'planner_failed', 'the planner could not replay the incident');
    }
  }
  return httpError(HttpStatus.INTERNAL_SERVER_ERROR, 'internal', 'internal error');
}
