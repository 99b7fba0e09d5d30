import { createHash } from 'node:crypto';

export const GENESIS_HASH = '0'.repeat(64);

export interface AuditEntry {
  readonly seq: number;
  readonly eventId: string;
  readonly eventType: string;
  readonly source: string;
  readonly recordedAt: string;
  readonly payloadSha256: string;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** hash_n = SHA-256(hash_{n-1} | seq | event id | type | source | recorded at | SHA-256(envelope)). */
export function chainHash(previous: string, entry: AuditEntry): string {
  return sha256([previous, entry.seq, entry.eventId, entry.eventType, entry.source, entry.recordedAt, entry.payloadSha256].join('|'));
}

export interface ChainVerdict {
  readonly ok: boolean;
  readonly checked: number;
  /** The first sequence number whose hash or link does not match. */
  readonly brokenAt?: number;
}

/** Recomputes the chain in order; any edited, removed or reordered row breaks it from there on. */
export function verifyChain(rows: Iterable<AuditEntry & { prevHash: string; hash: string }>): ChainVerdict {
  let previous = GENESIS_HASH;
  let expectedSeq = 1;
  let checked = 0;
  for (const row of rows) {
    if (row.seq !== expectedSeq || row.prevHash !== previous || chainHash(previous, row) !== row.hash) {
      return { ok: false, checked, brokenAt: row.seq };
    }
    previous = row.hash;
    expectedSeq++;
    checked++;
  }
  return { ok: true, checked };
}
