import { describe, expect, it } from 'vitest';
import {
  decide,
  prunable,
  slotShare,
  type LimiterSettings,
  type LimiterState,
} from './limiter-state.ts';

const settings = (overrides: Partial<LimiterSettings> = {}): LimiterSettings => ({
  intervalMs: 100,
  toleranceMs: 0,
  catchUpMs: 0,
  staleMs: 3_000,
  refreshEveryMs: 1_000,
  graceMs: 50,
  slotPollMs: 100,
  ...overrides,
});

const state = (parts: Partial<LimiterState> = {}): LimiterState => ({
  served: new Map(),
  waiting: new Map(),
  slots: new Map(),
  ...parts,
});

const NOW = 1_000_000;
const first = (): number => 0;

describe('decide', () => {
  it('takes a due token and moves the schedule one interval past now or past the last', () => {
    expect(decide(state(), NOW, 'p', ['a'], settings(), first)).toEqual({
      kind: 'take',
      jobId: 'a',
      newTat: NOW + 100,
    });
    // Idle for long: the schedule restarts at now (no tokens saved beyond the burst).
    expect(decide(state({ tat: NOW - 60_000 }), NOW, 'p', ['a'], settings(), first)).toMatchObject({
      newTat: NOW + 100,
    });
    // Busy: exactly one interval after the previous request.
    expect(decide(state({ tat: NOW }), NOW, 'p', ['a'], settings(), first)).toMatchObject({
      newTat: NOW + 100,
    });
  });

  it('keeps the schedule when a request is taken a little late, and starts afresh when much later', () => {
    const late = settings({ catchUpMs: 50 });
    // 30 ms late (waking and reading took that long): the next is still due at tat + interval.
    expect(decide(state({ tat: NOW - 30 }), NOW, 'p', ['a'], late, first)).toMatchObject({
      newTat: NOW - 30 + 100,
    });
    // Idle: no requests saved up, the next is due one interval from now.
    expect(decide(state({ tat: NOW - 80 }), NOW, 'p', ['a'], late, first)).toMatchObject({
      newTat: NOW + 100,
    });
  });

  it('waits until the next token is due, earlier with a burst tolerance', () => {
    expect(decide(state({ tat: NOW + 70 }), NOW, 'p', ['a'], settings(), first)).toMatchObject({
      kind: 'wait',
      until: NOW + 70,
    });
    const burst = settings({ toleranceMs: 200 });
    expect(decide(state({ tat: NOW + 170 }), NOW, 'p', ['a'], burst, first)).toMatchObject({
      kind: 'take',
      newTat: NOW + 270,
    });
  });

  it('gives the due token to the least recently served waiting job, then to anyone after the grace', () => {
    const busy = state({
      tat: NOW,
      served: new Map([
        ['big', NOW - 100],
        ['small', NOW - 200],
      ]),
      waiting: new Map([['other', { seenAt: NOW - 500, jobs: ['small'] }]]),
    });
    // 'small' waits in another process and was served longer ago: not big's turn.
    expect(decide(busy, NOW, 'p', ['big'], settings(), first)).toMatchObject({
      kind: 'wait',
      until: NOW + 50,
    });
    expect(decide(busy, NOW + 50, 'p', ['big'], settings(), first)).toMatchObject({
      kind: 'take',
      jobId: 'big',
    });
    // A process with both picks the one whose turn it is.
    expect(decide(busy, NOW, 'p', ['big', 'small'], settings(), first)).toMatchObject({
      kind: 'take',
      jobId: 'small',
    });
    // A job never served (arriving late) goes first.
    expect(decide(busy, NOW, 'p', ['new'], settings(), first)).toMatchObject({
      kind: 'take',
      jobId: 'new',
    });
  });

  it('ignores the waiting entries of processes that stopped renewing them', () => {
    const dead = state({
      tat: NOW,
      served: new Map([['big', NOW - 100]]),
      waiting: new Map([['gone', { seenAt: NOW - 3_001, jobs: ['small'] }]]),
    });
    expect(decide(dead, NOW, 'p', ['big'], settings(), first)).toMatchObject({ kind: 'take' });
  });

  it('takes a free or expired slot below the cap, and waits while every slot is held', () => {
    const { intervalMs: _rateless, ...rest } = settings({ maxConcurrency: 2 });
    const limits: LimiterSettings = rest;
    const held = (leaseUntil: number) => ({ holder: 'h', leaseUntil, jobId: 'x' });
    const full = state({
      slots: new Map([
        [0, held(NOW + 5_000)],
        [1, held(NOW + 30)],
        [2, held(NOW - 1)],
      ]),
    });
    expect(decide(full, NOW, 'p', ['a'], limits, first)).toMatchObject({
      kind: 'wait',
      until: NOW + 30,
    });
    expect(decide(full, NOW + 31, 'p', ['a'], limits, first)).toEqual({
      kind: 'take',
      jobId: 'a',
      slot: 1,
    });
  });

  it('leaves a freed slot to the job whose turn it is for the grace, then to anyone', () => {
    const { intervalMs: _rateless, ...rest } = settings({ maxConcurrency: 1, graceMs: 150 });
    const limits: LimiterSettings = rest;
    const freed = state({
      served: new Map([
        ['big', NOW - 100],
        ['small', NOW - 200],
      ]),
      waiting: new Map([['other', { seenAt: NOW, jobs: ['small'] }]]),
      slots: new Map([[0, { leaseUntil: NOW - 100 }]]),
    });
    expect(decide(freed, NOW, 'p', ['big'], limits, first)).toMatchObject({
      kind: 'wait',
      until: NOW + 50,
    });
    expect(decide(freed, NOW + 50, 'p', ['big'], limits, first)).toMatchObject({
      kind: 'take',
      slot: 0,
    });
  });

  it('asks to renew its waiting entry when missing, old or listing other jobs', () => {
    const mine = (seenAt: number, jobs: string[]) =>
      state({ tat: NOW + 500, waiting: new Map([['p', { seenAt, jobs }]]) });
    const refresh = (s: LimiterState, jobs: string[]) =>
      decide(s, NOW, 'p', jobs, settings(), first);
    expect(refresh(state({ tat: NOW + 500 }), ['a'])).toMatchObject({ refresh: true });
    expect(refresh(mine(NOW - 100, ['a']), ['a'])).toMatchObject({ refresh: false });
    expect(refresh(mine(NOW - 1_001, ['a']), ['a'])).toMatchObject({ refresh: true });
    expect(refresh(mine(NOW - 100, ['a']), ['a', 'b'])).toMatchObject({ refresh: true });
    // A long wait is cut to the renewal period.
    expect(refresh(mine(NOW - 100, ['a']), ['a'])).toMatchObject({ until: NOW + 500 });
    expect(decide(state({ tat: NOW + 60_000 }), NOW, 'p', ['a'], settings(), first)).toMatchObject({
      until: NOW + 1_000,
    });
  });
});

