/**
 * The TSDoc `@example` blocks of the public exports compile.
 *
 * Read from the shipped `.d.ts` files under dist/src (run `npm run build`
 * first), not from src: what a consumer's editor shows is what is checked, and
 * "public" is decided the way a consumer sees it: every name each entry point
 * of package.json's `exports` re-exports, followed through the `export … from`
 * chain to the file that declares it. Internal declarations, even exported
 * from their own file, are not checked (their examples are noise, STYLE.md).
 *
 * Each ```ts block becomes one module in a temp folder inside the package
 * (so `steward/...` resolves by self-reference): a generated preamble imports
 * every public export of every entry point (the example's own entry first; a
 * name two entries share is taken from the first), and declares the few free
 * identifiers the examples lean on ({@link FREE_IDENTIFIERS}); then the block.
 * One `tsc --noEmit` checks them all, strict, unused names allowed.
 *
 * A block that truly cannot compile starts with `// fragment: <reason>`; it is
 * skipped and counted. {@link KNOWN_BROKEN} lists the blocks not yet fixed: it
 * must only shrink (a listed block that compiles fails the test too).
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DIST = join(ROOT, 'dist', 'src');
const TSC = join(ROOT, 'node_modules/.bin/tsc');

/**
 * Free identifiers examples use without defining, declared once for all of
 * them. Keep it short: an example that needs more should define it.
 */
const FREE_IDENTIFIERS = `
declare const system: ActorSystem;
declare const store: Store;
declare const persistence: Persistence;
declare const pool: PiscinaPool;
declare const ctx: ActorContext<any, any>;
declare const signal: AbortSignal;
declare const world: SimulationWorld;
declare const log: Record<'debug' | 'info' | 'warn' | 'error', (...args: unknown[]) => void>; // a pino-style logger
declare const url: string;
declare const path: string;
declare const jobId: string;
declare const Counter: ActorDefinition<{ count: number }, { add: z.ZodObject<{ by: z.ZodNumber }>; get: z.ZodObject<{}> }>;
declare const Cook: CookDefinition;
declare const cook: ActorRef<CookDefinition>;
declare const ref: ActorRef<typeof Counter>;
declare const batch: WriteOp[];
declare const checksumTask: TaskDefinition<{ path: string }, { sha256: string }, number>;
declare const downloadTask: TaskDefinition<{ url: string }, { path: string }>;
declare const doubleStart: Scenario<unknown>;
`;

/**
 * Blocks that do not compile yet, by id (`file.d.ts Name #n`): most lean on
 * names they never define (`registry`, `queue`, `cook`, `batch`, ...), some
 * are object-literal fragments or wrong. Fix one, delete its line; the count
 * below goes down with it, never up.
 */
