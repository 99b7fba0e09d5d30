import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { mapekDashboards, renderJson } from './dashboard.catalog.js';
import { DeployPath, repositoryRoot } from './deploy-paths.js';
import { deployPrometheusConfig } from './prometheus-config.js';

/** A file the generator owns, relative to the repository root, and what it must contain. */
export interface GeneratedFile {
  readonly path: string;
  readonly content: string;
}

export function generatedFiles(): GeneratedFile[] {
  return [
    ...mapekDashboards.map((source) => ({ path: join(DeployPath.dashboards, source.file), content: renderJson(source.build()) })),
    { path: DeployPath.prometheusConfig, content: deployPrometheusConfig() },
  ];
}

export async function writeGeneratedFiles(root: string = repositoryRoot): Promise<GeneratedFile[]> {
  const files = generatedFiles();
  for (const file of files) {
    await mkdir(dirname(join(root, file.path)), { recursive: true });
    await writeFile(join(root, file.path), file.content);
  }
  return files;
}

/** A committed file that is not what the generator produces now. */
export interface StaleFile {
  readonly path: string;
  readonly problem: 'missing' | 'differs' | 'not generated';
}

/**
 * Compares the committed files with the generator's output: a missing or different file, and a
 * dashboard JSON in the folder that no source produces (Grafana would still load it).
 */
export async function staleGeneratedFiles(root: string = repositoryRoot): Promise<StaleFile[]> {
  const stale: StaleFile[] = [];
  const files = generatedFiles();
  for (const file of files) {
    const committed = await readFile(join(root, file.path), 'utf8').catch(() => undefined);
    if (committed === undefined) stale.push({ path: file.path, problem: 'missing' });
    else if (committed !== file.content) stale.push({ path: file.path, problem: 'differs' });
  }
  const known = new Set(files.map((file) => file.path));
  const present = await readdir(join(root, DeployPath.dashboards)).catch(() => [] as string[]);
  for (const name of present) {
    const path = join(DeployPath.dashboards, name);
    if (name.endsWith('.json') && !known.has(path)) stale.push({ path, problem: 'not generated' });
  }
  return stale;
}
