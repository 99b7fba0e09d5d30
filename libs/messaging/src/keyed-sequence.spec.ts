import { describe, expect, it } from '@jest/globals';
import { KeyedSequence } from './keyed-sequence.js';

/** A task that records when it starts and ends, and ends when told to. */
function gate(log: string[], name: string): { task: () => Promise<string>; open: () => void; fail: () => void } {
  let open!: () => void;
  let fail!: () => void;
  const ended = new Promise<void>((resolve, reject) => {
    open = resolve;
    fail = () => reject(new Error(`${name} failed`));
  });
  return {
    task: async () => {
      log.push(`start ${name}`);
      try {
        await ended;
      } finally {
        log.push(`end ${name}`);
      }
      return name;
    },
    open,
    fail,
  };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('KeyedSequence', () => {
  it('runs the tasks of one key one after the other, in order, and other keys meanwhile', async () => {
    const log: string[] = [];
    const sequence = new KeyedSequence();
    const a1 = gate(log, 'a1');
    const a2 = gate(log, 'a2');
    const b1 = gate(log, 'b1');
    const results = [sequence.run('a', a1.task), sequence.run('a', a2.task), sequence.run('b', b1.task)];
    await turn();
    expect(log).toEqual(['start a1', 'start b1']);
    expect(sequence.keys).toBe(2);
    b1.open();
    await turn();
    expect(log).toEqual(['start a1', 'start b1', 'end b1']);
    a1.open();
    await turn();
    expect(log).toEqual(['start a1', 'start b1', 'end b1', 'end a1', 'start a2']);
    a2.open();
    await expect(Promise.all(results)).resolves.toEqual(['a1', 'a2', 'b1']);
    await turn();
    expect(sequence.keys).toBe(0);
  });

  it('goes on with the next task of a key after one fails, and gives the failure to its caller', async () => {
    const log: string[] = [];
    const sequence = new KeyedSequence();
    const first = gate(log, 'first');
    const second = gate(log, 'second');
    const failed = sequence.run('a', first.task);
    const next = sequence.run('a', second.task);
    first.fail();
    await expect(failed).rejects.toThrow('first failed');
    await turn();
    expect(log).toEqual(['start first', 'end first', 'start second']);
    second.open();
    await expect(next).resolves.toBe('second');
  });

  it('starts a task given while its key is idle at once', async () => {
    const sequence = new KeyedSequence();
    let started = false;
    const result = sequence.run('a', () => {
      started = true;
      return Promise.resolve(1);
    });
    expect(started).toBe(true);
    await expect(result).resolves.toBe(1);
  });
});
