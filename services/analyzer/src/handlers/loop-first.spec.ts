import { describe, expect, it } from '@jest/globals';
import { LoopFirst } from './loop-first.js';

describe('LoopFirst', () => {
  it('lets bulk work go on at once while no loop work runs', () => {
    expect(new LoopFirst(50).clear()).toBeUndefined();
  });

  it('holds bulk work until the loop work that runs has ended', async () => {
    const gate = new LoopFirst(10_000);
    let finish!: () => void;
    const loop = gate.run(() => new Promise<void>((resolve) => (finish = resolve)));
    const order: string[] = [];
    const bulk = gate.clear()?.then(() => order.push('bulk'));
    expect(bulk).toBeDefined();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(order).toEqual([]);
    order.push('loop');
    finish();
    await loop;
    await bulk;
    expect(order).toEqual(['loop', 'bulk']);
    expect(gate.busy).toBe(false);
  });

  it('holds bulk work for at most its bound while loop work goes on', async () => {
    const gate = new LoopFirst(30);
    let finish!: () => void;
    const loop = gate.run(() => new Promise<void>((resolve) => (finish = resolve)));
    const started = Date.now();
    await gate.clear();
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
    expect(gate.busy).toBe(true);
    finish();
    await loop;
  });

  it('ends the mark of loop work that fails, and gives its failure back', async () => {
    const gate = new LoopFirst(10_000);
    await expect(gate.run(() => Promise.reject(new Error('kv down')))).rejects.toThrow('kv down');
    expect(gate.busy).toBe(false);
    expect(gate.clear()).toBeUndefined();
  });
});
