import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { isoTimeSchema } from './events/common.schema.js';

/**
 * Gateway API keys: the file format `mapek pki api-key` writes and the gateway reads, and the
 * token format callers send (`Authorization: Bearer mapek_<id>_<secret>`). The file holds only a
 * SHA-256 digest of each secret, so reading it does not let anyone call the API.
 */

/** What a caller may do; see the gateway's access policy for the routes each role reaches. */
export const ApiRole = {
  /** Read incidents, plans, insights, the audit check, /status and the /ws feed. */
  viewer: 'viewer',
  /** A viewer who may also send manual commands. */
  operator: 'operator',
  /** A viewer who may also approve and reject pending plans. */
  approver: 'approver',
  /** Everything. */
  admin: 'admin',
  /** Alertmanager's webhook: may post alerts to `/api/v1/alertmanager` and nothing else, not even read. */
  alertmanager: 'alertmanager',
  /** A service, job or cron that reports in: may post to `/api/v1/heartbeats/<target>` and nothing else, not even read. */
  heartbeat: 'heartbeat',
} as const;
export type ApiRole = (typeof ApiRole)[keyof typeof ApiRole];

const API_KEY_TOKEN = /^mapek_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

/** The principal's name: becomes the `actor` of its decisions and commands. */
export const apiPrincipalNameSchema = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[\w.@:-]+$/, 'letters, digits and . _ @ : - only');

export const apiKeyRecordV1Schema = z.strictObject({
  /** 16 hex characters, public: it appears in logs and in the token. */
  id: z.string().regex(/^[0-9a-f]{16}$/, 'must be 16 lowercase hex characters'),
  name: apiPrincipalNameSchema,
  role: z.enum(Object.values(ApiRole) as [ApiRole, ...ApiRole[]]),
  /** SHA-256 (hex) of the token's secret part. */
  secretSha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be a hex SHA-256 digest'),
  createdAt: isoTimeSchema,
  /** After this instant the key is refused. */
  expiresAt: isoTimeSchema.optional(),
  /** Set by `mapek pki api-key revoke`: the key is refused from then on, and the record kept for the audit. */
  revokedAt: isoTimeSchema.optional(),
});
export type ApiKeyRecordV1 = z.infer<typeof apiKeyRecordV1Schema>;

export const apiKeysFileV1Schema = z
  .strictObject({ version: z.literal(1), keys: z.array(apiKeyRecordV1Schema) })
  .refine((file) => new Set(file.keys.map((key) => key.id)).size === file.keys.length, { message: 'key ids must be unique' });
export type ApiKeysFileV1 = z.infer<typeof apiKeysFileV1Schema>;

/** Reads the keys file's text: the file, or what is wrong with it (every schema problem, by path). */
export function parseApiKeysFile(
  text: string,
): { readonly ok: true; readonly file: ApiKeysFileV1 } | { readonly ok: false; readonly problem: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, problem: 'not JSON' };
  }
  const parsed = apiKeysFileV1Schema.safeParse(json);
  if (!parsed.success)
    return { ok: false, problem: parsed.error.issues.map((issue) => `${issue.path.join('.') || 'file'}: ${issue.message}`).join('; ') };
  return { ok: true, file: parsed.data };
}

/** SHA-256 (hex) of a token's secret, as stored in the keys file. */
export function apiKeySecretDigest(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** Splits a token into its public id and its secret, or undefined when it is not a mapek API key. */
export function parseApiKeyToken(token: string): { id: string; secret: string } | undefined {
  const match = API_KEY_TOKEN.exec(token);
  return match?.[1] && match[2] ? { id: match[1], secret: match[2] } : undefined;
}

/** A new random key: 64-bit public id, 256-bit secret. Only the digest of the secret is stored. */
export function newApiKey(): { id: string; secret: string; token: string } {
  const id = randomBytes(8).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  return { id, secret, token: `mapek_${id}_${secret}` };
}
