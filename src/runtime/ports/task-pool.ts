import type { z } from 'zod';

/** A listener of a {@link TaskSignal}: a function or an `EventListener`-like object. */
export type AbortListener = (() => void) | { handleEvent(): void };

/** The part of an `AbortSignal` a pool reads: a run's cancel signal. */
export interface TaskSignal {
  readonly aborted: boolean;
  readonly reason: unknown;
  addEventListener(type: 'abort', listener: AbortListener, options?: { readonly once?: boolean }): void;
  removeEventListener(type: 'abort', listener: AbortListener): void;
}

/** Where a pool reports one started task's outcome (the runtime's cheaper alternative to a promise). */
export interface TaskReceiver<TResult> {
  resolve(value: TResult): void;
  reject(error: Error): void;
}

/** Options of one run on a pool. */
export interface RunTaskOptions<TProgress = never> {
  readonly signal?: TaskSignal;
  readonly timeoutMs?: number;
  readonly onProgress?: (report: TProgress) => void;
  readonly onHeartbeat?: () => void;
}

/** What the runtime needs to know of a task definition: its name, and the types its schemas carry. */
export interface TaskDescriptor<TInput, TResult, TProgress = never> {
  readonly name: string;
  readonly input: z.ZodType<TInput>;
  readonly result: z.ZodType<TResult>;
  readonly progress: z.ZodType<TProgress> | undefined;
  /** Where the task's module lives, for diagnostics (events name it). */
  readonly moduleHref: string;
}

/**
 * The task-pool port: what `ctx.startTask` and shutdown need of a pool.
 * `steward/pools` implements it (Piscina, in-process); the runtime never
 * imports a pool.
 */
export interface TaskPoolPort {
  readonly name: string;
  run<TInput, TResult, TProgress>(task: TaskDescriptor<TInput, TResult, TProgress>, input: TInput, options?: RunTaskOptions<TProgress>): Promise<TResult>;
  /** Optional fast path: report through `receiver` instead of a promise. */
  start?<TInput, TResult, TProgress>(
    task: TaskDescriptor<TInput, TResult, TProgress>,
    input: TInput,
    options: RunTaskOptions<TProgress>,
    receiver: TaskReceiver<TResult>,
  ): void;
  close(options?: { readonly deadlineMs?: number }): Promise<void>;
}
