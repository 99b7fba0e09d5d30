import { ApiError, api, openFeed, storeKey, storedKey, type Frame, type LoopEvent } from './api.js';
import { badge, byId, dateTime, h, num, replace, time, toneOf, type Child } from './dom.js';
import {
  beginSignOn,
  completeSignOn,
  forgetSignOn,
  isSignOnCallback,
  loadConsoleConfig,
  signOutUrl,
  storedSignOn,
  type ConsoleConfig,
} from './sign-on.js';

/**
 * The mapek console: incidents live over the WebSocket, each incident's timeline and decision
 * record, plans awaiting approval, runtime flags, insights and the audit chain. Everything it shows
 * comes from the gateway's API with the user's API key or single sign-on token; what the role may
 * not do is not offered.
 */

interface Session {
  readonly authenticated: boolean;
  readonly name: string | null;
  readonly role: string | null;
  readonly permissions: readonly string[];
}

interface Incident {
  readonly id: string;
  readonly target: string;
  readonly openedAt: string;
  readonly status: string;
  readonly cause: string | null;
  readonly confidence: number | null;
  readonly planId: string | null;
  readonly planStatus: string | null;
  readonly executionStatus: string | null;
  readonly outcome: string | null;
}

type Group = 'symptoms' | 'analyses' | 'plans' | 'decisions' | 'executions' | 'outcomes' | 'flags';
interface IncidentDetail extends Incident {
  readonly events: Partial<Record<Group, LoopEvent[]>>;
}

interface Plan {
  readonly planId: string;
  readonly cause: string;
  readonly rule: string;
  readonly priority: string;
  readonly risk: string;
  readonly steps: ReadonlyArray<{ action: string; target: string; params: Record<string, unknown>; timeoutMs: number }>;
  readonly score: number;
  readonly benefit: number;
  readonly cost: number;
  readonly expectedSuccessRate: number;
  readonly approval: string;
  readonly requiredApprovals: number;
  readonly approvedBy: readonly string[];
  readonly expiresAt: string;
  readonly dryRun: boolean;
  readonly reason?: string;
  readonly candidates?: ReadonlyArray<{
    name: string;
    actions: string[];
    status: string;
    risk: string;
    score?: number;
    benefit?: number;
    cost?: number;
    successRate?: number;
  }>;
  readonly guardrails?: ReadonlyArray<{ check: string; verdict: string; detail: string }>;
  readonly autonomy?: { level: string; streak: number; promoteAfter: number };
}

interface PlanRecord {
  readonly plan: Plan;
  readonly status: string;
  readonly target: string;
  readonly incidentId?: string;
  readonly createdAt: string;
}

interface FlagChange {
  readonly flag: 'auto_healing' | 'shadow_mode' | 'autonomy' | 'autonomy_policy';
  readonly target?: string;
  readonly enabled?: boolean | null;
  readonly cause?: string;
  readonly actions?: string[];
  readonly level?: string;
  readonly policy?: { promoteAfter: number; demoteOn: string[]; maxLevel: string };
}

interface FlagEntry {
  readonly key: string;
  readonly change: FlagChange;
  readonly actor: string;
  readonly reason?: string;
  readonly changedAt: string;
  readonly streak?: number;
}

interface Insight {
  readonly title: string;
  readonly cause: string;
  readonly action: string;
  readonly successRate: number;
  readonly confidence: number;
  readonly recommendation: string;
}

const state: {
  config: ConsoleConfig;
  /** Signs the tab out when a single sign-on token expires. */
  expiry: number | undefined;
  session: Session | null;
  incidents: Incident[];
  selected: string | null;
  liveEvents: LoopEvent[];
  closeFeed: (() => void) | null;
} = {
  config: { apiKeys: true, signOn: null, vocabulary: { causes: [], autonomyLevels: [] } },
  expiry: undefined,
  session: null,
  incidents: [],
  selected: null,
  liveEvents: [],
  closeFeed: null,
};

const may = (permission: string) => state.session?.permissions.includes(permission) ?? false;

// --- announcements -------------------------------------------------------------------------

function announce(text: string, tone: 'ok' | 'bad' = 'ok'): void {
  const region = byId('announcer');
  replace(region, h('span', { class: `notice notice-${tone}` }, text));
}

function failure(error: unknown): string {
  return error instanceof ApiError
    ? `${error.status} ${error.code}: ${error.message}`
    : error instanceof Error
      ? error.message
      : String(error);
}

// --- refresh scheduling: many events in a burst become one request ----------------------------

