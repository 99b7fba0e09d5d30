import { execFile, execFileSync } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** `ip` (iproute2) with its arguments; rejects with its stderr. */
async function ip(...args: string[]): Promise<string> {
  try {
    return (await execFileAsync('ip', args, { timeout: 10_000 })).stdout;
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    throw new Error(`ip ${args.join(' ')} failed${stderr ? `: ${stderr}` : ''}`, { cause: error });
  }
}

/** One host of an {@link IsolatedNetwork}: a network namespace with one link to the network's bridge. */
export interface NamespacedHost {
  /** The namespace (`ip netns exec <namespace> …` runs a program in it). */
  readonly namespace: string;
  /** Its address on the bridge, reachable from the parent namespace and from the other hosts. */
  readonly address: string;
  /** The host side of its veth pair, a port of the bridge: taking it down cuts the host off. */
  readonly link: string;
  /** Whether its link is up. */
  readonly connected: boolean;
  /** Cuts the host off the network (`ip link set <link> down`): from the other hosts and from the parent namespace. */
  disconnect(): Promise<void>;
  /** Brings its link up again. */
  reconnect(): Promise<void>;
}

/**
 * Hosts on one machine, each in a network namespace of its own and joined by a bridge: the
 * parent namespace (where the test and anything it starts run) reaches every host through the
 * bridge's own address, and the hosts reach each other. No iptables: a host is partitioned by
 * taking its veth link down and healed by bringing it up; TCP connections across the cut stall
 * and resume, as they would behind a failed switch port.
 */
export interface IsolatedNetwork {
  readonly bridge: string;
  /** The parent namespace's address on the bridge. */
  readonly gateway: string;
  readonly hosts: readonly NamespacedHost[];
  /** Deletes the namespaces and the bridge (programs still running in a namespace keep it alive, so stop them first). */
  remove(): Promise<void>;
}

/** Whether this process may create network namespaces (root with iproute2), and why not. */
export function networkNamespacesUnavailable(): string | undefined {
  if (process.platform !== 'linux') return `network namespaces need Linux, this is ${process.platform}`;
  if (process.getuid?.() !== 0) return 'network namespaces need root (ip netns add)';
  try {
    execFileSync('ip', ['netns', 'list'], { stdio: 'ignore' });
  } catch {
    return 'iproute2 (`ip`) is missing or cannot list network namespaces';
  }
  return undefined;
}

/** A /24 in 10.213.0.0/16 that no interface of this namespace uses. */
async function freeSubnet(): Promise<string> {
  const used = await ip('-o', '-4', 'addr', 'show');
  for (let attempt = 0; attempt < 50; attempt++) {
    const subnet = `10.213.${randomInt(0, 256)}`;
    if (!used.includes(` ${subnet}.`)) return subnet;
  }
  throw new Error('no free /24 in 10.213.0.0/16 for an isolated network');
}

const removers = new Set<() => void>();
let exitHookInstalled = false;

/** Last resort when the test process exits without remove(): namespaces and links would outlive it. */
function onExit(remove: () => void): () => void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const remover of removers) remover();
    });
  }
  removers.add(remove);
  return () => removers.delete(remove);
}

/**
 * Creates `count` hosts, each in its own network namespace (`mapek-<id>-<n>`, addresses
 * `10.213.x.<n>`), on a bridge of their own (`mkb<id>`, `10.213.x.254` in this namespace).
 * Needs root and iproute2 (see {@link networkNamespacesUnavailable}).
 */
export async function createIsolatedNetwork(count: number): Promise<IsolatedNetwork> {
  const unavailable = networkNamespacesUnavailable();
  if (unavailable) throw new Error(unavailable);
  const id = randomBytes(2).toString('hex');
  const subnet = await freeSubnet();
  const bridge = `mkb${id}`;
  const gateway = `${subnet}.254`;
  const namespaces: string[] = [];
  const links: string[] = [];
  const removeSync = (): void => {
    for (const namespace of namespaces) {
      try {
        execFileSync('ip', ['netns', 'del', namespace], { stdio: 'ignore' });
      } catch {
        // Already gone.
      }
    }
    for (const link of [...links, bridge]) {
      try {
        execFileSync('ip', ['link', 'del', link], { stdio: 'ignore' });
      } catch {
        // Already gone (a veth goes with its peer's namespace).
      }
    }
  };
  const forget = onExit(removeSync);
  try {
    await ip('link', 'add', bridge, 'type', 'bridge');
    links.push(bridge);
    await ip('addr', 'add', `${gateway}/24`, 'dev', bridge);
    await ip('link', 'set', bridge, 'up');
    const hosts: NamespacedHost[] = [];
    for (let index = 1; index <= count; index++) {
      const namespace = `mapek-${id}-${index}`;
      const link = `mk${id}h${index}`;
      const peer = `mk${id}p${index}`;
      const address = `${subnet}.${index}`;
      await ip('netns', 'add', namespace);
      namespaces.push(namespace);
      await ip('link', 'add', link, 'type', 'veth', 'peer', 'name', peer);
      links.push(link);
      await ip('link', 'set', peer, 'netns', namespace);
      await ip('link', 'set', link, 'master', bridge);
      await ip('link', 'set', link, 'up');
      await ip('-n', namespace, 'link', 'set', 'lo', 'up');
      await ip('-n', namespace, 'link', 'set', peer, 'name', 'eth0');
      await ip('-n', namespace, 'addr', 'add', `${address}/24`, 'dev', 'eth0');
      await ip('-n', namespace, 'link', 'set', 'eth0', 'up');
      let connected = true;
      hosts.push({
        namespace,
        address,
        link,
        get connected() {
          return connected;
        },
        async disconnect() {
          await ip('link', 'set', link, 'down');
          connected = false;
        },
        async reconnect() {
          await ip('link', 'set', link, 'up');
          connected = true;
        },
      });
    }
    return {
      bridge,
      gateway,
      hosts,
      remove() {
        removeSync();
        forget();
        return Promise.resolve();
      },
    };
  } catch (error) {
    removeSync();
    forget();
    throw error;
  }
}
