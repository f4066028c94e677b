import { afterEach, describe, expect, it } from 'vitest';
import { createCookActors, createCookWebhook, createHttpSubmitter } from '../../../src/actors/cook/index.js';
import { ActorSystem, realClock, VirtualClock } from '../../../src/index.js';
import { MemoryStore, Persistence } from '../../../src/persistence/index.js';
import { shutdown } from '../../fixtures/shutdown.js';
import { signed, TEST_WEBHOOK_SECRET } from './service/helpers.js';

let system: ActorSystem | undefined;
afterEach(async () => {
  await shutdown(system);
  system = undefined;
});

describe('createCookWebhook', () => {
  it("checks the replay window on the system's clock", async () => {
    const clock = new VirtualClock(Date.UTC(2031, 0, 1));
    system = new ActorSystem({ clock, persistence: new Persistence(new MemoryStore()) });
    // No delivery below reaches a cook, so the submitter is never called.
    const { Cook } = createCookActors({ submitter: createHttpSubmitter({ baseUrl: 'http://127.0.0.1:9' }) });
    const webhook = createCookWebhook(system, Cook, { secret: TEST_WEBHOOK_SECRET });
    const foreign = { jobId: 'not-a-cook-job', success: false, error: 'x' };
    expect(await webhook(signed(foreign, TEST_WEBHOOK_SECRET, clock.now()))).toEqual({ status: 200, body: { ok: true, jobId: 'not-a-cook-job' } });
    expect(await webhook(signed(foreign, TEST_WEBHOOK_SECRET, realClock.now()))).toMatchObject({ status: 401, body: { error: { code: 'ERR_WEBHOOK_SIGNATURE' } } });
  });
});
