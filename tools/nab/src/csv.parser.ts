import { NabInputError } from './nab.errors.js';

/** A parsed CSV table: header names and rows of raw string cells. */
export interface CsvTable {
  readonly header: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

/** Parses a simple comma-separated file (no quoting; NAB files have none). */
export const parseCsv = (text: string, source: string): CsvTable => {
  const lines = text.split(/\r?\n/).filter((line) => line.length > 0);
  const first = lines[0];
  if (first === undefined) throw new NabInputError(`empty CSV file: ${source}`);
  return { header: first.split(','), rows: lines.slice(1).map((line) => line.split(',')) };
};

/** Index of a named column, or an error naming the file. */
export const columnIndex = (table: CsvTable, name: string, source: string): number => {
  const index = table.header.indexOf(name);
  if (index < 0) throw new NabInputError(`column "${name}" missing in ${source}`);
  return index;
};
