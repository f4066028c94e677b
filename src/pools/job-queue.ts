/**
 * The dispatcher's FIFO of waiting jobs, with O(1) push, shift and delete. A
 * deleted job stays where it is, marked, and is skipped when it reaches the
 * head; once deleted jobs outnumber live ones they are swept out, so memory
 * stays proportional to the live count. (An insertion-ordered Map did the
 * same, but taking its first entry walks every deleted slot before it, which
 * showed in profiles with thousands of tasks queued.)
 * @internal
 */

/** Deleted jobs tolerated before a sweep, so a few cancels never copy the queue. */
const SWEEP_AFTER = 1_024;
/** Consumed slots tolerated before the array is compacted. */
const COMPACT_AFTER = 4_096;

/** A job the queue can mark: `queued` is true exactly while the job is in a queue. */
export interface Queueable {
  queued: boolean;
}

export class JobQueue<T extends Queueable> {
  #items: (T | undefined)[] = [];
  #head = 0;
  #size = 0;
  #deleted = 0;

  /** Live jobs waiting. */
  get size(): number {
    return this.#size;
  }

  push(job: T): void {
    job.queued = true;
    this.#items.push(job);
    this.#size++;
  }

  /** Removes and returns the oldest live job. */
  shift(): T | undefined {
    while (this.#head < this.#items.length) {
      const job = this.#items[this.#head] as T;
      this.#items[this.#head++] = undefined;
      if (!job.queued) {
        this.#deleted--;
        continue;
      }
      job.queued = false;
      this.#size--;
      this.#compact();
      return job;
    }
    this.#compact();
    return undefined;
  }

  /** Takes `job` out of the queue; false if it was not in it. */
  delete(job: T): boolean {
    if (!job.queued) return false;
    job.queued = false;
    this.#size--;
    this.#deleted++;
    if (this.#deleted > SWEEP_AFTER && this.#deleted > this.#size) {
      this.#items = this.#items.slice(this.#head).filter((item) => item?.queued === true);
      this.#head = 0;
      this.#deleted = 0;
    }
    return true;
  }

  /** Removes and returns every live job, oldest first. */
  takeAll(): T[] {
    const live: T[] = [];
    for (let i = this.#head; i < this.#items.length; i++) {
      const job = this.#items[i] as T;
      if (!job.queued) continue;
      job.queued = false;
      live.push(job);
    }
    this.#items = [];
    this.#head = this.#size = this.#deleted = 0;
    return live;
  }

  #compact(): void {
    if (this.#head === this.#items.length) {
      this.#items = [];
      this.#head = 0;
    } else if (this.#head > COMPACT_AFTER && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
  }
}
