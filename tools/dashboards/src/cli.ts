#!/usr/bin/env node
import { staleGeneratedFiles, writeGeneratedFiles } from './generated-files.js';

/**
 * `generate`: writes the dashboards' JSON and deploy/prometheus/prometheus.yml.
 * `check`: exits 1 and lists what differs when the committed files are not what the code makes.
 */
async function main(command: string | undefined): Promise<number> {
  switch (command ?? '') {
    case 'generate': {
      for (const file of await writeGeneratedFiles()) console.log(`wrote ${file.path}`);
      return 0;
    }
    case 'check': {
      const stale = await staleGeneratedFiles();
      for (const file of stale) console.error(`${file.path}: ${file.problem}`);
      if (stale.length > 0) console.error('run `pnpm dashboards generate` and commit the result');
      return stale.length === 0 ? 0 : 1;
    }
    default:
      console.error('usage: dashboards generate | check');
      return 64;
  }
}

process.exitCode = await main(process.argv[2]);
