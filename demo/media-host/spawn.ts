/**
 * Starts the media host in a child process and hands back its URL; used by
 * the benchmark so serving the bytes does not share the measured event loop.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

/** A media host in a child process. */
export interface SpawnedMediaHost {
  readonly url: string;
  postUrl(id: string, query?: Record<string, string | number>): string;
  close(): Promise<void>;
}

/** Spawns `main.js` (compiled) and waits for the URL it prints. */
export async function spawnMediaHost(): Promise<SpawnedMediaHost> {
  const child = spawn(process.execPath, [fileURLToPath(new URL('./main.js', import.meta.url))], { stdio: ['pipe', 'pipe', 'inherit'] });
  let buffered = '';
  child.stdout.setEncoding('utf8');
  while (!buffered.includes('\n')) {
    const [chunk] = (await once(child.stdout, 'data')) as [string];
    buffered += chunk;
  }
  const url = buffered.split('\n')[0]!;
  return {
    url,
    postUrl: (id, query = {}) => {
      const search = new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)])).toString();
      return `${url}/post/${encodeURIComponent(id)}${search ? `?${search}` : ''}`;
    },
    async close() {
      const exited = once(child, 'exit');
      child.stdin.end();
      await exited;
    },
  };
}
