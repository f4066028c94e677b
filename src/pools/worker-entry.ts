/**
 * The code piscina runs in each worker thread (its own entry, compiled to
 * `dist/src/pools/worker-entry.js`). It connects the task's progress channel,
 * runs the task and returns its outcome as data; it never throws for a task's
 * own failure, so any rejection the pool sees is the thread's.
 */
import { connectChannel } from './channel.js';
import type { TaskOutcome, TaskRequest } from './envelope.js';
import type { ChannelHandlers } from './dispatcher.js';
import { checkTask, runTask } from './task-runner.js';

/** The function piscina calls for every task (`name: 'runStewardTask'`). @internal */
export async function runStewardTask(request: TaskRequest): Promise<TaskOutcome> {
  if (request.check) return checkTask(request.moduleHref, request.name);
  if (!request.port) return runTask(request.moduleHref, request.name, request.input, undefined, 'check');
  const { calls, close } = connectChannel<ChannelHandlers>(request.port, request.label ?? `task "${request.name}"`, ['progress', 'heartbeat']);
  try {
    return await runTask(request.moduleHref, request.name, request.input, calls, 'check');
  } finally {
    close();
  }
}
