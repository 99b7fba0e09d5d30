import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { readCorpus, readProfiles, readResultScores, type CorpusFile, type CostMatrix } from './corpus.reader.js';
import { formatScores, scoreAllProfiles } from './corpus.scoring.js';
import { nabProfiles, writeCorpus } from './corpus.writer.js';
import { mapekScorer, runDetector, writeResults, type ScorerFactory } from './detection.runner.js';
import { EwmaBaselineDetector, defaultEwmaAlpha } from './ewma-baseline.detector.js';
import { NabUsageError } from './nab.errors.js';
import { prepareCorpus, scoreAtThreshold } from './nab.scorer.js';
import { defaultCorpusSeed, generateServiceCorpus } from './service-corpus.generator.js';

const usage = `usage:
  nab [run] (--data <nab dir> | --corpus service [--seed <n>]) [--detector mapek|ewma] [--alpha <a>] [--out <results dir>]
        run a detector over a corpus (NAB, or the generated service-metrics corpus), write results, score them
  nab compare [--data <nab dir>] [--seed <n>] [--alpha <a>]
        the mapek detector (detectorConfig) and the EWMA z-score baseline on NAB and on the service corpus
  nab generate --out <dir> [--seed <n>]
        write the service-metrics corpus in NAB's layout (data/, labels/, config/profiles.json)
  nab score --results <results dir> --detector <name> [--data <nab dir>]
        score an existing results directory`;

const defaultNabDir = '/work/shared/nab';

const parseFlags = (argv: readonly string[]): { command: string; flags: Map<string, string> } => {
  // `pnpm nab -- compare` passes the `--` through.
  const args = argv.filter((arg) => arg !== '--');
  const flags = new Map<string, string>();
  let command = 'run';
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg.startsWith('--')) {
      const value = args[i + 1];
      if (value === undefined) throw new NabUsageError(`missing value for ${arg}\n${usage}`);
      flags.set(arg.slice(2), value);
      i++;
    } else if (i === 0) {
      command = arg;
    } else {
      throw new NabUsageError(`unexpected argument ${arg}\n${usage}`);
    }
  }
  return { command, flags };
};

const required = (flags: Map<string, string>, name: string): string => {
  const value = flags.get(name);
  if (value === undefined) throw new NabUsageError(`--${name} is required\n${usage}`);
  return resolve(value);
};

const numberFlag = (flags: Map<string, string>, name: string, fallback: number): number => {
  const raw = flags.get(name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value)) throw new NabUsageError(`--${name} must be a number, got ${raw}\n${usage}`);
  return value;
};

const publishedThresholds = (nabDir: string, detector: string): Record<string, { threshold: number }> | undefined => {
  const path = join(nabDir, 'config', 'thresholds.json');
  if (!existsSync(path)) return undefined;
  const all = JSON.parse(readFileSync(path, 'utf8')) as Record<string, Record<string, { threshold: number }>>;
  return all[detector];
};

const ewmaScorer =
  (alpha: number): ScorerFactory =>
  (context) =>
    new EwmaBaselineDetector(alpha, context.warmupSamples);

const detectorFlag = (flags: Map<string, string>): { name: string; scorer: ScorerFactory } => {
  const name = flags.get('detector') ?? 'mapek';
  switch (name) {
    case 'mapek':
      return { name, scorer: mapekScorer() };
    case 'ewma':
      return { name, scorer: ewmaScorer(numberFlag(flags, 'alpha', defaultEwmaAlpha)) };
    default:
      throw new NabUsageError(`unknown detector ${name} (mapek or ewma)\n${usage}`);
  }
};

/** The corpus named by the flags: NAB from --data, or the generated service corpus (--corpus service). */
const corpusFlag = (flags: Map<string, string>): { label: string; files: CorpusFile[]; profiles: Record<string, CostMatrix> } => {
  const corpus = flags.get('corpus') ?? 'nab';
  if (corpus === 'service') {
    const seed = numberFlag(flags, 'seed', defaultCorpusSeed);
    return { label: `service corpus (seed ${seed})`, files: [...generateServiceCorpus(seed).files], profiles: { ...nabProfiles } };
  }
  if (corpus !== 'nab') throw new NabUsageError(`unknown corpus ${corpus} (nab or service)\n${usage}`);
  const nabDir = required(flags, 'data');
  return { label: `NAB (${nabDir})`, files: readCorpus(nabDir), profiles: readProfiles(nabDir) };
};

