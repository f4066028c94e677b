import type { TaskChannel } from '../../src/pools/index.js';

/** The trivial task with a channel: one heartbeat, one progress report, then done. */
export async function progress(input: { n: number }, channel?: TaskChannel<{ step: number }>): Promise<{ doubled: number }> {
  if (!channel) throw new Error('the progress bench task needs a channel');
  await channel.heartbeat();
  await channel.progress({ step: 1 });
  return { doubled: input.n * 2 };
}
