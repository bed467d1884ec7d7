import { describe, expect, it } from 'vitest';
import { assertTransition, canTransition, InvalidTransitionError, statesLeadingTo, targetStates, transitions, type TargetState } from '../../src/domain/post-state';

/** The intended edges, written independently of the table so a change to either is caught. */
const allowed = new Set([
  'draft>in_review', 'draft>approved', 'draft>scheduled', 'draft>cancelled',
  'in_review>draft', 'in_review>approved', 'in_review>scheduled', 'in_review>cancelled',
  'approved>in_review', 'approved>draft', 'approved>scheduled', 'approved>cancelled',
  'scheduled>scheduled', 'scheduled>approved', 'scheduled>in_review', 'scheduled>draft', 'scheduled>publishing', 'scheduled>held', 'scheduled>cancelled',
  'publishing>published', 'publishing>failed', 'publishing>unconfirmed', 'publishing>scheduled', 'publishing>held',
  'failed>scheduled', 'failed>draft', 'failed>cancelled',
  'unconfirmed>published', 'unconfirmed>scheduled', 'unconfirmed>failed', 'unconfirmed>cancelled',
  'held>scheduled', 'held>cancelled', 'held>draft',
]);

describe('post target state machine', () => {
  const pairs = targetStates.flatMap((from) => targetStates.map((to) => [from, to] as [TargetState, TargetState]));

  it('covers every state', () => {
    expect(Object.keys(transitions).sort()).toEqual([...targetStates].sort());
    expect(pairs).toHaveLength(100);
  });

  it.each(pairs)('%s → %s', (from, to) => {
    const ok = allowed.has(`${from}>${to}`);
    expect(canTransition(from, to)).toBe(ok);
    if (ok) expect(() => assertTransition(from, to)).not.toThrow();
    else {
      expect(() => assertTransition(from, to)).toThrow(InvalidTransitionError);
      try {
        assertTransition(from, to);
      } catch (e) {
        expect((e as InvalidTransitionError).status).toBe(409);
        expect((e as Error).message).toBe(`A post target cannot go from "${from}" to "${to}"`);
      }
    }
  });

  it('published and cancelled are terminal; only the worker enters publishing', () => {
    expect(transitions.published).toEqual([]);
    expect(transitions.cancelled).toEqual([]);
    expect(statesLeadingTo('publishing')).toEqual(['scheduled']);
    expect(statesLeadingTo('published')).toEqual(['publishing', 'unconfirmed']);
  });
});
