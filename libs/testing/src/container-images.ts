import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

// The Ryuk reaper image cannot be pulled where no registry can be reached: each suite removes its
// own containers instead.
process.env['TESTCONTAINERS_RYUK_DISABLED'] ??= 'true';

const run = promisify(execFile);
// libs/testing/{src,dist}/ → the repository root.
const root = join(import.meta.dirname, '..', '..', '..');

/**
 * Whether a Docker engine answers (testcontainers' own discovery: DOCKER_HOST, the default socket).
 * Only where none can run at all (not Linux) is the suite skipped; elsewhere it fails with what to run.
 */
export async function containerEngine(): Promise<
  { readonly available: true } | { readonly available: false; readonly impossible: boolean; readonly reason: string }
> {
  if (process.platform !== 'linux')
    return { available: false, impossible: true, reason: `no Docker engine can run on ${process.platform} here` };
  try {
    // Imported on demand: only the container suites need testcontainers.
    const { getContainerRuntimeClient } = await import('testcontainers');
    await getContainerRuntimeClient();
    return { available: true };
  } catch (error) {
    return {
      available: false,
      impossible: false,
      reason: `no Docker engine answers at ${process.env['DOCKER_HOST'] ?? 'the default socket'} (${(error as Error).message}); run the tests with \`sudo ./mapek test\` (it starts one), or \`source scripts/docker-engine.sh && ensure_docker_engine\` and run them again`,
    };
  }
}

/**
 * The local base images of scripts/docker-engine.sh (the debootstrapped Debian, and PostgreSQL 15
 * and the pinned nats-server on it), loaded from ~/.cache/mapek or made once.
 */
export async function localImages(): Promise<{ readonly postgres: string; readonly natsServer: string; readonly debian: string }> {
  const script = join(root, 'scripts', 'docker-engine.sh');
  await run('bash', [script, 'images'], { cwd: root, timeout: 15 * 60_000 });
  const { stdout } = await run('bash', [script, 'env'], { cwd: root });
  const values = new Map(
    stdout
      .trim()
      .split('\n')
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)] as const),
  );
  const postgres = values.get('MAPEK_POSTGRES_IMAGE');
  const natsServer = values.get('MAPEK_NATS_SERVER_IMAGE');
  const debian = values.get('MAPEK_DEBIAN_IMAGE');
  if (!postgres || !natsServer || !debian) throw new Error(`scripts/docker-engine.sh env printed no image names:\n${stdout}`);
  return { postgres, natsServer, debian };
}
