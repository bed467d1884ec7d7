/**
 * Engine behaviour that depends on the connector's declaration: the DB-backed per-account publish
 * rate, and a network that cannot look posts up (unknown outcomes stay for a person, never re-sent).
 */
import { describe, expect, it } from 'vitest';
import { dialects } from '../support/databases';
import { inMs, useEngine, waitFor } from './engine-harness';
import { createPost } from '../../src/use-cases/posts.use-case';
import { findTarget } from '../../src/repositories/post-targets.repository';

describe.each(dialects())('connector limits (%s)', (dialect) => {
  const h = useEngine(dialect, { connector: { findPublished: false, limits: { maxConcurrentPerAccount: 4, publishRate: { count: 2, windowMs: 1_500 } } } });

  it('keeps to the per-account publish rate across the window', async () => {
    const { accountId, handle } = await h.current.connect();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await createPost(h.current.ctx(), { text: `rate ${i}`, targets: [{ accountId }], schedule: inMs(0) })).targets[0]!.id);
    for (const id of ids) await waitFor(`published ${id}`, async () => (await findTarget(h.current.services.database.db, id))?.state === 'published');
    const arrivals = h.current.network.arrivals.get(`loop:${handle}`)!;
    expect(arrivals).toHaveLength(5);
    // Fixed windows of 2: five requests need three windows, so the first and the last slot are at least
    // a whole window (1.5 s) apart; unlimited, all five arrive within a few milliseconds. The margin
    // absorbs delivery delays on a busy machine.
    expect(arrivals[4]! - arrivals[0]!).toBeGreaterThanOrEqual(900);
    for (const id of ids) expect(h.current.network.postsWithKey(id)).toHaveLength(1);
    // Waiting for the window is not an attempt.
    for (const id of ids) expect((await findTarget(h.current.services.database.db, id))!.attempts).toBe(1);
  });

  it('leaves an unknown outcome unconfirmed for a person when the network cannot be asked', async () => {
    const { accountId } = await h.current.connect();
    h.current.network.failNext({ kind: 'hang_after_receive' });
    const post = await createPost(h.current.ctx(), { text: 'no lookup', targets: [{ accountId }], schedule: inMs(0) });
    const id = post.targets[0]!.id;
    const t = await waitFor('unconfirmed', async () => {
      const r = await findTarget(h.current.services.database.db, id);
      return r?.state === 'unconfirmed' ? r : undefined;
    });
    expect(t.next_attempt_at).toBeNull();
    expect(t.last_error_message).toContain('cannot be asked');
    await new Promise((r) => setTimeout(r, 1_500)); // several sweeps later
    expect((await findTarget(h.current.services.database.db, id))!.state).toBe('unconfirmed');
    expect(h.current.network.createRequests.get(id)).toBe(1);
  });
});
