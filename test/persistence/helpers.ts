/**
 * Test helpers: temp data directories that are removed after each test, and
 * child processes (compiled fixtures) whose stdout is read line by line.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const created: string[] = [];
const children = new Set<ChildProcess>();

/** A fresh empty directory, removed by {@link cleanup}. */
export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'steward-persistence-'));
  created.push(dir);
  return dir;
}

/** Kills leftover children and removes temp directories; call in afterEach. */
export async function cleanup(): Promise<void> {
  await Promise.all([...children].map(async (child) => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
    }
  }));
  children.clear();
  await Promise.all(created.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
}

/** Path of a compiled fixture (`npx tsc -p tsconfig.json` builds them). */
export function fixture(name: string): string {
  return fileURLToPath(new URL(`../../dist/test/persistence/fixtures/${name}.js`, import.meta.url));
}

/** A running fixture process with its stdout as lines. */
export interface FixtureProcess {
  readonly child: ChildProcess;
  /** Calls `onLine` for every stdout line until the process exits. */
  onLine(listener: (line: string) => void): void;
  /** Resolves with the first line satisfying `match`. */
  waitFor(match: (line: string) => boolean): Promise<string>;
  /** Resolves when the process has exited (and its stdout is fully read). */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `node <fixture> ...args` with piped stdio. */
export function startFixture(name: string, args: readonly string[]): FixtureProcess {
  const child = spawn(process.execPath, [fixture(name), ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  children.add(child);
  const listeners = new Set<(line: string) => void>();
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  lines.on('line', (line) => {
    for (const listener of [...listeners]) listener(line);
  });
  const stdoutClosed = new Promise<void>((resolve) => lines.once('close', resolve));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      void stdoutClosed.then(() => resolve({ code, signal }));
    });
  });
  return {
    child,
    onLine: (listener) => listeners.add(listener),
    waitFor: (match) =>
      new Promise<string>((resolve, reject) => {
        const listener = (line: string): void => {
          if (!match(line)) return;
          listeners.delete(listener);
          resolve(line);
        };
        listeners.add(listener);
        void exited.then(({ code, signal }) => reject(new Error(`fixture ${name} exited (${code ?? signal}) before the expected line; stderr: ${stderr}`)));
      }),
    exited,
  };
}
