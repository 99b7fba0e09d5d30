import { writeFile } from 'node:fs/promises';
import { setPriority } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';

/** The kernel takes one change of an autogroup's niceness per 100 ms from a process without CAP_SYS_ADMIN. */
const AUTOGROUP_RETRY_MS = 110;
const AUTOGROUP_ATTEMPTS = 20;

/**
 * Lowers a process's CPU priority to `niceness` (0–19), against every other process of the machine.
 *
 * A niceness weighs a thread only against the threads of its own autogroup (sched(7)). Where the
 * kernel groups by session (`kernel.sched_autogroup_enabled`, on in Debian's and most distributions'
 * kernels), a process that starts a session of its own, as every process the stack spawns does
 * (`detached`), is an autogroup of its own: its niceness then changed nothing against the other
 * services, and only the autogroup's niceness (`/proc/<pid>/autogroup`) weighs it against them.
 * Both are set here: the process's (its threads inherit it), and its autogroup's where the kernel
 * has one. Raising either needs no privilege. Resolves with why it could not, or undefined.
 */
export async function lowerPriority(pid: number, niceness: number, procRoot = '/proc'): Promise<string | undefined> {
  try {
    setPriority(pid, niceness);
  } catch (error) {
    return `niceness ${niceness} refused (${String(error)})`;
  }
  for (let attempt = 1; ; attempt++) {
    try {
      await writeFile(`${procRoot}/${pid}/autogroup`, String(niceness));
      return undefined;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // No autogroups in this kernel (or not enabled): the niceness alone does it.
      if (code === 'ENOENT' || code === 'EINVAL') return undefined;
      // Gone before its priority was set: nothing to lower.
      if (code === 'ESRCH') return undefined;
      if (code === 'EAGAIN' && attempt < AUTOGROUP_ATTEMPTS) {
        await sleep(AUTOGROUP_RETRY_MS);
        continue;
      }
      return `its autogroup's niceness ${niceness} refused (${String(error)}): the niceness weighs it only against its own threads`;
    }
  }
}
