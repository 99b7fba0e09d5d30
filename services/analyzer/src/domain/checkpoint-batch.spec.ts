import { describe, expect, it } from '@jest/globals';
import { CheckpointBatch, type CheckpointStore } from './checkpoint-batch.js';

interface Counter {
  value: number;
}

/** A store whose writes complete only when the test says so. */
function controlledStore() {
  const writes: Array<{ target: string; serialized: string; done: () => void; fail: (error: Error) => void }> = [];
  const store: CheckpointStore<Counter> = {
    serialize: (_target, state) => String(state.value),
    persist: (target, _state, serialized) =>
      new Promise<void>((resolve, reject) => {
        writes.push({ target, serialized, done: resolve, fail: reject });
      }),
  };
  return { store, writes };
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('CheckpointBatch', () => {
  it('writes a target once for every batch handed in during the same turn, and releases them only after the write', async () => {
    const { store, writes } = controlledStore();
    const batch = new CheckpointBatch(store);
    const state = { value: 1 };
    let released = 0;
    const first = batch.commit('a', state).then(() => released++);
    state.value = 2;
    const second = batch.commit('a', state).then(() => released++);
    await turn();
    expect(writes.map((write) => [write.target, write.serialized])).toEqual([['a', '2']]);
    expect(released).toBe(0);
    writes[0]?.done();
    await Promise.all([first, second]);
    expect(released).toBe(2);
  });

  it('writes the targets of one flush side by side', async () => {
    const { store, writes } = controlledStore();
    const batch = new CheckpointBatch(store);
    const done = [batch.commit('a', { value: 1 }), batch.commit('b', { value: 1 }), batch.commit('c', { value: 1 })];
    await turn();
    expect(writes.map((write) => write.target).sort()).toEqual(['a', 'b', 'c']);
    writes.forEach((write) => write.done());
    await Promise.all(done);
  });

  it('gathers what arrives during a flush into the next one, with the state as it is then', async () => {
    const { store, writes } = controlledStore();
    const batch = new CheckpointBatch(store);
    const state = { value: 1 };
    const first = batch.commit('a', state);
    await turn();
    state.value = 2;
    const second = batch.commit('a', state);
    const third = batch.commit('b', { value: 7 });
    await turn();
    expect(writes).toHaveLength(1);
    expect(batch.waiting).toBe(2);
    writes[0]?.done();
    await first;
    await turn(); // the first flush ends
    await turn(); // the next one starts
    expect(writes.slice(1).map((write) => [write.target, write.serialized])).toEqual([
      ['a', '2'],
      ['b', '7'],
    ]);
    writes.slice(1).forEach((write) => write.done());
    await Promise.all([second, third]);
  });

  it('rejects every batch of a target whose write failed, and only those', async () => {
    const { store, writes } = controlledStore();
    const batch = new CheckpointBatch(store);
    const failed = batch.commit('a', { value: 1 });
    const alsoFailed = batch.commit('a', { value: 2 });
    const stored = batch.commit('b', { value: 1 });
    await turn();
    writes.find((write) => write.target === 'a')?.fail(new Error('wrong last sequence'));
    writes.find((write) => write.target === 'b')?.done();
    await expect(failed).rejects.toThrow('wrong last sequence');
    await expect(alsoFailed).rejects.toThrow('wrong last sequence');
    await expect(stored).resolves.toBeUndefined();
  });

  it('writes a large flush in slices, one slice on the connection at a time, and holds the next slice while told to', async () => {
    const { store, writes } = controlledStore();
    let hold: (() => void) | undefined;
    const batch = new CheckpointBatch(store, {
      sliceSize: 2,
      pause: () => (hold ? undefined : new Promise<void>((resolve) => (hold = resolve))),
    });
    const done = ['a', 'b', 'c', 'd', 'e'].map((target) => batch.commit(target, { value: 1 }));
    const turns = async (count: number) => {
      for (let i = 0; i < count; i++) await turn();
    };
    await turn();
    expect(writes.map((write) => write.target)).toEqual(['a', 'b']);
    // The first slice's writes are not answered yet: the second slice waits for them.
    await turns(3);
    expect(writes.map((write) => write.target)).toEqual(['a', 'b']);
    writes[0]?.done();
    await turns(3);
    expect(writes).toHaveLength(2);
    writes[1]?.done();
    await turns(3);
    // Answered; now the pause holds it.
    expect(writes).toHaveLength(2);
    hold?.();
    await turns(3);
    expect(writes.map((write) => write.target)).toEqual(['a', 'b', 'c', 'd']);
    writes[2]?.done();
    writes[3]?.done();
    await turns(3);
    expect(writes.map((write) => write.target)).toEqual(['a', 'b', 'c', 'd', 'e']);
    writes[4]?.done();
    await Promise.all(done);
  });

  it('starts a flush no sooner than the interval after the last one started, and gathers everything handed in meanwhile', async () => {
    const { store, writes } = controlledStore();
    const batch = new CheckpointBatch(store, { intervalMs: 200 });
    const first = batch.commit('a', { value: 1 });
    await turn();
    expect(writes).toHaveLength(1);
    writes[0]?.done();
    await first;
    const started = performance.now();
    const state = { value: 2 };
    const gathered = [batch.commit('a', state), batch.commit('b', { value: 1 })];
    await new Promise((resolve) => setTimeout(resolve, 100));
    state.value = 3;
    gathered.push(batch.commit('a', state));
    expect(writes).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(writes.slice(1).map((write) => [write.target, write.serialized])).toEqual([
      ['a', '3'],
      ['b', '1'],
    ]);
    writes.slice(1).forEach((write) => write.done());
    await Promise.all(gathered);
    expect(performance.now() - started).toBeGreaterThanOrEqual(90);
  });
});
