import { execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { ActionType, type EffectorConfig } from '@mapek/contracts';
import { expandCommand } from '../domain/command-template.js';
import type { Effector, EffectorRequest, EffectorResult } from '../domain/effector.port.js';

type ProcessEffectorConfig = Extract<EffectorConfig, { kind: 'process' }>;
type PidFileSupervisor = Extract<NonNullable<ProcessEffectorConfig['supervisor']>, { kind: 'pidfile' }>;

/** How often a stopping process is checked for (it is not our child, so there is no exit event). */
const exitPollMs = 50;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A zombie (exited, not yet reaped by a parent that is not us) still takes signal 0: it is gone.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true; // no /proc (not Linux): signal 0 is all there is
  }
}

async function exited(pid: number, withinMs: number): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  while (alive(pid)) {
    if (Date.now() >= deadline) return false;
    await delay(exitPollMs);
  }
  return true;
}

function run(
  file: string,
  args: readonly string[],
  options: { cwd?: string; timeoutMs: number },
): Promise<{ code: number | null; signal: string | null; output: string; timedOut: boolean }> {
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      { cwd: options.cwd, timeout: options.timeoutMs, shell: false, maxBuffer: 1 << 20, windowsHide: true },
      (error, stdout, stderr) => {
        const output = `${stdout}${stderr}`.trim().slice(-500);
        if (!error) return resolve({ code: 0, signal: null, output, timedOut: false });
        const failure = error as NodeJS.ErrnoException & { code?: number | string; signal?: string | null; killed?: boolean };
        resolve({
          code: typeof failure.code === 'number' ? failure.code : null,
          signal: failure.signal ?? null,
          output: output || failure.message,
          timedOut: failure.killed === true && failure.signal === 'SIGTERM',
        });
      },
    );
  });
}

/**
 * Acts on a process the target runs as: restarts one supervised by a pid file (SIGTERM, SIGKILL
 * after `stopTimeoutMs`, then its start command spawned detached, and the new pid written) or a
 * systemd unit (`systemctl restart`), and runs allow-listed commands (`params.command` names
 * one; its `{param}` placeholders are filled from the step's params, each checked against its
 * anchored pattern). Nothing runs through a shell: every command is an argv for execFile/spawn.
 */
export class ProcessEffector implements Effector {
  readonly name = 'process';

  constructor(private readonly config: ProcessEffectorConfig) {}

  async run(request: EffectorRequest): Promise<EffectorResult> {
    const { step } = request;
    const command = step.params['command'];
    if (command !== undefined) return this.runCommand(String(command), step);
    if (step.action !== ActionType.restartService)
      return {
        ok: false,
        detail: `the process effector runs ${step.action} only as an allow-listed command (params.command)`,
        errorCode: 'unsupported_action',
      };
    const supervisor = this.config.supervisor;
    if (!supervisor)
      return {
        ok: false,
        detail: 'no supervisor configured: the process effector cannot restart this target',
        errorCode: 'unsupported_action',
      };
    if (supervisor.kind === 'systemd') {
      const result = await run('systemctl', ['restart', supervisor.unit], { timeoutMs: step.timeoutMs });
      return result.code === 0
        ? { ok: true, detail: `systemctl restart ${supervisor.unit}` }
        : {
            ok: false,
            detail: `systemctl restart ${supervisor.unit} failed: ${result.output}`,
            errorCode: result.timedOut ? 'timeout' : 'command_failed',
          };
    }
    return this.restartPidFile(supervisor, step);
  }

  private async runCommand(name: string, step: EffectorRequest['step']): Promise<EffectorResult> {
    const template = this.config.commands[name];
    if (!template) return { ok: false, detail: `no allow-listed command ${name}`, errorCode: 'not_allowed' };
    const expanded = expandCommand(template, step.params);
    if (!expanded.ok) return { ok: false, detail: `command ${name} refused: ${expanded.problem}`, errorCode: 'not_allowed' };
    const [file, ...args] = expanded.argv;
    if (!file) return { ok: false, detail: `command ${name} is empty`, errorCode: 'not_allowed' };
    const result = await run(file, args, { timeoutMs: step.timeoutMs, ...(template.cwd ? { cwd: template.cwd } : {}) });
    if (result.code === 0) return { ok: true, detail: `${name}: exit 0${result.output ? `: ${result.output}` : ''}` };
    return {
      ok: false,
      detail: `${name}: ${result.timedOut ? `timed out after ${step.timeoutMs} ms` : `exit ${result.code ?? result.signal ?? '?'}`}: ${result.output}`,
      errorCode: result.timedOut ? 'timeout' : 'command_failed',
    };
  }

  private async restartPidFile(supervisor: PidFileSupervisor, step: EffectorRequest['step']): Promise<EffectorResult> {
    let stopped = 'was not running';
    const text = await readFile(supervisor.pidFile, 'utf8').catch(() => '');
    const pid = Number.parseInt(text.trim(), 10);
    if (Number.isInteger(pid) && pid > 1 && alive(pid)) {
      process.kill(pid, 'SIGTERM');
      if (await exited(pid, supervisor.stopTimeoutMs)) stopped = `pid ${pid} stopped on SIGTERM`;
      else {
        process.kill(pid, 'SIGKILL');
        if (!(await exited(pid, 5000))) return { ok: false, detail: `pid ${pid} survived SIGKILL`, errorCode: 'stop_failed' };
        stopped = `pid ${pid} killed after ${supervisor.stopTimeoutMs} ms`;
      }
    }
    const expanded = expandCommand(supervisor.start, step.params);
    if (!expanded.ok) return { ok: false, detail: `start command refused: ${expanded.problem}`, errorCode: 'not_allowed' };
    const [file, ...args] = expanded.argv;
    if (!file) return { ok: false, detail: 'the start command is empty', errorCode: 'not_allowed' };
    const started = await new Promise<{ pid: number } | { error: Error }>((resolve) => {
      const child = spawn(file, args, {
        detached: true,
        stdio: 'ignore',
        shell: false,
        ...(supervisor.start.cwd ? { cwd: supervisor.start.cwd } : {}),
      });
      child.once('error', (error) => resolve({ error }));
      child.once('spawn', () => {
        child.unref();
        resolve({ pid: child.pid ?? 0 });
      });
    });
    if ('error' in started) return { ok: false, detail: `${stopped}; start failed: ${started.error.message}`, errorCode: 'start_failed' };
    await writeFile(supervisor.pidFile, `${started.pid}\n`);
    return { ok: true, detail: `${stopped}; started pid ${started.pid}` };
  }
}
