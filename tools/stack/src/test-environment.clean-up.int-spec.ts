import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// `./mapek test` runs under `set -euo pipefail` and stops the test PostgreSQL and the dockerd it
// started from an EXIT trap. A clean-up step that fails there (a dockerd that already exited on
// SIGTERM, a data directory pg_ctl cannot stop) must neither cut the clean-up short nor replace
// the tests' exit code: a run whose tests all passed once exited 1 for exactly that reason.
const root = fileURLToPath(new URL('../../..', import.meta.url));

function runCleanUp(): ReturnType<typeof spawnSync> {
  const script = `
    set -euo pipefail
    source scripts/test-environment.sh
    source scripts/docker-engine.sh
    DOCKER_ENGINE_DIR="$(mktemp -d)"
    sleep 30 >/dev/null 2>&1 &
    DOCKER_ENGINE_PID=$!
    TEST_POSTGRES_DIR="$(mktemp -d)"
    mkdir "$TEST_POSTGRES_DIR/data"
    engine_dir="$DOCKER_ENGINE_DIR"
    postgres_dir="$TEST_POSTGRES_DIR"
    stop_test_postgres
    stop_docker_engine
    [ ! -e "$engine_dir" ] && [ ! -e "$postgres_dir" ] && echo cleaned
  `;
  return spawnSync('bash', ['-c', script], {
    cwd: root,
    env: { ...process.env, MAPEK_ROOT: root },
    encoding: 'utf8',
    timeout: 60_000,
  });
}

describe('the test environment clean-up under set -e', () => {
  it('stops an engine that exits on SIGTERM and a PostgreSQL pg_ctl cannot stop, and removes both directories', () => {
    const result = runCleanUp();
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('cleaned\n');
    expect(result.status).toBe(0);
  });

  it('keeps the exit code of the command the clean-up follows', () => {
    const script = `
      set -euo pipefail
      source scripts/test-environment.sh
      source scripts/docker-engine.sh
      trap stop_test_environment EXIT
      DOCKER_ENGINE_DIR="$(mktemp -d)"
      sleep 30 >/dev/null 2>&1 &
      DOCKER_ENGINE_PID=$!
      TEST_POSTGRES_DIR="$(mktemp -d)"
      mkdir "$TEST_POSTGRES_DIR/data"
      (exit 7)
    `;
    const result = spawnSync('bash', ['-c', script], {
      cwd: root,
      env: { ...process.env, MAPEK_ROOT: root },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(result.status).toBe(7);
  });
});