const KNOWN_BROKEN: readonly string[] = [
  'actors/cook/cook-actor.d.ts createCookActors #1',
  'actors/cook/cook-state.d.ts snapshotOf #1',
  'actors/cook/invariants.d.ts cookInvariantViolations #1',
  'actors/cook/messages.d.ts CookStatusSchema #1',
  'actors/cook/service/errors.d.ts InvalidResponseError #1',
  'actors/cook/service/errors.d.ts InvalidWebhookError #1',
  'actors/cook/service/errors.d.ts QueryFailedError #1',
  'actors/cook/service/errors.d.ts ServiceClosedError #1',
  'actors/cook/service/errors.d.ts SubmitFailedError #1',
  'actors/cook/service/http-server.d.ts LocalServer #1',
  'actors/cook/service/http-submitter.d.ts createHttpSubmitter #1',
  'actors/cook/service/schemas.d.ts JobStatusSchema #1',
  'actors/cook/service/schemas.d.ts SubmitAcceptedSchema #1',
  'actors/cook/service/webhook-signature.d.ts signWebhook #1',
  'actors/cook/service/webhook-signature.d.ts webhookSignatureProblem #1',
  'actors/cook/service/webhook.d.ts MountWebhookOptions #1',
  'actors/cook/service/webhook.d.ts WebhookDelivery #1',
  'actors/cook/service/webhook.d.ts WebhookHandler #1',
  'actors/cook/service/webhook.d.ts WebhookHandlerOptions #1',
  'actors/cook/service/webhook.d.ts WebhookResponse #1',
  'actors/cook/service/webhook.d.ts WebhookServerOptions #1',
  'actors/cook/service/webhook.d.ts createWebhookHandler #1',
  'actors/cook/service/webhook.d.ts mountWebhook #1',
  'actors/cook/service/webhook.d.ts parseWebhookBody #1',
  'actors/cook/service/webhook.d.ts startWebhookServer #1',
  'actors/cook/simulation/simulated-service.d.ts SimulatedGenerationService #1',
  'actors/cookies/launch.d.ts LaunchReport #1',
  'actors/cookies/launch.d.ts launchCookies #1',
  'actors/cookies/messages.d.ts CookieMessages #1',
  'actors/cookies/rotate-task.d.ts DEFAULT_ROTATE_TASK #1',
  'actors/cookies/rotate-task.d.ts defineRotateTask #1',
  'actors/cookies/rotation-joins.d.ts RotationSummary #1',
  'actors/cookies/rotation-joins.d.ts RotationTicket #1',
  'actors/cookies/rotation-state.d.ts CookieSnapshot #1',
  'actors/jobs/queue/attempt-reports.d.ts Claim #1',
  'actors/jobs/queue/errors.d.ts QueueUnavailableError #1',
  'actors/jobs/queue/errors.d.ts StaleAttemptError #1',
  'actors/jobs/queue/events.d.ts QueueEventBus #1',
  'actors/jobs/queue/events.d.ts QueueEvents #1',
  'actors/jobs/queue/http-consumer.d.ts QueueConsumer #1',
  'actors/jobs/queue/http-consumer.d.ts httpQueueConsumer #1',
  'actors/jobs/queue/http-handler.d.ts QueueHttpHandler #1',
  'actors/jobs/queue/http-handler.d.ts createQueueHttpHandler #1',
  'actors/jobs/queue/queue-actor.d.ts Queue #1',
  'actors/jobs/queue/queue-actor.d.ts QueueDefinition #1',
  'actors/jobs/queue/queue-actor.d.ts defineQueue #1',
  'actors/jobs/queue/queue-options.d.ts JobContext #1',
  'actors/jobs/queue/queue-options.d.ts QueueOptions #1',
  'actors/jobs/queue/schemas.d.ts EnqueueOptionsSchema #1',
  'actors/jobs/queue/schemas.d.ts JobSchema #1',
  'actors/jobs/queue/schemas.d.ts JobStatusSchema #1',
  'actors/jobs/queue/worker-hooks.d.ts QueueShutdownHooks #1',
  'actors/jobs/queue/worker-hooks.d.ts queueShutdownHooks #1',
  'actors/jobs/registry/errors.d.ts ActiveWorker #1',
  'actors/jobs/registry/errors.d.ts RegistryUnavailableError #1',
  'actors/jobs/registry/errors.d.ts WorkerActiveError #1',
  'actors/jobs/registry/errors.d.ts WorkerStoppedError #1',
  'actors/jobs/registry/events.d.ts RegistryEventBus #1',
  'actors/jobs/registry/events.d.ts RegistryEvents #1',
  'actors/jobs/registry/http-handler.d.ts RegistryHttpHandler #1',
  'actors/jobs/registry/http-handler.d.ts RegistryHttpOptions #1',
  'actors/jobs/registry/http-handler.d.ts RegistryServer #1',
  'actors/jobs/registry/http-handler.d.ts createRegistryHttpHandler #1',
  'actors/jobs/registry/http-handler.d.ts startRegistryServer #1',
  'actors/jobs/registry/registry-actor.d.ts WorkerRegistryDefinition #1',
  'actors/jobs/registry/registry-client.d.ts RegistryClient #1',
  'actors/jobs/registry/registry-client.d.ts localRegistryClient #1',
  'actors/jobs/registry/schemas.d.ts RegisterRequestSchema #1',
  'actors/jobs/registry/schemas.d.ts RegistryMessages #1',
  'actors/jobs/registry/schemas.d.ts StopReasonSchema #1',
  'actors/jobs/registry/schemas.d.ts WorkerInstanceSchema #1',
  'actors/jobs/registry/schemas.d.ts WorkerRefSchema #1',
  'actors/jobs/registry/schemas.d.ts WorkerStatusSchema #1',
  'actors/jobs/registry/worker-client.d.ts WorkerClient #1',
  'actors/jobs/registry/worker-client.d.ts WorkerClientOptions #1',
  'actors/jobs/registry/worker-client.d.ts WorkerClientStatus #1',
  'actors/jobs/simulation/queue-scenarios.d.ts acknowledge #1',
  'actors/media/account.d.ts deriveAccount #1',
  'actors/media/cookie-source.d.ts CookieSource #1',
  'actors/media/download.d.ts Downloader #1',
  'actors/media/download.d.ts httpDownload #1',
  'actors/media/errors.d.ts ExtractFailedError #1',
  'actors/media/errors.d.ts InvalidMediaJobError #1',
  'actors/media/errors.d.ts TooLargeError #1',
  'actors/media/errors.d.ts TransportError #1',
  'actors/media/errors.d.ts TruncatedError #1',
  'actors/media/extract.d.ts Extractor #1',
  'actors/media/extract.d.ts pickCandidate #1',
  'actors/media/options.d.ts MediaPipelineOptions #1',
  'actors/media/options.d.ts MediaSteps #1',
  'actors/media/pipeline.d.ts MediaJobContext #1',
  'actors/media/pipeline.d.ts createMediaPipeline #1',
  'actors/media/pipeline.d.ts runMediaJob #1',
  'actors/media/queue-handler.d.ts MediaQueueHandler #1',
  'actors/media/safe-path.d.ts ensureDirUnder #1',
  'actors/media/safe-url.d.ts fetchHttp #1',
  'actors/media/signed-url.d.ts isReusable #1',
  'actors/media/strategies.d.ts reExtractStrategy #1',
  'actors/media/thumbnail.d.ts Thumbnailer #1',
  'actors/media/thumbnail.d.ts httpThumbnail #1',
  'cluster/cluster-ref.d.ts ClusterRef #1',
  'cluster/errors.d.ts ForwardFailedError #1',
  'cluster/errors.d.ts NotOwnerError #1',
  'cluster/errors.d.ts RemoteError #1',
  'cluster/lease-ownership.d.ts LeaseOwnership #1',
  'cluster/lease-ownership.d.ts LeaseOwnershipOptions #1',
  'cluster/leases.d.ts AcquireOutcome #1',
  'cluster/leases.d.ts Lease #1',
  'cluster/node-registry.d.ts NodeRegistry #1',
  'errors.d.ts ForbiddenError #1',
  'errors.d.ts InvalidConfigError #1',
  'errors.d.ts InvalidKeyError #1',
  'errors.d.ts NotFoundError #1',
  'errors.d.ts RefusalError #1',
  'errors.d.ts StateWriteRefusedError #1',
  'operator/dashboard.d.ts Dashboard #1',
  'operator/dashboard.d.ts DashboardOptions #1',
  'operator/default-domains.d.ts defaultDomains #1',
  'operator/domain.d.ts DomainAction #1',
  'operator/domain.d.ts DomainView #1',
  'operator/domains/workers.d.ts WorkersDomainOptions #1',
  'operator/domains/workers.d.ts workersDomain #1',
  'operator/prometheus.d.ts prometheusText #1',
  'persistence/errors.d.ts CommitOutcomeUnknownError #1',
  'persistence/errors.d.ts MigrationFailedError #1',
  'persistence/errors.d.ts RevisionConflictError #1',
  'persistence/errors.d.ts StoreCrashedError #1',
  'persistence/lock-file.d.ts LockOwner #1',
  'persistence/persistence-options.d.ts PersistenceOptions #1',
  'persistence/persistence.d.ts Persistence #1',
  'persistence/pg-fence.d.ts FencedError #1',
  'persistence/pg-fence.d.ts PgCommitOptions #1',
  'persistence/pg-store.d.ts PgStore #1',
  'persistence/retention.d.ts planRetention #1',
  'persistence/snapshot.d.ts DurableJsonFile #1',
  'persistence/types.d.ts GroupOutcome #1',
  'pools/errors.d.ts ChannelClosedError #1',
  'pools/errors.d.ts TaskCrashedError #1',
  'pools/errors.d.ts TaskCrashedErrorOptions #1',
  'pools/errors.d.ts TaskModuleError #1',
  'pools/errors.d.ts TaskTimeoutError #1',
  'pools/errors.d.ts ThreadRecycledError #1',
  'pools/in-process-pool.d.ts InProcessPool #1',
  'pools/piscina-pool.d.ts PiscinaPool #1',
  'pools/task.d.ts TaskChannel #1',
  'pools/task.d.ts TaskPool #1',
  'runtime/actor-context.d.ts ActorStatePort #1',
  'runtime/actor-context.d.ts Outcome #1',
  'runtime/actor-context.d.ts StartTaskOptions #1',
  'runtime/actor-system-options.d.ts ActorSystemOptions #1',
  'runtime/clock.d.ts TimerHandle #1',
  'runtime/define-actor.d.ts ActorPersistenceOptions #1',
  'runtime/define-actor.d.ts ActorSpec #1',
  'runtime/define-actor.d.ts Handlers #1',
  'runtime/define-actor.d.ts LifecycleHooks #1',
  'runtime/define-actor.d.ts PassivationOptions #1',
  'runtime/diagnostics.d.ts CommitMessage #1',
  'runtime/diagnostics.d.ts TurnMessage #1',
  'runtime/events.d.ts TerminatedNotice #1',
  'runtime/logger.d.ts Logger #1',
  'runtime/ports/ownership.d.ts CommitOptions #1',
  'runtime/ports/ownership.d.ts OwnershipPort #1',
  'runtime/ports/state.d.ts QueryOptions #1',
  'runtime/ports/state.d.ts RevisionEntry #1',
  'runtime/ports/state.d.ts StoredRecord #1',
  'runtime/ports/task-pool.d.ts RunTaskOptions #1',
  'runtime/ports/task-pool.d.ts TaskPoolIncident #1',
  'runtime/random.d.ts Random #1',
  'runtime/reminders/reminder-record.d.ts ReminderInfo #1',
  'runtime/reminders/reminder-service.d.ts ReminderOptions #1',
  'runtime/simulation-hooks.d.ts SimulationHooks #1',
  'runtime/simulator/errors.d.ts SimulatedFaultError #1',
  'runtime/simulator/errors.d.ts SimulationNondeterminismError #1',
  'runtime/simulator/expect.d.ts expectNoViolations #1',
  'runtime/simulator/explore.d.ts checkDeterminism #1',
  'runtime/simulator/explore.d.ts replay #1',
  'runtime/simulator/explore.d.ts replayLine #1',
  'runtime/simulator/explore.d.ts shrink #1',
  'runtime/simulator/real-world.d.ts RealRunResult #1',
  'runtime/simulator/scenario.d.ts Check #1',
  'runtime/simulator/scenario.d.ts CoverageThresholds #1',
  'runtime/simulator/scenario.d.ts FaultKind #1',
  'runtime/simulator/scenario.d.ts Goal #1',
  'runtime/simulator/scenario.d.ts Scenario #1',
  'runtime/simulator/scenario.d.ts ScenarioAction #1',
  'runtime/simulator/scenario.d.ts SimulatedPoolOptions #1',
  'runtime/simulator/scenario.d.ts defineScenario #1',
  'runtime/simulator/schedule-result.d.ts TraceStep #1',
  'runtime/simulator/schedule-result.d.ts hashTrace #1',
  'runtime/simulator/strategies.d.ts lazyTime #1',
  'runtime/simulator/strategies.d.ts pct #1',
  'runtime/simulator/strategies.d.ts portfolio #1',
  'runtime/simulator/strategies.d.ts randomWalk #1',
  'runtime/simulator/timeline.d.ts timeline #1',
  'runtime/simulator/world.d.ts IoOptions #1',
  'runtime/supervision.d.ts SupervisionOptions #1',
  'runtime/supervision.d.ts SupervisionStrategy #1',
];
const KNOWN_BROKEN_COUNT = 197;