const timers = new Map<string, number>();
function soon(what: string, run: () => Promise<void>, delayMs = 250): void {
  if (timers.has(what)) return;
  timers.set(
    what,
    window.setTimeout(() => {
      timers.delete(what);
      run().catch((error: unknown) => announce(`Could not refresh ${what}: ${failure(error)}`, 'bad'));
    }, delayMs),
  );
}

// --- incidents ------------------------------------------------------------------------------

async function loadIncidents(): Promise<void> {
  const { incidents } = await api<{ incidents: Incident[] }>('/api/v1/incidents?limit=50');
  state.incidents = incidents;
  renderIncidents();
}

function renderIncidents(): void {
  const list = byId('incident-list');
  if (state.incidents.length === 0) {
    replace(list, h('li', { class: 'empty' }, 'No incidents yet. They appear here as soon as the analyzer opens one.'));
    return;
  }
  replace(
    list,
    ...state.incidents.map((incident) => {
      const button = h(
        'button',
        {
          type: 'button',
          class: 'incident',
          'data-incident-id': incident.id,
          'aria-current': incident.id === state.selected ? 'true' : undefined,
        },
        h('span', { class: 'incident-title' }, `${incident.cause ?? 'analysing…'} on ${incident.target}`),
        h(
          'span',
          { class: 'incident-meta' },
          dateTime(incident.openedAt),
          ' · ',
          badge(incident.status, toneOf(incident.status)),
          ' ',
          incident.planStatus ? badge(`plan ${incident.planStatus}`, toneOf(incident.planStatus)) : null,
          ' ',
          incident.outcome ? badge(incident.outcome, toneOf(incident.outcome)) : null,
        ),
      );
      button.addEventListener('click', () => void select(incident.id));
      return h('li', {}, button);
    }),
  );
}

async function select(id: string): Promise<void> {
  state.selected = id;
  renderIncidents();
  await loadDetail();
  byId('detail-heading').focus();
}

async function loadDetail(): Promise<void> {
  if (!state.selected) return;
  const detail = await api<IncidentDetail>(`/api/v1/incidents/${state.selected}`);
  renderDetail(detail);
}

function events(detail: IncidentDetail, group: Group): LoopEvent[] {
  return detail.events[group] ?? [];
}

/** A field of an event as text: strings and numbers as they are, anything else as JSON. */
function text(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : JSON.stringify(value);
}

function summary(event: LoopEvent): string {
  const d = event.data;
  switch (event.type) {
    case 'symptom':
      return `${String(d['metric'])} = ${num(d['value'], 3)} (threshold ${num(d['threshold'], 3)}, ${String(d['severity'])})`;
    case 'analysis': {
      const top = (d['rootCauses'] as Array<{ cause: string; confidence: number }> | undefined)?.[0];
      return top ? `root cause ${top.cause} (confidence ${num(top.confidence)})` : 'analysis';
    }
    case 'plan.proposed':
    case 'plan.approved':
    case 'plan.rejected':
      return `${String(d['rule'])}: ${((d['steps'] as Array<{ action: string }> | undefined) ?? []).map((step) => step.action).join(' → ')} (risk ${String(d['risk'])}${event.type === 'plan.approved' ? `, approved by ${((d['approvedBy'] as string[] | undefined) ?? []).join(', ') || '—'}` : ''})`;
    case 'decision':
      return `${text(d['actor'])} ${d['verdict'] === 'approve' ? 'approved' : 'rejected'}${d['reason'] ? `: ${text(d['reason'])}` : ''}`;
    case 'execution':
      return `execution ${String(d['status'])}${d['dryRun'] ? ' (dry run)' : ''}`;
    case 'outcome':
      return `outcome ${String(d['outcome'])}: ${String(d['violationsBefore'])} violations before, ${String(d['violationsAfter'])} after`;
    case 'flag.changed':
      return `${text(d['actor'])}: ${describeChange(d['change'] as FlagChange)}${d['reason'] ? ` — ${text(d['reason'])}` : ''}`;
    case 'alert.resolved':
      return `Alertmanager resolved ${text(d['alertname'])}`;
    case 'incident.resolved':
      return 'signal resolved before a remedy: plans that had not started are cancelled';
    default:
      return event.type;
  }
}

function describeChange(change: FlagChange): string {
  switch (change.flag) {
    case 'auto_healing':
      return `auto-healing ${change.target ? `for ${change.target}` : '(global)'} ${change.enabled === null ? 'back to default' : change.enabled ? 'on' : 'off'}`;
    case 'shadow_mode':
      return `shadow mode for ${change.target ?? '?'} ${change.enabled ? 'on' : 'off'}`;
    case 'autonomy':
      return `autonomy of ${change.actions?.join('+') ?? '?'} against ${change.cause ?? '?'}: ${change.level ?? '?'}`;
    case 'autonomy_policy':
      return `autonomy rules: promote after ${change.policy?.promoteAfter ?? '?'} approved successes, demote on ${change.policy?.demoteOn.join(', ') || 'nothing'}, up to ${change.policy?.maxLevel ?? '?'}`;
  }
}

