/**
 * The cook on the real runtime over loopback: a real ActorSystem and
 * persistence actor, the local generation service on 127.0.0.1, the HTTP
 * submitter and a webhook server routed with createCookWebhook. The
 * persistence port is watched, so tests wait on durable commits (never on
 * sleeps) and every committed cook state is checked against the invariants.
 */
import { TEST_WEBHOOK_SECRET } from './service/helpers.js';
import { GenerationService, type GenerationServiceOptions } from '../../../demo/generation-service/index.js';
import {
  COOK_COMPLETIONS,
  COOKS,
  cookInvariantViolations,
  cookKey,
  createCookActors,
  createCookWebhook,
  createHttpSubmitter,
  readCookCompletions,
  startWebhookServer,
  type CookCompletion,
  type CookDefinition,
  type CookOptions,
  type CookState,
  type LocalServer,
} from '../../../src/actors/cook/index.js';
import { ActorSystem, type ActorRef, type PersistencePort } from '../../../src/index.js';
import { MemoryStore, Persistence, type CommitResult, type Store, type WriteOp } from '../../../src/persistence/index.js';

/** The last committed view of one cook: copied, because the actor keeps mutating its live state. */
export interface CommittedCook {
  readonly status: CookState['status'];
  readonly generatedCount: number;
  readonly total: number;
  readonly slots: number;
  readonly failureReason: string | null;
}

/**
 * A persistence port that passes everything through to `inner`; subclasses
 * watch or hold commits. The due index is passed too: the reminder service
 * reads it, and the cook's tick fires through it.
 */
export class PassThroughPersistence implements PersistencePort {
  constructor(protected readonly inner: PersistencePort) {}

  get: PersistencePort['get'] = (collection, key) => this.inner.get(collection, key);
  query: PersistencePort['query'] = (collection, options) => this.inner.query(collection, options);
  defineIndex: NonNullable<PersistencePort['defineIndex']> = (collection, spec) => (this.inner.defineIndex as NonNullable<PersistencePort['defineIndex']>)(collection, spec);
  queryIndex: NonNullable<PersistencePort['queryIndex']> = (collection, index, query) => (this.inner.queryIndex as NonNullable<PersistencePort['queryIndex']>)(collection, index, query);
  close = () => this.inner.close();

  commit(batch: readonly WriteOp[], options?: Parameters<PersistencePort['commit']>[1]): Promise<CommitResult> {
    return this.inner.commit(batch, options);
  }
}

/**
 * A persistence port that passes everything through and, on every commit of
 * a cook state, checks its invariants (against the completion records
 * committed so far, this commit's included) and wakes whoever waits for
 * progress.
 */
export class WatchedPersistence extends PassThroughPersistence {
  readonly latest = new Map<string, CommittedCook>();
  /** `key: violation` for every committed cook state that broke an invariant. */
  readonly violations: string[] = [];
  /** Completion records committed, by cook key, then job id. */
  readonly #completions = new Map<string, Map<string, CookCompletion>>();
  commits = 0;
  statesChecked = 0;
  readonly #listeners = new Set<() => void>();

