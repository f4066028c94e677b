import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../..', import.meta.url));

describe('the README cookie example (examples/cookie-rotation.ts, compiled)', () => {
  it('rotates two services side by side, the second request joining the first', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['dist/examples/cookie-rotation.js'], { cwd: root });
    const [shop, forum] = stdout.trim().split('\n');
    expect(shop).toMatch(/^shop-ann attempt 1: success, joined: true, keys sid#[0-9a-f]{12}$/);
    expect(forum).toBe('forum-bob: success; monitor stopped');
  });
});