function table(caption: string, head: readonly string[], rows: readonly Child[][]): HTMLElement {
  if (rows.length === 0) return h('p', { class: 'empty' }, `${caption}: none.`);
  return h(
    'table',
    {},
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, ...head.map((name) => h('th', { scope: 'col' }, name)))),
    h('tbody', {}, ...rows.map((cells) => h('tr', {}, ...cells.map((cell) => h('td', {}, cell))))),
  );
}

function section(title: string, ...children: Child[]): HTMLElement {
  return h('section', { class: 'record-section' }, h('h3', {}, title), ...children);
}

function renderDetail(detail: IncidentDetail): void {
  const symptoms = events(detail, 'symptoms');
  const analysis = events(detail, 'analyses').at(-1);
  const plans = events(detail, 'plans');
  const proposed = plans.filter((event) => event.type === 'plan.proposed').at(-1);
  const plan = (plans.at(-1)?.data ?? proposed?.data) as Plan | undefined;
  const decisions = events(detail, 'decisions');
  const execution = events(detail, 'executions').at(-1);
  const outcome = events(detail, 'outcomes').at(-1);
  const flags = events(detail, 'flags');
  const timeline = (Object.keys(detail.events) as Group[])
    .flatMap((group) => events(detail, group))
    .sort((a, b) => a.time.localeCompare(b.time));

  const rootCauses =
    (analysis?.data['rootCauses'] as Array<{ cause: string; target: string; confidence: number; reasoning: string }> | undefined) ?? [];
  const patterns = (analysis?.data['patterns'] as Array<{ kind: string; confidence: number; hypothesis: string }> | undefined) ?? [];
  const steps =
    (execution?.data['steps'] as
      Array<{ index: number; action: string; status: string; detail?: string; startedAt?: string; finishedAt?: string }> | undefined) ?? [];

  replace(
    byId('detail'),
    h('h2', { id: 'detail-heading', tabindex: '-1' }, `${detail.cause ?? 'incident'} on ${detail.target}`),
    h(
      'p',
      { class: 'incident-meta' },
      `opened ${dateTime(detail.openedAt)} · confidence ${num(detail.confidence)} · `,
      badge(detail.status, toneOf(detail.status)),
      ' ',
      detail.planStatus ? badge(`plan ${detail.planStatus}`, toneOf(detail.planStatus)) : null,
      ' ',
      detail.executionStatus ? badge(`execution ${detail.executionStatus}`, toneOf(detail.executionStatus)) : null,
      ' ',
      detail.outcome ? badge(`outcome ${detail.outcome}`, toneOf(detail.outcome)) : null,
    ),
    h('h3', {}, 'Timeline'),
    h(
      'ol',
      { class: 'timeline', 'aria-label': 'events of this incident in order' },
      ...timeline.map((event) =>
        h(
          'li',
          { 'data-event-type': event.type },
          h('time', { datetime: event.time }, time(event.time)),
          ' ',
          h('strong', {}, event.type),
          ' ',
          summary(event),
        ),
      ),
    ),
    h('h3', {}, 'Decision record'),
    section(
      'Symptoms and evidence',
      table(
        'Symptoms seen around the incident',
        ['time', 'metric', 'value', 'threshold', 'severity', 'source'],
        symptoms
          .slice(-25)
          .map((event) => [
            time(event.time),
            String(event.data['metric']),
            num(event.data['value'], 3),
            num(event.data['threshold'], 3),
            badge(String(event.data['severity']), toneOf(String(event.data['severity']))),
            String(event.data['source']),
          ]),
      ),
      symptoms.length > 25 ? h('p', { class: 'hint' }, `…and ${symptoms.length - 25} earlier.`) : null,
    ),
    section(
      'Root-cause ranking',
      table(
        'Root causes, most likely first',
        ['cause', 'target', 'confidence', 'reasoning'],
        rootCauses.map((cause) => [cause.cause, cause.target, num(cause.confidence), cause.reasoning]),
      ),
      table(
        'Patterns',
        ['kind', 'confidence', 'hypothesis'],
        patterns.map((pattern) => [pattern.kind, num(pattern.confidence), pattern.hypothesis]),
      ),
    ),
    section(
      'Candidate plans',
      plan?.candidates
        ? table(
            'Candidates the planner scored (score = benefit − cost)',
            ['candidate', 'actions', 'status', 'risk', 'score', 'benefit', 'cost', 'success rate'],
            plan.candidates.map((candidate) => [
              candidate.name,
              candidate.actions.join(' → '),
              badge(candidate.status, toneOf(candidate.status)),
              candidate.risk,
              num(candidate.score, 3),
              num(candidate.benefit, 3),
              num(candidate.cost, 3),
              num(candidate.successRate),
            ]),
          )
        : plan
          ? h(
              'p',
              {},
              `Chosen: ${plan.rule}, score ${num(plan.score, 3)} (benefit ${num(plan.benefit, 3)} − cost ${num(plan.cost, 3)}); the events of this plan do not list the other candidates.`,
            )
          : h('p', { class: 'empty' }, 'No plan yet.'),
      plan?.reason ? h('p', { class: 'hint' }, plan.reason) : null,
    ),
    section(
      'Guardrail checks',
      plan?.guardrails
        ? table(
            'Checks of the approval decision',
            ['check', 'verdict', 'detail'],
            plan.guardrails.map((check) => [check.check, badge(check.verdict, toneOf(check.verdict)), check.detail]),
          )
        : h(
            'p',
            { class: 'empty' },
            plan
              ? `Approval ${plan.approval}${plan.dryRun ? ', dry run' : ''}; the plan's events carry no guardrail record.`
              : 'No plan yet.',
          ),
      plan?.autonomy
        ? h(
            'p',
            {},
            `Autonomy: ${plan.autonomy.level} (${plan.autonomy.streak} of ${plan.autonomy.promoteAfter} successful approved runs towards promotion).`,
          )
        : null,
    ),
    section(
      'Approvals',
      plan
        ? h(
            'p',
            {},
            `${plan.approval === 'automatic' ? 'Approved automatically by the planner.' : `Needs ${plan.requiredApprovals} approval${plan.requiredApprovals === 1 ? '' : 's'}${plan.requiredApprovals >= 2 ? ' from different people (two-person rule)' : ''}; approved by ${plan.approvedBy.join(', ') || 'nobody yet'}.`}`,
          )
        : null,
      table(
        'Decisions',
        ['time', 'actor', 'verdict', 'reason'],
        decisions.map((event) => [
          time(event.time),
          String(event.data['actor']),
          badge(String(event.data['verdict']), event.data['verdict'] === 'approve' ? 'ok' : 'bad'),
          text(event.data['reason']),
        ]),
      ),
    ),
    section(
      'Steps',
      table(
        'Steps as the executor ran them',
        ['#', 'action', 'status', 'started', 'finished', 'detail'],
        steps.map((step) => [
          step.index + 1,
          step.action,
          badge(step.status, toneOf(step.status)),
          time(step.startedAt),
          time(step.finishedAt),
          step.detail ?? '',
        ]),
      ),
    ),
    section(
      'Verification and outcome',
      outcome
        ? h(
            'p',
            {},
            badge(String(outcome.data['outcome']), toneOf(String(outcome.data['outcome']))),
            ` ${String(outcome.data['violationsBefore'])} violations before, ${String(outcome.data['violationsAfter'])} after, in a ${num(Number(outcome.data['verificationWindowMs']) / 1000, 1)} s window; stabilized in ${outcome.data['timeToStabilizationMs'] === null ? '—' : `${num(Number(outcome.data['timeToStabilizationMs']) / 1000, 1)} s`}.`,
          )
        : h('p', { class: 'empty' }, 'No outcome yet.'),
    ),
    section(
      'Flag changes',
      table(
        'Runtime flags this incident changed (the autonomy ladder)',
        ['time', 'by', 'change'],
        flags.map((event) => [time(event.time), String(event.data['actor']), summary(event)]),
      ),
    ),
    replaySection(detail.id),
  );
}

