import { describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { getPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { lowerPriority } from './process-priority.js';

/** A process in a session of its own, as the stack spawns every service, pinned to CPU 0. */
function spinner(seconds: number) {
  const script = `const end = Date.now() + ${seconds * 1000}; while (Date.now() < end); const u = process.cpuUsage(); console.log((u.user + u.system) / 1000);`;
  const child = spawn('taskset', ['-c', '0', process.execPath, '-e', script], { detached: true, stdio: ['ignore', 'pipe', 'inherit'] });
  const cpuMs = new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('exit', () => resolve(Number(out.trim())));
  });
  return { pid: child.pid ?? NaN, cpuMs };
}

describe('lowerPriority', () => {
  it('gives a process in a session of its own less of a CPU than one at the default priority', async () => {
    const normal = spinner(2);
    const lowered = spinner(2);
    await expect(lowerPriority(lowered.pid, 10)).resolves.toBeUndefined();
    expect(getPriority(lowered.pid)).toBe(10);
    if (existsSync('/proc/self/autogroup')) expect(existsSync(`/proc/${lowered.pid}/autogroup`)).toBe(true);
    const [normalMs, loweredMs] = await Promise.all([normal.cpuMs, lowered.cpuMs]);
    // Weights 1024 against 110: about 9 to 1 on the shared CPU. Without the autogroup's niceness,
    // on a kernel that groups by session, it was 1 to 1.
    expect(loweredMs).toBeLessThan(normalMs / 3);
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
