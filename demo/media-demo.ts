/**
 * The media part of the whole-mission demo: starts the local media host and
 * runs a handful of posts through the media pipeline in its queue handler
 * shape, each post misbehaving the way real hosts do: a 403 until the post is
 * re-extracted, a best candidate that serves an HTML error page with 200, a
 * login wall that needs the session cookie, a 5xx that clears on retry, and
 * one post whose every URL is junk (it must end failed, with nothing left on
 * disk). `npm start` calls {@link runMediaDemo}; it reports through
 * callbacks (ids, percentages and codes only) and returns one line per job.
 */
import type { TaskPool } from '../src/pools/index.js';
import {
  cookiesByPlatform,
  createMediaPipeline,
  MediaJobFailedError,
  mediaQueueHandler,
  poolSteps,
  type MediaEvent,
  type MediaJobResult,
} from '../src/actors/media/index.js';
import { MEDIA_HOST_COOKIE, startMediaHost } from './media-host/index.js';

/** One demo job: which post, and what the demo expects of it. */
export interface MediaDemoJob {
  readonly jobId: string;
  readonly post: string;
  readonly query?: Readonly<Record<string, string | number>>;
  /** What the post shows. */
  readonly story: string;
  /** `completed via <path>` or `failed <code>`. */
  readonly expect: string;
}

/** The posts the demo runs, in order. */
export const MEDIA_DEMO_JOBS: readonly MediaDemoJob[] = [
  { jobId: 'media-1', post: 'ok', query: { size: 2_000_000 }, story: 'a plain post', expect: 'completed via direct' },
  { jobId: 'media-2', post: 'forbidden', query: { size: 1_000_000 }, story: '403 until re-extracted', expect: 'completed via direct' },
  { jobId: 'media-3', post: 'alternative', query: { size: 1_000_000 }, story: 'best candidate serves HTML junk with 200', expect: 'completed via alternative' },
  { jobId: 'media-4', post: 'reextract', query: { size: 1_000_000 }, story: 'HTML junk until a fresh extraction', expect: 'completed via re-extract' },
  { jobId: 'media-5', post: 'cookie', query: { size: 1_000_000 }, story: 'a login wall without the session cookie', expect: 'completed via authenticated' },
  { jobId: 'media-6', post: 'flaky', query: { size: 1_000_000, fail: 2, key: 'demo' }, story: '503 twice, then the video', expect: 'completed via direct' },
  { jobId: 'media-7', post: 'html-as-video', story: 'HTML junk served as video/mp4, every time', expect: 'failed ERR_MEDIA_INVALID' },
];

/** Options of {@link runMediaDemo}. */
export interface MediaDemoOptions {
  /** Where the videos and thumbnails go. */
  readonly downloadsDir: string;
  /** Runs download, validate and thumbnail on this pool's threads; else in this thread. */
  readonly pool?: TaskPool;
  readonly jobs?: readonly MediaDemoJob[];
  readonly onProgress?: (jobId: string, pct: number) => void;
  readonly onEvent?: (event: MediaEvent) => void;
}

/** How one demo job ended. */
export interface MediaDemoLine {
  readonly jobId: string;
  readonly story: string;
  /** `completed via <path>` or `failed <code>`, comparable with the job's `expect`. */
  readonly ended: string;
  readonly asExpected: boolean;
  readonly outputPath?: string;
  readonly thumbnailPath?: string | null;
}

/**
 * Runs the demo posts concurrently against a fresh local media host.
 *
 * @example
 * ```ts
 * const lines = await runMediaDemo({ downloadsDir: './data/downloads', pool, onProgress: (id, pct) => bars.set(id, pct) });
 * if (lines.some((line) => !line.asExpected)) process.exitCode = 1;
 * ```
 */
export async function runMediaDemo(options: MediaDemoOptions): Promise<MediaDemoLine[]> {
  const host = await startMediaHost();
  try {
    const pipeline = createMediaPipeline({
      downloadsDir: options.downloadsDir,
      retry: { attempts: 3, baseDelayMs: 50, maxDelayMs: 200 },
      steps: { ...(options.pool ? poolSteps(options.pool) : {}), cookieSource: cookiesByPlatform({ loopback: MEDIA_HOST_COOKIE }) },
      ...(options.onEvent ? { log: options.onEvent } : {}),
    });
    const handle = mediaQueueHandler(pipeline);
    return await Promise.all(
      (options.jobs ?? MEDIA_DEMO_JOBS).map(async (job): Promise<MediaDemoLine> => {
        const context = {
          signal: new AbortController().signal,
          progress: (pct: number) => options.onProgress?.(job.jobId, pct),
          heartbeat: () => {},
          attemptId: 1,
        };
        const ended = await handle({ jobId: job.jobId, postUrl: host.postUrl(job.post, job.query) }, context).then(
          (result: MediaJobResult) => ({ ended: `completed via ${result.via}`, outputPath: result.outputPath, thumbnailPath: result.thumbnailPath }),
          (error: unknown) => ({ ended: `failed ${error instanceof MediaJobFailedError ? error.code : 'ERR_UNEXPECTED'}` }),
        );
        return { jobId: job.jobId, story: job.story, ...ended, asExpected: ended.ended === job.expect };
      }),
    );
  } finally {
    await host.close();
  }
}
