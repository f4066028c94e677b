/**
 * The media part of the whole-mission demo: the local media host, and a job
 * queue whose handler is the media pipeline (see media-queue.ts), on the
 * demo's own system and store. Each round enqueues a handful of posts that
 * misbehave the way real hosts do: a 403 until the post is re-extracted, a
 * best candidate that serves an HTML error page with 200, a login wall that
 * needs the session cookie, 5xx answers that outlast one attempt (the queue
 * retries the job), and one post whose every URL is junk (it must end
 * failed, at its first attempt, with nothing left on disk). Enqueues carry an
 * idempotency key per round, so a second run resumes the round's jobs
 * instead of adding new ones. Reports carry ids, percentages and codes only.
 */
import { access, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { queueShutdownHooks, type Job, type Queue } from '../src/actors/jobs/index.js';
import { cookiesByPlatform, MediaJobResultSchema, poolSteps, type MediaEvent } from '../src/actors/media/index.js';
import type { TaskPool } from '../src/pools/index.js';
import type { ActorSystem, PersistencePort } from '../src/runtime/index.js';
import { MEDIA_HOST_COOKIE, startMediaHost, type MediaHost } from './media-host/index.js';
import { defineMediaQueue, type MediaQueuePayloadSchema } from './media-queue.js';
import type { ProgressRow } from './progress-bars.js';

/** One demo post: which, and what the demo expects of it. */
export interface MediaDemoJob {
  /** Its idempotency key within a round. */
  readonly key: string;
  readonly post: string;
  readonly query?: Readonly<Record<string, string | number>>;
  /** What the post shows. */
  readonly story: string;
  /** `completed via <path>` or `failed <code>`. */
  readonly expect: string;
  /** Attempts the queue needs for it on a fresh host (shown, not checked: a resumed job has used some already). Default 1. */
  readonly attempts?: number;
}

/** The posts each round enqueues. */
export const MEDIA_DEMO_JOBS: readonly MediaDemoJob[] = [
  { key: 'plain', post: 'ok', query: { size: 2_000_000 }, story: 'a plain post', expect: 'completed via direct' },
  { key: 'forbidden', post: 'forbidden', query: { size: 1_000_000 }, story: '403 until re-extracted', expect: 'completed via direct' },
  { key: 'alternative', post: 'alternative', query: { size: 1_000_000 }, story: 'best candidate is HTML junk with 200', expect: 'completed via alternative' },
  { key: 'reextract', post: 'reextract', query: { size: 1_000_000 }, story: 'HTML junk until a fresh extraction', expect: 'completed via re-extract' },
  { key: 'cookie', post: 'cookie', query: { size: 1_000_000 }, story: 'a login wall without the session cookie', expect: 'completed via authenticated' },
  { key: 'flaky', post: 'flaky', query: { size: 1_000_000, fail: 3, key: 'demo' }, story: '503 three times: the queue retries the job', expect: 'completed via direct', attempts: 2 },
  { key: 'junk', post: 'html-as-video', story: 'HTML junk served as video/mp4, every time', expect: 'failed ERR_MEDIA_INVALID' },
];

/** Where the media host listened last time (so jobs a stopped run left queued find their posts). */
const DEMO = 'demo';
const HOST_KEY = 'media-host';

/** How one job of the round stands. */
export interface MediaDemoLine {
  readonly jobId: string;
  readonly story: string;
  readonly status: Job['status'];
  /** `completed via <path>`, `failed <code>`, or the status while it runs. */
  readonly ended: string;
  readonly attempts: number;
  readonly asExpected: boolean;
  readonly outputPath: string | null;
  readonly thumbnailPath: string | null;
}

/** Options of {@link startMediaDemo}. */
export interface MediaDemoOptions {
  /** Where the videos and thumbnails go. */
  readonly downloadsDir: string;
  /** Runs download, validate and thumbnail on this pool's threads; else in this thread. */
  readonly pool?: TaskPool;
  /** Remembers the host's port here between runs. */
  readonly persistence?: PersistencePort;
  readonly jobs?: readonly MediaDemoJob[];
  readonly onEvent?: (event: MediaEvent) => void;
}

/** The media host and the queue, before the system that runs the queue exists. */
export interface MediaDemo {
  readonly host: MediaHost;
  readonly queue: Queue<typeof MediaQueuePayloadSchema>;
  /** Enqueues round `run`'s posts (the same jobs again on a resumed round). */
  enqueue(system: ActorSystem, run: number): Promise<void>;
  /** Every job of the round, as stored now. */
  lines(system: ActorSystem): Promise<MediaDemoLine[]>;
  /** One progress row for the queue: finished jobs of the round, running ones' percentages. */
  row(lines: readonly MediaDemoLine[]): ProgressRow;
  /** Invariant breaks seen now (files of finished jobs, attempts, concurrency). */
  violations(lines: readonly MediaDemoLine[]): Promise<string[]>;
  /** Stops dispatch, lets running jobs finish for up to `graceMs`, then requeues what still runs with its attempt given back. */
  stop(system: ActorSystem, graceMs: number): Promise<void>;
  close(): Promise<void>;
}

const isFinished = (status: Job['status']) => status === 'completed' || status === 'failed' || status === 'cancelled';

/**
 * Starts the media host and defines the media queue (list `queue.actor` in
 * the system's reminder actors, so retries wake it after a restart).
 *
 * @example
 * ```ts
 * const media = await startMediaDemo({ downloadsDir: './data/downloads', pool, persistence });
 * const system = new ActorSystem({ persistence, reminders: { actors: [media.queue.actor] } });
 * await media.enqueue(system, 1);
 * const lines = await media.lines(system);
 * ```
 */
export async function startMediaDemo(options: MediaDemoOptions): Promise<MediaDemo> {
  const posts = options.jobs ?? MEDIA_DEMO_JOBS;
  const stored = options.persistence ? await options.persistence.get(DEMO, HOST_KEY) : undefined;
  const lastPort = (stored?.value as { port?: unknown } | undefined)?.port;
  const host = await startMediaHost(typeof lastPort === 'number' ? { port: lastPort } : {});
  const port = Number(new URL(host.url).port);
  if (options.persistence && port !== lastPort) await options.persistence.commit([{ op: 'put', collection: DEMO, key: HOST_KEY, value: { port }, expectedRevision: stored?.revision ?? 0 }]);
  const queue = defineMediaQueue({
    pipeline: {
      downloadsDir: options.downloadsDir,
      retry: { attempts: 2, baseDelayMs: 50, maxDelayMs: 200 },
      steps: { ...(options.pool ? poolSteps(options.pool) : {}), cookieSource: cookiesByPlatform({ loopback: MEDIA_HOST_COOKIE }) },
      ...(options.onEvent ? { log: options.onEvent } : {}),
    },
    concurrency: 3,
    retry: { attempts: 3, backoff: { delayMs: 200, maxDelayMs: 1_000, jitter: 0.5 } },
    timeoutMs: 60_000,
  });
  const pct = new Map<string, number>();
  queue.events.on('progress', ({ jobId, pct: value }) => pct.set(jobId, value));
  let round: { ids: string[]; posts: readonly MediaDemoJob[] } = { ids: [], posts };
  let maxRunning = 0;
  /** Lines of finished jobs do not change: read once. */
  const finished = new Map<string, MediaDemoLine>();

  return {
    host,
    queue,
    async enqueue(system, run) {
      const jobs = await queue.ref(system).ask('enqueueBulk', {
        jobs: posts.map((post) => ({ payload: { postUrl: host.postUrl(post.post, post.query) }, options: { idempotencyKey: `r${run}-${post.key}` } })),
      });
      round = { ids: jobs.map((job) => job.id), posts };
    },
    async lines(system) {
      const ref = queue.ref(system);
      maxRunning = Math.max(maxRunning, (await ref.ask('counts', {})).running);
      return Promise.all(
        round.ids.map(async (jobId, i) => {
          const known = finished.get(jobId);
          if (known) return known;
          const line = lineOf(await ref.ask('get', { jobId }), round.posts[i] as MediaDemoJob, jobId);
          if (isFinished(line.status)) finished.set(jobId, line);
          return line;
        }),
      );
    },
    row(lines) {
      const done = lines.filter((line) => isFinished(line.status)).length;
      const running = lines.filter((line) => line.status === 'running');
      const retried = lines.filter((line) => line.attempts > 1).length;
      return {
        label: `queue ${queue.name} (${options.pool ? 'pool threads' : 'in process'})`,
        done,
        total: lines.length,
        status: done === lines.length ? 'drained' : running.length > 0 ? 'running' : 'queued',
        detail: `running ${running.map((line) => `${line.jobId.slice(-6)}@${pct.get(line.jobId) ?? 0}%`).join(' ') || '-'}  retried ${retried}  failed ${lines.filter((line) => line.status === 'failed').length}`,
      };
    },
    async violations(lines) {
      const broken: string[] = [];
      const files = await filesUnder(options.downloadsDir);
      if (maxRunning > queue.options.concurrency) broken.push(`media: ${maxRunning} jobs running at once, concurrency ${queue.options.concurrency}`);
      for (const line of lines) {
        if (line.attempts > queue.options.attempts) broken.push(`media ${line.jobId}: ${line.attempts} attempts, at most ${queue.options.attempts}`);
        if (line.status === 'completed' && !(await exists(join(options.downloadsDir, line.outputPath ?? '')))) broken.push(`media ${line.jobId}: completed without its file`);
        if (line.status === 'failed' || line.status === 'completed') {
          const leftovers = files.filter((file) => file.includes(line.jobId) && (line.status === 'failed' || file.endsWith('.part')));
          if (leftovers.length > 0) broken.push(`media ${line.jobId}: ${line.status} but left ${leftovers.length} partial or failed file(s)`);
        }
      }
      return broken;
    },
    async stop(system, graceMs) {
      const hooks = queueShutdownHooks(queue.ref(system), queue.events);
      hooks.stopDispatch();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([hooks.drain(), new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)))]);
      clearTimeout(timer);
      await hooks.abort();
    },
    close: () => host.close(),
  };
}

function lineOf(job: Job | undefined, post: MediaDemoJob, jobId: string): MediaDemoLine {
  if (!job) return { jobId, story: post.story, status: 'failed', ended: 'missing', attempts: 0, asExpected: false, outputPath: null, thumbnailPath: null };
  const result = job.status === 'completed' ? MediaJobResultSchema.safeParse(job.result) : undefined;
  const ended = job.status === 'completed' ? `completed via ${result?.success ? result.data.via : '?'}` : job.status === 'failed' ? `failed ${job.error?.code ?? '?'}` : job.status;
  return {
    jobId,
    story: post.story,
    status: job.status,
    ended,
    attempts: job.attemptCount,
    asExpected: ended === post.expect,
    outputPath: result?.success ? result.data.outputPath : null,
    thumbnailPath: result?.success ? result.data.thumbnailPath : null,
  };
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}