  override async commit(batch: readonly WriteOp[], options?: Parameters<PersistencePort['commit']>[1]): Promise<CommitResult> {
    // Checked at request time: the actor is suspended in its turn until the commit resolves, so this is what becomes durable.
    for (const op of batch) {
      if (op.op !== 'put' || op.collection !== COOK_COMPLETIONS) continue;
      const split = op.key.indexOf('"/'); // ownedKey: the JSON-encoded cook key, '/', the job id
      (await this.#completionsOf(JSON.parse(op.key.slice(0, split + 1)) as string)).set(op.key.slice(split + 2), op.value as CookCompletion);
    }
    const views: [string, CommittedCook][] = [];
    for (const op of batch) {
      if (op.op !== 'put' || op.collection !== COOKS) continue;
      const state = op.value as CookState;
      this.statesChecked++;
      for (const broken of cookInvariantViolations(state, [...(await this.#completionsOf(op.key)).values()])) this.violations.push(`${op.key}: ${broken}`);
      views.push([op.key, { status: state.status, generatedCount: state.generatedCount, total: state.total, slots: Object.keys(state.pending).length + Object.keys(state.running).length, failureReason: state.failureReason }]);
    }
    const result = await this.inner.commit(batch, options);
    // Seen once durable: another group's commit landing first must not show a state whose completion records are not in the store yet.
    for (const [key, view] of views) this.latest.set(key, view);
    this.commits++;
    for (const listener of [...this.#listeners]) listener();
    return result;
  }

  /** The completion records of cook `key`: first those an earlier runtime left in the store. */
  async #completionsOf(key: string): Promise<Map<string, CookCompletion>> {
    let completions = this.#completions.get(key);
    if (!completions) {
      const stored = await readCookCompletions(this.inner, key);
      completions = this.#completions.get(key) ?? new Map(stored.map(({ jobId, ...completion }) => [jobId, completion]));
      this.#completions.set(key, completions);
    }
    return completions;
  }

  /** Calls `listener` after every durable commit; returns the unsubscribe. */
  onCommit(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Resolves once `predicate` holds, re-checked after every commit. Rejects
   * with `describe()` if nothing was committed for `idleBoundMs`: a liveness
   * bound with a diagnosis, not a timing assertion.
   */
  until(predicate: () => boolean, describe: () => string, idleBoundMs = 15_000): Promise<void> {
    if (predicate()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      let idle: NodeJS.Timeout;
      const arm = () => {
        clearTimeout(idle);
        idle = setTimeout(() => {
          stop();
          reject(new Error(`no progress for ${idleBoundMs} ms: ${describe()}`));
        }, idleBoundMs);
      };
      const stop = this.onCommit(() => {
        if (!predicate()) return arm();
        clearTimeout(idle);
        stop();
        resolve();
      });
      arm();
    });
  }
}

/** Options of {@link startRig}. */
export interface RigOptions {
  /** The store (default: a fresh MemoryStore). Closed with the rig unless `closeStore: false`. */
  readonly store?: Store;
  readonly closeStore?: boolean;
  /** Share a running service across rigs (the restart test); otherwise one is made from `serviceOptions`. */
  readonly service?: GenerationService;
  readonly serviceOptions?: GenerationServiceOptions;
  readonly cook?: Omit<CookOptions, 'submitter' | 'webhookUrl'>;
  /** Wraps the persistence port under the watcher (a test that holds a commit, say). */
  readonly wrapPersistence?: (port: PersistencePort) => PersistencePort;
}

/** One runtime wired to the service over loopback. */
export interface Rig {
  readonly system: ActorSystem;
  readonly persistence: WatchedPersistence;
  readonly service: GenerationService;
  readonly hook: LocalServer;
  readonly Cook: CookDefinition;
  cook(collectionId: string, userId: string): ActorRef<CookDefinition>;
  /** Shuts the system down (closing persistence and store), then the webhook server and, if it made it, the service. */
  close(): Promise<void>;
}

export async function startRig(options: RigOptions = {}): Promise<Rig> {
  const service = options.service ?? new GenerationService({ webhookSecret: TEST_WEBHOOK_SECRET, ...options.serviceOptions });
  const { url } = await service.start();
  const store = options.store ?? new MemoryStore();
  const port: PersistencePort = new Persistence(store, { closeStore: options.closeStore ?? true });
  const persistence = new WatchedPersistence(options.wrapPersistence ? options.wrapPersistence(port) : port);
  // The webhook routes into the system, which lists the cook, which needs the webhook's URL: bound late.
  const late: { system?: ActorSystem; Cook?: CookDefinition } = {};
  const hook = await startWebhookServer((delivery) => createCookWebhook(late.system as ActorSystem, late.Cook as CookDefinition, { secret: TEST_WEBHOOK_SECRET })(delivery));
  const { Cook } = createCookActors({ submitter: createHttpSubmitter({ baseUrl: url }), webhookUrl: hook.url, ...options.cook });
  // The cook listed, so a system on a directory an earlier one left resumes its running cooks by their ticks.
  const system = new ActorSystem({ persistence, askTimeoutMs: 10_000, reminders: { actors: [Cook] } });
  Object.assign(late, { system, Cook });
  let closed: Promise<void> | undefined;
  return {
    system,
    persistence,
    service,
    hook,
    Cook,
    cook: (collectionId, userId) => system.ref(Cook, cookKey(collectionId, userId)),
    close() {
      closed ??= (async () => {
        await system.shutdown({ deadlineMs: 2_000 });
        await hook.close();
        if (!options.service) await service.close();
      })();
      return closed;
    },
  };
}

/** Sorted copy, for comparing sets of piece indices. */
export function sorted(values: readonly number[]): number[] {
  return [...values].sort((a, b) => a - b);
}

/** 0, 1, …, n-1. */
export function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
