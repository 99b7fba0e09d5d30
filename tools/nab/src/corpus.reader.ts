import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { columnIndex, parseCsv } from './csv.parser.js';
import { NabInputError } from './nab.errors.js';

/** One NAB data file: its key (`<category>/<name>.csv`), rows in file order, and label windows. */
export interface CorpusFile {
  readonly key: string;
  readonly category: string;
  readonly name: string;
  readonly timestamps: readonly string[];
  readonly epochMs: Float64Array;
  readonly values: Float64Array;
  /** Label windows as `[start, end]` timestamps normalised to `YYYY-MM-DD HH:MM:SS`. */
  readonly windows: readonly (readonly [string, string])[];
}

/** A scoring profile's cost matrix. */
export interface CostMatrix {
  readonly tpWeight: number;
  readonly fpWeight: number;
  readonly fnWeight: number;
}

/** NAB timestamps come as `2014-04-10 07:15:00` in data and `…00.000000` in labels. */
export const normaliseTimestamp = (timestamp: string): string => timestamp.slice(0, 19);

const parseEpochMs = (timestamp: string): number => Date.parse(`${timestamp.replace(' ', 'T')}Z`);

const readJson = (path: string): unknown => {
  if (!existsSync(path)) throw new NabInputError(`missing file: ${path}`);
  return JSON.parse(readFileSync(path, 'utf8')) as unknown;
};

/** Reads every data file of the corpus with its windows, sorted by key. */
export const readCorpus = (nabDir: string): CorpusFile[] => {
  const windowsByKey = readJson(join(nabDir, 'labels', 'combined_windows.json')) as Record<string, [string, string][]>;
  const dataDir = join(nabDir, 'data');
  if (!existsSync(dataDir)) throw new NabInputError(`no data directory under ${nabDir}`);
  const files: CorpusFile[] = [];
  for (const category of readdirSync(dataDir).sort()) {
    for (const fileName of readdirSync(join(dataDir, category)).sort()) {
      if (!fileName.endsWith('.csv')) continue;
      const key = `${category}/${fileName}`;
      const source = join(dataDir, category, fileName);
      const table = parseCsv(readFileSync(source, 'utf8'), source);
      const timeColumn = columnIndex(table, 'timestamp', source);
      const valueColumn = columnIndex(table, 'value', source);
      const count = table.rows.length;
      const timestamps: string[] = new Array<string>(count);
      const epochMs = new Float64Array(count);
      const values = new Float64Array(count);
      table.rows.forEach((row, index) => {
        const timestamp = normaliseTimestamp(row[timeColumn] ?? '');
        timestamps[index] = timestamp;
        epochMs[index] = parseEpochMs(timestamp);
        values[index] = Number(row[valueColumn]);
      });
      const windows = (windowsByKey[key] ?? []).map(([start, end]) => [normaliseTimestamp(start), normaliseTimestamp(end)] as const);
      files.push({ key, category, name: fileName.slice(0, -4), timestamps, epochMs, values, windows });
    }
  }
  if (files.length === 0) throw new NabInputError(`no data files under ${dataDir}`);
  return files;
};

/** Reads `config/profiles.json` into named cost matrices. */
export const readProfiles = (nabDir: string): Record<string, CostMatrix> => {
  const raw = readJson(join(nabDir, 'config', 'profiles.json')) as Record<string, { CostMatrix: CostMatrix }>;
  return Object.fromEntries(Object.entries(raw).map(([name, profile]) => [name, profile.CostMatrix]));
};

/** Reads the anomaly scores of one detector's result file for a data file, row for row. */
export const readResultScores = (resultsDir: string, detector: string, file: CorpusFile): Float64Array => {
  const source = join(resultsDir, detector, file.category, `${detector}_${file.name}.csv`);
  if (!existsSync(source)) throw new NabInputError(`missing result file: ${source}`);
  const table = parseCsv(readFileSync(source, 'utf8'), source);
  const scoreColumn = columnIndex(table, 'anomaly_score', source);
  if (table.rows.length !== file.values.length) {
    throw new NabInputError(`${source} has ${table.rows.length} rows, the data file ${file.values.length}`);
  }
  return Float64Array.from(table.rows, (row) => Number(row[scoreColumn]));
};
