import { capabilitiesOf, type MapekConfiguration } from '@mapek/contracts';
import type { PlanInput } from './plan-builder.js';
import type { RemediationRule } from './remediation-rules.js';

/**
 * What the target's effector offers, from the configuration file: undefined when there is no
 * file, the file does not name the target, or its agent does not list its remedies (the
 * deployment's effectors decide then, as before the file existed).
 */
export function offeredTo(config: MapekConfiguration | undefined, target: string): PlanInput['offered'] {
  const entry = config?.targets.find((candidate) => candidate.name === target);
  if (!entry) return undefined;
  const actions = capabilitiesOf(entry);
  return actions === undefined ? undefined : { effector: entry.effector.kind, actions: new Set(actions) };
}

/** The rules that apply to a target, first match wins: its own from the file, then the file's global ones, then the built-in ones. */
export function rulesFor(config: MapekConfiguration | undefined, target: string, builtIn: readonly RemediationRule[]): RemediationRule[] {
  const entry = config?.targets.find((candidate) => candidate.name === target);
  return [...(entry?.remediation ?? []), ...(config?.remediation ?? []), ...builtIn];
}
