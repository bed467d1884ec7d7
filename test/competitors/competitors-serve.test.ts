/**
 * The competitor job through the real process wiring: `serve` with the worker and scheduler roles (SQLite
 * job table, or graphile-worker on PostgreSQL). The scheduler's tick enqueues `collect-competitors` for
 * the workspace and the worker runs it against a local fake Mastodon (doc-shaped fixtures): the
 * competitor gets its snapshot, its posts and `collectedAt`.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConnectorRegistry } from '../../src/connectors/registry';
import { createMastodonConnector } from '../../src/connectors/mastodon/mastodon.connector';
import { serve, type RunningHerald } from '../../src/server/serve';
import { createUser } from '../../src/use-cases/users.use-case';
import { newId } from '../../src/domain/ids';
import { dialects, freshDatabaseConfig } from '../support/databases';
import { loopbackOnlyFetch, testConfig } from '../support/test-app';
import { FakePublicMastodon, publicFixture } from './fake-public-mastodon';

const fake = new FakePublicMastodon();
beforeAll(async () => {
  await fake.start();
  const account = publicFixture<Record<string, unknown>>('account-lookup.json');
  const statuses = publicFixture<Array<Record<string, unknown>>>('account-statuses.json');
  fake.reset([
    { method: 'GET', path: '/api/v1/accounts/lookup', reply: () => ({ status: 200, json: { ...account, id: '77', username: 'rival', followers_count: 4321 } }) },
    { method: 'GET', path: '/api/v1/accounts/77/statuses', reply: (r) => ({ status: 200, json: r.query.get('max_id') ? [] : statuses }) },
  ]);
});
afterAll(async () => fake.stop());
afterEach(() => expect(fake.unexpected).toEqual([]));

async function until<T>(what: string, fn: () => Promise<T | null | undefined>, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.each(dialects())('collect-competitors through serve (%s)', (dialect) => {
  let running: RunningHerald | null = null;
  let drop: (() => Promise<void>) | null = null;
  afterAll(async () => {
    await running?.stop();
    await drop?.();
  });

  it('the scheduler enqueues the job and the worker collects', async () => {
    const fresh = await freshDatabaseConfig(dialect);
    drop = fresh.drop;
    const connectors = new ConnectorRegistry();
    connectors.register(createMastodonConnector({ requestTimeoutMs: 2_000 }));
    running = await serve(testConfig(fresh.config, { schedulerIntervalMs: 100 }), { roles: ['worker', 'scheduler'], connectors, fetch: loopbackOnlyFetch, migrate: true });
    const services = running.services;
    const db = services.database.db;
    const created = await createUser({ db, services }, { email: 'owner@example.com', name: 'O', password: 'a long enough password', owner: true });
    const ws = created.workspace!.id;
    const id = newId();
    await db.insertInto('competitors').values({
      id, workspace_id: ws, network: 'mastodon', external_id: '77', handle: `rival@127.0.0.1:${new URL(fake.url).port}`, display_name: null, service_url: fake.url,
      profile_url: `${fake.url}/@rival`, followers: null, created_by: null, created_at: new Date().toISOString(), collected_at: null, last_error: null,
    }).execute();
    const row = await until('the competitor collected', () => db.selectFrom('competitors').selectAll().where('id', '=', id).where('collected_at', 'is not', null).executeTakeFirst());
    expect(row).toMatchObject({ last_error: null });
    expect(Number(row.followers)).toBe(4321);
    const posts = await db.selectFrom('competitor_posts').select(['external_id', 'content_type']).where('competitor_id', '=', id).orderBy('external_id').execute();
    expect(posts.map((p) => p.content_type).sort()).toEqual(['carousel', 'link', 'photo', 'poll', 'repost', 'text', 'video']);
    // Due again only after the hourly interval: the ticks that follow enqueue nothing more.
    const lookups = fake.seen.filter((s) => s.path === '/api/v1/accounts/lookup').length;
    await new Promise((r) => setTimeout(r, 600));
    expect(fake.seen.filter((s) => s.path === '/api/v1/accounts/lookup').length).toBe(lookups);
  });
});
