/**
 * An SMTP server on loopback that accepts every message and only counts it: the benchmark's
 * receiving end, in a process of its own so that neither side of the comparison shares its event
 * loop with it. Protocol over IPC:
 *   parent → { type: 'await', count }   child → { type: 'reached', count, at } once `count` messages
 *                                             have been accepted in total (`at`: Date.now() then)
 *   child → { type: 'listening', port } at start
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

let accepted = 0;
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
    stream.on('data', () => undefined);
    stream.on('end', () => {
      accepted += 1;
      callback();
      check();
    });
  },
});

process.on('message', (message: { type: string; count: number }) => {
  if (message.type === 'await') {
    waitingFor = message.count;
    check();
  }
});
process.on('disconnect', () => server.close(() => process.exit(0)));

server.listen(0, '127.0.0.1', () => {
  process.send?.({ type: 'listening', port: (server.server.address() as AddressInfo).port });
});
