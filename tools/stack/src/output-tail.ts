/** Keeps the last `capacity` lines a process printed, for error messages. */
export class OutputTail {
  private readonly lines: string[] = [];

  constructor(private readonly capacity = 200) {}

  push(line: string): void {
    this.lines.push(line);
    if (this.lines.length > this.capacity) this.lines.splice(0, this.lines.length - this.capacity);
  }

  /** The last `count` lines (all kept lines by default), oldest first. */
  last(count = this.capacity): readonly string[] {
    return this.lines.slice(-count);
  }
}
