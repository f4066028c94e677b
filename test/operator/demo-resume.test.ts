/**
 * `npm start` twice on one data directory: a first run cut short by its deadline leaves its round unfinished and says
 * so; the second run finds that round, resumes exactly its unfinished cooks from where the store left them (none
 * starts over: the pieces counted before stay counted), completes them, and exits 0 with no invariant broken.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { COOKS, CookStateSchema, readCookCompletions, type CookState } from '../../src/actors/cook/index.js';
import { LowdbStore } from '../../src/persistence/index.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Runs the compiled demo on `dir` to its end; its exit code with what it printed. */
async function runDemo(dir: string, deadlineMs: number): Promise<{ code: number; stdout: string }> {
  const env = { ...process.env, STEWARD_DATA_DIR: dir, STEWARD_DEMO_DEADLINE_MS: String(deadlineMs) };
  try {
    const { stdout } = await promisify(execFile)(process.execPath, ['dist/demo/demo.js'], { cwd: root, env, timeout: deadlineMs + 60_000 });
    return { code: 0, stdout };
  } catch (error) {
    const failed = error as { code?: unknown; stdout?: string; stderr?: string };
    if (typeof failed.code !== 'number') throw error;
    return { code: failed.code, stdout: failed.stdout ?? '' };
  }
}

/** The cooks the directory holds, by key (the demo's process has exited: its lock is free). */
async function storedCooks(dir: string): Promise<Map<string, { state: CookState; counted: string[] }>> {
  const store = await LowdbStore.open({ dir });
  try {
    const cooks = new Map<string, { state: CookState; counted: string[] }>();
    for (const { key, value } of await store.query(COOKS)) {
      const counted = (await readCookCompletions(store, key)).filter((completion) => completion.outcome === 'counted').map((completion) => completion.jobId);
      cooks.set(key, { state: CookStateSchema.parse(value), counted });
    }
    return cooks;
  } finally {
    await store.close();
  }
}

describe('a second run of the demo (demo/demo.ts, compiled) resumes the first', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('cut short by its deadline, then run again: the unfinished cooks resume where they stood and complete', { timeout: 240_000 }, async () => {
    dir = await mkdtemp(join(tmpdir(), 'steward-demo-resume-'));
    const first = await runDemo(dir, 2_000);
    expect(first.stdout).toMatch(/^steward demo, data in .*: no earlier round found, starting round 1: /m);
    expect(first.stdout).toMatch(/^deadline of 2 s reached: progress is saved in .*; run again to resume$/m);
    expect(first.code).toBe(2);
    const left = await storedCooks(dir);
    const unfinished = [...left].filter(([, { state }]) => state.status === 'running' || state.status === 'paused');
    expect(unfinished.length).toBeGreaterThan(0);
    expect(unfinished.some(([, { state }]) => state.generatedCount > 0)).toBe(true); // progress to keep

    const second = await runDemo(dir, 120_000);
    const [, resumed = ''] = /^steward demo, data in .*: round 1 was unfinished, resuming (.*)$/m.exec(second.stdout) ?? [];
    expect(resumed.split(', ').sort()).toEqual(unfinished.map(([, { state }]) => state.collectionId).sort());
    expect(second.stdout).toMatch(/^Cooks: total 5, running 0, paused 0, completed 5, failed 0$/m);
    expect(second.stdout).toMatch(/^invariants checked: \d+ \(cooks [1-9]\d*, media \d+, cookies \d+\), violations: 0$/m);
    expect(second.code).toBe(0);

    // Resumed, not restarted: every job counted in the first run is still counted, and each piece is counted once.
    const ended = await storedCooks(dir);
    for (const [key, before] of left) {
      const after = ended.get(key);
      expect(after?.state.status, key).toBe('completed');
      expect(after?.counted.length, key).toBe(after?.state.total);
      expect(after?.state.generatedCount, key).toBe(after?.state.total);
      expect(before.counted.filter((jobId) => !after?.counted.includes(jobId)), key).toEqual([]);
    }
  });
});
