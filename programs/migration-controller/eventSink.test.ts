import { ApiException } from '@kubernetes/client-node';
import { expect, test } from 'vitest';
import { createLogger } from '../runtime/logger.js';
import { type VmiEvent } from './controllerWrites.js';
import { type EventDropReason, EventSink } from './eventSink.js';
import { parseVmi } from './objectViews.js';
import { must, vmiObject } from '../../testbed/support/syntheticMigrationObjects.js';

const vmi = must(parseVmi(vmiObject({ name: 'vm-1', namespace: 'apps', uid: 'u', createdMs: 0 })));
const event = (n: number): VmiEvent => ({ vmi, type: 'Normal', reason: 'MigrationFallbackCreated', message: `event ${n}`, dedupeKey: `k${n}` });
const logger = createLogger('test', 'silent');
const forbiddenMessage =
  'events is forbidden: User "system:serviceaccount:kvfleet-system:kvfleet-migration-controller" cannot create resource "events" in API group "" in the namespace "apps"';
const forbidden = new ApiException(
  403,
  'Unknown API Status Code!',
  JSON.stringify({ kind: 'Status', status: 'Failure', reason: 'Forbidden', code: 403, message: forbiddenMessage }),
  {},
);

test('events are sent a few at a time, all of them, and drain() waits for the last', async () => {
  let inFlight = 0;
  let maxInFlight = 0;
  const sent: string[] = [];
  const sink = new EventSink({
    logger,
    canSend: () => true,
    concurrency: 2,
    writes: {
      recordEvent: async (e) => {
        maxInFlight = Math.max(maxInFlight, ++inFlight);
        await Promise.resolve();
        sent.push(e.message);
        inFlight--;
      },
    },
  });
  for (let i = 0; i < 10; i++) sink.record(event(i));
  await sink.drain();
  expect(sent).toEqual(Array.from({ length: 10 }, (_, i) => `event ${i}`));
  expect(maxInFlight).toBe(2);
});

test('a full backlog drops new events instead of growing without bound, and counts them', async () => {
  const dropped: EventDropReason[] = [];
  let release!: () => void;
  const blocked = new Promise<void>((r) => (release = r));
  const sink = new EventSink({ logger, canSend: () => true, concurrency: 1, maxBacklog: 3, onDropped: (r) => dropped.push(r), writes: { recordEvent: () => blocked } });
  for (let i = 0; i < 6; i++) sink.record(event(i)); // one in flight, three queued, two dropped
  expect(dropped).toEqual(['backlog-full', 'backlog-full']);
  release();
  await sink.drain();
});

test('an Event the API refuses, or one a replica no longer acting would send, is logged and counted as dropped', async () => {
  let acting = true;
  const sent: string[] = [];
  const dropped: EventDropReason[] = [];
  const lines: { msg: string; err?: string; dropReason?: string }[] = [];
  const sink = new EventSink({
    logger: createLogger('test', 'warn', { write: (line: string) => lines.push(JSON.parse(line)) }),
    canSend: () => acting,
    onDropped: (r) => dropped.push(r),
    writes: {
      recordEvent: async (e) => {
        if (e.message === 'event 0') throw forbidden;
        sent.push(e.message);
      },
    },
  });
  sink.record(event(0));
  await sink.drain();
  acting = false;
  sink.record(event(1));
  await sink.drain();
  expect(sent).toEqual([]);
  expect(dropped).toEqual(['api-error', 'not-acting']);
  // The API server's own words, not client-node's dump of headers.
  expect(lines[0]).toMatchObject({ dropReason: 'api-error', err: `HTTP 403 Forbidden: ${forbiddenMessage}` });
  expect(lines[1]).toMatchObject({ dropReason: 'not-acting' });
});
