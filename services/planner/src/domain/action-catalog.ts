import { ActionType, RiskLevel, type ActionType as Action, type RiskLevel as Risk } from '@mapek/contracts';

export const EffectorKind = { agent: 'agent', orchestrator: 'orchestrator', operator: 'operator' } as const;
export type EffectorKind = (typeof EffectorKind)[keyof typeof EffectorKind];

export interface ActionProfile {
  /** Relative cost in [0, 1]: disruption, spend and blast radius of doing it. */
  readonly cost: number;
  readonly risk: Risk;
  /** Who can carry it out: the embedded agent, an orchestrator adapter, or people. */
  readonly effector: EffectorKind;
}

/**
 * Costs of the orchestration actions from the reference MAPE-K guide (003: scale_down 0.05 …
 * bypass_validation 0.70); in-process remedies are cheaper because they touch one process and
 * are reversible. Escalation costs operator time.
 */
export const actionCatalog: Readonly<Record<Action, ActionProfile>> = {
  [ActionType.scaleDown]: { cost: 0.05, risk: RiskLevel.low, effector: 'orchestrator' },
  [ActionType.scaleUp]: { cost: 0.15, risk: RiskLevel.low, effector: 'orchestrator' },
  [ActionType.restartService]: { cost: 0.2, risk: RiskLevel.medium, effector: 'orchestrator' },
  [ActionType.rebalanceLoad]: { cost: 0.25, risk: RiskLevel.medium, effector: 'orchestrator' },
  [ActionType.applyPolicy]: { cost: 0.3, risk: RiskLevel.medium, effector: 'orchestrator' },
  [ActionType.updateConfiguration]: { cost: 0.35, risk: RiskLevel.medium, effector: 'orchestrator' },
  [ActionType.throttleRequests]: { cost: 0.4, risk: RiskLevel.medium, effector: 'agent' },
  [ActionType.activateEmergencyOverride]: { cost: 0.6, risk: RiskLevel.high, effector: 'orchestrator' },
  [ActionType.bypassValidation]: { cost: 0.7, risk: RiskLevel.high, effector: 'orchestrator' },
  [ActionType.collectGarbage]: { cost: 0.02, risk: RiskLevel.low, effector: 'agent' },
  [ActionType.clearCache]: { cost: 0.08, risk: RiskLevel.low, effector: 'agent' },
  [ActionType.resetConnectionPool]: { cost: 0.1, risk: RiskLevel.low, effector: 'agent' },
  [ActionType.resetCircuitBreaker]: { cost: 0.1, risk: RiskLevel.low, effector: 'agent' },
  [ActionType.enableDegradedMode]: { cost: 0.3, risk: RiskLevel.medium, effector: 'agent' },
  [ActionType.escalate]: { cost: 0.5, risk: RiskLevel.low, effector: 'operator' },
};

const riskOrder: Record<Risk, number> = { low: 0, medium: 1, high: 2 };

export function riskRank(risk: Risk): number {
  return riskOrder[risk];
}

export function maxRisk(risks: readonly Risk[]): Risk {
  return risks.reduce<Risk>((worst, risk) => (riskOrder[risk] > riskOrder[worst] ? risk : worst), RiskLevel.low);
}
