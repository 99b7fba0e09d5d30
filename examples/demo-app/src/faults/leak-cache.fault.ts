const MB = 1024 * 1024;

/**
 * The "memory leak": buffers kept forever in a cache nobody reads. Every page is written, so the
 * allocation shows up in RSS rather than as untouched virtual memory.
 */
export class LeakCache {
  private buffers: Buffer[] = [];

  leak(sizeMb: number, count: number): { buffers: number; bytes: number } {
    for (let i = 0; i < count; i += 1) {
      // allocUnsafeSlow: outside Node's small-buffer pool; fill: touch every page.
      this.buffers.push(Buffer.allocUnsafeSlow(Math.round(sizeMb * MB)).fill((i % 250) + 1));
    }
    return { buffers: this.buffers.length, bytes: this.bytes };
  }

  /** Drops every buffer; the memory returns once the GC runs. */
  clear(): { buffers: number; bytes: number } {
    const dropped = { buffers: this.buffers.length, bytes: this.bytes };
    this.buffers = [];
    return dropped;
  }

  get bytes(): number {
    return this.buffers.reduce((sum, buffer) => sum + buffer.byteLength, 0);
  }

  get count(): number {
    return this.buffers.length;
  }
}