describe('prunable', () => {
  it('removes dead processes, jobs nobody waits for, and expired slots above the cap', () => {
    const s = state({
      served: new Map([
        ['done', NOW - 10_000],
        ['waiting', NOW - 10_000],
        ['recent', NOW - 100],
        ['mine', NOW - 10_000],
      ]),
      waiting: new Map([
        ['alive', { seenAt: NOW - 100, jobs: ['waiting'] }],
        ['dead', { seenAt: NOW - 10_000, jobs: ['done'] }],
      ]),
      slots: new Map([
        [0, { holder: 'h', leaseUntil: NOW - 1, jobId: 'x' }],
        [5, { holder: 'h', leaseUntil: NOW - 1, jobId: 'x' }],
        [6, { holder: 'h', leaseUntil: NOW + 1, jobId: 'x' }],
      ]),
    });
    expect(prunable(s, NOW, 'p', new Set(['mine']), settings({ maxConcurrency: 2 }))).toEqual({
      waiting: ['dead'],
      served: ['done'],
      slots: [5],
    });
  });
});

describe('slotShare', () => {
  /** One live slot of `job` per name given, held by that process. */
  const slots = (...holders: string[]): LimiterState['slots'] =>
    new Map(
      holders.map((process, n) => [
        n,
        { holder: `h-${String(n)}`, leaseUntil: NOW + 5_000, jobId: 'job', process },
      ]),
    );
  const waiting = (...processes: string[]): LimiterState['waiting'] =>
    new Map(processes.map((p) => [p, { seenAt: NOW - 100, jobs: ['job'] }]));

  it('is the whole cap for a process alone on the job', () => {
    expect(slotShare(state(), NOW, 'me', 'job', 10, 3_000)).toMatchObject({
      processes: 1,
      floor: 10,
      ceil: 10,
      othersShort: false,
    });
  });

  it('splits the cap between the processes holding or waiting for the job', () => {
    // me holds 4, b holds 3, c waits with 3: 10 between three.
    const share = slotShare(
      state({
        slots: slots('me', 'me', 'me', 'me', 'b', 'b', 'b', 'c', 'c', 'c'),
        waiting: waiting('b', 'c'),
      }),
      NOW,
      'me',
      'job',
      10,
      3_000,
    );
    expect(share).toMatchObject({ processes: 3, floor: 3, ceil: 4, othersShort: false });
  });

  it('says when another waiting process has less than the even part', () => {
    const share = slotShare(
      state({
        slots: slots('me', 'me', 'me', 'me', 'me', 'b', 'b', 'b', 'b'),
        waiting: waiting('b', 'c'),
      }),
      NOW,
      'me',
      'job',
      9,
      3_000,
    );
    expect(share).toMatchObject({ floor: 3, ceil: 3, othersShort: true });
  });

  it('says when another process holds more than the even part, or holds slots it no longer waits for', () => {
    const over = slotShare(
      state({ slots: slots('b', 'b', 'b', 'b', 'b', 'b'), waiting: waiting('b') }),
      NOW,
      'me',
      'job',
      10,
      3_000,
    );
    expect(over).toMatchObject({ floor: 5, othersOver: true, othersIdle: false });
    const idle = slotShare(state({ slots: slots('b') }), NOW, 'me', 'job', 10, 3_000);
    expect(idle).toMatchObject({ othersOver: false, othersIdle: true });
  });

  it('leaves a process that waits for no more what it holds, and splits the rest', () => {
    // b's last requests hold 2 slots; c holds 3 and waits: the other 8 between me and c.
    const share = slotShare(
      state({ slots: slots('b', 'b', 'c', 'c', 'c'), waiting: waiting('c') }),
      NOW,
      'me',
      'job',
      10,
      3_000,
    );
    expect(share).toMatchObject({ processes: 3, floor: 4, ceil: 4, othersIdle: true });
    // b gives one back: 9 between me and c.
    const later = slotShare(
      state({ slots: slots('b', 'c', 'c', 'c'), waiting: waiting('c') }),
      NOW,
      'me',
      'job',
      10,
      3_000,
    );
    expect(later).toMatchObject({ floor: 4, ceil: 5 });
  });

  it('ignores other jobs, stale entries and expired leases', () => {
    const share = slotShare(
      state({
        slots: new Map([
          [0, { holder: 'x', leaseUntil: NOW + 5_000, jobId: 'other', process: 'b' }],
          [1, { holder: 'y', leaseUntil: NOW - 1, jobId: 'job', process: 'c' }],
        ]),
        waiting: new Map([['d', { seenAt: NOW - 10_000, jobs: ['job'] }]]),
      }),
      NOW,
      'me',
      'job',
      10,
      3_000,
    );
    expect(share).toMatchObject({ processes: 1, floor: 10, ceil: 10, othersShort: false });
  });
});
