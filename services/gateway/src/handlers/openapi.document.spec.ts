import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { SchemaSide, contractDocumentText, planRecordV1Schema, toJsonSchema } from '@mapek/contracts';
import { commandRequestSchema } from '../domain/command-request.js';
import { decisionRequestSchema } from '../domain/decision-request.js';
import { OPENAPI_DOCUMENT_FILE, openApiDocument } from './openapi.document.js';

const repoRoot = path.resolve(import.meta.dirname, '../../../..');

describe('the OpenAPI document', () => {
  it('is committed as the gateway serves it (pnpm contracts:generate writes it)', () => {
    const committed = readFileSync(path.join(repoRoot, OPENAPI_DOCUMENT_FILE), 'utf8');
    expect(committed === contractDocumentText(openApiDocument) ? 'up to date' : 'run `pnpm contracts:generate` and commit the result').toBe(
      'up to date',
    );
  });

  it('keeps every route and status code it had before its bodies were generated (new ones may join)', () => {
    const routes = Object.entries(openApiDocument.paths).flatMap(([route, operations]) =>
      Object.entries(operations).map(
        ([method, operation]) =>
          `${method.toUpperCase()} ${route} ${Object.keys((operation as { responses: object }).responses).join(',')}`,
      ),
    );
    expect(routes).toEqual(
      expect.arrayContaining([
        'GET /health 200,503',
        'GET /health/live 200',
        'GET /health/ready 200,503',
        'GET /metrics 200',
        'GET /status 200',
        'GET /api/v1/incidents 200,400,503',
        'GET /api/v1/incidents/{id} 200,400,404',
        'GET /api/v1/plans 200,400',
        'POST /api/v1/plans/{id}/approve 202,400,404,409',
        'POST /api/v1/plans/{id}/reject 202,400,404,409',
        'POST /api/v1/commands 202,400,403,413,503',
        'GET /api/v1/insights 200,503',
        'GET /api/v1/audit/verify 200,503',
        'GET /ws 101',
      ]),
    );
  });

  it('describes request bodies and plan records by the zod schemas that validate them', () => {
    const { schemas } = openApiDocument.components;
    expect(schemas.CommandRequest).toEqual(toJsonSchema(commandRequestSchema, SchemaSide.input));
    expect(schemas.CommandRequest).toMatchObject({
      required: ['target', 'action', 'reason'],
      additionalProperties: false,
      properties: { target: { pattern: '^[A-Za-z0-9_-]+$' } },
    });
    expect(schemas.DecisionRequest).toEqual(toJsonSchema(decisionRequestSchema, SchemaSide.input));
    expect(schemas.PlanRecordV1).toEqual(toJsonSchema(planRecordV1Schema, SchemaSide.output));
    expect(openApiDocument.paths['/api/v1/commands'].post.requestBody.content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/CommandRequest',
    });
  });
});
