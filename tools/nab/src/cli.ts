import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { readCorpus, readProfiles, readResultScores } from './corpus.reader.js';
import { formatScores, scoreAllProfiles } from './corpus.scoring.js';
import { runDetector, writeResults } from './detection.runner.js';
import { NabUsageError } from './nab.errors.js';
import { prepareCorpus, scoreAtThreshold } from './nab.scorer.js';

const usage = `usage:
  nab [run] --data <nab dir> [--out <results dir>]     run the mapek detector over the corpus, write NAB results, score them
  nab score --results <results dir> --detector <name> [--data <nab dir>]   score an existing results directory`;

const parseFlags = (args: readonly string[]): { command: string; flags: Map<string, string> } => {
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

const publishedThresholds = (nabDir: string, detector: string): Record<string, { threshold: number }> | undefined => {
  const path = join(nabDir, 'config', 'thresholds.json');
  if (!existsSync(path)) return undefined;
  const all = JSON.parse(readFileSync(path, 'utf8')) as Record<string, Record<string, { threshold: number }>>;
  return all[detector];
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
      console.log(`${profile.padEnd(20)} ${result.normalised.toFixed(2).padStart(7)}  (raw ${result.raw.toFixed(3)}, threshold ${threshold})`);
    }
  }
};

const run = (flags: Map<string, string>): void => {
  const nabDir = required(flags, 'data');
  const files = readCorpus(nabDir);
  const profiles = readProfiles(nabDir);
  const { scores, samples, seconds } = runDetector(files);
  console.log(`detection: ${samples} samples in ${seconds.toFixed(3)} s = ${Math.round(samples / seconds)} samples/s (one core)`);
  const outDir = flags.get('out');
  if (outDir !== undefined) {
    writeResults(resolve(outDir), files, scores);
    console.log(`results written to ${join(resolve(outDir), 'mapek')}`);
  }
  console.log('mapek: best threshold per profile by exact sweep');
  console.log(formatScores(scoreAllProfiles(prepareCorpus(files), scores, profiles)));
};

const main = (args: readonly string[]): void => {
  const { command, flags } = parseFlags(args);
  switch (command) {
    case 'run':
      run(flags);
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