// --- replay with the current rules ------------------------------------------------------------

interface ReplayedDecision {
  readonly rootCauses: ReadonlyArray<{ target: string; cause: string; confidence: number }>;
  readonly plan: {
    readonly rule: string;
    readonly actions: readonly string[];
    readonly score: number;
    readonly approval: string;
    readonly requiredApprovals: number;
    readonly dryRun: boolean;
    readonly autonomyLevel: string | null;
    readonly status: string;
    readonly candidates: ReadonlyArray<{ name: string; status: string; score: number | null }>;
  } | null;
}

interface ReplayReport {
  readonly incidentId: string;
  readonly replayedAt: string;
  readonly then: ReplayedDecision;
  readonly now: ReplayedDecision;
  readonly differences: readonly string[];
  readonly notReplayed: readonly string[];
}

// The last replay, kept across re-renders of the incident (the live feed redraws it).
let lastReplay: ReplayReport | undefined;

function replayColumn(decision: ReplayedDecision): Child[] {
  const plan = decision.plan;
  return [
    decision.rootCauses.map((cause) => `${cause.cause}@${cause.target} (${num(cause.confidence)})`).join(' > ') || '—',
    plan ? `${plan.rule}: ${plan.actions.join(' → ')}` : '—',
    plan ? num(plan.score, 3) : '—',
    plan
      ? `${plan.approval}${plan.requiredApprovals > 0 ? ` (${plan.requiredApprovals} approvers)` : ''}${plan.dryRun ? ', dry run' : ''}`
      : '—',
    plan?.autonomyLevel ?? '—',
    plan
      ? plan.candidates
          .map((candidate) => `${candidate.name} ${candidate.status}${candidate.score === null ? '' : ` ${num(candidate.score, 3)}`}`)
          .join('; ')
      : '—',
  ];
}

