/**
 * A generation service inside a simulated world: every submission, job
 * completion, webhook delivery and status query is an `io` step the
 * simulator orders. It fails submissions and jobs, duplicates and drops
 * webhooks, deterministically from the world's seed.
 */
import type { SimulationWorld } from '../../../runtime/simulator/index.js';
import { parseCookJobId } from '../keys.js';
import { SubmitFailedError, type JobStatus, type SubmitAccepted, type SubmitRequest, type Submitter } from '../service/index.js';

/** How unreliable the simulated service is. */
export interface SimulatedServiceOptions {
  /** Chance a submission fails (nothing created). Default 0. */
  readonly submitFailureRate?: number;
  /** The first this-many submissions fail, whatever the rate. Default 0. */
  readonly failFirstSubmissions?: number;
  /** Chance a job ends failed. Default 0. */
  readonly jobFailureRate?: number;
  /** Chance a webhook is sent twice. Default 0. */
  readonly duplicateWebhookRate?: number;
  /** Chance a webhook is never sent. Default 0. */
  readonly dropWebhookRate?: number;
}

/** Where a finished job's webhook goes. */
export type WebhookSink = (report: { jobId: string; success: boolean; error?: string }) => void;

/** What the service saw, for invariants. */
export interface ServiceLedger {
  /** Jobs whose submission succeeded. */
  readonly accepted: Set<string>;
  /** Submissions that failed. */
  failedSubmissions: number;
}

/**
 * A {@link Submitter} backed by a simulated service: submissions, acks and
 * webhooks are `world.io` steps the strategy orders, with the failures its
 * options ask for.
 *
 * @example
 * ```ts
 * const service = new SimulatedGenerationService(world, (report) => void cook.tell('pieceCompleted', { ...report, source: 'webhook' }), { submitFailureRate: 0.3 });
 * ```
 */
export class SimulatedGenerationService implements Submitter {
  readonly ledger: ServiceLedger = { accepted: new Set(), failedSubmissions: 0 };
  readonly #jobs = new Map<string, JobStatus>();

  constructor(
    private readonly world: SimulationWorld,
    private readonly webhook: WebhookSink,
    private readonly options: SimulatedServiceOptions = {},
  ) {}

  submit(job: SubmitRequest): Promise<SubmitAccepted> {
    return this.world.io(
      `submit ${job.jobId}`,
      () => {
        const known = this.#jobs.get(job.jobId);
        if (known) return { ...known };
        if (this.ledger.failedSubmissions < (this.options.failFirstSubmissions ?? 0) || this.#chance(this.options.submitFailureRate)) {
          this.ledger.failedSubmissions++;
          throw new SubmitFailedError(`simulated 503 for ${job.jobId}`, { jobId: job.jobId, status: 503 });
        }
        const status: JobStatus = { jobId: job.jobId, status: 'queued' };
        this.#jobs.set(job.jobId, status);
        this.ledger.accepted.add(job.jobId);
        void this.#finishLater(job);
        return { ...status };
      },
      { external: true },
    );
  }

  query(jobId: string): Promise<JobStatus | undefined> {
    return this.world.io(`query ${jobId}`, () => {
      const status = this.#jobs.get(jobId);
      return status ? { ...status } : undefined;
    }, { external: true });
  }

  async #finishLater(job: SubmitRequest): Promise<void> {
    // The service itself never loses a job here: only the I/O between cook and service fails.
    await this.world.io(`finish ${job.jobId}`, undefined, { external: true, failable: false });
    const failed = this.#chance(this.options.jobFailureRate);
    const status: JobStatus = failed
      ? { jobId: job.jobId, status: 'failed', error: 'simulated generation failure' }
      : { jobId: job.jobId, status: 'succeeded', result: { pieceIndex: parseCookJobId(job.jobId)?.pieceIndex ?? 0, uri: `sim://${job.jobId}` } };
    this.#jobs.set(job.jobId, status);
    if (this.#chance(this.options.dropWebhookRate)) return;
    const deliveries = this.#chance(this.options.duplicateWebhookRate) ? 2 : 1;
    for (let i = 1; i <= deliveries; i++) {
      void this.world
        .io(`webhook ${job.jobId} #${i}`, () => this.webhook({ jobId: job.jobId, success: !failed, ...(failed ? { error: 'simulated generation failure' } : {}) }), { external: true })
        .catch(() => undefined); // a failed delivery is a dropped webhook: the poller catches it
    }
  }

  #chance(rate: number | undefined): boolean {
    return rate !== undefined && rate > 0 && this.world.random.next() < rate;
  }
}
