/**
 * The pipeline's log: every line is an event carrying the job id and the
 * trace id, so one job's story can be followed across steps, retries and
 * threads. URLs in events are redacted (signatures live in the query).
 */

/** One log line of a media job. */
export interface MediaEvent {
  readonly jobId: string;
  readonly traceId: string;
  /** The queue's attempt id, when the run was started by one. */
  readonly attemptId?: string;
  readonly level: 'info' | 'warn' | 'error';
  /** The step or branch, e.g. `extract`, `download`, `strategy:authenticated`. */
  readonly step: string;
  readonly message: string;
  readonly data?: Readonly<Record<string, string | number | boolean>>;
}

/** Where events go; the default drops them. */
export type MediaLog = (event: MediaEvent) => void;

/** A logger bound to one job. @internal */
export interface JobLog {
  info(step: string, message: string, data?: MediaEvent['data']): void;
  warn(step: string, message: string, data?: MediaEvent['data']): void;
  error(step: string, message: string, data?: MediaEvent['data']): void;
}

/** @internal */
export function jobLog(sink: MediaLog, jobId: string, traceId: string, attemptId?: string): JobLog {
  const ids = attemptId === undefined ? { jobId, traceId } : { jobId, traceId, attemptId };
  const emit = (level: MediaEvent['level'], step: string, message: string, data?: MediaEvent['data']) => {
    try {
      sink(data === undefined ? { ...ids, level, step, message } : { ...ids, level, step, message, data });
    } catch {
      // a broken log sink must not fail the download
    }
  };
  return {
    info: (step, message, data) => emit('info', step, message, data),
    warn: (step, message, data) => emit('warn', step, message, data),
    error: (step, message, data) => emit('error', step, message, data),
  };
}
