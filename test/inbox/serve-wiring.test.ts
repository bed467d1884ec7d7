/**
 * The wiring in `serve()`: with the worker and scheduler roles running (in this process), a comment on
 * the network and the account's counts arrive with nobody calling the jobs by hand — the scheduler's
 * sweep enqueues `sync-inbound` and `collect-metrics` and the worker runs them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectorRegistry } from '../../src/connectors/registry';
import { serve, type RunningHerald } from '../../src/server/serve';
import { connectAccount } from '../../src/use-cases/accounts.use-case';
import { createUser } from '../../src/use-cases/users.use-case';
import { freshDatabaseConfig } from '../support/databases';
import { loopbackOnlyFetch, testConfig } from '../support/test-app';
import { engagementConnector, startEngagementPeer, type EngagementPeer } from './engagement-peer';
import { insertPublishedTarget } from './published-target';
import { waitFor } from '../support/wait-for';

let peer: EngagementPeer;
let herald: RunningHerald;
let dropDb: () => Promise<void>;

beforeAll(async () => {
  peer = await startEngagementPeer();
  const connectors = new ConnectorRegistry();
  connectors.register(engagementConnector(peer.url));
  const db = await freshDatabaseConfig('sqlite');
  dropDb = db.drop;
  herald = await serve(testConfig(db.config, { schedulerIntervalMs: 100 }), { roles: ['worker', 'scheduler'], connectors, fetch: loopbackOnlyFetch });
});
afterAll(async () => {
  await herald?.stop();
  await dropDb?.();
  expect(peer.unexpected).toEqual([]);
  await peer?.close();
});

describe('serve() runs the engagement jobs', () => {
  it('syncs comments and collects counts of a newly connected account on its own', async () => {
    const services = herald.services;
    const db = services.database.db;
    const created = await createUser({ db, services }, { email: 'wiring@example.test', name: 'Owner', password: 'a long enough password', owner: true });
    const ctx = { actor: { kind: 'user' as const, userId: created.user.id, via: 'session' as const }, workspaceId: created.workspace!.id, db, services };
    peer.addAccount('wired', 'pw');
    peer.setAccountStats('wired', { followers: 42 });
    const account = await connectAccount(ctx, { network: 'peer', credentials: { handle: 'wired', password: 'pw' } });
    await insertPublishedTarget(db, { workspaceId: ctx.workspaceId, authorId: created.user.id, accountId: account.id, network: 'peer', externalId: 'wired-post', publishedAt: new Date(Date.now() - 2 * 3_600_000) });
    peer.setPostStats('wired-post', { likes: 3 });
    const c = peer.comment({ accountHandle: 'wired', authorHandle: 'fan', parentId: 'wired-post', rootId: 'wired-post', text: 'arrived by itself' });

    // A run may have started between the connect and the set-up above; making the account due again
    // on every poll keeps the test independent of that timing (the sweep and the worker still do it all).
    const dueAgain = () => db.deleteFrom('rate_limit_windows').where('key', 'like', `%-due:${account.id}`).execute();
    const msg = await waitFor('the comment in the inbox', async () => {
      await dueAgain();
      return db.selectFrom('inbox_messages').selectAll().where('external_id', '=', c.id).executeTakeFirst();
    });
    expect(msg.target_id).not.toBeNull();
    const snap = await waitFor('an account snapshot', () => db.selectFrom('account_metrics').selectAll().where('account_id', '=', account.id).executeTakeFirst());
    expect(snap.followers).toBe(42);
    const obs = await waitFor('a post observation', async () => {
      await dueAgain();
      return db.selectFrom('post_metrics').selectAll().where('account_id', '=', account.id).executeTakeFirst();
    });
    expect(obs.likes).toBe(3);
  });
});
