import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { OutputTail } from './output-tail.js';
import { lowerPriority } from './process-priority.js';
import { StackStateError } from './stack.errors.js';

/** Where the prefixed lines of every child go (the parent's stdout by default); null keeps them quiet. */
export type OutputSink = ((line: string) => void) | null;

export interface ProcessExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Set when the process could not be spawned at all (ENOENT, EACCES). */
  readonly error?: Error;
}

export interface ManagedProcessOptions {
  /** Name shown before each output line and in errors. */
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /** Text put before every forwarded line, e.g. `planner   | `. */
  readonly prefix: string;
  readonly output: OutputSink;
  /** Raw output (without prefix) is appended to this file when set. */
  readonly logFile?: string;
  /** Opens an IPC channel (used by the PGlite child to report its port). */
  readonly ipc?: boolean;
  readonly tailLines?: number;
  /**
   * Unix niceness to run at (1–19: the process yields the CPU to the others when they want it),
   * set right after the spawn, on the process and on its autogroup ({@link lowerPriority}).
   */
  readonly niceness?: number;
}

/** Narrows an unknown IPC message to a plain object. */
export type IpcMessageHandler = (message: unknown) => void;

/**
 * One OS process of the stack: spawned in its own process group (so a terminal's Ctrl-C reaches
 * only the stack CLI, which then stops children in order), output forwarded line by line with a
 * prefix, last lines kept for error messages. Can be started again after it exited.
 */
export class ManagedProcess {
  private child: ChildProcess | undefined;
  private exitPromise: Promise<ProcessExit> = Promise.resolve({ code: null, signal: null });
  private lastExit: ProcessExit | undefined;
  private readonly outputTail: OutputTail;
  private readonly messageHandlers = new Set<IpcMessageHandler>();

  constructor(private readonly options: ManagedProcessOptions) {
    this.outputTail = new OutputTail(options.tailLines ?? 200);
  }

  get name(): string {
    return this.options.name;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** True from spawn until the process has exited. */
  get running(): boolean {
    return this.child !== undefined && this.lastExit === undefined;
  }

  /** How the last run ended; undefined while running or before the first start. */
  get exit(): ProcessExit | undefined {
    return this.lastExit;
  }

  /** Resolves when the current run has exited and its output is flushed. */
  get exited(): Promise<ProcessExit> {
    return this.exitPromise;
  }

  get env(): NodeJS.ProcessEnv {
    return this.options.env;
  }

  tail(count?: number): readonly string[] {
    return this.outputTail.last(count);
  }

  onMessage(handler: IpcMessageHandler): () => void {
    this.messageHandlers.add(handler);
    return () => this.messageHandlers.delete(handler);
  }

  send(message: object): void {
    this.child?.send?.(message);
  }

  start(): void {
    if (this.running) throw new StackStateError(`${this.name} is already running (pid ${this.pid ?? '?'})`);
    this.lastExit = undefined;
    const { command, args, env, cwd, ipc } = this.options;
    const child = spawn(command, [...args], {
      cwd,
      env,
      detached: true,
      stdio: ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    const logStream = this.options.logFile ? createWriteStream(this.options.logFile, { flags: 'a' }) : undefined;
    logStream?.on('error', () => undefined);
    if (this.options.niceness && child.pid !== undefined) {
      void lowerPriority(child.pid, this.options.niceness).then((refused) => {
        if (refused) this.record(`[stack] ${this.name} runs at its parent's priority: ${refused}`, logStream);
      });
    }
    const closedStreams = [child.stdout, child.stderr].map((stream) => (stream ? this.forwardLines(stream, logStream) : Promise.resolve()));
    child.on('message', (message: unknown) => {
      for (const handler of this.messageHandlers) handler(message);
    });

    this.exitPromise = new Promise<ProcessExit>((resolve) => {
      let spawnError: Error | undefined;
      const finish = (exit: ProcessExit): void => {
        if (this.child !== child || this.lastExit !== undefined) return;
        this.lastExit = exit;
        const how = exit.error
          ? `could not be started (${command}: ${exit.error.message})`
          : exit.signal
            ? `was stopped by ${exit.signal}`
            : `exited with code ${exit.code ?? '?'}`;
        this.record(`[stack] ${this.name} ${how}`, logStream);
        logStream?.end();
        resolve(exit);
      };
      child.once('error', (error) => {
        spawnError = error;
        if (child.pid === undefined) finish({ code: null, signal: null, error });
      });
      child.once('exit', (code, signal) => {
        // Output may still be in the pipes; wait for both streams, but not forever (a grandchild
        // could hold them open).
        const flushed = Promise.all(closedStreams);
        const cap = new Promise<void>((done) => setTimeout(done, 1000).unref());
        void Promise.race([flushed, cap]).then(() => finish({ code, signal, ...(spawnError ? { error: spawnError } : {}) }));
      });
    });
  }

  /**
   * Sends `signal` to the process group and waits for the exit; after `timeoutMs` a SIGTERM is
   * followed by SIGKILL. Resolves at once when the process is not running.
   */
  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 10_000): Promise<ProcessExit> {
    if (!this.running) return this.lastExit ?? { code: null, signal: null };
    const exited = this.exitPromise;
    this.kill(signal);
    if (signal === 'SIGKILL') return exited;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    const result = await Promise.race([exited, timedOut]);
    clearTimeout(timer);
    if (result !== 'timeout') return result;
    this.record(`[stack] ${this.name} did not exit within ${timeoutMs} ms of ${signal}; sending SIGKILL`);
    this.kill('SIGKILL');
    return exited;
  }

  private kill(signal: NodeJS.Signals): void {
    const pid = this.child?.pid;
    if (pid === undefined) return;
    try {
      // Negative pid: the whole group, so anything the service spawned goes too.
      process.kill(-pid, signal);
    } catch {
      try {
        process.kill(pid, signal);
      } catch {
        // Already gone.
      }
    }
  }

  private forwardLines(stream: NodeJS.ReadableStream, logStream: WriteStream | undefined): Promise<void> {
    const lines = createInterface({ input: stream, crlfDelay: Infinity });
    lines.on('line', (line) => this.record(line, logStream));
    return new Promise((resolve) => lines.once('close', resolve));
  }

  private record(line: string, logStream?: WriteStream): void {
    this.outputTail.push(line);
    logStream?.write(`${line}\n`);
    this.options.output?.(`${this.options.prefix}${line}`);
  }
}
