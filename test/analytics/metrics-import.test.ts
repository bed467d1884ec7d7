/**
 * `herald import metrics` (its use case): validation errors name the path, re-importing adds nothing,
 * corrected counts are updated and the KPIs follow, missing counts stay NULL, imported accounts are
 * marked and never collected from, and an account already connected in the workspace is reused.
 * SQLite and PostgreSQL.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../support/databases';
import { createTestServices, type TestServices } from '../support/test-app';
import { createUser } from '../../src/use-cases/users.use-case';
import { addMember } from '../../src/use-cases/members.use-case';
import { importedAccountReason, importMetrics } from '../../src/use-cases/analytics-import.use-case';
import { getKpis } from '../../src/use-cases/analytics.use-case';
import { ForbiddenError, ValidationError } from '../../src/domain/errors';
import { newId } from '../../src/domain/ids';
import type { UseCaseContext } from '../../src/server/services';

const fixture = readFileSync(new URL('../fixtures/analytics/stockholm-week.json', import.meta.url), 'utf8');

async function problems(p: Promise<unknown>): Promise<Array<{ path: string; message: string }>> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    return (e as ValidationError).extra.errors as Array<{ path: string; message: string }>;
  }
  throw new Error('expected a ValidationError');
}

const tables = ['accounts', 'posts', 'post_targets', 'account_metrics', 'post_metrics', 'analytics_post_content', 'analytics_post_rollups', 'analytics_account_daily', 'analytics_content_type_daily'] as const;

describe.each(dialects())('metrics import (%s)', (dialect) => {
  let services: TestServices;
  let ctx: UseCaseContext;
  beforeAll(async () => {
    services = await createTestServices(dialect, { initQueue: false });
    const db = services.database.db;
    const owner = await createUser({ db, services }, { email: 'importer@example.com', name: 'Importer', password: 'long enough pw', owner: true, timezone: 'Europe/Stockholm' });
    ctx = { actor: { kind: 'user', userId: owner.user.id, via: 'session' }, workspaceId: owner.workspace!.id, db, services };
  });
  afterAll(async () => {
    await services?.close();
  });

  async function counts(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const t of tables) {
      const r = await ctx.db.selectFrom(t).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      out[t] = Number(r.n);
    }
    return out;
  }

  it('refuses bad files with the path of every problem, and writes nothing', async () => {
    const file = JSON.parse(fixture) as { posts: Array<Record<string, unknown>>; observations: Array<Record<string, unknown>>; followerSnapshots: Array<Record<string, unknown>> };
    file.posts[3]!.publishedAt = '2026-03-25 12:00';
    file.posts[2]!.contentType = 'story';
    file.observations[1]!.likes = -3;
    file.observations[2]!.views = 2.5;
    file.observations[3]!.views = 3_000_000_000;
    file.followerSnapshots[0]!.account = 'nobody';
    const found = await problems(importMetrics(ctx, JSON.stringify(file)));
    const byPath = Object.fromEntries(found.map((p) => [p.path, p.message]));
    expect(byPath['posts[3].publishedAt']).toMatch(/ISO 8601 instant with an offset/);
    expect(byPath['posts[2].contentType']).toMatch(/text, photo, carousel, video, link, poll, repost/);
    expect(byPath['observations[1].likes']).toMatch(/negative/);
    expect(byPath['observations[2].views']).toMatch(/whole number/);
    expect(byPath['observations[3].views']).toMatch(/cannot be stored/);

    // Shape is fine, references are not.
    const refs = JSON.parse(fixture) as typeof file;
    refs.followerSnapshots[0]!.account = 'nobody';
    refs.posts.push({ ...refs.posts[1]! });
    refs.observations.push({ account: 'acme-vk', post: 'p2', observedAt: '2026-03-20T00:00:00Z', likes: 1 });
    refs.observations.push({ account: 'acme-vk', post: 'p1', observedAt: '2026-03-30T00:00:00Z' });
    const refProblems = await problems(importMetrics(ctx, JSON.stringify(refs)));
    expect(refProblems.map((p) => p.path)).toEqual(['posts[9].externalId', 'followerSnapshots[0].account', 'observations[11].observedAt', 'observations[12]']);
    expect(refProblems[0]!.message).toBe('post "p1" of "acme-vk" is already posts[1]');
    expect(refProblems[1]!.message).toMatch(/no account "nobody" in accounts/);
    expect(refProblems[2]!.message).toMatch(/before the post was published/);

    expect((await problems(importMetrics(ctx, '{"version": 1, "posts": [}')))[0]).toMatchObject({ path: '(file)', message: expect.stringMatching(/not valid JSON/) });
    expect((await problems(importMetrics(ctx, '{"version": 2}')))[0]).toMatchObject({ path: 'version' });
    expect((await problems(importMetrics(ctx, '{"version": 1, "extra": true}')))[0]!.message).toMatch(/extra/);
    // An observation of a post that is neither in the file nor stored: found only against the database.
    const orphan = { version: 1, accounts: [{ network: 'vk', handle: 'x', externalId: '-5' }], observations: [{ account: 'vk:-5', post: 'ghost', observedAt: '2026-03-01T00:00:00Z', likes: 1 }] };
    expect(await problems(importMetrics(ctx, JSON.stringify(orphan)))).toEqual([{ path: 'observations[0].post', code: 'unknown_post', message: 'no post "ghost" of "vk:-5" in posts or already imported' }]);
    expect(Object.values(await counts()).every((n) => n === 0)).toBe(true);
  });

  it('imports once, and a re-import adds nothing', async () => {
    const first = await importMetrics(ctx, fixture);
    expect(first).toMatchObject({
      accounts: { created: 2, matched: 0 },
      posts: { created: 9, matched: 0 },
      contentTypes: { created: 9, updated: 0, unchanged: 0 },
      followerSnapshots: { created: 7, updated: 0, unchanged: 0 },
      observations: { created: 11, updated: 0, unchanged: 0 },
    });
    const after = await counts();
    expect(after).toMatchObject({ accounts: 2, posts: 9, post_targets: 9, account_metrics: 7, post_metrics: 11, analytics_post_content: 9, analytics_post_rollups: 9 });
    const again = await importMetrics(ctx, fixture);
    expect(again).toMatchObject({
      accounts: { created: 0, matched: 2 },
      posts: { created: 0, matched: 9 },
      contentTypes: { created: 0, updated: 0, unchanged: 9 },
      followerSnapshots: { created: 0, updated: 0, unchanged: 7 },
      observations: { created: 0, updated: 0, unchanged: 11 },
    });
    expect(await counts()).toEqual(after);
  });

  it('stores missing counts as NULL and marks imported accounts', async () => {
    const db = ctx.db;
    const vk = await db.selectFrom('accounts').selectAll().where('workspace_id', '=', ctx.workspaceId).where('external_id', '=', '-1001').executeTakeFirstOrThrow();
    expect(vk).toMatchObject({ network: 'vk', handle: 'acme', display_name: 'Acme on VK', status: 'disconnected', status_reason: importedAccountReason, credentials_enc: '', session_enc: null });
    const p3 = await db.selectFrom('post_targets').selectAll().where('account_id', '=', vk.id).where('external_id', '=', 'p3').executeTakeFirstOrThrow();
    expect(p3).toMatchObject({ state: 'published', network: 'vk', text: 'Which one?', published_at: '2026-03-25T16:00:00.000Z' });
    const m = await db.selectFrom('post_metrics').selectAll().where('target_id', '=', p3.id).executeTakeFirstOrThrow();
    expect(m).toMatchObject({ views: 1000, reach: null, likes: 10, comments: 2, shares: 0, saves: null, clicks: 0, poll_votes: 50, video_views: null, quotes: null });
    const rollup = await db.selectFrom('analytics_post_rollups').selectAll().where('target_id', '=', p3.id).executeTakeFirstOrThrow();
    expect(rollup).toMatchObject({ content_type: 'poll', reach: null, shares: 0, followers_at_publish: 1100, local_day: '2026-03-25', local_weekday: 3, local_hour: 17, timezone: 'Europe/Stockholm' });
    const content = await db.selectFrom('analytics_post_content').selectAll().where('account_id', '=', vk.id).orderBy('target_id').execute();
    const tags = Object.fromEntries(await Promise.all(content.map(async (c) => [(await db.selectFrom('post_targets').select('external_id').where('id', '=', c.target_id).executeTakeFirstOrThrow()).external_id, JSON.parse(c.hashtags) as string[]])));
    expect(tags.p1).toEqual(['night', 'spring']);
    expect(tags.p2).toEqual(['launch']);
    expect(tags.p3).toEqual([]);
  });

  it('corrects changed counts on re-import and the KPIs follow', async () => {
    const before = await getKpis(ctx, { accountId: (await ctx.db.selectFrom('accounts').select('id').where('external_id', '=', '-1001').executeTakeFirstOrThrow()).id, from: '2026-03-23', to: '2026-03-29' });
    expect(before.kpis.find((k) => k.definition.id === 'livedune.er.pooled')?.value).toBe(8.681818);
    const file = JSON.parse(fixture) as { observations: Array<Record<string, unknown>> };
    file.observations[7]!.likes = 178; // p5: 90 → 178 likes: numerator 382 + 88 = 470
    const r = await importMetrics(ctx, JSON.stringify(file));
    expect(r.observations).toEqual({ created: 0, updated: 1, unchanged: 10 });
    const after = await getKpis(ctx, { accountId: before.accountId, from: '2026-03-23', to: '2026-03-29' });
    expect(after.kpis.find((k) => k.definition.id === 'livedune.er.pooled')).toMatchObject({ value: 10.681818, inputs: { numerator: 470, denominator: 4400 } });
    await importMetrics(ctx, fixture);
  });

  it('reuses an account already connected in the workspace and keeps its posts as they are', async () => {
    const db = ctx.db;
    const now = new Date().toISOString();
    const accountId = newId();
    await db.insertInto('accounts').values({
      id: accountId, workspace_id: ctx.workspaceId, network: 'bluesky', external_id: 'did:plc:connected', handle: 'connected.test', display_name: null, service_url: null,
      status: 'ok', status_reason: null, credentials_enc: 'sealed', session_enc: null, created_at: now, updated_at: now, removed_at: null,
    }).execute();
    const postId = newId();
    const targetId = newId();
    await db.insertInto('posts').values({ id: postId, workspace_id: ctx.workspaceId, author_id: (ctx.actor as { userId: string }).userId, timezone: 'UTC', scheduled_local: null, scheduled_at: null, created_at: now, updated_at: now, deleted_at: null }).execute();
    await db.insertInto('post_targets').values({
      id: targetId, post_id: postId, workspace_id: ctx.workspaceId, account_id: accountId, network: 'bluesky', state: 'published', text: 'Published by Herald', link: null, langs: '[]',
      scheduled_at: null, version: 1, attempts: 1, next_attempt_at: null, lease_owner: null, lease_until: null, last_error_kind: null, last_error_message: null,
      external_id: 'at://did:plc:connected/app.bsky.feed.post/1', external_url: null, published_at: '2026-03-24T08:00:00.000Z', created_at: now, updated_at: now,
    }).execute();
    const file = {
      version: 1,
      accounts: [{ network: 'bluesky', handle: 'connected.test', externalId: 'did:plc:connected' }],
      posts: [{ account: 'bluesky:did:plc:connected', externalId: 'at://did:plc:connected/app.bsky.feed.post/1', publishedAt: '2026-03-24T09:00:00Z', contentType: 'link', text: 'Other text' }],
      followerSnapshots: [{ account: 'bluesky:did:plc:connected', observedAt: '2026-03-24T00:00:00Z', followers: 200 }],
      observations: [{ account: 'bluesky:did:plc:connected', post: 'at://did:plc:connected/app.bsky.feed.post/1', observedAt: '2026-03-25T00:00:00Z', likes: 8, comments: 1, shares: 1 }],
    };
    const r = await importMetrics(ctx, JSON.stringify(file));
    expect(r).toMatchObject({ accounts: { created: 0, matched: 1 }, posts: { created: 0, matched: 1 } });
    expect(await db.selectFrom('accounts').select(['status', 'credentials_enc']).where('id', '=', accountId).executeTakeFirstOrThrow()).toEqual({ status: 'ok', credentials_enc: 'sealed' });
    expect(await db.selectFrom('post_targets').select(['text', 'published_at']).where('id', '=', targetId).executeTakeFirstOrThrow()).toEqual({ text: 'Published by Herald', published_at: '2026-03-24T08:00:00.000Z' });
    const view = await getKpis(ctx, { accountId, from: '2026-03-24', to: '2026-03-24' });
    expect(view.kpis.find((k) => k.definition.id === 'livedune.er.pooled')).toMatchObject({ value: 5, inputs: { numerator: 10, denominator: 200 } });
    expect(view.byContentType).toMatchObject([{ contentType: 'link', posts: 1, value: 5 }]);
  });

  it('daily sums above 32 bits are kept (bigint rollup columns)', async () => {
    const file = {
      version: 1,
      accounts: [{ network: 'x', handle: 'viral', externalId: 'v1' }],
      posts: [
        { account: 'x:v1', externalId: 'a', publishedAt: '2026-04-01T08:00:00Z', contentType: 'video' },
        { account: 'x:v1', externalId: 'b', publishedAt: '2026-04-01T09:00:00Z', contentType: 'video' },
      ],
      observations: [
        { account: 'x:v1', post: 'a', observedAt: '2026-04-02T08:00:00Z', views: 2_000_000_000 },
        { account: 'x:v1', post: 'b', observedAt: '2026-04-02T08:00:00Z', views: 2_100_000_000 },
      ],
    };
    await importMetrics(ctx, JSON.stringify(file));
    const account = await ctx.db.selectFrom('accounts').select('id').where('external_id', '=', 'v1').executeTakeFirstOrThrow();
    const day = await ctx.db.selectFrom('analytics_account_daily').select(['views_sum', 'views_posts', 'followers']).where('account_id', '=', account.id).where('day', '=', '2026-04-01').executeTakeFirstOrThrow();
    expect(day).toEqual({ views_sum: 4_100_000_000, views_posts: 2, followers: null });
  });

  it('needs an admin or owner', async () => {
    const editor = await addMember(ctx, { email: 'editor@example.com', role: 'editor', name: 'E', password: 'long enough pw' });
    await expect(importMetrics({ ...ctx, actor: { kind: 'user', userId: editor.userId, via: 'session' } }, fixture)).rejects.toThrow(ForbiddenError);
  });
});
