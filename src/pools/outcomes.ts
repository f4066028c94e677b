/**
 * The error a run settles with when its task's outcome is not a valid
 * result: a throw, a value that cannot cross threads, a module that would not
 * load, invalid progress or an invalid result.
 * @internal
 */
import type { z } from 'zod';
import { summarizeIssues, toIssues } from '../issues.js';
import { deserializeError, type SerializedError, type TaskOutcome } from './envelope.js';
import { InvalidTaskResultError, TaskFailedError, TaskModuleError } from './errors.js';
import type { Job } from './job.js';

/** The error of an outcome that failed, or of a result whose progress was invalid. */
export function failureOf(job: Job, outcome: TaskOutcome): Error {
  if (!outcome.ok) {
    switch (outcome.failure) {
      case 'load':
        return new TaskModuleError(`${job.label} refused: ${outcome.description}`, {
          module: job.task.moduleHref,
          export: outcome.export,
          ...(outcome.error === undefined ? {} : { cause: deserializeError(outcome.error) }),
        });
      case 'uncloneable': {
        const cause = deserializeError(outcome.error);
        return new InvalidTaskResultError(`${job.label} returned a value that cannot cross threads: ${cause.message}`, [], { cause });
      }
      case 'threw': {
        const cause = deserializeError(outcome.error);
        return new TaskFailedError(`${job.label} failed: ${cause.name}: ${cause.message}`, {
          module: job.task.moduleHref,
          export: outcome.export,
          publicMessage: `${job.label} failed: ${withoutText(outcome.error)}`,
          cause,
        });
      }
    }
  }
  const issues = job.progressIssues ?? [];
  return new InvalidTaskResultError(`${job.label} sent invalid progress (${summarizeIssues(issues)})`, issues);
}

/** The error of a result its schema refused. */
export function invalidResult(job: Job, error: z.ZodError): InvalidTaskResultError {
  const issues = toIssues(error.issues);
  return new InvalidTaskResultError(`${job.label} returned an invalid result (${summarizeIssues(issues)})`, issues, { cause: error });
}

/** A thrown error by its name and code only: its message is the task's text, which may hold what the task was given. */
function withoutText(error: SerializedError): string {
  return error.code === undefined ? error.name : `${error.name} (${error.code})`;
}
