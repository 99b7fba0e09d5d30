import { execFile } from 'node:child_process';

/** How one helm run ended; helm's own messages are kept for the tests to quote. */
export interface HelmResult {
  readonly ok: boolean;
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Values for one render: files (-f), then --set-json pairs (applied last, in order). */
export interface HelmValues {
  readonly valuesFiles?: readonly string[];
  readonly setJson?: Readonly<Record<string, unknown>>;
}

export interface TemplateOptions extends HelmValues {
  readonly release?: string;
  readonly namespace?: string;
}

/** helm is not on PATH: `source scripts/toolchain.sh && ensure_helm` puts the pinned one there. */
export class HelmNotFoundError extends Error {
  override readonly name = 'HelmNotFoundError';
  readonly code = 'helm_not_found';
  readonly retryable = false;
  constructor(binary: string, options?: { cause?: unknown }) {
    super(
      `cannot run ${binary}: put the pinned helm on PATH (cd <repo> && source scripts/toolchain.sh && ensure_helm), or set HELM`,
      options,
    );
  }
}

/** The helm binary: $HELM, else `helm` from PATH (where ./mapek test puts the pinned build). */
export function helmBinary(): string {
  return process.env['HELM'] ?? 'helm';
}

function valueArguments(values: HelmValues): string[] {
  const files = (values.valuesFiles ?? []).flatMap((file) => ['--values', file]);
  const json = Object.entries(values.setJson ?? {}).flatMap(([key, value]) => ['--set-json', `${key}=${JSON.stringify(value)}`]);
  return [...files, ...json];
}

/** Runs helm with these arguments; a non-zero exit is a result, not an exception. */
export function runHelm(args: readonly string[]): Promise<HelmResult> {
  const binary = helmBinary();
  return new Promise((resolve, reject) => {
    execFile(binary, args, { maxBuffer: 64 * 1024 * 1024, env: { ...process.env, HELM_NO_PLUGINS: '1' } }, (error, stdout, stderr) => {
      if (error && (error as NodeJS.ErrnoException).code === 'ENOENT') {
        reject(new HelmNotFoundError(binary, { cause: error }));
        return;
      }
      const exitCode = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ ok: exitCode === 0, exitCode, stdout, stderr });
    });
  });
}

/** `helm lint --strict <chart>`: warnings fail too. */
export function helmLint(chart: string, values: HelmValues = {}): Promise<HelmResult> {
  return runHelm(['lint', '--strict', chart, ...valueArguments(values)]);
}

/** `helm template`: the manifests `helm install` would send, hooks included. */
export function helmTemplate(chart: string, options: TemplateOptions = {}): Promise<HelmResult> {
  return runHelm(['template', options.release ?? 'mapek', chart, '--namespace', options.namespace ?? 'mapek', ...valueArguments(options)]);
}