interface Example {
  readonly id: string;
  readonly entry: string;
  readonly code: string;
}

/** `export { a, type B, c as d } from './x.js'` and `export * from './y.js'` of one .d.ts. */
function reexportsOf(file: string): { names: Map<string, { from: string; original: string }>; stars: string[] } {
  const source = readFileSync(file, 'utf8');
  const names = new Map<string, { from: string; original: string }>();
  for (const match of source.matchAll(/export\s+(?:type\s+)?\{([^}]*)\}\s*from\s*['"]([^'"]+)['"]/g)) {
    const from = resolve(dirname(file), (match[2] as string).replace(/\.js$/, '.d.ts'));
    for (const part of (match[1] as string).split(',')) {
      const words = part.trim().replace(/^type\s+/, '').split(/\s+as\s+/);
      const original = words[0]?.trim();
      const exported = (words[1] ?? words[0])?.trim();
      if (original && exported) names.set(exported, { from, original });
    }
  }
  const stars = [...source.matchAll(/export\s*\*\s*from\s*['"]([^'"]+)['"]/g)].map((match) => resolve(dirname(file), (match[1] as string).replace(/\.js$/, '.d.ts')));
  return { names, stars };
}

/** Every public name of an entry point, with the .d.ts that declares it. */
function publicNames(entryFile: string): Map<string, { file: string; name: string }> {
  const found = new Map<string, { file: string; name: string }>();
  const declares = (file: string, name: string) =>
    new RegExp(`^export\\s+(?:declare\\s+)?(?:abstract\\s+)?(?:function|class|const|let|interface|type|enum|namespace)\\s+${name}\\b`, 'm').test(readFileSync(file, 'utf8'));
  const locate = (file: string, name: string, depth = 0): { file: string; name: string } | undefined => {
    if (depth > 10 || !existsSync(file)) return undefined;
    if (declares(file, name)) return { file, name };
    const { names, stars } = reexportsOf(file);
    const hop = names.get(name);
    if (hop) return locate(hop.from, hop.original, depth + 1);
    for (const star of stars) {
      const hit = locate(star, name, depth + 1);
      if (hit) return hit;
    }
    return undefined;
  };
  const collect = (file: string) => {
    const { names, stars } = reexportsOf(file);
    for (const [exported, { from, original }] of names) {
      const hit = locate(from, original);
      if (hit) found.set(exported, hit);
    }
    for (const star of stars) for (const [name, hit] of publicNames(star)) if (!found.has(name)) found.set(name, hit);
  };
  collect(entryFile);
  return found;
}

