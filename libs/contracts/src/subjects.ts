import { DEFAULT_SUBJECT_PREFIX, SubjectKind } from './wire.constants.js';

/** NATS subject tokens may not contain spaces, dots or wildcards; targets are normalised to fit. */
export function subjectToken(value: string): string {
  const token = value.replace(/[^A-Za-z0-9_-]/g, '_');
  if (token.length === 0) throw new RangeError('a subject token cannot be empty');
  return token;
}

export function subjectFor(kind: SubjectKind, key: string, prefix: string = DEFAULT_SUBJECT_PREFIX): string {
  return `${prefix}.${kind}.${subjectToken(key)}`;
}

/** All subjects of a kind, for stream and consumer filters. */
export function subjectWildcard(kind: SubjectKind, prefix: string = DEFAULT_SUBJECT_PREFIX): string {
  return `${prefix}.${kind}.>`;
}

export const subjects = {
  samples: (target: string, prefix?: string) => subjectFor(SubjectKind.samples, target, prefix),
  heartbeats: (target: string, prefix?: string) => subjectFor(SubjectKind.heartbeats, target, prefix),
  symptoms: (target: string, prefix?: string) => subjectFor(SubjectKind.symptoms, target, prefix),
  analyses: (target: string, prefix?: string) => subjectFor(SubjectKind.analyses, target, prefix),
  plansProposed: (target: string, prefix?: string) => subjectFor(SubjectKind.plansProposed, target, prefix),
  plansApproved: (target: string, prefix?: string) => subjectFor(SubjectKind.plansApproved, target, prefix),
  plansRejected: (target: string, prefix?: string) => subjectFor(SubjectKind.plansRejected, target, prefix),
  decisions: (planId: string, prefix?: string) => subjectFor(SubjectKind.decisions, planId, prefix),
  executions: (target: string, prefix?: string) => subjectFor(SubjectKind.executions, target, prefix),
  outcomes: (target: string, prefix?: string) => subjectFor(SubjectKind.outcomes, target, prefix),
  commands: (target: string, prefix?: string) => subjectFor(SubjectKind.commands, target, prefix),
  flags: (key: string, prefix?: string) => subjectFor(SubjectKind.flags, key, prefix),
  alerts: (target: string, prefix?: string) => subjectFor(SubjectKind.alerts, target, prefix),
  incidents: (target: string, prefix?: string) => subjectFor(SubjectKind.incidents, target, prefix),
  actuate: (target: string, prefix?: string) => subjectFor(SubjectKind.actuate, target, prefix),
  deadLetter: (consumer: string, prefix?: string) => subjectFor(SubjectKind.dlq, consumer, prefix),
  knowledgeService: (prefix: string = DEFAULT_SUBJECT_PREFIX) => `${prefix}.svc.knowledge`,
  plannerService: (prefix: string = DEFAULT_SUBJECT_PREFIX) => `${prefix}.svc.planner`,
};
