import { type Labels, type MetricFamily, MetricType, type Sample } from './metric-family.js';
import { PrometheusTextParseError } from './prometheus-text.errors.js';

/**
 * Parses the Prometheus text exposition format 0.0.4 into metric families, in order of first
 * appearance. Pure and synchronous: one pass over the text, no regular expressions on the hot
 * path but the number check. Follows the reference (Go `expfmt`) parser's rules: one TYPE and
 * one HELP per name, TYPE before the samples it types, `le` on histogram buckets, `quantile` on
 * summary quantiles, only `\\`, `\"` and `\n` escapes in label values (`\\` and `\n` in HELP).
 *
 * @throws {PrometheusTextParseError} with the 1-based line (and column) of the first problem.
 */
export function parsePrometheusText(text: string): MetricFamily[] {
  const parser = new TextParser();
  const length = text.length;
  let start = 0;
  let lineNumber = 0;
  while (start < length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = length;
    lineNumber += 1;
    // Tolerate CRLF files; the format itself only knows \n.
    const stop = end > start && text.charCodeAt(end - 1) === CR ? end - 1 : end;
    parser.line(text, start, stop, lineNumber);
    start = end + 1;
  }
  return parser.families();
}

const CR = 13;
const SPACE = 32;
const TAB = 9;
const HASH = 35;
const QUOTE = 34;
const BACKSLASH = 92;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const EQUALS = 61;
const COMMA = 44;

const FLOAT = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const INTEGER = /^[+-]?\d+$/;
const METRIC_TYPES: ReadonlySet<string> = new Set(Object.values(MetricType));
/** Shared by every sample without labels; frozen so no caller can change it for the others. */
const NO_LABELS: Record<string, string> = Object.freeze({});

interface FamilyBuilder {
  name: string;
  type: MetricType;
  help: string;
  samples: Sample[];
  typed: boolean;
  helped: boolean;
}

function isNameStart(c: number, allowColon: boolean): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || (allowColon && c === 58);
}

function isNameChar(c: number, allowColon: boolean): boolean {
  return isNameStart(c, allowColon) || (c >= 48 && c <= 57);
}

/** Parses a sample value or `le`/`quantile` bound; NaN and the infinities in Go's spellings. */
export function parseSampleValue(token: string): number | undefined {
  if (FLOAT.test(token)) return Number(token);
  switch (token.toLowerCase()) {
    case 'nan':
      return Number.NaN;
    case 'inf':
    case '+inf':
    case 'infinity':
    case '+infinity':
      return Number.POSITIVE_INFINITY;
    case '-inf':
    case '-infinity':
      return Number.NEGATIVE_INFINITY;
    default:
      return undefined;
  }
}

class TextParser {
  private readonly byName = new Map<string, FamilyBuilder>();
  private text = '';
  private pos = 0;
  private end = 0;
  private lineStart = 0;
  private lineNumber = 0;
  private lastMetric = '';
  private lastFamily: FamilyBuilder | undefined;

  families(): MetricFamily[] {
    return [...this.byName.values()].map(({ name, type, help, samples }) => ({ name, type, help, samples }));
  }

  line(text: string, start: number, end: number, lineNumber: number): void {
    this.text = text;
    this.pos = start;
    this.end = end;
    this.lineStart = start;
    this.lineNumber = lineNumber;
    this.skipBlanks();
    if (this.pos >= this.end) return;
    if (this.text.charCodeAt(this.pos) === HASH) this.comment();
    else this.sample();
  }

  private fail(reason: string, at: number = this.pos): never {
    throw new PrometheusTextParseError(reason, this.lineNumber, at - this.lineStart + 1);
  }

  private skipBlanks(): void {
    while (this.pos < this.end) {
      const c = this.text.charCodeAt(this.pos);
      if (c !== SPACE && c !== TAB) return;
      this.pos += 1;
    }
  }

  private token(): string {
    const from = this.pos;
    while (this.pos < this.end) {
      const c = this.text.charCodeAt(this.pos);
      if (c === SPACE || c === TAB) break;
      this.pos += 1;
    }
    return this.text.slice(from, this.pos);
  }

