/**
 * The STOPPED history of a registry whose state predates it: built once,
 * when the registry activates, from the deployment's worker records (paged,
 * so any backlog is read in bounded pages), and pruned to the bound in the
 * same commit. From then on each turn that stops a worker keeps it
 * ({@link retainStopped}), so no later turn reads the records again.
 * @internal
 */
import type { ActorContext } from '../../../index.js';
import type { WriteOp } from '../../../persistence/index.js';
import type { RegistryMessages, RegistryState, WorkerInstance } from './schemas.js';

type Ctx = ActorContext<RegistryState, typeof RegistryMessages>;

const PAGE = 500;

/** Indexes the deployment's STOPPED records by type (oldest first) into the state and deletes those past `keep`. @internal */
export async function indexStopped(ctx: Ctx, collection: string, keep: number): Promise<void> {
  const prefix = `${ctx.key}/`;
  const byType = new Map<string, WorkerInstance[]>();
  for (let after: string | undefined; ; ) {
    const page = await ctx.persistence.query<WorkerInstance>(collection, { prefix, limit: PAGE, ...(after === undefined ? {} : { after }) });
    for (const { key, value } of page) {
      // `<deployment>/<workerId>`: a longer key belongs to a deployment whose name extends this one's
      if (key.includes('/', prefix.length) || value.status !== 'STOPPED') continue;
      byType.set(value.workerType, [...(byType.get(value.workerType) ?? []), value]);
    }
    if (page.length < PAGE) break;
    after = page[page.length - 1]?.key;
  }
  const stopped: Record<string, string[]> = {};
  const deletes: WriteOp[] = [];
  for (const [type, workers] of byType) {
    const ids = workers.sort((a, b) => (a.stoppedAt ?? 0) - (b.stoppedAt ?? 0) || (a.id < b.id ? -1 : 1)).map((worker) => worker.id);
    for (const id of ids.splice(0, Math.max(0, ids.length - keep))) deletes.push({ op: 'delete', collection, key: `${prefix}${id}` });
    stopped[type] = ids;
  }
  ctx.state = { ...ctx.state, stopped };
  await ctx.save(deletes);
}
