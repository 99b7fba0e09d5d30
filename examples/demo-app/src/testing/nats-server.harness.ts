import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A throwaway nats-server for integration tests: own temp dir, random port, never 4222. */
export interface NatsServerHandle {
  readonly url: string;
  stop(): Promise<void>;
}

const NATS_SERVER = process.env['NATS_SERVER_BIN'] ?? '/usr/sbin/nats-server';

/** Starts nats-server on a random loopback port and resolves once it logs "Server is ready". */
export async function startNatsServer(): Promise<NatsServerHandle> {
  const dir = await mkdtemp(join(tmpdir(), 'mapek-demo-nats-'));
  const child = spawn(NATS_SERVER, ['-a', '127.0.0.1', '-p', '-1'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    const url = await readyUrl(child);
    return {
      url,
      async stop() {
        if (child.exitCode === null && child.signalCode === null) {
          const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
          child.kill('SIGTERM');
          await exited;
        }
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

function readyUrl(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let log = '';
    let url: string | undefined;
    const onData = (chunk: Buffer): void => {
      log += chunk.toString('utf8');
      url ??= /Listening for client connections on (\S+:\d+)/.exec(log)?.[1];
      if (url !== undefined && log.includes('Server is ready')) {
        cleanup();
        resolve(`nats://${url}`);
      }
    };
    const onExit = (code: number | null): void => {
      cleanup();
      reject(new Error(`nats-server exited (${String(code)}) before it was ready:\n${log}`));
    };
    const onError = (error: Error): void => {
      cleanup();
      reject(error);
    };
    const cleanup = (): void => {
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
      child.off('error', onError);
      // Keep draining the pipes so the server never blocks on a full buffer.
      child.stdout?.resume();
      child.stderr?.resume();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
    child.once('error', onError);
  });
}
