import net from 'node:net';

import { describe, expect, it } from 'vitest';

import { allowedTarget, targetHost } from './loopback-only.js';

// These tests never open a socket to anything but 127.0.0.1: the refusals
// are checked on the guard's decision, so a broken guard sends nothing.
describe('the loopback-only test guard', () => {
  it.each([
    [[{ host: 'sigstore.example', port: 443 }], 'sigstore.example'],
    [[[{ host: '203.0.113.5', port: 80 }, null]], '203.0.113.5'],
    [[443, 'rekor.example'], 'rekor.example'],
  ])('refuses %j', (args, host) => {
    expect(targetHost(args)).toBe(host);
    expect(allowedTarget(args)).toBe(false);
  });

  it.each([
    [[{ host: '127.0.0.1', port: 80 }]],
    [[[{ host: '::1', port: 80 }, null]]],
    [[{ port: 80 }]],
    [[{ path: '/tmp/socket' }]],
  ])('allows %j', (args) => {
    expect(allowedTarget(args)).toBe(true);
  });

  it('lets a real loopback connection through', async () => {
    const server = net.createServer((s) => s.end());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as net.AddressInfo;
    const socket = net.connect({ host: '127.0.0.1', port });
    await new Promise((r) => socket.once('close', r));
    await new Promise((r) => server.close(r));
  });

  it('is installed on net.Socket', () => {
    expect(net.Socket.prototype.connect.name).toBe('guarded');
  });
});