function renderReplay(report: ReplayReport): HTMLElement {
  const then = replayColumn(report.then);
  const now = replayColumn(report.now);
  const rows = ['root causes', 'chosen plan', 'score', 'approval', 'autonomy', 'candidates'].map((name, index) => [
    name,
    then[index],
    now[index],
  ]);
  return h(
    'div',
    { id: 'replay-result', 'data-differences': String(report.differences.length) },
    table(`Decided then and now (replayed ${time(report.replayedAt)})`, ['', 'then', 'now'], rows),
    report.differences.length > 0
      ? h(
          'ul',
          { class: 'replay-differences', 'aria-label': 'differences' },
          ...report.differences.map((difference) => h('li', {}, difference)),
        )
      : h('p', { class: 'replay-same' }, 'The current rules and flags decide as then.'),
    h('p', { class: 'hint' }, `Not replayed: ${report.notReplayed.join('; ')}.`),
  );
}

function replaySection(incidentId: string): HTMLElement {
  const button = h('button', { type: 'button', id: 'replay-button' }, 'Replay with current rules');
  const result = h('div', {}, lastReplay?.incidentId === incidentId ? renderReplay(lastReplay) : null);
  button.addEventListener('click', () => {
    button.disabled = true;
    void api<ReplayReport>(`/api/v1/incidents/${incidentId}/replay`, { method: 'POST', body: {} })
      .then((report) => {
        lastReplay = report;
        replace(result, renderReplay(report));
        announce(
          report.differences.length > 0
            ? `Replay: ${report.differences.length} difference${report.differences.length === 1 ? '' : 's'} from what was decided then.`
            : 'Replay: the current rules decide as then.',
        );
      })
      .catch((error: unknown) => announce(`Could not replay the incident: ${failure(error)}`, 'bad'))
      .finally(() => {
        button.disabled = false;
      });
  });
  return section(
    'Replay',
    h(
      'p',
      { class: 'hint' },
      'What the current rules, runtime flags and learned statistics would decide for this incident; nothing is changed.',
    ),
    button,
    result,
  );
}

// --- plans awaiting approval ----------------------------------------------------------------

async function loadPlans(): Promise<void> {
  const { plans } = await api<{ plans: PlanRecord[] }>('/api/v1/plans?status=pending');
  const container = byId('plan-list');
  if (plans.length === 0) {
    replace(container, h('p', { class: 'empty' }, 'No plan is waiting for approval.'));
    return;
  }
  replace(container, ...plans.map(renderPendingPlan));
}

