import * as common from '@grafana/grafana-foundation-sdk/common';
import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import {
  DashboardBuilder,
  DashboardCursorSync,
  DatasourceVariableBuilder,
  QueryVariableBuilder,
  RowBuilder,
  ThresholdsConfigBuilder,
  ThresholdsMode,
  VariableRefresh,
  VariableSort,
  VariableType,
  type Dashboard,
  type DataSourceRef,
  type GridPos,
  type Panel,
} from '@grafana/grafana-foundation-sdk/dashboard';
import * as bargauge from '@grafana/grafana-foundation-sdk/bargauge';
import * as heatmap from '@grafana/grafana-foundation-sdk/heatmap';
import { DataqueryBuilder, PromQueryFormat } from '@grafana/grafana-foundation-sdk/prometheus';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';

/**
 * Every panel queries the data source the `datasource` variable selects, so the dashboards load
 * into any Grafana whatever its Prometheus is called (the provisioned one is the default).
 */
export const DATASOURCE: DataSourceRef = { type: 'prometheus', uid: '${datasource}' };

/** The Grafana width of a dashboard: panels on one line add up to it. */
const GRID_WIDTH = 24;

/** One PromQL query of a panel and its legend (`{{label}}` placeholders). */
export interface Query {
  readonly expr: string;
  readonly legend?: string;
  /** Evaluated once at the end of the time range (stat and bar panels), not as a series. */
  readonly instant?: boolean;
  /** Buckets for a heatmap panel: `sum by (le) (...)` shaped as Grafana's heatmap frame. */
  readonly heatmap?: boolean;
}

/** A panel builder of any visualization, as far as the layout is concerned. */
export interface PanelBuilder extends cog.Builder<Panel> {
  gridPos(gridPos: GridPos): this;
  id(id: number): this;
}

/** A panel and its size: `w` in Grafana's 24 columns, `h` in grid rows (30 px). */
export interface Placed {
  readonly panel: PanelBuilder;
  readonly w: number;
  readonly h: number;
}

/** A titled row of panels; lines wrap once a line is full. */
export interface Section {
  readonly title: string;
  readonly panels: readonly Placed[];
}

function targets(queries: readonly Query[]): DataqueryBuilder[] {
  return queries.map((query, index) => {
    const target = new DataqueryBuilder()
      .refId(String.fromCharCode(65 + index))
      .expr(query.expr)
      .legendFormat(query.legend ?? '__auto');
    if (query.instant) target.instant();
    if (query.heatmap) target.format(PromQueryFormat.Heatmap);
    return target;
  });
}

interface PanelText {
  readonly title: string;
  readonly description: string;
  readonly unit?: string;
}

/** A line chart of one or more queries, legend at the bottom, all series in the tooltip. */
export function timeSeries(
  text: PanelText,
  queries: readonly Query[],
  options: { stack?: boolean; min?: number } = {},
): timeseries.PanelBuilder {
  const panel = new timeseries.PanelBuilder()
    .title(text.title)
    .description(text.description)
    .datasource(DATASOURCE)
    .unit(text.unit ?? 'short')
    .legend(
      new common.VizLegendOptionsBuilder()
        .showLegend(true)
        .displayMode(common.LegendDisplayMode.List)
        .placement(common.LegendPlacement.Bottom),
    )
    .tooltip(new common.VizTooltipOptionsBuilder().mode(common.TooltipDisplayMode.Multi).sort(common.SortOrder.Descending))
    .lineWidth(1)
    .fillOpacity(10)
    .showPoints(common.VisibilityMode.Never)
    .spanNulls(false);
  if (options.stack) panel.stacking(new common.StackingConfigBuilder().mode(common.StackingMode.Normal)).fillOpacity(60);
  if (options.min !== undefined) panel.min(options.min);
  for (const target of targets(queries)) panel.withTarget(target);
  return panel;
}

/** One big number (the last value), colored by thresholds: `[[value, color], …]` above a green base. */
export function singleStat(text: PanelText, query: Query, thresholds: ReadonlyArray<readonly [number, string]> = []): stat.PanelBuilder {
  const panel = new stat.PanelBuilder()
    .title(text.title)
    .description(text.description)
    .datasource(DATASOURCE)
    .unit(text.unit ?? 'short')
    .graphMode(common.BigValueGraphMode.Area)
    .colorMode(common.BigValueColorMode.Value)
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
    .thresholds(
      new ThresholdsConfigBuilder()
        .mode(ThresholdsMode.Absolute)
        .steps([{ value: null, color: 'green' }, ...thresholds.map(([value, color]) => ({ value, color }))]),
    )
    .withTarget(targets([query])[0] as DataqueryBuilder);
  return panel;
}