/** The ```ts blocks of the JSDoc right before `export … name` in `file`. */
function blocksOf(file: string, name: string): string[] {
  const source = readFileSync(file, 'utf8');
  const declaration = new RegExp(`/\\*\\*((?:(?!\\*/)[\\s\\S])*)\\*/\\s*export\\s+(?:declare\\s+)?(?:abstract\\s+)?(?:function|class|const|let|interface|type|enum|namespace)\\s+${name}\\b`, 'g');
  const blocks = new Set<string>();
  for (const match of source.matchAll(declaration)) {
    const doc = (match[1] as string)
      .split('\n')
      .map((line) => line.replace(/^\s*\* ?/, ''))
      .join('\n');
    for (const block of doc.matchAll(/```ts\n([\s\S]*?)```/g)) blocks.add(block[1] as string);
  }
  return [...blocks];
}

const ENTRIES: ReadonlyArray<{ specifier: string; file: string }> = Object.entries(
  (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { exports: Record<string, { types?: string }> }).exports,
)
  .filter(([, target]) => typeof target === 'object' && target.types)
  .map(([key, target]) => ({ specifier: key === '.' ? 'steward' : `steward/${key.slice(2)}`, file: join(ROOT, target.types as string) }));

function collectExamples(): { examples: Example[]; fragments: Array<{ id: string; reason: string }>; names: Map<string, Set<string>> } {
  const names = new Map<string, Set<string>>();
  const examples: Example[] = [];
  const fragments: Array<{ id: string; reason: string }> = [];
  const seen = new Set<string>();
  for (const entry of ENTRIES) {
    const exported = publicNames(entry.file);
    names.set(entry.specifier, new Set(exported.keys()));
    for (const { file, name } of exported.values()) {
      const blocks = blocksOf(file, name);
      blocks.forEach((code, index) => {
        const id = `${relative(DIST, file).split('\\').join('/')} ${name} #${index + 1}`;
        if (seen.has(id)) return;
        seen.add(id);
        const fragment = /^\s*\/\/ fragment:(.*)/.exec(code);
        if (fragment) fragments.push({ id, reason: (fragment[1] as string).trim() });
        else examples.push({ id, entry: entry.specifier, code });
      });
    }
  }
  return { examples, fragments, names };
}

