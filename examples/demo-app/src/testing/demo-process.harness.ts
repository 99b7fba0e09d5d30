import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The built demo app running as a child process with `--expose-gc`, as in production. */
export interface DemoProcess {
  readonly url: string;
  readonly output: () => string;
  stop(): Promise<void>;
}

const MAIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

/** Spawns `node --expose-gc dist/main.js` and resolves when it logs `{"msg":"listening"}`. */
export async function startDemoProcess(env: Record<string, string>): Promise<DemoProcess> {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`pnpm build\` before the demo-app integration tests`);
  const child = spawn(process.execPath, ['--expose-gc', MAIN], {
    env: { PATH: process.env['PATH'] ?? '', HOST: '127.0.0.1', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  try {
    const url = await listeningUrl(child, () => output);
    return { url, output: () => output, stop: () => stop(child) };
  } catch (error) {
    await stop(child);
    throw error;
  }
}

function listeningUrl(child: ChildProcess, output: () => string): Promise<string> {
  return new Promise((resolve, reject) => {
    const onData = (): void => {
      for (const line of output().split('\n')) {
        if (!line.startsWith('{')) continue;
        const entry = JSON.parse(line) as { msg?: string; url?: string };
        if (entry.msg === 'listening' && entry.url !== undefined) {
          child.stdout?.off('data', onData);
          child.off('exit', onExit);
          resolve(entry.url);
          return;
        }
      }
    };
    const onExit = (code: number | null): void => reject(new Error(`demo app exited (${String(code)}) before listening:\n${output()}`));
    child.stdout?.on('data', onData);
    child.once('exit', onExit);
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  await exited;
}
