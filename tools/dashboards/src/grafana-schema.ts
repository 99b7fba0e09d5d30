import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { createGenerator, type Schema } from 'ts-json-schema-generator';

/**
 * Grafana's dashboard JSON model as a JSON Schema, for validating dashboards where no Grafana
 * server runs. The source is `@grafana/schema` (Apache-2.0), the package Grafana itself builds
 * from its CUE kinds: its `Dashboard` type (dashboard kind, schema version 4x; file
 * `dist/types/raw/dashboard/x/types.gen.d.ts`) and each panel plugin's `Options` and `FieldConfig`
 * (`dist/types/raw/composable/<plugin>/panelcfg/x/types.gen.d.ts`). They are turned into JSON
 * Schema with ts-json-schema-generator, closed (`additionalProperties: false`), so a misspelt or
 * unknown property is an error. The schema is made from the installed, pinned package each time
 * rather than copied into the repository: upgrading `@grafana/schema` upgrades the check.
 *
 * It is independent of `@grafana/grafana-foundation-sdk`, which builds the dashboards, so the
 * check does not merely repeat the builders' own types.
 */
const schemaPackage = dirname(createRequire(import.meta.url).resolve('@grafana/schema/package.json'));

/** The panel plugins whose options and custom field config are validated. */
export const validatedPanelTypes = ['timeseries', 'stat', 'bargauge', 'heatmap'] as const;
export type ValidatedPanelType = (typeof validatedPanelTypes)[number];

export interface DashboardValidator {
  /** Problems found in one dashboard JSON, as `path: message` lines; empty when it is valid. */
  validate(dashboard: unknown): string[];
}

/** The schemas of `types` declared in one file of `@grafana/schema` (one TypeScript program per file). */
function schemasOf(file: string, ...types: string[]): Schema[] {
  const generator = createGenerator({
    path: join(schemaPackage, file),
    skipTypeCheck: true,
    additionalProperties: false,
    expose: 'export',
    topRef: true,
    jsDoc: 'none',
  });
  return types.map((type) => generator.createSchema(type));
}

/** Builds the validator (seconds: the schemas are generated from the type declarations). */
export function grafanaDashboardValidator(): DashboardValidator {
  const ajv = new Ajv({ allErrors: true, strict: false });
  const [dashboardSchema] = schemasOf('dist/types/raw/dashboard/x/types.gen.d.ts', 'Dashboard');
  const dashboard = ajv.compile(dashboardSchema as Schema);
  const plugins = new Map<string, { options: ValidateFunction; fieldConfig: ValidateFunction }>(
    validatedPanelTypes.map((type) => {
      const [options, fieldConfig] = schemasOf(`dist/types/raw/composable/${type}/panelcfg/x/types.gen.d.ts`, 'Options', 'FieldConfig');
      return [type, { options: ajv.compile(options as Schema), fieldConfig: ajv.compile(fieldConfig as Schema) }];
    }),
  );
  const format = (where: string, errors: ErrorObject[] | null | undefined) =>
    (errors ?? []).map(
      (error) =>
        `${where}${error.instancePath || '/'}: ${error.message ?? 'invalid'}${error.params && 'additionalProperty' in error.params ? ` (${String(error.params.additionalProperty)})` : ''}`,
    );
  return {
    validate(json: unknown): string[] {
      const problems: string[] = [];
      if (!dashboard(json)) problems.push(...format('', dashboard.errors));
      const panels =
        (
          json as {
            panels?: Array<{ type?: string; title?: string; options?: unknown; fieldConfig?: { defaults?: { custom?: unknown } } }>;
          }
        ).panels ?? [];
      for (const [index, panel] of panels.entries()) {
        if (panel.type === 'row') continue;
        const plugin = panel.type === undefined ? undefined : plugins.get(panel.type);
        if (!plugin) {
          problems.push(
            `/panels/${index}: panel type ${String(panel.type)} is not one of ${validatedPanelTypes.join(', ')}; add its schema to validate it`,
          );
          continue;
        }
        if (!plugin.options(panel.options ?? {})) problems.push(...format(`/panels/${index}/options`, plugin.options.errors));
        const custom = panel.fieldConfig?.defaults?.custom;
        if (custom !== undefined && !plugin.fieldConfig(custom))
          problems.push(...format(`/panels/${index}/fieldConfig/defaults/custom`, plugin.fieldConfig.errors));
      }
      return problems;
    },
  };
}
