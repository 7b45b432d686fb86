/**
 * An SMTP server on loopback that accepts every message and only counts it: the benchmark's
 * receiving end, in a process of its own so that neither side of the comparison shares its event
 * loop with it. Protocol over IPC:
 *   parent → { type: 'await', count }   child → { type: 'reached', count, at } once `count` messages
 *                                             have been accepted in total (`at`: Date.now() then)
 *   child → { type: 'listening', port } at start
 *   parent → { type: 'arrivals' }     child → { type: 'arrivals', arrivals: [{ at, messageId }] }, when
 *                                             started with SINK_RECORD_ARRIVALS=1 (tests of send rates):
 *                                             when each accepted message's DATA began, by this process's clock
 */
import type { AddressInfo } from 'node:net';
import { setPriority } from 'node:os';
import { SMTPServer } from 'smtp-server';

let accepted = 0;
const record = process.env.SINK_RECORD_ARRIVALS === '1';
const arrivals: { at: number; messageId: string }[] = [];
// A clock for timing measurements: on a busy machine a starved event loop would stamp a second's
// arrivals all at once. Asks for a higher CPU priority (root only; elsewhere it stays as it was).
if (record) {
  try {
    setPriority(-10);
  } catch {
    // not permitted: measure at the normal priority
  }
}
let waitingFor: number | null = null;

function check() {
  if (waitingFor !== null && accepted >= waitingFor) {
    process.send?.({ type: 'reached', count: accepted, at: Date.now() });
    waitingFor = null;
  }
}

const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  logger: false,
  maxClients: 1_000,
  onData(stream, _session, callback) {
    const at = Date.now();
    let head = '';
    stream.on('data', (chunk: Buffer) => {
      if (record && head.length < 16_384) head += chunk.toString('latin1');
    });
    stream.on('end', () => {
      accepted += 1;
      if (record) arrivals.push({ at, messageId: /^Message-ID:\s*(\S+)/im.exec(head)?.[1] ?? '' });
      callback();
      check();
    });
  },
});

process.on('message', (message: { type: string; count: number }) => {
  if (message.type === 'arrivals') process.send?.({ type: 'arrivals', arrivals });
  if (message.type === 'await') {
    waitingFor = message.count;
    check();
  }
});
process.on('disconnect', () => server.close(() => process.exit(0)));

server.listen(0, '127.0.0.1', () => {
  process.send?.({ type: 'listening', port: (server.server.address() as AddressInfo).port });
});
