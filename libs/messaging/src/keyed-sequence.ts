/**
 * Runs tasks of one key one after the other, in the order they were given, and tasks of different
 * keys at once. A task that fails does not stop the next one of its key. Keys with nothing
 * running or waiting are forgotten, so the map holds only the keys in flight.
 */
export class KeyedSequence {
  /** Per key, the end of its last task (settled either way, never rejected). */
  private readonly tails = new Map<string, Promise<void>>();

  /** Starts `task` once every task given before under `key` has settled; resolves or rejects as it does. */
  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key);
    const result = previous ? previous.then(task) : task();
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /** Keys with a task running or waiting. */
  get keys(): number {
    return this.tails.size;
  }
}