function renderPendingPlan(record: PlanRecord): HTMLElement {
  const { plan } = record;
  const me = state.session?.name ?? null;
  const already = me !== null && plan.approvedBy.includes(me);
  const reasonId = `reason-${plan.planId}`;
  const actions: Child[] = [];
  if (may('decide')) {
    const reason = h('input', { id: reasonId, type: 'text', maxlength: '2000', placeholder: 'optional' });
    const approveButton = h(
      'button',
      { type: 'button', class: 'approve', 'data-action': 'approve', disabled: already },
      already ? 'Approved by you' : 'Approve',
    );
    const rejectButton = h('button', { type: 'button', class: 'reject', 'data-action': 'reject' }, 'Reject');
    const decide = async (verdict: 'approve' | 'reject') => {
      approveButton.disabled = true;
      rejectButton.disabled = true;
      try {
        await api(`/api/v1/plans/${plan.planId}/${verdict}`, {
          method: 'POST',
          body: reason.value.trim() ? { reason: reason.value.trim() } : {},
        });
        announce(`${verdict === 'approve' ? 'Approval' : 'Rejection'} of ${plan.rule} sent; the planner applies it.`);
      } catch (error) {
        announce(`Could not ${verdict} ${plan.rule}: ${failure(error)}`, 'bad');
      }
      soon('plans', loadPlans, 500);
    };
    approveButton.addEventListener('click', () => void decide('approve'));
    rejectButton.addEventListener('click', () => void decide('reject'));
    actions.push(h('label', { for: reasonId }, 'Reason'), reason, approveButton, rejectButton);
  } else {
    actions.push(h('p', { class: 'hint' }, `Your role (${state.session?.role ?? 'none'}) cannot approve or reject plans.`));
  }
  return h(
    'article',
    { class: 'pending-plan', 'data-plan-id': plan.planId, 'aria-label': `plan ${plan.rule} for ${record.target}` },
    h('h3', {}, `${plan.rule} on ${record.target}`),
    h(
      'p',
      {},
      badge(`risk ${plan.risk}`, plan.risk === 'high' ? 'bad' : plan.risk === 'medium' ? 'warn' : 'info'),
      ' ',
      badge(plan.priority, 'info'),
      plan.dryRun ? badge('dry run', 'muted') : null,
      ` · ${plan.steps.map((step) => step.action).join(' → ')} · score ${num(plan.score, 3)} · expires ${time(plan.expiresAt)}`,
    ),
    h(
      'p',
      { class: plan.requiredApprovals >= 2 ? 'two-person' : undefined },
      `${plan.approvedBy.length} of ${plan.requiredApprovals} approvals${plan.approvedBy.length ? ` (${plan.approvedBy.join(', ')})` : ''}.`,
      plan.requiredApprovals >= 2
        ? ' Two-person rule: two different people must approve; the API refuses a second approval from the same key.'
        : null,
    ),
    (plan.guardrails ?? []).some((check) => check.verdict === 'hold')
      ? h(
          'p',
          { class: 'hint' },
          'Held by: ',
          (plan.guardrails ?? [])
            .filter((check) => check.verdict === 'hold')
            .map((check) => `${check.check} (${check.detail})`)
            .join('; '),
        )
      : null,
    record.incidentId
      ? (() => {
          const open = h('button', { type: 'button', class: 'link' }, 'Show its incident');
          open.addEventListener('click', () => void select(record.incidentId ?? ''));
          return open;
        })()
      : null,
    h('div', { class: 'actions' }, ...actions),
  );
}

// --- runtime flags --------------------------------------------------------------------------

async function loadFlags(): Promise<void> {
  const { flags } = await api<{ flags: FlagEntry[] }>('/api/v1/flags');
  replace(
    byId('flag-list'),
    flags.length === 0
      ? h('p', { class: 'empty' }, 'No runtime flag set: the planner runs on its configuration.')
      : h(
          'ul',
          { class: 'flags', 'aria-label': 'flags in force' },
          ...flags.map((flag) =>
            h(
              'li',
              { 'data-flag-key': flag.key },
              h(
                'span',
                { class: 'flag-value' },
                describeChange(flag.change),
                flag.change.flag === 'autonomy' ? ` (streak ${flag.streak ?? 0})` : '',
              ),
              h('span', { class: 'incident-meta' }, `${flag.actor} · ${dateTime(flag.changedAt)}${flag.reason ? ` · ${flag.reason}` : ''}`),
            ),
          ),
        ),
  );
}

function field(label: string, control: HTMLElement): HTMLElement {
  const id = `f-${Math.random().toString(36).slice(2, 10)}`;
  control.id = id;
  return h('div', { class: 'field' }, h('label', { for: id }, label), control);
}

function choice(options: readonly string[], selected?: string): HTMLSelectElement {
  return h('select', {}, ...options.map((option) => h('option', { value: option, selected: option === selected }, option)));
}

function flagForm(title: string, fields: HTMLElement[], build: () => FlagChange | string): HTMLElement {
  const reason = h('input', { type: 'text', maxlength: '2000' });
  const submit = h('button', { type: 'submit' }, 'Apply');
  const form = h(
    'form',
    { class: 'flag-form', 'aria-label': title },
    h('h3', {}, title),
    ...fields,
    field('Reason (audit trail)', reason),
    submit,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const change = build();
    if (typeof change === 'string') {
      announce(change, 'bad');
      return;
    }
    submit.disabled = true;
    api<{ key: string }>('/api/v1/flags', {
      method: 'POST',
      body: { change, ...(reason.value.trim() ? { reason: reason.value.trim() } : {}) },
    })
      .then(() => announce(`Flag change sent: ${describeChange(change)}.`))
      .catch((error: unknown) => announce(`Could not change the flag: ${failure(error)}`, 'bad'))
      .finally(() => {
        submit.disabled = false;
      });
  });
  return form;
}

