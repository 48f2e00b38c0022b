import { describe, expect, it } from 'vitest';
import { EventLog, LINE_MAX_LENGTH, LINES_PER_SOURCE, LOG_CAPACITY } from '../../../../core/lib/event-log';
import { FakeClock } from '../../../support/fake-clock';

describe('EventLog', () => {
  it('numbers entries, keeps the last LOG_CAPACITY and clamps long lines', async () => {
    const clock = new FakeClock();
    const log = new EventLog(clock);
    for (let i = 0; i < LOG_CAPACITY + 10; i++) {
      log.add('info', `type-${i}`, `line ${i}`);
    }
    expect(log.all()).toHaveLength(LOG_CAPACITY);
    expect(log.all().at(-1)!.seq).toBe(LOG_CAPACITY + 10);
    log.add('warn', 'long', 'x'.repeat(10_000));
    expect(log.all().at(-1)!.message.length).toBe(LINE_MAX_LENGTH);
  });

  it('lets one source flood no more than its budget, and says how much it left out', async () => {
    const clock = new FakeClock();
    const log = new EventLog(clock);
    const peer = 'n' + 'a'.repeat(26);
    for (let i = 0; i < 1000; i++) log.add('warn', 'route:dropped', `bad route ${i}`, peer);
    log.add('info', 'control:routing', 'mesh routing on');
    expect(log.all().filter((e) => e.nodeId === peer)).toHaveLength(LINES_PER_SOURCE.burst);
    expect(log.all().at(-1)!.message).toBe('mesh routing on');
    await clock.advance(1000);
    log.add('warn', 'route:dropped', 'bad route again', peer);
    expect(log.all().at(-1)!.message).toMatch(/bad route again \(980 more lines from the same source were left out\)/);
  });
});
