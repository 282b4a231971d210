/**
 * Test guard: every socket a test opens must go to the loopback interface.
 * A connection to any other host fails at once, so a default URL that
 * points at a public service, or a library that phones home, breaks the
 * test that caused it instead of reaching the network.
 */
import net from 'node:net';

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

/**
 * The host that `Socket#connect` arguments aim at, or `undefined` for a
 * local socket path. `net.connect` passes its normalized arguments as one
 * array, so that form is unwrapped first.
 */
export function targetHost(args: unknown[]): string | undefined {
  const [first, second] = Array.isArray(args[0])
    ? (args[0] as unknown[])
    : args;
  if (typeof first === 'object' && first !== null) {
    const options = first as { host?: string; path?: string };
    if (options.path !== undefined) return undefined;
    return options.host ?? 'localhost';
  }
  if (typeof first === 'number' || /^\d+$/.test(String(first))) {
    return typeof second === 'string' ? second : 'localhost';
  }
  return undefined;
}

/** Whether a connection with these arguments may proceed. */
export function allowedTarget(args: unknown[]): boolean {
  const host = targetHost(args);
  return host === undefined || LOOPBACK.test(host);
}

// eslint-disable-next-line @typescript-eslint/unbound-method -- re-bound below with apply
const original = net.Socket.prototype.connect;

net.Socket.prototype.connect = function guarded(
  this: net.Socket,
  ...args: unknown[]
) {
  if (!allowedTarget(args)) {
    const host = targetHost(args) ?? '?';
    throw new Error(
      `test tried to connect to ${host}: only loopback is allowed`,
    );
  }
  return Reflect.apply(original, this, args) as net.Socket;
};
