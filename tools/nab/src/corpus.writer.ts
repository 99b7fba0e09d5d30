import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CostMatrix } from './corpus.reader.js';
import { labelTimestamp } from './label-windows.js';
import type { GeneratedCorpus } from './service-corpus.generator.js';

/** NAB's three scoring profiles (`config/profiles.json`), written beside a generated corpus. */
export const nabProfiles: Readonly<Record<string, CostMatrix>> = {
  standard: { tpWeight: 1, fnWeight: 1, fpWeight: 0.11 },
  reward_low_FP_rate: { tpWeight: 1, fnWeight: 1, fpWeight: 0.22 },
  reward_low_FN_rate: { tpWeight: 1, fnWeight: 2, fpWeight: 0.11 },
};

/**
 * Writes a generated corpus in NAB's layout under `dir`: `data/<category>/<name>.csv`
 * (`timestamp,value`), `labels/combined_windows.json`, `labels/combined_labels.json` (the onset
 * of each anomaly) and `config/profiles.json`, so `nab run --data <dir>` scores it like NAB.
 */
export const writeCorpus = (dir: string, corpus: GeneratedCorpus): void => {
  const windows: Record<string, string[][]> = {};
  const labels: Record<string, string[]> = {};
  for (const file of corpus.files) {
    mkdirSync(join(dir, 'data', file.category), { recursive: true });
    const lines = ['timestamp,value'];
    for (let i = 0; i < file.values.length; i++) lines.push(`${file.timestamps[i] ?? ''},${file.values[i] ?? 0}`);
    writeFileSync(join(dir, 'data', file.category, `${file.name}.csv`), `${lines.join('\n')}\n`);
    windows[file.key] = file.windows.map(([start, end]) => [labelTimestamp(start), labelTimestamp(end)]);
    labels[file.key] = (corpus.anomalies[file.key] ?? []).map((anomaly) => labelTimestamp(file.timestamps[anomaly.row] ?? ''));
  }
  mkdirSync(join(dir, 'labels'), { recursive: true });
  mkdirSync(join(dir, 'config'), { recursive: true });
  writeFileSync(join(dir, 'labels', 'combined_windows.json'), `${JSON.stringify(windows, null, 4)}\n`);
  writeFileSync(join(dir, 'labels', 'combined_labels.json'), `${JSON.stringify(labels, null, 4)}\n`);
  const profiles = Object.fromEntries(Object.entries(nabProfiles).map(([name, cost]) => [name, { CostMatrix: { ...cost, tnWeight: 1 } }]));
  writeFileSync(join(dir, 'config', 'profiles.json'), `${JSON.stringify(profiles, null, 2)}\n`);
};
