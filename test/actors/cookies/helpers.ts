/**
 * The cookie domain on the real runtime: a lowdb directory, the persistence
 * actor, a Piscina `rotate` pool (real threads, compiled dist/), the local
 * provider service on 127.0.0.1, and a watched state port so tests wait on
 * durable commits, never on sleeps.
 */
import { ActorSystem, type ActorRef, type PersistencePort } from '../../../src/index.js';
import { LowdbStore, Persistence, type CommitResult, type WriteOp } from '../../../src/persistence/index.js';
import { PiscinaPool } from '../../../src/pools/index.js';
import { COOKIE_REPORTS, CookieProviders, createCookieActors, type CookieDefinition, type CookieOptions, type RotationReport } from '../../../src/actors/cookies/index.js';
import { CookieProviderService, type CookieProviderServiceOptions } from '../../../examples/cookie-provider/service.js';
import { cleanup, tempDir } from '../../persistence/helpers.js';

/** Passes everything through, keeps every committed batch, and wakes waiters after each durable commit. */
export class WatchedPersistence implements PersistencePort {
  readonly batches: WriteOp[][] = [];
  /** Fails the next this-many commits that write a report (a transient store failure). */
  failReportCommits = 0;
  readonly #waiters = new Set<() => void>();

  constructor(private readonly inner: PersistencePort) {}

  get: PersistencePort['get'] = (collection, key) => this.inner.get(collection, key);
  query: PersistencePort['query'] = (collection, options) => this.inner.query(collection, options);
  defineIndex: NonNullable<PersistencePort['defineIndex']> = (collection, spec) => this.inner.defineIndex?.(collection, spec) ?? Promise.resolve();
  queryIndex: NonNullable<PersistencePort['queryIndex']> = (collection, index, query) =>
    this.inner.queryIndex ? this.inner.queryIndex(collection, index, query) : Promise.reject(new Error('no indexes'));
  close = () => this.inner.close();

  async commit(batch: readonly WriteOp[]): Promise<CommitResult> {
    if (this.failReportCommits > 0 && batch.some((op) => op.collection === COOKIE_REPORTS)) {
      this.failReportCommits--;
      throw Object.assign(new Error('simulated transient store failure'), { code: 'ERR_PERSIST_FAILED' });
    }
    const result = await this.inner.commit(batch);
    this.batches.push([...batch]);
    for (const wake of [...this.#waiters]) wake();
    return result;
  }

  /** Every report committed so far, in commit order. */
  reports(): RotationReport[] {
    return this.batches.flatMap((batch) => batch.filter((op) => op.op === 'put' && op.collection === COOKIE_REPORTS).map((op) => (op as { value: RotationReport }).value));
  }

  /** Resolves once `check()` holds after some durable commit (or at once). */
  until(check: () => boolean): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        if (!check()) return;
        this.#waiters.delete(wake);
        resolve();
      };
      this.#waiters.add(wake);
    });
  }
}

/** One running cookie world; {@link closeWorlds} closes every one. */
export interface CookieWorld {
  readonly dir: string;
  readonly system: ActorSystem;
  readonly persistence: WatchedPersistence;
  readonly providers: CookieProviders;
  readonly Cookie: CookieDefinition;
  readonly service: CookieProviderService;
  cookie(id: string): ActorRef<CookieDefinition>;
}

const open: Array<() => Promise<void>> = [];

/** Starts a world; with `dir` and `service`, on an existing directory and provider (a restart). */
export async function cookieWorld(
  options: {
    readonly dir?: string;
    readonly service?: CookieProviderService;
    readonly serviceOptions?: CookieProviderServiceOptions;
    readonly cookies?: Omit<CookieOptions, 'providers'>;
    readonly register?: (providers: CookieProviders, service: CookieProviderService) => void;
  } = {},
): Promise<CookieWorld> {
  const dir = options.dir ?? (await tempDir());
  const service = options.service ?? (await CookieProviderService.start(options.serviceOptions));
  if (!options.service) open.push(() => service.close());
  const providers = new CookieProviders();
  (options.register ?? ((registry, svc) => registry.register({ service: 'shop', validateUrl: `${svc.url}/validate`, rotateUrl: `${svc.url}/rotate`, cookieKeys: ['sid'], rotateEveryMs: 3_600_000 })))(providers, service);
  const { Cookie } = createCookieActors({ providers, retryBackoffMs: 60_000, ...options.cookies });
  const store = await LowdbStore.open({ dir });
  const persistence = new WatchedPersistence(new Persistence(store));
  const system = new ActorSystem({ persistence, pools: { rotate: new PiscinaPool({ name: 'rotate', maxThreads: 2, concurrentTasksPerWorker: 8 }) }, reminders: { actors: [Cookie] }, askTimeoutMs: 20_000 });
  const closeSystem = () => system.shutdown({ deadlineMs: 5_000 }).then(() => undefined);
  open.push(closeSystem);
  return { dir, system, persistence, providers, Cookie, service, cookie: (id) => system.ref(Cookie, id) };
}

/** Closes every world (systems first, then services) and removes directories; call in afterEach. */
export async function closeWorlds(): Promise<void> {
  for (const close of open.splice(0).reverse()) await close();
  await cleanup();
}