/** The module for one example: imports of every public name (its own entry first), the free identifiers, the block. */
function moduleFor(example: Example, names: Map<string, Set<string>>): { text: string; preambleLines: number } {
  const own = new Set<string>();
  for (const match of example.code.matchAll(/^\s*import\s+(?:type\s+)?\{([^}]*)\}\s*from/gm)) {
    for (const part of (match[1] as string).split(',')) {
      const local = part.trim().replace(/^type\s+/, '').split(/\s+as\s+/).at(-1)?.trim();
      if (local) own.add(local);
    }
  }
  for (const match of example.code.matchAll(/^\s*import\s+(?:\*\s+as\s+)?(\w+)\s+from/gm)) own.add(match[1] as string);
  // Names the block declares itself at top level shadow nothing: they are left out of the preamble.
  for (const match of example.code.matchAll(/^(?:export\s+)?(?:declare\s+)?(?:const|let|var|function\*?|async\s+function|class|interface|type|enum|(?:await\s+)?using)\s+(\w+)/gm)) {
    own.add(match[1] as string);
  }
  for (const match of example.code.matchAll(/^(?:const|let|var|(?:await\s+)?using)\s*[{[]([^=]*)[}\]]\s*=/gm)) {
    for (const part of (match[1] as string).split(',')) {
      const local = part.split(':').at(-1)?.replace(/=.*$/, '').replace(/\.\.\./, '').trim();
      if (local && /^\w+$/.test(local)) own.add(local);
    }
  }
  const taken = new Set(own);
  const lines: string[] = [];
  if (!taken.has('z')) {
    lines.push("import { z } from 'zod';");
    taken.add('z');
  }
  const order = [example.entry, ...[...names.keys()].filter((entry) => entry !== example.entry)];
  for (const entry of order) {
    const fresh = [...(names.get(entry) ?? [])].filter((name) => !taken.has(name));
    fresh.forEach((name) => taken.add(name));
    if (fresh.length > 0) lines.push(`import { ${fresh.join(', ')} } from '${entry}';`);
  }
  const free = FREE_IDENTIFIERS.trim()
    .split('\n')
    .filter((line) => !own.has(/declare const (\w+)/.exec(line)?.[1] ?? ''));
  lines.push(...free, `// ${example.id}`);
  const imports = example.code.split('\n').filter((line) => /^import\s/.test(line));
  const body = example.code.split('\n').filter((line) => !/^import\s/.test(line));
  const header = [...imports, ...lines];
  return { text: [...header, ...body, 'export {};', ''].join('\n'), preambleLines: header.length };
}

