/**
 * A cookie rig on the real runtime: an ActorSystem with a persistence actor
 * (memory or lowdb), a Piscina `rotate` pool running the compiled default
 * rotate task, and the local cookie provider on 127.0.0.1. Commits are
 * watched, so tests wait on durable writes, never on sleeps.
 */
import { ActorSystem, type PersistencePort } from '../../../src/index.js';
import { MemoryStore, Persistence, type CommitResult, type Store, type WriteOp } from '../../../src/persistence/index.js';
import { PiscinaPool, type TaskPool } from '../../../src/pools/index.js';
import {
  CookieProviders,
  createCookieActors,
  defineRotateTask,
  type CookieDefinition,
  type CookieOptions,
  type CookieProviderConfig,
} from '../../../src/actors/cookies/index.js';
import { startCookieProvider, type CookieProviderOptions, type CookieProviderServer } from '../../../demo/cookie-provider/server.js';

/** Workers cannot load `.ts`: the compiled default task (`npm test` builds first). */
export const COMPILED_ROTATE_TASK = defineRotateTask('rotateCookie', new URL('../../../dist/src/actors/cookies/default-rotate.js', import.meta.url));

/** Passes everything through; wakes waiters on every commit; can be told to fail the next commits. */
export class WatchedPersistence implements PersistencePort {
  readonly batches: WriteOp[][] = [];
  failNext = 0;
  readonly #listeners = new Set<() => void>();

  constructor(private readonly inner: PersistencePort) {}

  get: PersistencePort['get'] = (collection, key) => this.inner.get(collection, key);
  query: PersistencePort['query'] = (collection, options) => this.inner.query(collection, options);
  close = () => this.inner.close();

  async commit(batch: readonly WriteOp[]): Promise<CommitResult> {
    if (this.failNext > 0) {
      this.failNext--;
      throw Object.assign(new Error('simulated transient store failure'), { code: 'ERR_PERSIST_FAILED' });
    }
    const result = await this.inner.commit(batch);
    this.batches.push([...batch]);
    for (const listener of [...this.#listeners]) listener();
    return result;
  }

  /** Resolves once `check()` holds after a commit (or at once). */
  until(check: () => boolean | Promise<boolean>): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const test = () =>
        Promise.resolve(check()).then((ok) => {
          if (ok) {
            this.#listeners.delete(test);
            resolve();
          }
        }, reject);
      this.#listeners.add(test);
      void test();
    });
  }
}

export interface CookieRig {
  readonly system: ActorSystem;
  readonly persistence: WatchedPersistence;
  readonly providers: CookieProviders;
  readonly provider: CookieProviderServer;
  readonly Cookie: CookieDefinition;
  /** The provider config for `service` against the local provider. */
  config(service: string, overrides?: Partial<CookieProviderConfig>): CookieProviderConfig;
  close(): Promise<void>;
}

export interface RigOptions {
  readonly store?: Store;
  readonly provider?: CookieProviderOptions;
  readonly cookie?: Omit<CookieOptions, 'providers'>;
  readonly pool?: TaskPool;
}

export async function startCookieRig(options: RigOptions = {}): Promise<CookieRig> {
  const provider = await startCookieProvider(options.provider);
  const providers = new CookieProviders();
  const persistence = new WatchedPersistence(new Persistence(options.store ?? new MemoryStore()));
  const pool = options.pool ?? new PiscinaPool({ name: 'rotate', minThreads: 1, maxThreads: 2 });
  const system = new ActorSystem({ persistence, pools: { rotate: pool }, askTimeoutMs: 20_000 });
  const { Cookie } = createCookieActors({ providers, secretKey: '', retryBackoffMs: 60_000, ...options.cookie });
  const config = (service: string, overrides: Partial<CookieProviderConfig> = {}): CookieProviderConfig => ({
    service,
    validateUrl: `${provider.url}/validate`,
    rotateUrl: `${provider.url}/rotate`,
    cookieKeys: ['sid'],
    rotateEveryMs: 3_600_000,
    requestTimeoutMs: 2_000,
    task: COMPILED_ROTATE_TASK,
    ...overrides,
  });
  return {
    system,
    persistence,
    providers,
    provider,
    Cookie,
    config,
    close: async () => {
      await system.shutdown({ deadlineMs: 2_000 });
      await provider.close();
    },
  };
}