function renderFlagForms(): void {
  const container = byId('flag-forms');
  if (!may('configure')) {
    replace(container, h('p', { class: 'hint' }, `Your role (${state.session?.role ?? 'none'}) cannot change runtime flags.`));
    return;
  }
  const targetOf = (input: HTMLInputElement) => input.value.trim() || undefined;
  const ahTarget = h('input', { type: 'text', placeholder: 'all targets', pattern: '[A-Za-z0-9_-]+' });
  const ahValue = choice(['on', 'off', 'default']);
  const smTarget = h('input', { type: 'text', required: true, pattern: '[A-Za-z0-9_-]+', value: 'demo-app' });
  const smValue = choice(['on', 'off']);
  const auCause = choice(state.config.vocabulary.causes);
  const auActions = h('input', { type: 'text', required: true, placeholder: 'clear_cache, collect_garbage' });
  const auLevel = choice(state.config.vocabulary.autonomyLevels, 'approve');
  const poAfter = h('input', { type: 'number', min: '1', max: '100', value: '3' });
  const poDemote = h('input', { type: 'text', value: 'ineffective, degradation' });
  const poMax = choice(state.config.vocabulary.autonomyLevels, 'auto');
  replace(
    container,
    h('p', { class: 'hint' }, 'An operator may make the loop more careful; widening what it does alone needs an admin.'),
    flagForm('Auto-healing', [field('Target', ahTarget), field('Value', ahValue)], () => ({
      flag: 'auto_healing',
      ...(targetOf(ahTarget) ? { target: targetOf(ahTarget) } : {}),
      enabled: ahValue.value === 'default' ? null : ahValue.value === 'on',
    })),
    flagForm('Shadow mode (dry run)', [field('Target', smTarget), field('Value', smValue)], () =>
      targetOf(smTarget)
        ? { flag: 'shadow_mode', target: targetOf(smTarget), enabled: smValue.value === 'on' }
        : 'Shadow mode needs a target.',
    ),
    flagForm('Autonomy of a remedy', [field('Cause', auCause), field('Actions, in order', auActions), field('Level', auLevel)], () => {
      const actions = auActions.value.split(/[\s,+]+/).filter(Boolean);
      return actions.length ? { flag: 'autonomy', cause: auCause.value, actions, level: auLevel.value } : 'Name the remedy\u2019s actions.';
    }),
    flagForm(
      'Autonomy rules',
      [
        field('Promote after N approved successes', poAfter),
        field('Demote on outcomes', poDemote),
        field('Highest level reached by promotion', poMax),
      ],
      () => ({
        flag: 'autonomy_policy',
        policy: { promoteAfter: Number(poAfter.value), demoteOn: poDemote.value.split(/[\s,]+/).filter(Boolean), maxLevel: poMax.value },
      }),
    ),
  );
}

// --- insights and audit ---------------------------------------------------------------------

async function loadInsights(): Promise<void> {
  const { insights } = await api<{ insights: Insight[] }>('/api/v1/insights');
  replace(
    byId('insights'),
    insights.length === 0
      ? h('p', { class: 'empty' }, 'Nothing learned yet: insights need three outcomes of a remedy against a cause.')
      : h(
          'ul',
          {},
          ...insights.map((insight) =>
            h(
              'li',
              {},
              badge(
                insight.recommendation,
                insight.recommendation === 'prefer' ? 'ok' : insight.recommendation === 'avoid' ? 'bad' : 'warn',
              ),
              ' ',
              insight.title,
            ),
          ),
        ),
  );
}

async function loadAudit(): Promise<void> {
  const verdict = await api<{ ok: boolean; checked: number; brokenAt?: number }>('/api/v1/audit/verify');
  replace(
    byId('audit'),
    h(
      'p',
      {},
      verdict.ok ? badge('chain intact', 'ok') : badge('chain broken', 'bad'),
      ` ${verdict.checked} entries recomputed${verdict.ok ? '' : `; first bad entry ${String(verdict.brokenAt)}`} at ${time(new Date().toISOString())}.`,
    ),
  );
}

// --- live feed ------------------------------------------------------------------------------

function onFrame(frame: Frame): void {
  if ('subject' in frame) {
    const event = frame.event;
    state.liveEvents = [event, ...state.liveEvents].slice(0, 40);
    replace(
      byId('live-events'),
      ...state.liveEvents.map((each) =>
        h(
          'li',
          {},
          h('time', { datetime: each.time }, time(each.time)),
          ' ',
          h('strong', {}, each.type),
          ` ${each.target} `,
          summary(each),
        ),
      ),
    );
    if (event.incidentId) soon('incidents', loadIncidents);
    if (event.incidentId && event.incidentId === state.selected) soon('incident', loadDetail, 400);
    if (event.type.startsWith('plan.') || event.type === 'decision') soon('plans', loadPlans);
    if (event.type === 'outcome') soon('insights', loadInsights, 1000);
    return;
  }
  if (frame.type === 'flag') soon('flags', loadFlags);
}