describe('TSDoc @example blocks of the public exports', () => {
  const work = join(ROOT, 'dist', `.tsdoc-examples-${process.pid}`);
  let collected: ReturnType<typeof collectExamples>;
  let failing: Map<string, string[]>;

  beforeAll(async () => {
    if (!existsSync(join(DIST, 'index.d.ts'))) throw new Error('dist/ is missing: run `npm run build` first');
    collected = collectExamples();
    await rm(work, { recursive: true, force: true });
    await mkdir(work, { recursive: true });
    const files = new Map<string, { example: Example; preambleLines: number }>();
    await Promise.all(
      collected.examples.map(async (example, index) => {
        const name = `example-${String(index).padStart(4, '0')}.ts`;
        const { text, preambleLines } = moduleFor(example, collected.names);
        files.set(name, { example, preambleLines });
        await writeFile(join(work, name), text);
      }),
    );
    const compilerOptions = {
      target: 'ES2022',
      lib: ['ES2022', 'ESNext.Disposable', 'DOM'],
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      strict: true,
      noUncheckedIndexedAccess: true,
      exactOptionalPropertyTypes: true,
      skipLibCheck: true,
      noEmit: true,
      types: ['node'],
      typeRoots: [join(ROOT, 'node_modules/@types')],
    };
    await writeFile(join(work, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: [...files.keys()] }, null, 2));
    const output = await run(TSC, ['-p', 'tsconfig.json', '--pretty', 'false'], { cwd: work, maxBuffer: 64 * 1024 * 1024 }).then(
      ({ stdout }) => stdout,
      (error: { stdout?: string }) => error.stdout ?? String(error),
    );
    failing = new Map();
    for (const match of output.matchAll(/^(example-\d+\.ts)\((\d+),\d+\): (error TS\d+: .*)$/gm)) {
      const file = files.get(match[1] as string);
      if (!file) continue;
      const line = Number(match[2]) - file.preambleLines;
      const list = failing.get(file.example.id) ?? [];
      list.push(`line ${line}: ${match[3] as string}`);
      failing.set(file.example.id, list);
    }
  }, 300_000);

  afterAll(async () => {
    // To read the generated modules while fixing examples: STEWARD_KEEP_TSDOC_EXAMPLES=1.
    if (process.env['STEWARD_KEEP_TSDOC_EXAMPLES'] === '1') return;
    await rm(work, { recursive: true, force: true });
  });

  it('finds the public examples it checks, in every entry point', () => {
    expect(collected.examples.length).toBeGreaterThan(100);
    expect(collected.examples.map((example) => example.id)).toContain('runtime/define-actor.d.ts defineActor #1');
    expect(new Set(collected.examples.map((example) => example.entry)).size).toBe(ENTRIES.length);
  });

  it('compiles every example not marked a fragment (except the listed ones, a list that only shrinks)', () => {
    const unexpected = [...failing].filter(([id]) => !KNOWN_BROKEN.includes(id)).map(([id, errors]) => `${id}\n  ${errors.join('\n  ')}`);
    expect(unexpected).toEqual([]);
    const fixed = KNOWN_BROKEN.filter((id) => !failing.has(id));
    expect(fixed).toEqual([]);
    expect(KNOWN_BROKEN.length).toBe(KNOWN_BROKEN_COUNT);
  });

  it('gives every fragment a reason', () => {
    expect(collected.fragments.filter(({ reason }) => reason.length < 10)).toEqual([]);
  });
});
