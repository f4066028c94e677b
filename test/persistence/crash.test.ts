/**
 * The crash test: a child commits acknowledged updates as fast as it can and
 * reports each acknowledgement; we SIGKILL it at a random moment (sometimes
 * in the middle of a compaction), reopen the directory and check that every
 * acknowledged update is there, nothing is torn, and revisions only grow.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { LowdbStore } from '../../src/persistence/index.js';
import { cleanup, startFixture, tempDir } from './helpers.js';

afterEach(cleanup);

/** mulberry32: a seeded PRNG, so a failing run can be replayed from its seed. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface CrashValue {
  readonly writer: number;
  readonly rev: number;
  readonly pad: string;
}

const KILLS = 24;
const WRITERS = 8;
const KEYS_PER_WRITER = 150;
const COMPACT_AFTER_BYTES = 48 * 1024;

describe('crash safety', () => {
  it(`loses no acknowledged update and tears nothing across ${KILLS} SIGKILLs`, async () => {
    const seed = Number(process.env['CRASH_SEED'] ?? Date.now() % 1_000_000);
    const random = prng(seed);
    const dir = await tempDir();
    /** Highest acknowledged revision per key, over all rounds. */
    const acked = new Map<string, number>();
    /** Revision found per key at the last verification: must never go down. */
    const verified = new Map<string, number>();
    let lost = 0;
    let corrupt = 0;
    let killedWhileCompacting = 0;
    let totalAcks = 0;
    const problems: string[] = [];

    for (let round = 0; round < KILLS; round++) {
      const child = startFixture('crash-writer', [dir, String(WRITERS), String(KEYS_PER_WRITER), String(COMPACT_AFTER_BYTES)]);
      // Odd rounds die as soon as a compaction starts; even ones after a random number of acks (0 = right after opening).
      const killAtAck = Math.floor(random() * 400);
      const killOnCompaction = round % 2 === 1;
      let acksThisRound = 0;
      let compacting = false;
      let killed = false;
      const kill = (): void => {
        if (killed) return;
        killed = true;
        if (compacting) killedWhileCompacting += 1;
        child.child.kill('SIGKILL');
      };
      child.onLine((line) => {
        if (line === 'compacting') {
          compacting = true;
          if (killOnCompaction) kill();
        } else if (line === 'compacted') {
          compacting = false;
        } else if (line === 'ready') {
          if (!killOnCompaction && killAtAck === 0) kill();
        } else if (line.startsWith('ack ')) {
          const [, key, revText] = line.split(' ');
          const revision = Number(revText);
          // Acks for a key are sequential, so each must be exactly one more than the last.
          if (revision !== (acked.get(key as string) ?? 0) + 1) {
            corrupt += 1;
            problems.push(`round ${round}: ack ${key} ${revision} after ${acked.get(key as string) ?? 0}`);
          }
          acked.set(key as string, revision);
          acksThisRound += 1;
          totalAcks += 1;
          if (!killOnCompaction && acksThisRound >= killAtAck) kill();
          // A compaction round whose compaction is slow to come still ends.
          if (killOnCompaction && acksThisRound >= 3_000) kill();
        }
      });
      const { signal } = await child.exited;
      expect(signal, `round ${round} (seed ${seed}) should end by SIGKILL`).toBe('SIGKILL');

      const store = await LowdbStore.open({ dir });
      try {
        for (const [key, revision] of acked) {
          const record = await store.get<CrashValue>('crash', key);
          if (!record || record.revision < revision) {
            lost += 1;
            problems.push(`round ${round}: ${key} acked at ${revision}, found ${record?.revision ?? 'nothing'}`);
          }
        }
        const records = await store.query<CrashValue>('crash');
        const byKey = new Map(records.map((record) => [record.key, record]));
        for (const record of records) {
          if (record.key.endsWith('~shadow')) continue;
          const shadow = byKey.get(`${record.key}~shadow`);
          if (record.value.rev !== record.revision || shadow?.value.rev !== record.revision) {
            corrupt += 1;
            problems.push(`round ${round}: ${record.key} torn: revision ${record.revision}, value.rev ${record.value.rev}, shadow ${shadow?.value.rev}`);
          }
          if (record.revision < (verified.get(record.key) ?? 0)) {
            corrupt += 1;
            problems.push(`round ${round}: ${record.key} went back from ${verified.get(record.key)} to ${record.revision}`);
          }
          verified.set(record.key, record.revision);
          // An update that was durable but not yet acknowledged is fine: it counts as acknowledged from now on.
          acked.set(record.key, record.revision);
        }
      } finally {
        await store.close();
      }
    }

    expect({ lost, corrupt, seed, problems: problems.slice(0, 10) }).toEqual({ lost: 0, corrupt: 0, seed, problems: [] });
    expect(totalAcks).toBeGreaterThan(KILLS * 20);
    expect(killedWhileCompacting, `seed ${seed}`).toBeGreaterThan(0);
  });
});
