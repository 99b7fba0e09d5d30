import { FlagName, autonomyKey, flagRecordV1Schema, type AutonomyLevel, type AutonomyPolicyV1, type FlagRecordV1 } from '@mapek/contracts';
import type { AutonomyInput, Guardrails } from './plan-builder.js';

/** Where a flag value came from, for the plan's guardrail record. */
export interface Sourced<T> {
  readonly value: T;
  /** `flag.<…>` of the KV record, or `config` (the planner's environment). */
  readonly from: string;
  readonly record?: FlagRecordV1;
}

export interface AutonomyState {
  readonly level: AutonomyLevel;
  readonly streak: number;
  readonly key: string;
  readonly record?: FlagRecordV1;
}

/**
 * The planner's view of the runtime flags in its KV bucket, kept current by a watch (every replica
 * has its own): each key holds one flag record; a newer revision replaces an older one, a delete
 * removes it. Pure: the watch adapter feeds it.
 */
export class RuntimeFlags {
  private readonly records = new Map<string, { revision: number; record: FlagRecordV1 }>();
  private readonly removed = new Map<string, number>();

  /** Applies one KV entry (undefined value: deleted); older revisions than what is held are ignored. */
  apply(key: string, revision: number, value: unknown): void {
    const held = this.records.get(key)?.revision ?? this.removed.get(key) ?? 0;
    if (revision <= held) return;
    const parsed = value === undefined ? undefined : flagRecordV1Schema.safeParse(value);
    if (parsed?.success) {
      this.records.set(key, { revision, record: parsed.data });
      this.removed.delete(key);
    } else {
      this.records.delete(key);
      this.removed.set(key, revision);
    }
  }

  get size(): number {
    return this.records.size;
  }

  record(key: string): FlagRecordV1 | undefined {
    return this.records.get(key)?.record;
  }

  /** Auto-healing for a target: its own value, else the global flag, else the planner's config. */
  autoHealing(target: string, fallback: boolean): Sourced<boolean> {
    for (const key of [`flag.${FlagName.autoHealing}.${target}`, `flag.${FlagName.autoHealing}`]) {
      const record = this.record(key);
      if (record?.change.flag === FlagName.autoHealing && record.change.enabled !== null)
        return { value: record.change.enabled, from: key, record };
    }
    return { value: fallback, from: 'config' };
  }

  /** Shadow mode (dry run) of a target. */
  shadowMode(target: string): Sourced<boolean> {
    const key = `flag.${FlagName.shadowMode}.${target}`;
    const record = this.record(key);
    return record?.change.flag === FlagName.shadowMode
      ? { value: record.change.enabled, from: key, record }
      : { value: false, from: 'config' };
  }

  autonomy(cause: string, actions: readonly string[], defaultLevel: AutonomyLevel): AutonomyState {
    const key = autonomyKey(cause, actions);
    const record = this.record(key);
    if (record?.change.flag !== FlagName.autonomy) return { level: defaultLevel, streak: 0, key };
    return { level: record.change.level, streak: record.streak ?? 0, key, record };
  }

  policy(fallback: AutonomyPolicyV1): Sourced<AutonomyPolicyV1> {
    const key = `flag.${FlagName.autonomyPolicy}`;
    const record = this.record(key);
    return record?.change.flag === FlagName.autonomyPolicy
      ? { value: record.change.policy, from: key, record }
      : { value: fallback, from: 'config' };
  }
}

/**
 * The guardrails a plan for `top` is decided under: the configured ones with the runtime flags
 * over them (auto-healing of the target or global, the target's shadow mode, the autonomy level
 * of each candidate remedy), each with where its value came from for the decision record.
 */
export function planningFlags(
  flags: RuntimeFlags,
  configured: Guardrails,
  autonomy: { readonly defaultLevel: AutonomyLevel; readonly policy: AutonomyPolicyV1 },
  top: { readonly target: string; readonly cause: string },
): { guardrails: Guardrails; autonomy: AutonomyInput } {
  const autoHealing = flags.autoHealing(top.target, configured.autoHealing);
  const shadow = flags.shadowMode(top.target);
  const by = (record: FlagRecordV1 | undefined) => (record ? ` by ${record.actor}` : '');
  return {
    guardrails: {
      ...configured,
      autoHealing: autoHealing.value,
      autoHealingFrom:
        autoHealing.from === 'config' ? 'config MAPEK_AUTO_HEALING' : `runtime flag ${autoHealing.from}${by(autoHealing.record)}`,
      dryRun: configured.dryRun || shadow.value,
      dryRunFrom: configured.dryRun ? 'config MAPEK_DRY_RUN' : `runtime flag ${shadow.from}${by(shadow.record)}`,
    },
    autonomy: {
      of: (actions) => flags.autonomy(top.cause, actions, autonomy.defaultLevel),
      promoteAfter: flags.policy(autonomy.policy).value.promoteAfter,
    },
  };
}
