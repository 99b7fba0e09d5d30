import {
  ApiRole,
  apiKeyRecordV1Schema,
  type ApiKeyRecordV1,
  type ApiKeysFileV1,
  apiKeySecretDigest,
  apiKeysFileV1Schema,
  apiPrincipalNameSchema,
  newApiKey,
  parseApiKeysFile,
} from '@mapek/contracts';
import { readFile } from 'node:fs/promises';
import { writeAtomically } from './key-files.migration.js';
import { PkiError, PkiErrorCode } from './pki.errors.js';

const day = 86_400_000;
const roles: readonly string[] = Object.values(ApiRole);

export function isApiRole(value: string): value is ApiRole {
  return roles.includes(value);
}

export interface CreateApiKeyOptions {
  /** The keys file the gateway reads, e.g. `<out>/api-keys.json`. */
  readonly file: string;
  /** The principal's name; becomes the `actor` of its decisions and commands. Need not be unique. */
  readonly name: string;
  readonly role: ApiRole;
  /** Validity in days from now; no expiry when absent. */
  readonly days?: number;
  readonly now?: Date;
}

export interface CreatedApiKey {
  readonly id: string;
  /** `mapek_<id>_<secret>`: returned once, never stored. */
  readonly token: string;
  readonly record: ApiKeyRecordV1;
}

/** Adds a key to the file and returns its token; the file keeps only the secret's digest. */
export async function createApiKey(options: CreateApiKeyOptions): Promise<CreatedApiKey> {
  const name = apiPrincipalNameSchema.safeParse(options.name);
  if (!name.success)
    throw new PkiError(
      PkiErrorCode.invalidApiPrincipal,
      `invalid API key name "${options.name}": ${name.error.issues.map((issue) => issue.message).join('; ')}`,
    );
  // Checked again at run time: a JavaScript caller or a cast can pass any string.
  const role: string = options.role;
  if (!isApiRole(role))
    throw new PkiError(PkiErrorCode.invalidApiPrincipal, `invalid API key role "${role}": must be one of ${roles.join(', ')}`);
  if (options.days !== undefined && !(Number.isInteger(options.days) && options.days > 0))
    throw new PkiError(PkiErrorCode.usage, 'days must be a positive integer');

  const now = options.now ?? new Date();
  const current = await readKeysFile(options.file);
  const taken = new Set(current.keys.map((key) => key.id));
  let key = newApiKey();
  // 64 random bits make a clash unlikely, but the file must never hold two keys with one id.
  while (taken.has(key.id)) key = newApiKey();
  const record = apiKeyRecordV1Schema.parse({
    id: key.id,
    name: name.data,
    role: options.role,
    secretSha256: apiKeySecretDigest(key.secret),
    createdAt: now.toISOString(),
    ...(options.days !== undefined && { expiresAt: new Date(now.getTime() + options.days * day).toISOString() }),
  });
  await writeKeysFile(options.file, { version: 1, keys: [...current.keys, record] });
  return { id: key.id, token: key.token, record };
}

/** Marks a key revoked and keeps its record for the audit; revoking twice keeps the first instant. */
export async function revokeApiKey(options: { readonly file: string; readonly id: string; readonly now?: Date }): Promise<ApiKeyRecordV1> {
  const current = await readKeysFile(options.file);
  const found = current.keys.find((key) => key.id === options.id);
  if (found === undefined) throw new PkiError(PkiErrorCode.unknownApiKey, `no API key with id "${options.id}" in ${options.file}`);
  if (found.revokedAt !== undefined) return found;
  const revoked: ApiKeyRecordV1 = { ...found, revokedAt: (options.now ?? new Date()).toISOString() };
  await writeKeysFile(options.file, { version: 1, keys: current.keys.map((key) => (key.id === options.id ? revoked : key)) });
  return revoked;
}

/** The file's keys, revoked and expired ones included; a missing file has none. */
export async function listApiKeys(file: string): Promise<ApiKeyRecordV1[]> {
  return (await readKeysFile(file)).keys;
}

async function readKeysFile(file: string): Promise<ApiKeysFileV1> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, keys: [] };
    throw new PkiError(PkiErrorCode.apiKeyFile, `cannot read ${file}: ${(error as Error).message}`, { cause: error });
  }
  const parsed = parseApiKeysFile(text);
  if (!parsed.ok)
    throw new PkiError(
      PkiErrorCode.apiKeyFile,
      `${file} is not a valid API keys file (${parsed.problem}); fix or move it, it is never overwritten`,
    );
  return parsed.file;
}

/** Writes atomically (writeAtomically), so the gateway never reads a half-written file. */
async function writeKeysFile(file: string, content: ApiKeysFileV1): Promise<void> {
  const checked = apiKeysFileV1Schema.parse(content);
  try {
    await writeAtomically(file, `${JSON.stringify(checked, null, 2)}\n`, 0o600);
  } catch (error) {
    throw new PkiError(PkiErrorCode.apiKeyFile, `cannot write ${file}: ${(error as Error).message}`, { cause: error });
  }
}