const score = (flags: Map<string, string>): void => {
  const resultsDir = required(flags, 'results');
  const detector = flags.get('detector') ?? 'mapek';
  const nabDir = flags.has('data') ? required(flags, 'data') : dirname(resultsDir);
  const files = readCorpus(nabDir);
  const profiles = readProfiles(nabDir);
  const corpus = prepareCorpus(files);
  const scores = files.map((file) => readResultScores(resultsDir, detector, file));
  console.log(`${detector}: best threshold per profile by exact sweep`);
  console.log(formatScores(scoreAllProfiles(corpus, scores, profiles)));
  const published = publishedThresholds(nabDir, detector);
  if (published !== undefined) {
    console.log(`${detector}: at the published thresholds (config/thresholds.json)`);
    for (const [profile, cost] of Object.entries(profiles)) {
      const threshold = published[profile]?.threshold;
      if (threshold === undefined) continue;
      const result = scoreAtThreshold(corpus, scores, cost, threshold);
      console.log(
        `${profile.padEnd(20)} ${result.normalised.toFixed(2).padStart(7)}  (raw ${result.raw.toFixed(3)}, threshold ${threshold})`,
      );
    }
  }
};

const run = (flags: Map<string, string>): void => {
  const { label, files, profiles } = corpusFlag(flags);
  const { name, scorer } = detectorFlag(flags);
  const { scores, samples, seconds } = runDetector(files, scorer);
  console.log(`${label}: ${files.length} files`);
  console.log(`detection: ${samples} samples in ${seconds.toFixed(3)} s = ${Math.round(samples / seconds)} samples/s (one core)`);
  const outDir = flags.get('out');
  if (outDir !== undefined) {
    writeResults(resolve(outDir), files, scores, name);
    console.log(`results written to ${join(resolve(outDir), name)}`);
  }
  console.log(`${name}: best threshold per profile by exact sweep`);
  console.log(formatScores(scoreAllProfiles(prepareCorpus(files), scores, profiles)));
};

const compare = (flags: Map<string, string>): void => {
  const nabDir = resolve(flags.get('data') ?? defaultNabDir);
  const seed = numberFlag(flags, 'seed', defaultCorpusSeed);
  const alpha = numberFlag(flags, 'alpha', defaultEwmaAlpha);
  const corpora = [
    { label: `NAB v1.1 (${nabDir})`, files: readCorpus(nabDir), profiles: readProfiles(nabDir) },
    { label: `service-metrics corpus (seed ${seed})`, files: [...generateServiceCorpus(seed).files], profiles: { ...nabProfiles } },
  ];
  const detectors = [
    { label: 'mapek detectorConfig', scorer: mapekScorer() },
    { label: `EWMA z-score baseline (alpha ${alpha})`, scorer: ewmaScorer(alpha) },
  ];
  for (const corpus of corpora) {
    const prepared = prepareCorpus(corpus.files);
    const windows = corpus.files.reduce((sum, file) => sum + file.windows.length, 0);
    const rows = corpus.files.reduce((sum, file) => sum + file.values.length, 0);
    console.log(`\n${corpus.label}: ${corpus.files.length} files, ${rows} rows, ${windows} windows`);
    for (const detector of detectors) {
      const { scores } = runDetector(corpus.files, detector.scorer);
      console.log(`  ${detector.label}`);
      console.log(
        formatScores(scoreAllProfiles(prepared, scores, corpus.profiles))
          .split('\n')
          .map((line) => `    ${line}`)
          .join('\n'),
      );
    }
  }
};

const generate = (flags: Map<string, string>): void => {
  const outDir = required(flags, 'out');
  const seed = numberFlag(flags, 'seed', defaultCorpusSeed);
  const corpus = generateServiceCorpus(seed);
  writeCorpus(outDir, corpus);
  const windows = corpus.files.reduce((sum, file) => sum + file.windows.length, 0);
  const rows = corpus.files.reduce((sum, file) => sum + file.values.length, 0);
  console.log(`service-metrics corpus, seed ${seed}: ${corpus.files.length} files, ${rows} rows, ${windows} windows, written to ${outDir}`);
};

const main = (args: readonly string[]): void => {
  const { command, flags } = parseFlags(args);
  switch (command) {
    case 'run':
      run(flags);
      return;
    case 'compare':
      compare(flags);
      return;
    case 'generate':
      generate(flags);
      return;
    case 'score':
      score(flags);
      return;
    default:
      throw new NabUsageError(`unknown command ${command}\n${usage}`);
  }
};

try {
  main(process.argv.slice(2));
} catch (error: unknown) {
  console.error(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
  process.exitCode = 1;
}
