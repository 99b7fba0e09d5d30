import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';
import { waitFor } from './wait-for.js';

/** A server of a test's own, started from a config file: a free loopback port, its own directory, removed on stop. */
export interface ReadyServer {
  readonly url: string;
  /** What the server printed, for a failure message. */
  output(): string;
  stop(): Promise<void>;
}

export interface ReadyServerOptions {
  /** For messages and the temporary directory (`prometheus`, `alertmanager`). */
  readonly name: string;
  readonly binary: string;
  /** The config file's name in the directory, and its text. */
  readonly configFile: string;
  readonly config: string;
  /** The command line, given the config file, the data directory and the loopback port. */
  readonly args: (paths: { readonly configFile: string; readonly dataDir: string; readonly port: number }) => readonly string[];
}

/**
 * Starts a server of the Prometheus family (Prometheus, Alertmanager) with its config in a
 * directory of its own, and resolves once it answers `/-/ready`; a server that exits first, or
 * never gets ready, is stopped and reported with what it printed.
 */
export async function startReadyServer(options: ReadyServerOptions): Promise<ReadyServer> {
  const dir = await mkdtemp(join(tmpdir(), `mapek-${options.name}-`));
  const configFile = join(dir, options.configFile);
  await writeFile(configFile, options.config);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let log = '';
  const child: ChildProcess = spawn(options.binary, [...options.args({ configFile, dataDir: join(dir, 'data'), port })], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const append = (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`${options.name} exited with ${child.exitCode}: ${log}`);
        return (await fetch(`${url}/-/ready`).catch(() => undefined))?.ok;
      },
      { timeoutMs: 30_000, intervalMs: 100, what: `${options.name} to be ready` },
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, output: () => log, stop };
}
