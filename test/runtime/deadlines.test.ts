import { describe, expect, it } from 'vitest';
import { Deadlines } from '../../src/runtime/deadlines.js';
import { VirtualClock } from '../../src/runtime/virtual-clock.js';

describe('Deadlines', () => {
  it('fires each deadline once, in due order, with one clock timer per timeout length', () => {
    const clock = new VirtualClock();
    const deadlines = new Deadlines(clock);
    const fired: string[] = [];
    deadlines.add(100, () => fired.push('a@100'));
    clock.advance(30);
    deadlines.add(100, () => fired.push('b@130'));
    deadlines.add(50, () => fired.push('c@80'));
    expect(clock.pendingTimers).toBe(2);
    clock.advance(200);
    expect(fired).toEqual(['c@80', 'a@100', 'b@130']);
    expect(clock.pendingTimers).toBe(0);
  });

  it('never fires a removed deadline, and re-arms for the next one when the head goes', () => {
    const clock = new VirtualClock();
    const deadlines = new Deadlines(clock);
    const fired: string[] = [];
    const a = deadlines.add(100, () => fired.push('a'));
    clock.advance(10);
    const b = deadlines.add(100, () => fired.push('b'));
    clock.advance(10);
    deadlines.add(100, () => fired.push('c'));
    deadlines.remove(a);
    deadlines.remove(b);
    deadlines.remove(b); // twice is harmless
    clock.advance(99);
    expect(fired).toEqual([]);
    clock.advance(1);
    expect(fired).toEqual(['c']);
  });

  it('keeps the timer of a removed last deadline, which then fires empty and goes', () => {
    const clock = new VirtualClock();
    const deadlines = new Deadlines(clock);
    const only = deadlines.add(5, () => {
      throw new Error('must not fire');
    });
    deadlines.remove(only);
    expect(clock.pendingTimers).toBe(1); // back-to-back add/remove pairs reuse it instead of setting a timer each
    const next = deadlines.add(5, () => {
      throw new Error('must not fire either');
    });
    deadlines.remove(next);
    expect(clock.pendingTimers).toBe(1);
    clock.advance(10);
    expect(clock.pendingTimers).toBe(0);
  });
});

describe('Deadlines without an end', () => {
  it('sets no timer for an Infinity deadline, and forgets its lane once it is removed', () => {
    const clock = new VirtualClock();
    const deadlines = new Deadlines(clock);
    const never = deadlines.add(Infinity, () => {
      throw new Error('must not fire');
    });
    expect(clock.pendingTimers).toBe(0);
    clock.advance(2 ** 40);
    deadlines.remove(never);
    expect(clock.pendingTimers).toBe(0);
  });
});
