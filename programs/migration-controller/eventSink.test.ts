import { expect, test } from 'vitest';
import { createLogger } from '../runtime/logger.js';
import { type VmiEvent } from './controllerWrites.js';
import { EventSink } from './eventSink.js';
import { parseVmi } from './objectViews.js';
import { must, vmiObject } from './syntheticObjects.js';

const vmi = must(parseVmi(vmiObject({ name: 'vm-1', namespace: 'apps', uid: 'u', createdMs: 0 })));
const event = (n: number): VmiEvent => ({ vmi, type: 'Normal', reason: 'MigrationFallbackCreated', message: `event ${n}`, dedupeKey: `k${n}` });
const logger = createLogger('test', 'silent');

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

test('a full backlog drops new events instead of growing without bound', async () => {
  let dropped = 0;
  let release!: () => void;
  const blocked = new Promise<void>((r) => (release = r));
  const sink = new EventSink({ logger, canSend: () => true, concurrency: 1, maxBacklog: 3, onDropped: () => dropped++, writes: { recordEvent: () => blocked } });
  for (let i = 0; i < 6; i++) sink.record(event(i)); // one in flight, three queued, two dropped
  expect(dropped).toBe(2);
  release();
  await sink.drain();
});

test('a sink whose replica stopped acting sends nothing, and a failing write is not fatal', async () => {
  let acting = true;
  const sent: string[] = [];
  const sink = new EventSink({
    logger,
    canSend: () => acting,
    writes: {
      recordEvent: async (e) => {
        if (e.message === 'event 0') throw new Error('forbidden');
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
});