/** Horizontal bars, one per series: totals over the dashboard's range. */
export function bars(text: PanelText, query: Query): bargauge.PanelBuilder {
  return new bargauge.PanelBuilder()
    .title(text.title)
    .description(text.description)
    .datasource(DATASOURCE)
    .unit(text.unit ?? 'short')
    .min(0)
    .orientation(common.VizOrientation.Horizontal)
    .displayMode(common.BarGaugeDisplayMode.Gradient)
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
    .withTarget(targets([{ ...query, instant: true }])[0] as DataqueryBuilder);
}

/** A heatmap of a Prometheus histogram's buckets (already bucketed: Grafana calculates nothing). */
export function bucketHeatmap(text: PanelText, query: Query): heatmap.PanelBuilder {
  return new heatmap.PanelBuilder()
    .title(text.title)
    .description(text.description)
    .datasource(DATASOURCE)
    .calculate(false)
    .yAxis(new heatmap.YAxisConfigBuilder().unit(text.unit ?? 's'))
    .color(
      new heatmap.HeatmapColorOptionsBuilder()
        .mode(heatmap.HeatmapColorMode.Scheme)
        .scheme('Spectral')
        .steps(64)
        .exponent(0.5)
        .fill('dark-orange')
        .reverse(false),
    )
    .cellGap(1)
    .withTarget(targets([{ ...query, heatmap: true }])[0] as DataqueryBuilder);
}

/** The `datasource` variable every panel's queries go to. */
export function datasourceVariable(): DatasourceVariableBuilder {
  return new DatasourceVariableBuilder('datasource').label('Data source').type('prometheus');
}

/**
 * A multi-value variable from a label's values; "All" is the regex `.*`, so panels filter with
 * `label=~"$name"`.
 */
export function labelVariable(name: string, label: string, metric: string): QueryVariableBuilder {
  return new QueryVariableBuilder(name)
    .label(label)
    .datasource(DATASOURCE)
    .query(`label_values(${metric}, ${name})`)
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .sort(VariableSort.AlphabeticalAsc)
    .multi(true)
    .includeAll(true)
    .allValue('.*');
}

export interface DashboardText {
  readonly uid: string;
  readonly title: string;
  readonly description: string;
}

/**
 * A mapek dashboard: tagged `mapek`, last hour, refreshed every 30 s, crosshair shared between
 * panels, the `datasource` variable first, then `variables`, then the sections laid out on the
 * grid line by line with ids 1, 2, … in reading order.
 */
export function mapekDashboard(text: DashboardText, variables: readonly QueryVariableBuilder[], sections: readonly Section[]): Dashboard {
  const dashboard = new DashboardBuilder(text.title)
    .uid(text.uid)
    .description(text.description)
    .tags(['mapek'])
    .editable()
    .tooltip(DashboardCursorSync.Crosshair)
    .time({ from: 'now-1h', to: 'now' })
    .refresh('30s')
    .timezone('browser')
    .withVariable(datasourceVariable());
  for (const variable of variables) dashboard.withVariable(variable);
  let id = 1;
  let y = 0;
  for (const section of sections) {
    dashboard.withRow(new RowBuilder(section.title).id(id++).gridPos({ x: 0, y, w: GRID_WIDTH, h: 1 }));
    y += 1;
    let x = 0;
    let lineHeight = 0;
    for (const { panel, w, h } of section.panels) {
      if (w > GRID_WIDTH) throw new Error(`${section.title}: a panel is ${w} columns wide, more than ${GRID_WIDTH}`);
      if (x + w > GRID_WIDTH) {
        y += lineHeight;
        x = 0;
        lineHeight = 0;
      }
      dashboard.withPanel(panel.id(id++).gridPos({ x, y, w, h }));
      x += w;
      lineHeight = Math.max(lineHeight, h);
    }
    y += lineHeight;
  }
  return withoutIntervalFields(dashboard.build());
}

/**
 * The builders give every variable the interval variable's `auto`, `auto_min` and `auto_count`;
 * Grafana's dashboard schema (VariableModel) has no such fields on other kinds of variable.
 */
function withoutIntervalFields(dashboard: Dashboard): Dashboard {
  const list = dashboard.templating.list?.map((variable) => {
    if (variable.type === VariableType.Interval) return variable;
    const plain = { ...variable };
    delete plain.auto;
    delete plain.auto_min;
    delete plain.auto_count;
    return plain;
  });
  return { ...dashboard, templating: { ...dashboard.templating, ...(list ? { list } : {}) } };
}
