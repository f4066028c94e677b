/**
 * What crosses the IPC channel between the demo and its worker processes
 * (demo-worker.ts): the demo says `go`, a worker reports how its
 * registration went. Both sides check it with these schemas.
 */
import { z } from 'zod';

/** The demo's one command: register now (racing workers are told at once, once all have loaded). */
export const WorkerCommandSchema = z.literal('go');

/** A worker process's report: loaded, admitted (RUNNING), refused naming the holder, or failed with a code. */
export const WorkerReportSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('ready') }),
  z.object({ kind: z.literal('admitted'), workerId: z.string() }),
  z.object({ kind: z.literal('refused'), code: z.string(), holder: z.object({ id: z.string(), pid: z.number() }) }),
  z.object({ kind: z.literal('failed'), code: z.string(), message: z.string() }),
]);
export type WorkerReport = z.infer<typeof WorkerReportSchema>;
