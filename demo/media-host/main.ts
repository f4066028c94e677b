/**
 * `node dist/demo/media-host/main.js`: runs the local media host in a process
 * of its own (as a real CDN is) and prints its URL as the first line of stdout.
 * Exits when stdin closes, so it never outlives the process that started it.
 */
import { startMediaHost } from './server.js';

const host = await startMediaHost();
process.stdout.write(`${host.url}\n`);
process.stdin.resume();
process.stdin.on('end', () => void host.close().then(() => process.exit(0)));
