/**
 * esbuild's `charset: 'ascii'` escapes strings and identifiers but leaves regular expression
 * literals and licence comments as they are (evanw/esbuild#4205). One character beyond ASCII is
 * enough for Node to keep a module's whole source as UTF-16, two bytes a character, instead of one
 * (measured: a 3.4 MB bundle held 6.8 MB). This writes each such code unit as `\uXXXX`, which
 * means the same in a regular expression, a string and a comment, and moves the columns of the
 * source map's mappings after it on its line by the characters added. (A tagged template's raw
 * text would read differently escaped; esbuild leaves those beyond ASCII too, and none is in the
 * bundles.)
 */

/** The fields of a version 3 source map this needs; the rest is kept as it is. */
export interface SourceMapV3 {
  mappings: string;
  [field: string]: unknown;
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const BASE64_VALUE = new Map([...BASE64].map((char, index) => [char, index]));
const ESCAPE_LENGTH = '\\u0000'.length;

/** Reads the first base64 VLQ value of `segment`: the value and where the rest of the segment starts. */
function readVlq(segment: string): { value: number; end: number } {
  let result = 0;
  let shift = 0;
  for (let at = 0; at < segment.length; at++) {
    const digit = BASE64_VALUE.get(segment[at] ?? '');
    if (digit === undefined) throw new Error(`not a base64 VLQ digit in source map segment ${JSON.stringify(segment)}`);
    result += (digit & 31) * 2 ** shift;
    shift += 5;
    if ((digit & 32) === 0) {
      const negative = (result & 1) === 1;
      const magnitude = Math.floor(result / 2);
      return { value: negative ? -magnitude : magnitude, end: at + 1 };
    }
  }
  throw new Error(`unterminated base64 VLQ value in source map segment ${JSON.stringify(segment)}`);
}

function writeVlq(value: number): string {
  let rest = value < 0 ? -value * 2 + 1 : value * 2;
  let text = '';
  do {
    let digit = rest & 31;
    rest = Math.floor(rest / 32);
    if (rest > 0) digit |= 32;
    text += BASE64[digit];
  } while (rest > 0);
  return text;
}

/** One generated line's segments with each column moved by what was inserted before it. */
function shiftLine(line: string, inserted: readonly { readonly column: number; readonly added: number }[]): string {
  if (line === '') return line;
  let column = 0;
  let shiftedColumn = 0;
  return line
    .split(',')
    .map((segment) => {
      const { value, end } = readVlq(segment);
      column += value;
      let added = 0;
      for (const insertion of inserted) if (insertion.column < column) added += insertion.added;
      const shifted = column + added;
      const delta = shifted - shiftedColumn;
      shiftedColumn = shifted;
      return writeVlq(delta) + segment.slice(end);
    })
    .join(',');
}

/** `code` with every UTF-16 code unit above 0x7f escaped, and `map` moved to match. */
export function escapeBeyondAscii(code: string, map: SourceMapV3): { code: string; map: SourceMapV3 } {
  if (!/[\u0080-\u{10ffff}]/u.test(code)) return { code, map };
  const lines = code.split('\n');
  const mappings = map.mappings.split(';');
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index] ?? '';
    const inserted: { column: number; added: number }[] = [];
    let escaped = '';
    for (let column = 0; column < line.length; column++) {
      const unit = line.charCodeAt(column);
      if (unit <= 0x7f) {
        escaped += line[column];
        continue;
      }
      // `\µ` (an identity escape) is the character itself: its backslash would escape ours.
      const backslashes = escaped.length - escaped.replace(/\\+$/u, '').length;
      if (backslashes % 2 === 1) escaped = escaped.slice(0, -1);
      escaped += `\\u${unit.toString(16).padStart(4, '0')}`;
      inserted.push({ column, added: ESCAPE_LENGTH - 1 - (backslashes % 2) });
    }
    if (inserted.length === 0) continue;
    lines[index] = escaped;
    if (index < mappings.length) mappings[index] = shiftLine(mappings[index] ?? '', inserted);
  }
  return { code: lines.join('\n'), map: { ...map, mappings: mappings.join(';') } };
}
