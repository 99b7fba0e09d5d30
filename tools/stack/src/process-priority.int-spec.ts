import { describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { getPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { lowerPriority } from './process-priority.js';

/**
 * A process in a session of its own, as the stack spawns every service, pinned to CPU 0. It spins
 * once told to on its standard input, and prints the CPU time it had after each of `marks` seconds
 * of spinning: measured from the word go, not from its start, so neither node's start-up nor the
 * time the kernel takes to apply a priority counts.
 */
function spinner(marks: number[]) {
  const script = `
    process.stdout.write('ready\\n');
    process.stdin.once('data', () => {
      const start = Date.now();
      const base = process.cpuUsage();
      for (const mark of ${JSON.stringify(marks)}) {
        while (Date.now() < start + mark * 1000);
        const used = process.cpuUsage(base);
        process.stdout.write((used.user + used.system) / 1000 + '\\n');
      }
      process.exit(0);
    });`;
  const child = spawn('taskset', ['-c', '0', process.execPath, '-e', script], { detached: true, stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const ready = new Promise<void>((resolve, reject) => {
    child.on('error', reject);
    child.stdout.on('data', () => out.startsWith('ready\n') && resolve());
  });
  const cpuMs = new Promise<number[]>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', () => resolve(out.trim().split('\n').slice(1).map(Number)));
  });
  return { pid: child.pid ?? NaN, ready, go: () => child.stdin.end('go\n'), cpuMs };
}

describe('lowerPriority', () => {
  it('gives a process in a session of its own less of a CPU than one at the default priority', async () => {
    // The normal one spins longer, so the lowered one shares the CPU with it for all of its 2 s.
    const normal = spinner([2, 3]);
    const lowered = spinner([2]);
    await Promise.all([normal.ready, lowered.ready]);
    await expect(lowerPriority(lowered.pid, 10)).resolves.toBeUndefined();
    expect(getPriority(lowered.pid)).toBe(10);
    if (existsSync('/proc/self/autogroup')) expect(existsSync(`/proc/${lowered.pid}/autogroup`)).toBe(true);
    normal.go();
    lowered.go();
    const [[normalMs], [loweredMs]] = await Promise.all([normal.cpuMs, lowered.cpuMs]);
    // Weights 1024 against 110 over the same 2 s: about 9 to 1 on the shared CPU. Without the
    // autogroup's niceness, on a kernel that groups by session, it was 1 to 1.
    expect(loweredMs).toBeLessThan(normalMs! / 3);
  });

  it('sets the niceness alone where the kernel has no autogroups', async () => {
    const root = await mkdtemp(join(tmpdir(), 'no-autogroup-'));
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 5000)'], { detached: true, stdio: 'ignore' });
    try {
      await expect(lowerPriority(child.pid ?? NaN, 5, root)).resolves.toBeUndefined();
      expect(getPriority(child.pid)).toBe(5);
    } finally {
      child.kill();
      await rm(root, { recursive: true, force: true });
    }
  });
});