function setLive(open: boolean): void {
  const status = byId('feed-status');
  status.textContent = open ? 'live' : 'reconnecting…';
  status.className = `badge badge-${open ? 'ok' : 'warn'}`;
}

// --- sign in --------------------------------------------------------------------------------

async function start(): Promise<void> {
  let session: Session;
  const signOn = storedSignOn(storedKey());
  try {
    session = await api<Session>('/api/v1/session');
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      const refused = signOn
        ? `Your single sign-on token was refused (${error.code}). Sign in again.`
        : storedKey()
          ? 'That API key was refused.'
          : '';
      signOut(refused);
    } else showSignIn(failure(error));
    return;
  }
  state.session = session;
  byId('signin').hidden = true;
  byId('app').hidden = false;
  replace(
    byId('who'),
    session.authenticated
      ? `${session.name ?? '?'} (${session.role ?? '?'})${signOn ? ' · single sign-on' : ''}`
      : 'no authentication (development)',
  );
  byId('signout').hidden = !session.authenticated;
  window.clearTimeout(state.expiry);
  // No refresh: at expiry the tab signs out, and signing in again is one click while the provider's session lasts.
  if (signOn)
    state.expiry = window.setTimeout(
      () => signOut(`Your single sign-on session expired at ${time(new Date(signOn.expiresAt).toISOString())}. Sign in again.`),
      Math.min(Math.max(0, signOn.expiresAt - Date.now()), 2_147_000_000),
    );
  renderFlagForms();
  await Promise.allSettled([loadIncidents(), loadPlans(), loadFlags(), loadInsights(), loadAudit()]).then((results) => {
    const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed) announce(`Some panels could not load: ${failure(failed.reason)}`, 'bad');
  });
  state.closeFeed?.();
  state.closeFeed = openFeed(onFrame, setLive);
}

/** Forgets the key or token of this tab, stops the feed and shows the sign-in. */
function signOut(message: string): void {
  storeKey('');
  forgetSignOn();
  window.clearTimeout(state.expiry);
  state.closeFeed?.();
  state.closeFeed = null;
  state.session = null;
  showSignIn(message);
}

function showSignIn(message: string): void {
  const { apiKeys, signOn } = state.config;
  byId('app').hidden = true;
  byId('signin').hidden = false;
  replace(byId('signin-error'), message);
  byId('signon').hidden = signOn === null;
  if (signOn) replace(byId('signon-issuer'), signOn.issuer);
  // Without single sign-on the key form stays, also on a gateway without keys (development).
  byId('signin-form').hidden = signOn !== null && !apiKeys;
  (signOn ? byId('signon-button') : byId<HTMLInputElement>('api-key')).focus();
}

function wire(): void {
  byId<HTMLFormElement>('signin-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const input = byId<HTMLInputElement>('api-key');
    forgetSignOn();
    storeKey(input.value.trim());
    input.value = '';
    void start();
  });
  byId('signon-button').addEventListener('click', () => {
    const { signOn } = state.config;
    if (!signOn) return;
    void beginSignOn(signOn).catch((error: unknown) => showSignIn(`Could not start the sign-in: ${failure(error)}`));
  });
  byId('signout').addEventListener('click', () => {
    const { signOn } = state.config;
    const session = storedSignOn(storedKey());
    const provider = signOn && session ? signOutUrl(signOn, session) : undefined;
    signOut('Signed out.');
    // Also end the provider's session, which comes back to the console; else the next sign-in would be silent.
    if (provider) location.assign(provider);
  });
  byId('refresh-audit').addEventListener('click', () => void loadAudit().catch((error: unknown) => announce(failure(error), 'bad')));
  // The audit chain is recomputed by knowledge on request: now and then is enough.
  window.setInterval(() => {
    if (state.session) void loadAudit().catch(() => undefined);
  }, 30_000);
}

async function main(): Promise<void> {
  wire();
  try {
    state.config = await loadConsoleConfig();
  } catch {
    // An older gateway without the settings endpoint: API keys only.
  }
  const { signOn } = state.config;
  if (isSignOnCallback()) {
    if (!signOn) {
      history.replaceState(null, '', '/');
      showSignIn('This gateway has no single sign-on configured.');
      return;
    }
    try {
      storeKey((await completeSignOn(signOn)).bearer);
    } catch (error) {
      signOut(`Single sign-on failed: ${failure(error)}`);
      return;
    }
  }
  await start();
}

void main();
