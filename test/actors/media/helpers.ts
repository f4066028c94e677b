/**
 * A media host and a fresh downloads directory per test, a pipeline with
 * short retry delays, and a walk of everything written.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMediaHost, type MediaHost } from '../../../demo/media-host/index.js';
import { createMediaPipeline, type MediaEvent, type MediaPipeline, type MediaPipelineOptions } from '../../../src/actors/media/index.js';

export interface MediaFixture {
  readonly host: MediaHost;
  readonly root: string;
  readonly events: MediaEvent[];
  pipeline(options?: Partial<MediaPipelineOptions>): MediaPipeline;
  close(): Promise<void>;
}

export async function mediaFixture(): Promise<MediaFixture> {
  const host = await startMediaHost();
  const root = await mkdtemp(join(tmpdir(), 'steward-media-'));
  const events: MediaEvent[] = [];
  return {
    host,
    root,
    events,
    pipeline: (options = {}) =>
      createMediaPipeline({
        downloadsDir: root,
        retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 5 },
        log: (event) => events.push(event),
        ...options,
      }),
    async close() {
      await host.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** Every file under `dir`, relative, forward slashes, sorted. */
export async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1).split('\\').join('/'))
    .sort();
}
