/**
 * Throughput of the parser on a realistic exposition (run after `pnpm build`):
 *   node libs/prometheus-text/dist/prometheus-text.bench.js
 */
import { parsePrometheusText } from './prometheus-text.parser.js';

function exposition(families: number, seriesPerFamily: number): string {
  const lines: string[] = [];
  for (let f = 0; f < families; f += 1) {
    lines.push(`# HELP bench_${f}_seconds Histogram number ${f} with a "quoted" \\\\ help`, `# TYPE bench_${f}_seconds histogram`);
    for (let s = 0; s < seriesPerFamily; s += 1) {
      const labels = `route="/api/v1/items/${s}",method="GET",note="a \\"b\\"\\nc"`;
      for (const le of ['0.005', '0.01', '0.1', '1', '+Inf']) lines.push(`bench_${f}_seconds_bucket{${labels},le="${le}"} ${s * 3}`);
      lines.push(`bench_${f}_seconds_sum{${labels}} ${s * 0.25}`, `bench_${f}_seconds_count{${labels}} ${s * 3}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

const text = exposition(50, 100);
const samples = parsePrometheusText(text).reduce((sum, family) => sum + family.samples.length, 0);
for (let i = 0; i < 5; i += 1) parsePrometheusText(text); // warm up
const rounds = 30;
const started = performance.now();
for (let i = 0; i < rounds; i += 1) parsePrometheusText(text);
const msPerParse = (performance.now() - started) / rounds;
process.stdout.write(
  `${(text.length / 1024 / 1024).toFixed(2)} MB, ${samples} samples: ${msPerParse.toFixed(2)} ms per parse, ` +
    `${(((samples / msPerParse) * 1000) / 1e6).toFixed(2)} M samples/s, ${(text.length / 1024 / 1024 / (msPerParse / 1000)).toFixed(0)} MB/s\n`,
);
