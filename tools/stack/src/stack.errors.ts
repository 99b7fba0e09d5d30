/** Machine-readable codes of the stack tool's errors. */
export const StackErrorCode = {
  natsServerNotFound: 'STACK_NATS_SERVER_NOT_FOUND',
  natsServerTooOld: 'STACK_NATS_SERVER_TOO_OLD',
  jaegerNotFound: 'STACK_JAEGER_NOT_FOUND',
  serviceNotBuilt: 'STACK_SERVICE_NOT_BUILT',
  processNotReady: 'STACK_PROCESS_NOT_READY',
  unknownProcess: 'STACK_UNKNOWN_PROCESS',
  componentMissing: 'STACK_COMPONENT_MISSING',
  invalidState: 'STACK_INVALID_STATE',
  usage: 'STACK_USAGE',
} as const;
export type StackErrorCode = (typeof StackErrorCode)[keyof typeof StackErrorCode];

/** Where to get a nats-server mapek runs on, for the messages below. */
const NATS_SERVER_ADVICE =
  'mapek needs nats-server 2.12 or newer: `source scripts/toolchain.sh` builds the pinned version with Go, ' +
  'or put a release binary (github.com/nats-io/nats-server/releases) on PATH, or point NATS_URL at a running server (e.g. the nats container image).';

/** Neither PATH nor the usual install locations hold a nats-server binary. */
export class NatsServerNotFoundError extends Error {
  override readonly name = 'NatsServerNotFoundError';
  readonly code: StackErrorCode = StackErrorCode.natsServerNotFound;
  readonly retryable = false;
  constructor(searched: readonly string[]) {
    super(`nats-server was not found (looked in PATH and ${searched.join(', ')}). ${NATS_SERVER_ADVICE}`);
  }
}

/** `--traces` without a Jaeger binary. */
export class JaegerNotFoundError extends Error {
  override readonly name = 'JaegerNotFoundError';
  readonly code: StackErrorCode = StackErrorCode.jaegerNotFound;
  readonly retryable = false;
  constructor() {
    super(
      'jaeger was not found (MAPEK_JAEGER_BIN, PATH): `source scripts/toolchain.sh && ensure_jaeger` builds the pinned version with Go (./mapek start --traces and ./mapek test do)',
    );
  }
}

/** The nats-server found is older than mapek supports (Debian 12's package is 2.9.10). */
export class NatsServerTooOldError extends Error {
  override readonly name = 'NatsServerTooOldError';
  readonly code: StackErrorCode = StackErrorCode.natsServerTooOld;
  readonly retryable = false;
  constructor(
    readonly binary: string,
    readonly version: string,
  ) {
    super(`${binary} is nats-server ${version}, too old. ${NATS_SERVER_ADVICE}`);
  }
}

/** A service's entry script (a loop service's dist/main.bundle.mjs) does not exist yet. */
export class ServiceNotBuiltError extends Error {
  override readonly name = 'ServiceNotBuiltError';
  readonly code: StackErrorCode = StackErrorCode.serviceNotBuilt;
  readonly retryable = false;
  constructor(readonly missing: readonly { readonly name: string; readonly entry: string }[]) {
    super(
      `cannot start the stack: ${missing.map((m) => `${m.name} (${m.entry})`).join(', ')} ` +
        `${missing.length === 1 ? 'is' : 'are'} not built — run \`pnpm build\`; a service that is not written yet cannot be started`,
    );
  }
}

/** A process exited or did not pass its readiness check in time; the message carries its last output. */
export class ProcessNotReadyError extends Error {
  override readonly name = 'ProcessNotReadyError';
  readonly code: StackErrorCode = StackErrorCode.processNotReady;
  readonly retryable = false;
  constructor(
    readonly processName: string,
    reason: string,
    readonly outputTail: readonly string[],
    options?: { cause?: unknown },
  ) {
    const tail = outputTail.length === 0 ? '  (no output)' : outputTail.map((line) => `  ${line}`).join('\n');
    super(`${processName} did not come up: ${reason}\nlast output of ${processName}:\n${tail}`, options);
  }
}

/** stopService/startService was given a name that is not part of the stack. */
export class UnknownProcessError extends Error {
  override readonly name = 'UnknownProcessError';
  readonly code: StackErrorCode = StackErrorCode.unknownProcess;
  readonly retryable = false;
  constructor(processName: string, known: readonly string[]) {
    super(`no process named "${processName}" in this stack (known: ${known.join(', ')})`);
  }
}

/** A URL was asked of a component (gateway, demo app, database) that this stack was started without. */
export class StackComponentMissingError extends Error {
  override readonly name = 'StackComponentMissingError';
  readonly code: StackErrorCode = StackErrorCode.componentMissing;
  readonly retryable = false;
  constructor(component: string) {
    super(`this stack was started without ${component}`);
  }
}

/** An operation that does not fit the process's current state (starting a running process, using a stopped stack). */
export class StackStateError extends Error {
  override readonly name = 'StackStateError';
  readonly code: StackErrorCode = StackErrorCode.invalidState;
  readonly retryable = false;
}

/** The command line or an environment variable of the CLI is wrong. */
export class StackUsageError extends Error {
  override readonly name = 'StackUsageError';
  readonly code: StackErrorCode = StackErrorCode.usage;
  readonly retryable = false;
}