  private name(allowColon: boolean, what: string): string {
    const from = this.pos;
    if (this.pos >= this.end || !isNameStart(this.text.charCodeAt(this.pos), allowColon)) this.fail(`expected ${what}`);
    this.pos += 1;
    while (this.pos < this.end && isNameChar(this.text.charCodeAt(this.pos), allowColon)) this.pos += 1;
    return this.text.slice(from, this.pos);
  }

  private comment(): void {
    this.pos += 1;
    this.skipBlanks();
    const keyword = this.token();
    if (keyword !== 'HELP' && keyword !== 'TYPE') return; // an ordinary comment
    this.lastFamily = undefined; // metadata may create a family that changes where a name belongs
    this.skipBlanks();
    const name = this.name(true, `a metric name after # ${keyword}`);
    if (this.pos < this.end) {
      const c = this.text.charCodeAt(this.pos);
      if (c !== SPACE && c !== TAB) this.fail(`invalid character in metric name after # ${keyword}`);
    }
    this.skipBlanks();
    if (keyword === 'HELP') this.help(name);
    else this.type(name);
  }

  private help(name: string): void {
    const family = this.byName.get(name);
    if (family?.helped) this.fail(`second HELP line for metric ${name}`, this.lineStart);
    const help = this.escaped(false);
    if (family) {
      family.help = help;
      family.helped = true;
    } else {
      this.byName.set(name, { name, type: MetricType.untyped, help, samples: [], typed: false, helped: true });
    }
  }

  private type(name: string): void {
    const typeStart = this.pos;
    const token = this.token().toLowerCase();
    if (token.length === 0) this.fail(`missing metric type for ${name}`);
    if (!METRIC_TYPES.has(token)) this.fail(`unknown metric type "${token}"`, typeStart);
    this.skipBlanks();
    if (this.pos < this.end) this.fail('unexpected text after the metric type');
    const family = this.byName.get(name);
    if (family?.typed) this.fail(`second TYPE line for metric ${name}`, this.lineStart);
    if (family && family.samples.length > 0) this.fail(`TYPE line for metric ${name} after its samples`, this.lineStart);
    const type = token as MetricType;
    if (family) {
      family.type = type;
      family.typed = true;
    } else {
      this.byName.set(name, { name, type, help: '', samples: [], typed: true, helped: false });
    }
  }

  /**
   * Reads an escaped string up to the end of the line (HELP) or to the closing quote (label value).
   * Only \\ and \n are escapes in HELP; label values add \".
   */
  private escaped(quoted: boolean): string {
    if (quoted) {
      // Fast path: most label values have no escapes.
      const close = this.text.indexOf('"', this.pos);
      if (close !== -1 && close < this.end) {
        let plain = true;
        for (let i = this.pos; i < close; i += 1) {
          if (this.text.charCodeAt(i) === BACKSLASH) {
            plain = false;
            break;
          }
        }
        if (plain) {
          const value = this.text.slice(this.pos, close);
          this.pos = close + 1;
          return value;
        }
      }
    }
    let out = '';
    let chunk = this.pos;
    while (this.pos < this.end) {
      const c = this.text.charCodeAt(this.pos);
      if (quoted && c === QUOTE) {
        out += this.text.slice(chunk, this.pos);
        this.pos += 1;
        return out;
      }
      if (c === BACKSLASH) {
        out += this.text.slice(chunk, this.pos);
        const next = this.pos + 1 < this.end ? this.text.charCodeAt(this.pos + 1) : -1;
        if (next === BACKSLASH) out += '\\';
        else if (next === 110) out += '\n';
        else if (quoted && next === QUOTE) out += '"';
        else this.fail(next === -1 ? 'escape at the end of the line' : `invalid escape sequence \\${String.fromCharCode(next)}`);
        this.pos += 2;
        chunk = this.pos;
        continue;
      }
      this.pos += 1;
    }
    if (quoted) this.fail('unterminated label value');
    return out + this.text.slice(chunk, this.pos);
  }

