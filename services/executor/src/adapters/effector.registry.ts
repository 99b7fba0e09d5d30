import { ActionType, type Capability, type EffectorConfig, type MapekConfiguration, type PlanStep } from '@mapek/contracts';
import { ContainerEffector } from './container.effector.js';
import type { Effector } from '../domain/effector.port.js';
import { KubernetesEffector } from './kubernetes.effector.js';
import { ProcessEffector } from './process.effector.js';
import { TracedEffector } from './traced.effector.js';
import { WebhookEffector, type WebhookSigner } from './webhook.effector.js';

/** How a step is carried out: which effector, with which of its capabilities. */
export type EffectorChoice =
  | {
      readonly offered: true;
      readonly effector: Effector;
      /** The effector's kind (`agent`, `container`, …): its breaker, lease record and hourly cap. */
      readonly kind: string;
      /** Unset for the agent and escalation, which declare no capabilities. */
      readonly capability?: Capability;
    }
  | { readonly offered: false; readonly kind: string; readonly detail: string };

/** The configuration in force (libs/config watchConfigurationFile), or none: every target has the agent. */
export interface ConfigurationSource {
  current(): MapekConfiguration;
}

/**
 * Chooses each step's effector from the configuration file: the target's effector, and the
 * capability that offers the step's action (its params are the step's defaults, its timeout the
 * step's). Escalation always goes to people. A target the file does not name, or no file, keeps
 * the embedded agent. Effectors are built once per target and again when its entry changes; each
 * is handed out traced (a span per call, adapters/traced.effector.ts).
 */
export class EffectorRegistry {
  private readonly built = new Map<string, { readonly json: string; readonly effector: Effector }>();
  private readonly base: { readonly agent: Effector; readonly escalation: Effector };

  constructor(
    base: { readonly agent: Effector; readonly escalation: Effector },
    private readonly configuration?: ConfigurationSource,
    private readonly signer?: WebhookSigner,
  ) {
    this.base = { agent: new TracedEffector(base.agent, 'agent'), escalation: new TracedEffector(base.escalation, 'escalation') };
  }

  choose(step: Pick<PlanStep, 'action' | 'target'>): EffectorChoice {
    if (step.action === ActionType.escalate) return { offered: true, effector: this.base.escalation, kind: 'escalation' };
    const config = this.configuration?.current().targets.find((target) => target.name === step.target)?.effector;
    if (!config) return { offered: true, effector: this.base.agent, kind: 'agent' };
    switch (config.kind) {
      case 'agent':
        return config.actions === undefined || config.actions.includes(step.action)
          ? { offered: true, effector: this.base.agent, kind: 'agent' }
          : {
              offered: false,
              kind: 'agent',
              detail: `the agent of ${step.target} offers ${config.actions.join(', ')}, not ${step.action}`,
            };
      case 'none':
        return { offered: false, kind: 'none', detail: `${step.target} is watched only (effector none): nothing acts on it` };
      case 'webhook':
      case 'container':
      case 'process':
      case 'kubernetes': {
        const capability = config.capabilities.find((offered) => offered.action === step.action);
        if (!capability)
          return {
            offered: false,
            kind: config.kind,
            detail: `the ${config.kind} effector of ${step.target} offers ${config.capabilities.map((offered) => offered.action).join(', ')}, not ${step.action}`,
          };
        return { offered: true, effector: this.effectorFor(step.target, config), kind: config.kind, capability };
      }
    }
  }

  private effectorFor(target: string, config: Exclude<EffectorConfig, { kind: 'agent' | 'none' }>): Effector {
    const json = JSON.stringify(config);
    const known = this.built.get(target);
    if (known?.json === json) return known.effector;
    const effector = new TracedEffector(build(config, this.signer), config.kind);
    this.built.set(target, { json, effector });
    return effector;
  }
}

function build(config: Exclude<EffectorConfig, { kind: 'agent' | 'none' }>, signer: WebhookSigner | undefined): Effector {
  switch (config.kind) {
    case 'webhook':
      return new WebhookEffector(config, signer);
    case 'container':
      return new ContainerEffector(config);
    case 'process':
      return new ProcessEffector(config);
    case 'kubernetes':
      return new KubernetesEffector(config);
  }
}

/** A step as its capability shapes it: the capability's params under the step's own, its timeout. */
export function stepWithCapability<T extends Pick<PlanStep, 'params' | 'timeoutMs'>>(step: T, capability: Capability | undefined): T {
  if (!capability) return step;
  const params: PlanStep['params'] = { ...capability.params, ...step.params };
  return { ...step, params, timeoutMs: capability.timeoutMs };
}
