import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { containerEngine, localImages } from '@mapek/testing';
import { ContainerEffector, composeNumberLabel, composeProjectLabel, composeServiceLabel } from './container.effector.js';
import { DockerEngineClient, dockerSocketPath } from './docker-engine.client.js';
import type { EffectorRequest } from '../domain/effector.port.js';

/**
 * The container effector against a real Docker engine (scripts/docker-engine.sh; `./mapek test`
 * starts one): containers of the local Debian image, labelled as a compose service's, are
 * restarted, stopped and started, and the service is scaled up and down through the Engine API.
 */
const engine = await containerEngine();
if (!engine.available && engine.impossible) console.warn(`container effector suite skipped: ${engine.reason}`);

const socket = dockerSocketPath(process.env['DOCKER_HOST'] ?? '/var/run/docker.sock');
const project = `mapek-it-${randomUUID().slice(0, 8)}`;
const service = 'worker';
// Ends at once on SIGTERM, so a stop does not wait for the engine's kill timeout.
const command = ['sh', '-c', 'trap "exit 0" TERM; sleep infinity & wait'];

function step(action: EffectorRequest['step']['action'], params: EffectorRequest['step']['params'] = {}): EffectorRequest {
  return {
    requestId: randomUUID(),
    planId: randomUUID(),
    index: 0,
    rollback: false,
    step: { action, target: 'worker', params: { stop_timeout_s: 5, ...params }, timeoutMs: 30_000 },
  };
}

(engine.available || !engine.impossible ? describe : describe.skip)('container effector on a real Docker engine', () => {
  const docker = new DockerEngineClient(socket);
  let image: string;
  let first: string;

  const running = async () => {
    const listed = await docker.listContainers({ [composeProjectLabel]: project, [composeServiceLabel]: service });
    const inspected = await Promise.all(listed.map((container) => docker.inspect(container.Id)));
    return inspected
      .filter((container) => container.State.Running)
      .map((container) => container.Config.Labels?.[composeNumberLabel])
      .sort();
  };

  beforeAll(async () => {
    if (!engine.available) throw new Error(engine.reason);
    image = (await localImages()).debian;
    first = await docker.create(
      `${project}_${service}_1`,
      { Image: image, Cmd: command, Labels: { [composeProjectLabel]: project, [composeServiceLabel]: service, [composeNumberLabel]: '1' } },
      30_000,
    );
    await docker.start(first, 30_000);
  });

  afterAll(async () => {
    const left = await docker.listContainers({ [composeProjectLabel]: project }).catch(() => []);
    await Promise.all(left.map((container) => docker.remove(container.Id, 30_000)));
  });

  it('restarts a compose service’s container: it runs again with a new start time', async () => {
    const before = await docker.inspect(first);
    const effector = new ContainerEffector({
      kind: 'container',
      socket,
      compose: { project, service },
      capabilities: [{ action: 'restart_service', params: {}, verify: 'symptom_cleared', timeoutMs: 30_000 }],
    });
    const result = await effector.run(step('restart_service'));
    expect(result).toMatchObject({ ok: true, detail: `restart: ${project}_${service}_1` });
    const after = await docker.inspect(first);
    expect(after.State.Running).toBe(true);
    expect(after.State.StartedAt).not.toBe(before.State.StartedAt);
  });

  it('stops a container named directly, and its inverse starts it again', async () => {
    const effector = new ContainerEffector({
      kind: 'container',
      socket,
      container: `${project}_${service}_1`,
      capabilities: [{ action: 'enable_degraded_mode', params: { operation: 'stop' }, verify: 'symptom_cleared', timeoutMs: 30_000 }],
    });
    expect(await effector.run(step('enable_degraded_mode', { operation: 'stop' }))).toMatchObject({ ok: true });
    expect((await docker.inspect(first)).State.Running).toBe(false);
    expect(await effector.run({ ...step('enable_degraded_mode', { operation: 'start' }), rollback: true })).toMatchObject({ ok: true });
    expect((await docker.inspect(first)).State.Running).toBe(true);
  });

  it('scales a compose service up with clones of its first container, and back down removing the newest', async () => {
    const effector = new ContainerEffector({
      kind: 'container',
      socket,
      compose: { project, service },
      capabilities: [{ action: 'scale_up', params: {}, verify: 'symptom_cleared', timeoutMs: 30_000 }],
    });
    expect(await effector.run(step('scale_up', { by: 2 }))).toMatchObject({
      ok: true,
      detail: `scaled compose service ${project}/${service} from 1 to 3 containers`,
    });
    expect(await running()).toEqual(['1', '2', '3']);
    const clone = await docker.inspect(`${project}_${service}_3`);
    expect(clone.Config.Image).toBe(image);
    expect(clone.Config.Labels?.[composeServiceLabel]).toBe(service);
    expect(await effector.run(step('scale_down', { replicas: 1 }))).toMatchObject({
      ok: true,
      detail: `scaled compose service ${project}/${service} from 3 to 1 containers`,
    });
    expect(await running()).toEqual(['1']);
  });

  it('reports a container that does not exist as a failed step, not a retryable one', async () => {
    const effector = new ContainerEffector({
      kind: 'container',
      socket,
      container: `${project}-missing`,
      capabilities: [{ action: 'restart_service', params: {}, verify: 'symptom_cleared', timeoutMs: 30_000 }],
    });
    expect(await effector.run(step('restart_service'))).toMatchObject({ ok: false, errorCode: 'not_found' });
  });

  it('refuses to scale a single container, which is not a compose service', async () => {
    const effector = new ContainerEffector({
      kind: 'container',
      socket,
      container: first,
      capabilities: [{ action: 'scale_up', params: {}, verify: 'symptom_cleared', timeoutMs: 30_000 }],
    });
    expect(await effector.run(step('scale_up'))).toMatchObject({ ok: false, errorCode: 'unsupported_action' });
  });
});
