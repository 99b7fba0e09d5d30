import {
  type IdentityKeyFile,
  IdentityKeyFileVersion,
  type KeyUpgrade,
  KeyUpgradeOutcome,
  parseIdentityKeyFile,
  type StoredKemKey,
  type StoredSigningKey,
  upgradeIdentityKeyFile,
  upgradeSigningKey,
} from '@mapek/pqc';
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { PkiError, PkiErrorCode } from './pki.errors.js';

/*
 * Key files written before key file v2 hold expanded secret keys. They keep working as they are;
 * migrating stores every key that has a seed as its seed only (after checking that the seed
 * derives the stored expanded key and public key). ML-DSA-65 keys written by v1 never had their
 * seed stored, and a seed cannot be recovered from an expanded key: those stay expanded until the
 * identity is rotated.
 */

export const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

export { fileExists as exists } from '@mapek/config';

/**
 * Writes `content` beside `file` and renames it over, so that no reader (a service polling the
 * trust bundle, the gateway its API keys) and no crash ever sees half a file.
 */
export async function writeAtomically(file: string, content: string, mode: number): Promise<void> {
  await mkdir(path.dirname(path.resolve(file)), { recursive: true });
  const temporary = `${file}.tmp-${randomBytes(6).toString('hex')}`;
  try {
    const handle = await open(temporary, 'wx', mode);
    try {
      await handle.writeFile(content);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/** Writes a secret file (mode 0600) atomically ({@link writeAtomically}). */
export async function writeSecret(file: string, content: string): Promise<void> {
  await writeAtomically(file, content, 0o600);
}

function invalid(file: string, cause: unknown): PkiError {
  return new PkiError(PkiErrorCode.keyFile, `${file}: ${cause instanceof Error ? cause.message : String(cause)}; it was left as it is`, {
    cause,
  });
}

export async function readIdentityKeyFile(file: string): Promise<IdentityKeyFile> {
  try {
    return parseIdentityKeyFile(await readFile(file, 'utf8'));
  } catch (cause) {
    throw invalid(file, cause);
  }
}

export async function readSigningKeyFile(file: string): Promise<StoredSigningKey> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as StoredSigningKey;
  } catch (cause) {
    throw invalid(file, cause);
  }
}

/** What migrating one file did. */
export interface FileMigration {
  readonly file: string;
  /** Whether the file was (or, with `write: false`, would be) rewritten. */
  readonly changed: boolean;
  /** The key file version it had; the CA key file has none. */
  readonly from?: IdentityKeyFileVersion;
  readonly keys: readonly KeyUpgrade<StoredSigningKey | StoredKemKey>[];
}

/** One line per thing the operator should know, each starting with the file. */
export function describeMigration(migration: FileMigration, keptExpanded: string): string[] {
  const lines =
    migration.from === undefined || migration.from === IdentityKeyFileVersion.seeds
      ? []
      : [`key file v${migration.from} → v${IdentityKeyFileVersion.seeds}`];
  for (const key of migration.keys) {
    switch (key.outcome) {
      case KeyUpgradeOutcome.unchanged:
        break;
      case KeyUpgradeOutcome.seedOnly:
        lines.push(`${key.kid} is now stored as its seed (the expanded fields it replaces were checked against it)`);
        break;
      case KeyUpgradeOutcome.keptExpanded:
        lines.push(`${key.kid} has no seed (written before key file v2) and keeps working from its expanded key; ${keptExpanded}`);
        break;
    }
  }
  return lines.map((line) => `${migration.file}: ${line}`);
}

/** Upgrades `<name>/pqc-keys.json` to v2; writes only when something changed and `write` is set. */
export async function migrateIdentityKeyFile(file: string, options: { write: boolean }): Promise<FileMigration> {
  const current = await readIdentityKeyFile(file);
  let upgrade: ReturnType<typeof upgradeIdentityKeyFile>;
  try {
    upgrade = upgradeIdentityKeyFile(current);
  } catch (cause) {
    throw invalid(file, cause);
  }
  if (upgrade.changed && options.write) await writeSecret(file, json(upgrade.file));
  return { file, changed: upgrade.changed, from: upgrade.from, keys: upgrade.keys };
}

/** Upgrades the CA's ML-DSA-65 key file (`ca/ca.ml-dsa-65.key.json`), which carries no version. */
export async function migrateCaKeyFile(file: string, options: { write: boolean }): Promise<FileMigration> {
  const current = await readSigningKeyFile(file);
  let upgrade: KeyUpgrade<StoredSigningKey>;
  try {
    upgrade = upgradeSigningKey(current);
  } catch (cause) {
    throw invalid(file, cause);
  }
  const changed = upgrade.outcome === KeyUpgradeOutcome.seedOnly;
  if (changed && options.write) await writeSecret(file, json(upgrade.key));
  return { file, changed, keys: [upgrade] };
}