  private sample(): void {
    const nameStart = this.pos;
    const metric = this.name(true, 'a metric name');
    this.skipBlanks();
    let labels: Record<string, string> = NO_LABELS;
    if (this.pos < this.end && this.text.charCodeAt(this.pos) === OPEN_BRACE) {
      this.pos += 1;
      labels = this.labels();
      this.skipBlanks();
    }
    const valueStart = this.pos;
    const valueToken = this.token();
    if (valueToken.length === 0) this.fail(`missing value for metric ${metric}`);
    const value = parseSampleValue(valueToken);
    if (value === undefined) this.fail(`invalid value "${valueToken}"`, valueStart);
    this.skipBlanks();
    let timestampMs: number | undefined;
    if (this.pos < this.end) {
      const timestampStart = this.pos;
      const timestampToken = this.token();
      const parsed = INTEGER.test(timestampToken) ? Number(timestampToken) : Number.NaN;
      if (!Number.isSafeInteger(parsed)) this.fail(`invalid timestamp "${timestampToken}"`, timestampStart);
      timestampMs = parsed;
      this.skipBlanks();
      if (this.pos < this.end) this.fail('unexpected text after the timestamp');
    }
    const family = this.familyFor(metric);
    this.check(family, metric, labels, nameStart);
    // Keys in ascending order, so that a caller can hand the sample to a canonical JSON writer as is.
    family.samples.push(timestampMs === undefined ? { labels, metric, value } : { labels, metric, timestampMs, value });
  }

  private labels(): Record<string, string> {
    const labels: Record<string, string> = {};
    for (;;) {
      this.skipBlanks();
      if (this.pos >= this.end) this.fail('unterminated label set');
      if (this.text.charCodeAt(this.pos) === CLOSE_BRACE) {
        this.pos += 1;
        return labels;
      }
      const nameStart = this.pos;
      const name = this.name(false, 'a label name');
      if (Object.hasOwn(labels, name)) this.fail(`duplicate label ${name}`, nameStart);
      this.skipBlanks();
      if (this.pos >= this.end || this.text.charCodeAt(this.pos) !== EQUALS) this.fail(`expected "=" after label ${name}`);
      this.pos += 1;
      this.skipBlanks();
      if (this.pos >= this.end || this.text.charCodeAt(this.pos) !== QUOTE) this.fail(`expected a quoted value for label ${name}`);
      this.pos += 1;
      const value = this.escaped(true);
      // A plain object keeps V8's fast properties; only `__proto__` needs defining to be an own key.
      if (name === '__proto__') Object.defineProperty(labels, name, { value, enumerable: true, writable: true, configurable: true });
      else labels[name] = value;
      this.skipBlanks();
      if (this.pos >= this.end) this.fail('unterminated label set');
      const c = this.text.charCodeAt(this.pos);
      if (c === COMMA) this.pos += 1;
      else if (c !== CLOSE_BRACE) this.fail('expected "," or "}" after a label value');
    }
  }

  /** Histogram and summary lines carry suffixes; they belong to the family of the base name. */
  private familyFor(metric: string): FamilyBuilder {
    // Lines of one series come together; remember the last answer.
    if (metric === this.lastMetric && this.lastFamily) return this.lastFamily;
    let family = this.byName.get(metric) ?? baseFamily(metric, this.byName);
    if (!family) {
      family = { name: metric, type: MetricType.untyped, help: '', samples: [], typed: false, helped: false };
      this.byName.set(metric, family);
    }
    this.lastMetric = metric;
    this.lastFamily = family;
    return family;
  }

  private check(family: FamilyBuilder, metric: string, labels: Labels, at: number): void {
    if (family.type === MetricType.histogram) {
      if (metric === family.name) this.fail(`histogram sample ${metric} must end in _bucket, _sum or _count`, at);
      if (metric.endsWith('_bucket')) this.bound(labels, 'le', metric, at);
    } else if (family.type === MetricType.summary && metric === family.name) {
      this.bound(labels, 'quantile', metric, at);
    }
  }

  private bound(labels: Labels, label: string, metric: string, at: number): void {
    const raw = labels[label];
    if (raw === undefined) this.fail(`${metric} needs a "${label}" label`, at);
    if (parseSampleValue(raw) === undefined) this.fail(`invalid ${label} "${raw}" on ${metric}`, at);
  }
}

function baseFamily(metric: string, byName: ReadonlyMap<string, FamilyBuilder>): FamilyBuilder | undefined {
  for (const suffix of ['_bucket', '_sum', '_count'] as const) {
    if (!metric.endsWith(suffix)) continue;
    const base = byName.get(metric.slice(0, -suffix.length));
    if (!base) return undefined;
    if (base.type === MetricType.histogram) return base;
    if (base.type === MetricType.summary && suffix !== '_bucket') return base;
    return undefined;
  }
  return undefined;
}
