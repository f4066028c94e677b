/**
 * Spawns cluster node processes (fixtures/cluster-node.ts, compiled) and
 * reads their output line by line; every process a test starts is killed in
 * {@link NodeProcesses.killAll}.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const NODE_FIXTURE = fileURLToPath(new URL('../../dist/test/cluster/fixtures/cluster-node.js', import.meta.url));
/** The node that runs cooks (fixtures/cook-node.ts, compiled). */
export const COOK_NODE_FIXTURE = fileURLToPath(new URL('../../dist/test/cluster/fixtures/cook-node.js', import.meta.url));

/** One node process and what it printed. */
export class NodeProcess {
  readonly lines: string[] = [];
  /** What it printed on stderr (one line per failed request, and crashes). */
  readonly errors: string[] = [];
  readonly exited: Promise<void>;
  #waiters: Array<() => void> = [];

  constructor(
    readonly id: string,
    readonly child: ChildProcess,
  ) {
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      this.lines.push(line);
      for (const wake of this.#waiters.splice(0)) wake();
    });
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
  }

  send(command: string): void {
    this.child.stdin?.write(`${command}\n`);
  }

  /** Resolves with the first line starting with `prefix` (from line `from` on); rejects if the process exits first. */
  async line(prefix: string, from = 0): Promise<string> {
    for (;;) {
      const found = this.lines.slice(from).find((line) => line.startsWith(prefix));
      if (found !== undefined) return found;
      const next = new Promise<void>((resolve) => this.#waiters.push(resolve));
      if ((await Promise.race([next.then(() => 'line'), this.exited.then(() => 'exit')])) === 'exit') {
        const late = this.lines.slice(from).find((line) => line.startsWith(prefix));
        if (late !== undefined) return late;
        throw new Error(`${this.id} exited before printing '${prefix}':\n${this.lines.slice(-20).join('\n')}`);
      }
    }
  }

  /** Every `ack <key> <count>` it printed, as the highest acknowledged count per key. */
  acked(): Map<string, number> {
    const acked = new Map<string, number>();
    for (const line of this.lines) {
      if (!line.startsWith('ack ')) continue;
      const [, key, count] = line.split(' ') as [string, string, string];
      acked.set(key, Math.max(acked.get(key) ?? 0, Number(count)));
    }
    return acked;
  }
}

/** The node processes of one test. */
export class NodeProcesses {
  readonly #all: NodeProcess[] = [];

  /** Starts node `id` on `schema` (the counter fixture, unless another and its extra arguments are given) and waits until it is ready. */
  async start(url: string, schema: string, id: string, ttlMs: number, fixture: { path: string; args: readonly string[] } = { path: NODE_FIXTURE, args: [] }): Promise<NodeProcess> {
    const child = spawn(process.execPath, [fixture.path, url, schema, id, String(ttlMs), ...fixture.args], { stdio: ['pipe', 'pipe', 'pipe'] });
    const node = new NodeProcess(id, child);
    createInterface({ input: child.stderr as NodeJS.ReadableStream }).on('line', (line) => node.errors.push(line));
    this.#all.push(node);
    await node.line('ready ');
    return node;
  }

  async killAll(): Promise<void> {
    for (const node of this.#all.splice(0)) {
      if (node.child.exitCode !== null || node.child.signalCode !== null) continue;
      node.child.kill('SIGCONT');
      node.child.kill('SIGKILL');
      await node.exited;
    }
  }
}
