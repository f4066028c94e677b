import { describe, expect, it } from 'vitest';
import { Mailbox, type MailboxDriver, type MailboxOptions } from '../../src/mailbox/index.js';
import { flush } from '../fixtures/flush.js';

function recording(options: MailboxOptions = {}, process?: (message: string) => void | Promise<void>) {
  const seen: string[] = [];
  const driver: MailboxDriver<string> = {
    schedule: (drain) => queueMicrotask(drain),
    process: (message) => {
      seen.push(message);
      return process?.(message);
    },
  };
  return { mailbox: new Mailbox(driver, options), seen };
}

describe('Mailbox', () => {
  it('delivers in FIFO order', async () => {
    const { mailbox, seen } = recording();
    for (const m of ['a', 'b', 'c']) mailbox.post(m);
    expect(mailbox.depth).toBe(3);
    await flush();
    expect(seen).toEqual(['a', 'b', 'c']);
    expect(mailbox.depth).toBe(0);
  });

  it('hands out the next message only after the previous one settled', async () => {
    let release!: () => void;
    const { mailbox, seen } = recording({}, (m) => (m === 'slow' ? new Promise<void>((r) => (release = r)) : undefined));
    mailbox.post('slow');
    mailbox.post('next');
    await flush();
    expect(seen).toEqual(['slow']);
    expect(mailbox.busy).toBe(true);
    release();
    await flush();
    expect(seen).toEqual(['slow', 'next']);
  });

  it('lets the system lane overtake queued user messages', async () => {
    const { mailbox, seen } = recording();
    mailbox.suspend();
    mailbox.post('user-1');
    mailbox.post('user-2');
    mailbox.postSystem('stop');
    mailbox.resume();
    await flush();
    expect(seen).toEqual(['stop', 'user-1', 'user-2']);
  });

  it('hands out self and user messages in the order they arrived: an owner busy with its own outcomes cannot starve its callers', async () => {
    const { mailbox, seen } = recording();
    mailbox.suspend();
    mailbox.post('user-1');
    mailbox.postSelf('self-1');
    mailbox.post('user-2');
    mailbox.postSelf('self-2');
    mailbox.postSelf('self-3');
    mailbox.post('user-3');
    mailbox.postSystem('stop');
    mailbox.resume();
    await flush();
    expect(seen).toEqual(['stop', 'user-1', 'self-1', 'user-2', 'self-2', 'self-3', 'user-3']);
  });

  it('keeps arrival order when drop-oldest or takeAll removed user messages', async () => {
    const { mailbox, seen } = recording({ capacity: 1, overflow: 'drop-oldest' });
    mailbox.suspend();
    mailbox.post('a');
    mailbox.postSelf('s1');
    mailbox.post('b'); // drops 'a'
    mailbox.postSelf('s2');
    mailbox.resume();
    await flush();
    expect(seen).toEqual(['s1', 'b', 's2']);
    mailbox.suspend();
    mailbox.post('c');
    mailbox.postSelf('s3');
    expect(mailbox.takeAll()).toEqual(['c', 's3']);
    mailbox.postSelf('s4');
    mailbox.post('d');
    mailbox.resume();
    await flush();
    expect(seen).toEqual(['s1', 'b', 's2', 's4', 'd']);
  });

  it('never bounds the self lane', () => {
    const { mailbox } = recording({ capacity: 1, overflow: 'reject' });
    mailbox.suspend();
    mailbox.post('a');
    mailbox.postSelf('s1');
    mailbox.postSelf('s2');
    expect(mailbox.post('b').accepted).toBe(false);
    expect(mailbox.depth).toBe(3);
    expect(mailbox.userDepth).toBe(1);
  });

  it('reject: refuses the newest message when full', () => {
    const { mailbox } = recording({ capacity: 2, overflow: 'reject' });
    mailbox.suspend();
    expect(mailbox.post('a').accepted).toBe(true);
    expect(mailbox.post('b').accepted).toBe(true);
    expect(mailbox.post('c')).toEqual({ accepted: false, dropped: 'c' });
    expect(mailbox.depth).toBe(2);
  });

  it('drop-oldest: accepts the new message and hands back the oldest', async () => {
    const { mailbox, seen } = recording({ capacity: 2, overflow: 'drop-oldest' });
    mailbox.suspend();
    mailbox.post('a');
    mailbox.post('b');
    expect(mailbox.post('c')).toEqual({ accepted: true, dropped: 'a' });
    mailbox.resume();
    await flush();
    expect(seen).toEqual(['b', 'c']);
  });

  it('drop-newest: keeps what is queued and hands back the new message', async () => {
    const { mailbox, seen } = recording({ capacity: 2, overflow: 'drop-newest' });
    mailbox.suspend();
    mailbox.post('a');
    mailbox.post('b');
    expect(mailbox.post('c')).toEqual({ accepted: false, dropped: 'c' });
    mailbox.resume();
    await flush();
    expect(seen).toEqual(['a', 'b']);
  });

  it('never bounds the system lane', () => {
    const { mailbox } = recording({ capacity: 1 });
    mailbox.suspend();
    mailbox.post('a');
    mailbox.postSystem('s1');
    mailbox.postSystem('s2');
    expect(mailbox.depth).toBe(3);
    expect(mailbox.takeAll()).toEqual(['s1', 's2', 'a']);
    expect(mailbox.depth).toBe(0);
  });

  it('yields after its budget so one busy owner cannot hog the scheduler', () => {
    const drains: (() => void)[] = [];
    const seen: number[] = [];
    const mailbox = new Mailbox<number>({ schedule: (drain) => drains.push(drain), process: (m) => void seen.push(m) }, {}, 2);
    for (let i = 0; i < 5; i++) mailbox.post(i);
    drains.shift()?.();
    expect(seen).toEqual([0, 1]);
    drains.shift()?.();
    drains.shift()?.();
    expect(seen).toEqual([0, 1, 2, 3, 4]);
  });
});
