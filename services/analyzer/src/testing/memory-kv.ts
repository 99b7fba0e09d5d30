/** A KV bucket in memory with compare-and-set: the part of KvBucket the analyzer's handlers use, with the reads and writes counted. */
export class MemoryKv {
  readonly values = new Map<string, { value: string; revision: number }>();
  writes = 0;
  /** Reads per key. */
  readonly reads = new Map<string, number>();
  failNextWriteOf: string | undefined;
  private revision = 0;

  get(key: string) {
    this.reads.set(key, (this.reads.get(key) ?? 0) + 1);
    const stored = this.values.get(key);
    if (!stored) return Promise.resolve(null);
    return Promise.resolve({
      operation: 'PUT',
      length: stored.value.length,
      revision: stored.revision,
      json: () => JSON.parse(stored.value) as unknown,
    });
  }
  create(key: string, value: string): Promise<number> {
    return this.values.has(key) ? Promise.reject(Object.assign(new Error('exists'), { code: 10071 })) : this.write(key, value);
  }
  update(key: string, value: string, revision: number): Promise<number> {
    if (this.values.get(key)?.revision !== revision)
      return Promise.reject(Object.assign(new Error('wrong last sequence'), { code: 10071 }));
    return this.write(key, value);
  }
  private write(key: string, value: string): Promise<number> {
    if (this.failNextWriteOf !== undefined && key.endsWith(this.failNextWriteOf)) {
      this.failNextWriteOf = undefined;
      return Promise.reject(new Error('KV unavailable'));
    }
    this.writes += 1;
    this.revision += 1;
    this.values.set(key, { value, revision: this.revision });
    return Promise.resolve(this.revision);
  }
  put(key: string, value: string): Promise<number> {
    return this.write(key, value);
  }
  delete(key: string): Promise<void> {
    this.values.delete(key);
    return Promise.resolve();
  }
}
