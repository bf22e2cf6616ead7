import { type ControlChannel, createInProcessTransport } from '@hyperfleet/transport';
import { describe, expect, it } from 'vitest';
import { StopWatcher } from './stop-watcher';
import { waitFor } from './testing';

/** The in-process channel, with its key reads counted. */
function countingChannel(): { control: ControlChannel; keyReads: () => number } {
  const real = createInProcessTransport().control;
  let reads = 0;
  const control: ControlChannel = {
    requestStop: (id) => real.requestStop(id),
    isStopRequested: (id) => {
      reads++;
      return real.isStopRequested(id);
    },
    onStop: (handler) => real.onStop(handler),
    close: () => real.close(),
  };
  return { control, keyReads: () => reads };
}

describe('StopWatcher', () => {
  it('answers the pre-start check from the stops it heard, reading keys only until it listens', async () => {
    const { control, keyReads } = countingChannel();
    await control.requestStop('stopped-before');
    const stopped: string[] = [];
    const watcher = new StopWatcher(control, (id) => stopped.push(id), 60_000);
    watcher.start();
    // Not listening yet: the key is the answer.
    expect(await watcher.isStopRequested('stopped-before')).toBe(true);
    expect(keyReads()).toBe(1);
    // Listening: the stops in force were heard, so no more reads.
    await waitFor(async () => (await watcher.isStopRequested('other')) === false && keyReads() === 1);
    expect(await watcher.isStopRequested('stopped-before')).toBe(true);
    await control.requestStop('stopped-later');
    await waitFor(() => watcher.isStopRequested('stopped-later'));
    expect(keyReads()).toBe(1);
    // Only watched trials are stopped by a nudge.
    expect(stopped).toEqual([]);
    watcher.watch('running');
    await control.requestStop('running');
    await waitFor(() => stopped.includes('running'));
    await watcher.close();
  });
});
