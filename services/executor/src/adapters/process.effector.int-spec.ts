import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { EffectorRequest } from '../domain/effector.port.js';
import { ProcessEffector } from './process.effector.js';

/** Whether a pid is a live process (signal 0 checks without sending anything). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A long-lived Node process; `ignoreTerm` makes it survive SIGTERM, so only SIGKILL ends it. */
const service = (ignoreTerm: boolean) => [
  process.execPath,
  '-e',
  `${ignoreTerm ? "process.on('SIGTERM', () => {});" : ''} setInterval(() => {}, 1000); process.stdout.write('ready')`,
];

const step = (
  params: EffectorRequest['step']['params'] = {},
  action: EffectorRequest['step']['action'] = 'restart_service',
): EffectorRequest => ({
  requestId: randomUUID(),
  planId: randomUUID(),
  index: 0,
  rollback: false,
  step: { action, target: 'worker', params, timeoutMs: 10_000 },
});

/**
 * The process effector on real processes: a process supervised by a pid file is stopped (SIGTERM,
 * or SIGKILL when it ignores that) and started again detached; allow-listed commands run with
 * execFile, never a shell. systemd units cannot be tested here: the machine runs no systemd.
 */
describe('process effector on real processes', () => {
  let dir: string;
  const started: number[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mapek-process-'));
  });

  afterAll(async () => {
    for (const pid of started) if (alive(pid)) process.kill(pid, 'SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });

  async function supervised(ignoreTerm: boolean): Promise<{ pidFile: string; pid: number }> {
    const pidFile = join(dir, `${randomUUID()}.pid`);
    const [file, ...args] = service(ignoreTerm);
    const child = spawn(file ?? process.execPath, args, { stdio: ['ignore', 'pipe', 'ignore'] });
    // Ready once it says so: its SIGTERM handler, if any, is in place by then.
    const pid = await new Promise<number>((resolve, reject) => {
      child.stdout.once('data', () => resolve(child.pid ?? 0));
      child.once('error', reject);
    });
    child.stdout.destroy();
    started.push(pid);
    await writeFile(pidFile, `${pid}\n`);
    return { pidFile, pid };
  }

  const pidFileEffector = (pidFile: string, ignoreTerm: boolean, stopTimeoutMs: number) =>
    new ProcessEffector({
      kind: 'process',
      supervisor: { kind: 'pidfile', pidFile, stopTimeoutMs, start: { argv: service(ignoreTerm), allow: {} } },
      commands: {},
      capabilities: [{ action: 'restart_service', params: {}, verify: 'probe', timeoutMs: 10_000 }],
    });

  it('restarts a process from its pid file: the old one stops on SIGTERM, a new one runs and its pid is written', async () => {
    const { pidFile, pid } = await supervised(false);
    const result = await pidFileEffector(pidFile, false, 5000).run(step());
    const next = Number((await readFile(pidFile, 'utf8')).trim());
    started.push(next);
    expect(result).toEqual({ ok: true, detail: `pid ${pid} stopped on SIGTERM; started pid ${next}` });
    expect(next).not.toBe(pid);
    expect(alive(pid)).toBe(false);
    expect(alive(next)).toBe(true);
  });

  it('kills a process that ignores SIGTERM once the stop timeout has passed', async () => {
    const { pidFile, pid } = await supervised(true);
    const result = await pidFileEffector(pidFile, false, 300).run(step());
    const next = Number((await readFile(pidFile, 'utf8')).trim());
    started.push(next);
    expect(result.detail).toBe(`pid ${pid} killed after 300 ms; started pid ${next}`);
    expect(alive(pid)).toBe(false);
  });

  it('counts a stopped process whose parent never reaps it (a zombie) as stopped', async () => {
    // sh starts `sleep` in the background, says its pid, and becomes a `sleep` itself: a parent that never waits.
    const parent = spawn('sh', ['-c', 'sleep 300 & echo $!; exec sleep 300'], { stdio: ['ignore', 'pipe', 'ignore'] });
    const pid = await new Promise<number>((resolve) =>
      parent.stdout.once('data', (data: Buffer) => resolve(Number(data.toString().trim()))),
    );
    started.push(parent.pid ?? 0);
    const pidFile = join(dir, 'orphan.pid');
    await writeFile(pidFile, `${pid}\n`);
    const result = await pidFileEffector(pidFile, false, 5000).run(step());
    started.push(Number((await readFile(pidFile, 'utf8')).trim()));
    expect(result.detail).toMatch(new RegExp(`^pid ${pid} stopped on SIGTERM; started pid \\d+$`));
  });

  it('starts the process when its pid file names none that runs', async () => {
    const pidFile = join(dir, 'missing.pid');
    const result = await pidFileEffector(pidFile, false, 1000).run(step());
    const next = Number((await readFile(pidFile, 'utf8')).trim());
    started.push(next);
    expect(result).toEqual({ ok: true, detail: `was not running; started pid ${next}` });
    expect(alive(next)).toBe(true);
  });

  describe('allow-listed commands', () => {
    const write = (pattern: string) =>
      new ProcessEffector({
        kind: 'process',
        commands: {
          note: {
            argv: [
              process.execPath,
              '-e',
              'require("node:fs").writeFileSync(process.argv[1], process.argv[2])',
              join(dir, '{name}.txt'),
              '{text}',
            ],
            allow: { name: '[a-z]+', text: pattern },
          },
          fail: { argv: [process.execPath, '-e', 'process.stderr.write("no space left"); process.exit(3)'], allow: {} },
        },
        capabilities: [{ action: 'clear_cache', params: { command: 'note' }, verify: 'symptom_cleared', timeoutMs: 5000 }],
      });

    it('runs a command with its params in their own argv slots', async () => {
      expect(await write('[a-z ]+').run(step({ command: 'note', name: 'flush', text: 'cache flushed' }, 'clear_cache'))).toMatchObject({
        ok: true,
      });
      expect(await readFile(join(dir, 'flush.txt'), 'utf8')).toBe('cache flushed');
    });

    it('refuses a param that does not match its pattern, and runs nothing', async () => {
      const result = await write('[a-z ]+').run(step({ command: 'note', name: 'evil', text: 'x; touch pwned' }, 'clear_cache'));
      expect(result).toMatchObject({ ok: false, errorCode: 'not_allowed' });
      expect(existsSync(join(dir, 'evil.txt'))).toBe(false);
    });

    it('never hands a value to a shell: shell syntax arrives as literal text', async () => {
      const marker = join(dir, 'pwned');
      await write('.+').run(step({ command: 'note', name: 'literal', text: `$(touch ${marker})` }, 'clear_cache'));
      expect(await readFile(join(dir, 'literal.txt'), 'utf8')).toBe(`$(touch ${marker})`);
      expect(existsSync(marker)).toBe(false);
    });

    it('refuses a command that is not on the list, and reports a failing one with its exit code and output', async () => {
      expect(await write('.+').run(step({ command: 'rm' }, 'clear_cache'))).toEqual({
        ok: false,
        detail: 'no allow-listed command rm',
        errorCode: 'not_allowed',
      });
      expect(await write('.+').run(step({ command: 'fail' }, 'clear_cache'))).toEqual({
        ok: false,
        detail: 'fail: exit 3: no space left',
        errorCode: 'command_failed',
      });
    });
  });
});
