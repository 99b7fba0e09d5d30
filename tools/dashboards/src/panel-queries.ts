/** The parts of a dashboard's JSON model the queries live in. */
interface DashboardJson {
  readonly title?: string;
  readonly panels?: readonly PanelJson[];
  readonly templating?: { readonly list?: ReadonlyArray<{ readonly name: string; readonly type: string; readonly query?: unknown }> };
}

interface PanelJson {
  readonly id?: number;
  readonly type?: string;
  readonly title?: string;
  readonly panels?: readonly PanelJson[];
  readonly targets?: ReadonlyArray<{
    readonly refId?: string;
    readonly expr?: string;
    readonly instant?: boolean;
    readonly hide?: boolean;
  }>;
}

/** One PromQL query of one panel. */
export interface PanelQuery {
  readonly dashboard: string;
  readonly panel: string;
  readonly panelId: number | undefined;
  readonly refId: string;
  readonly expr: string;
}

/** Every query of every panel, rows' nested panels included; hidden queries are left out. */
export function panelQueries(dashboard: DashboardJson): PanelQuery[] {
  const queries: PanelQuery[] = [];
  const visit = (panels: readonly PanelJson[]) => {
    for (const panel of panels) {
      if (panel.panels) visit(panel.panels);
      for (const target of panel.targets ?? []) {
        if (target.hide || target.expr === undefined) continue;
        queries.push({
          dashboard: dashboard.title ?? '?',
          panel: panel.title ?? '?',
          panelId: panel.id,
          refId: target.refId ?? '?',
          expr: target.expr,
        });
      }
    }
  };
  visit(dashboard.panels ?? []);
  return queries;
}

/** Query-type template variables and their `label_values(...)` queries. */
export function variableQueries(dashboard: DashboardJson): Array<{ readonly name: string; readonly query: string }> {
  return (dashboard.templating?.list ?? [])
    .filter((variable) => variable.type === 'query' && typeof variable.query === 'string')
    .map((variable) => ({ name: variable.name, query: variable.query as string }));
}

/**
 * Substitutes Grafana's variables as Grafana would before sending a query to Prometheus:
 * `$__rate_interval`, `$__interval`, `$__range` and the like from `builtins`, and each template
 * variable (`$name`, `${name}`, `[[name]]`) from `values` (for "All", the variable's allValue).
 * Throws on a variable it has no value for, so a query can never reach Prometheus half-substituted.
 */
export function substituteVariables(expr: string, values: Readonly<Record<string, string>>): string {
  return expr.replace(
    /\$\{(\w+)(?::\w+)?\}|\[\[(\w+)\]\]|\$(\w+)/g,
    (match, braced: string | undefined, bracketed: string | undefined, plain: string | undefined) => {
      const name = braced ?? bracketed ?? plain ?? '';
      const value = values[name];
      if (value === undefined) throw new Error(`no value for the variable ${match} in: ${expr}`);
      return value;
    },
  );
}

/**
 * Grafana's built-in interval variables for a query run by hand: `rateInterval` stands for
 * `$__rate_interval` (Grafana: at least four scrape intervals), `range` for the dashboard range.
 */
export function builtinVariables(options: {
  readonly rateInterval: string;
  readonly interval: string;
  readonly range: string;
}): Record<string, string> {
  return {
    __rate_interval: options.rateInterval,
    __interval: options.interval,
    __range: options.range,
    __range_s: String(durationSeconds(options.range)),
  };
}

function durationSeconds(duration: string): number {
  const match = /^(\d+)(s|m|h|d)$/.exec(duration);
  if (!match) throw new Error(`not a simple duration: ${duration}`);
  const unit = { s: 1, m: 60, h: 3600, d: 86400 }[match[2] as 's' | 'm' | 'h' | 'd'];
  return Number(match[1]) * unit;
}
