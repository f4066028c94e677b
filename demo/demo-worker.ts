/**
 * `node dist/demo/demo-worker.js <registry url> <worker type> <version info JSON>`:
 * one worker process of the demo, forked by demo-workers.ts. It reports
 * `ready` once loaded, registers over HTTP when told `go` (so racing
 * processes register at the same moment), reports admitted or refused, and
 * heartbeats while admitted. It ends when the demo closes the IPC channel
 * (or dies): a graceful stop, deregistered, exit 0. A refused worker exits
 * at once. Ctrl-C in a terminal reaches it too; the demo decides when it
 * stops, so it ignores SIGINT.
 */
import { httpRegistryClient, VersionInfoSchema, WorkerActiveError, WorkerClient } from '../src/actors/jobs/index.js';
import { WorkerCommandSchema, type WorkerReport } from './worker-report.js';

const [url = '', workerType = '', versionJson = '{}'] = process.argv.slice(2);
const report = (message: WorkerReport, then: (error: Error | null) => void = () => undefined) => process.send?.(message, undefined, {}, then);
const client = new WorkerClient({ registry: httpRegistryClient(url), workerType, version: VersionInfoSchema.parse(JSON.parse(versionJson)), heartbeatIntervalMs: 2_000, graceMs: 1_000 });

process.on('SIGINT', () => undefined);
process.once('disconnect', () => void client.stop().finally(() => process.exit(0)));
process.on('message', (message: unknown) => {
  if (!WorkerCommandSchema.safeParse(message).success) return;
  client.start().then(
    (worker) => report({ kind: 'admitted', workerId: worker.id }),
    (error: unknown) => {
      const refusal: WorkerReport =
        error instanceof WorkerActiveError
          ? { kind: 'refused', code: error.code, holder: { id: error.active.id, pid: error.active.pid } }
          : { kind: 'failed', code: String((error as { code?: unknown }).code ?? 'error'), message: error instanceof Error ? error.message : String(error) };
      report(refusal, () => process.exit(0));
    },
  );
});
report({ kind: 'ready' });
