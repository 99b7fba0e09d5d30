import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:net';
import { isPortFree, PortAllocator } from './port-allocator.js';

describe('PortAllocator', () => {
  let blocker: Server;
  let blockedPort: number;

  beforeAll(async () => {
    blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const address = blocker.address();
    blockedPort = typeof address === 'object' && address !== null ? address.port : 0;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => blocker.close(() => resolve()));
  });

  it('reports a port with a listener as taken', async () => {
    await expect(isPortFree(blockedPort)).resolves.toBe(false);
  });

  it('moves off a taken preferred port to a free one', async () => {
    const choice = await new PortAllocator().allocate(blockedPort);
    expect(choice.moved).toBe(true);
    expect(choice.port).not.toBe(blockedPort);
    await expect(isPortFree(choice.port)).resolves.toBe(true);
  });

  it('never hands out the same port twice', async () => {
    const allocator = new PortAllocator();
    const first = await allocator.allocate(0);
    const second = await allocator.allocate(first.port);
    expect(second.port).not.toBe(first.port);
  });
});
