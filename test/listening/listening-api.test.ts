/**
 * Listening end to end on SQLite and PostgreSQL: queries over the API (syntax errors with the column,
 * roles), messages ingested by the real inbound sync from a loopback peer and matched with their
 * sentiment, the stream's cursor pages, the sweep's watermark (idempotent, late commits caught by the
 * overlap), volume per local hour/day across a DST change, spike alerts per query and per workspace
 * (event and webhook delivery, cooldown, negative-only, inbox flags) and the testimonials library.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectorRegistry } from '../../src/connectors/registry';
import { newId } from '../../src/domain/ids';
import { syncInbound } from '../../src/inbox/inbound-sync';
import { checkSpikes } from '../../src/listening/listening-alerts';
import { idFloor, listeningSweep, matchNewMessages, messageSentiment, queryCommitMarginMs } from '../../src/listening/listening-matching';
import { upsertSentimentCorrection } from '../../src/repositories/sentiment-corrections.repository';
import { messageKey } from '../../src/sentiment/sentiment-model';
import { createUser } from '../../src/use-cases/users.use-case';
import { dialects } from '../support/databases';
import { useTestApp, type TestSession } from '../support/test-app';
import { engagementConnector, startEngagementPeer, type EngagementPeer } from '../inbox/engagement-peer';
import { insertPublishedTarget } from '../inbox/published-target';

let peer: EngagementPeer;
const connectors = new ConnectorRegistry();
beforeAll(async () => {
  peer = await startEngagementPeer();
  connectors.register(engagementConnector(peer.url, { metrics: false }));
});
afterAll(async () => {
  expect(peer.unexpected).toEqual([]);
  await peer?.close();
});

interface QueryBody {
  id: string;
  name: string;
  query: string;
  normalized: string;
  active: boolean;
  alerts: Record<string, unknown>;
}
interface MatchBody {
  id: string;
  messageId: string;
  text: string;
  sentiment: { label: string; score: number; lang: string };
  author: { handle: string };
}
interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
interface VolumeBody {
  zone: string;
  total: number;
  buckets: Array<{ start: string; count: number; sentiment?: { negative: number; neutral: number; positive: number } }>;
}
interface AlertBody {
  id: string;
  queryId: string | null;
  scope: string;
  mode: string;
  windowCount: number;
  baselineMean: number;
  baselineStdDev: number;
  threshold: number;
  topMessageIds: string[];
  flaggedMessageIds: string[];
  reason: string;
}

describe.each(dialects())('listening (%s)', (dialect) => {
  const t = useTestApp(dialect, { services: { connectors } });
  let owner: TestSession & { workspaceId: string };
  let ws: string;
  let n = 0;

  beforeAll(async () => {
    owner = await t.current.setupOwner();
    ws = owner.workspaceId;
  });

  const db = () => t.current.services.database.db;
  const api = async <T>(method: string, path: string, body?: unknown, who: TestSession = owner, status = 200): Promise<T> => {
    const res = await t.current.json(method, path, body, who);
    expect(res.status, `${method} ${path} → ${await res.clone().text()}`).toBe(status);
    return (res.status === 204 ? undefined : await res.json()) as T;
  };

  /** A peer account connected through the API in `workspace`, with one published post. */
  async function connected(workspace: string, who: TestSession): Promise<{ handle: string; accountId: string; postExt: string }> {
    const handle = `listen-${dialect}-${++n}`;
    peer.addAccount(handle, 'pw');
    const account = await api<{ id: string }>('POST', `/api/v1/workspaces/${workspace}/accounts`, { network: 'peer', credentials: { handle, password: 'pw' } }, who, 201);
    const postExt = `post-${handle}`;
    await insertPublishedTarget(db(), { workspaceId: workspace, authorId: who.userId, accountId: account.id, network: 'peer', externalId: postExt, publishedAt: new Date(Date.now() - 3_600_000) });
    return { handle, accountId: account.id, postExt };
  }

  /** A message as the inbound sync stores it, written at `createdAt` (received now unless given). */
  async function insertMessage(workspace: string, accountId: string, text: string, createdAt: Date, opts: { id?: string; followers?: number; lang?: string; listenedAt?: Date } = {}): Promise<string> {
    const id = opts.id ?? newId(t.current.services.now().getTime());
    const nowIso = t.current.services.now().toISOString();
    await db()
      .insertInto('inbox_messages')
      .values({
        id, workspace_id: workspace, account_id: accountId, network: 'peer', external_id: `ext-${id}`, kind: 'mention', parent_external_id: null, root_external_id: null,
        target_id: null, author_external_id: `author-${id}`, author_handle: `author${n}.example`, author_name: null, author_followers: opts.followers ?? null, text, url: `https://peer.invalid/m/${id}`,
        lang: opts.lang ?? null, network_created_at: createdAt.toISOString(), received_at: nowIso, edited_at: null, deleted_at: null, listened_at: opts.listenedAt?.toISOString() ?? null,
      })
      .execute();
    return id;
  }

  it('saves queries over the API: syntax errors name the column, roles apply, settings merge, delete removes', async () => {
    const bad = await t.current.json('POST', `/api/v1/workspaces/${ws}/listening/queries`, { name: 'broken', query: '(herald OR brand' }, owner);
    expect(bad.status).toBe(422);
    const problem = (await bad.json()) as { detail: string; errors: Array<{ path: string; code: string; message: string }> };
    expect(problem.detail).toBe('The query is not valid: Column 17: expected ")" to close the "(" at column 1, found the end of the query');
    expect(problem.errors).toEqual([{ path: 'query', code: 'query_syntax', message: 'Column 17: expected ")" to close the "(" at column 1, found the end of the query' }]);

    const check = await api<{ normalized: string; ast: unknown }>('POST', `/api/v1/workspaces/${ws}/listening/query-check`, { query: 'brand -spam lang:sv' });
    expect(check).toEqual({ normalized: 'brand AND NOT spam AND lang:sv', ast: { type: 'and', operands: [{ type: 'word', value: 'brand', prefix: false }, { type: 'not', operand: { type: 'word', value: 'spam', prefix: false } }, { type: 'field', field: 'lang', value: 'sv' }] } });
    const badCheck = await t.current.json('POST', `/api/v1/workspaces/${ws}/listening/query-check`, { query: 'brand AND' }, owner);
    expect(badCheck.status).toBe(422);

    const q = await api<QueryBody>('POST', `/api/v1/workspaces/${ws}/listening/queries`, { name: 'Brand', query: 'brand OR "our brand"', alerts: { k: 3 } }, owner, 201);
    expect(q).toMatchObject({ name: 'Brand', query: 'brand OR "our brand"', normalized: 'brand OR "our brand"', active: true, alerts: { enabled: true, mode: 'all', k: 3, windowMinutes: 60, baselineWindows: 24, cooldownMinutes: 360, minCount: 3, flagInbox: false } });

    const viewer = await t.current.addUser(ws, 'viewer');
    const contributor = await t.current.addUser(ws, 'contributor');
    expect((await api<QueryBody>('GET', `/api/v1/workspaces/${ws}/listening/queries/${q.id}`, undefined, viewer)).id).toBe(q.id);
    expect((await t.current.json('POST', `/api/v1/workspaces/${ws}/listening/queries`, { name: 'x', query: 'x' }, viewer)).status).toBe(403);
    expect((await t.current.json('POST', `/api/v1/workspaces/${ws}/listening/queries`, { name: 'x', query: 'x' }, contributor)).status).toBe(403);
    expect((await t.current.json('PATCH', `/api/v1/workspaces/${ws}/listening/settings`, { alerts: { k: 4 } }, viewer)).status).toBe(403);

    const patched = await api<QueryBody>('PATCH', `/api/v1/workspaces/${ws}/listening/queries/${q.id}`, { alerts: { mode: 'negative' }, active: false });
    expect(patched).toMatchObject({ active: false, alerts: { k: 3, mode: 'negative' } });
    const badK = await t.current.json('PATCH', `/api/v1/workspaces/${ws}/listening/queries/${q.id}`, { alerts: { k: 50 } }, owner);
    expect(badK.status).toBe(422);
    expect(((await badK.json()) as { detail: string }).detail).toContain('k must be at most 10');
    const tooLong = await t.current.json('PATCH', `/api/v1/workspaces/${ws}/listening/settings`, { alerts: { windowMinutes: 10_080, baselineWindows: 720 } }, owner);
    expect(tooLong.status).toBe(422);
    expect(((await tooLong.json()) as { detail: string }).detail).toContain('at most 90 days');
    const settings = await api<{ alerts: Record<string, unknown> }>('PATCH', `/api/v1/workspaces/${ws}/listening/settings`, { alerts: { cooldownMinutes: 60 } });
    expect(settings.alerts).toMatchObject({ cooldownMinutes: 60, k: 2 });
    expect(await api('GET', `/api/v1/workspaces/${ws}/listening/settings`, undefined, viewer)).toEqual(settings);

    const list = await api<Page<QueryBody>>('GET', `/api/v1/workspaces/${ws}/listening/queries?limit=1`);
    expect(list.items.map((i) => i.id)).toEqual([q.id]);
    await api('DELETE', `/api/v1/workspaces/${ws}/listening/queries/${q.id}`, undefined, owner, 204);
    expect((await t.current.json('GET', `/api/v1/workspaces/${ws}/listening/queries/${q.id}`, undefined, owner)).status).toBe(404);
    expect((await t.current.json('GET', `/api/v1/workspaces/${ws}/listening/queries/not-an-id/matches`, undefined, owner)).status).toBe(404);
  });

  it('matches ingested messages (ru/sv/en) with sentiment, pages the stream, sweeps idempotently and catches late commits', async () => {
    const a = await connected(ws, owner);
    const c = (text: string) => peer.comment({ accountHandle: a.handle, authorHandle: `fan${++n}`, parentId: a.postExt, rootId: a.postExt, text });
    const sv = c('Herald är en fantastisk tjänst, älskar den!');
    const ru = c('Herald — ужасный сервис, всё сломано');
    const en = c('I love Herald, it is great');
    c('heralding spring');
    c('Herald spam spam buy now');
    expect((await syncInbound(t.current.services, a.accountId)).received).toBe(5);

    // Saving the query back-fills from what is already in the inbox.
    const q = await api<QueryBody>('POST', `/api/v1/workspaces/${ws}/listening/queries`, { name: 'Herald', query: 'herald -spam' }, owner, 201);
    const stream = await api<Page<MatchBody>>('GET', `/api/v1/workspaces/${ws}/listening/queries/${q.id}/matches`);
    expect(stream.items.map((m) => m.text).sort()).toEqual([en.text, ru.text, sv.text].sort());
    const byText = new Map(stream.items.map((m) => [m.text, m]));
    expect(byText.get(ru.text)?.sentiment).toMatchObject({ label: 'negative', lang: 'ru' });
    expect(byText.get(sv.text)?.sentiment).toMatchObject({ label: 'positive', lang: 'sv' });
    expect(byText.get(en.text)?.sentiment).toMatchObject({ label: 'positive', lang: 'en' });
    expect(byText.get(ru.text)!.sentiment.score).toBeLessThan(0);

    // Cursor pages: no overlap, nothing lost.
    const p1 = await api<Page<MatchBody>>('GET', `/api/v1/workspaces/${ws}/listening/queries/${q.id}/matches?limit=2`);
    expect(p1.items).toHaveLength(2);
    expect(p1.nextCursor).toBe(p1.items[1]!.id);
    const p2 = await api<Page<MatchBody>>('GET', `/api/v1/workspaces/${ws}/listening/queries/${q.id}/matches?limit=2&cursor=${p1.nextCursor}`);
    expect(p2.items).toHaveLength(1);
    expect(p2.nextCursor).toBeNull();
    expect(new Set([...p1.items, ...p2.items].map((m) => m.id)).size).toBe(3);
    const negatives = await api<Page<MatchBody>>('GET', `/api/v1/workspaces/${ws}/listening/queries/${q.id}/matches?sentiment=negative`);
    expect(negatives.items.map((m) => m.text)).toEqual([ru.text]);
    expect((await t.current.json('GET', `/api/v1/workspaces/${ws}/listening/queries/${q.id}/matches?sentiment=angry`, undefined, owner)).status).toBe(422);

    // New messages are matched by the ingest that stores them, in its transaction: on the stream before
    // any sweep, with the sentiment the inbox stored; the sweep then has nothing to add.
    const again = c('Herald again, nice');
    expect((await syncInbound(t.current.services, a.accountId)).received).toBe(1);
    const ingested = await db().selectFrom('inbox_messages').select(['id', 'listened_at', 'sentiment_label']).where('external_id', '=', again.id).executeTakeFirstOrThrow();
    expect(ingested.listened_at).not.toBeNull();
    const atIngest = (await api<Page<MatchBody>>('GET', `/api/v1/workspaces/${ws}/listening/queries/${q.id}/matches`)).items.find((m) => m.messageId === ingested.id);
    expect(atIngest?.sentiment.label).toBe(ingested.sentiment_label);
    expect((await matchNewMessages(t.current.services, ws)).matched).toBe(0);
    expect((await matchNewMessages(t.current.services, ws)).matched).toBe(0);
    const watermark = (await db().selectFrom('listening_queries').select('watermark_id').where('id', '=', q.id).executeTakeFirstOrThrow()).watermark_id;
    expect(watermark).not.toBeNull();

    // A message committed late with an id older than the watermark (another account's sync that
    // started earlier) is still matched: the sweep re-reads a few minutes behind the watermark.
    // (newId is monotonic within a process, so the older id is built from the watermark's time a minute back.)
    const watermarkMs = Number.parseInt(watermark!.replaceAll('-', '').slice(0, 12), 16);
    const lateId = `${idFloor(watermarkMs - 60_000).slice(0, 14)}7123-8456-${randomBytes(6).toString('hex')}`;
    expect(lateId < watermark!).toBe(true);
    const late = await insertMessage(ws, a.accountId, 'late herald message', new Date(), { id: lateId });
    expect((await matchNewMessages(t.current.services, ws)).matched).toBe(1);
    expect((await api<Page<MatchBody>>('GET', `/api/v1/workspaces/${ws}/listening/queries/${q.id}/matches`)).items.some((m) => m.messageId === late)).toBe(true);

    // The sweep trusts an ingest that read the queries after the query's last change (plus the commit
    // margin): such a message is not read again. One whose ingest read the queries before the change
    // is matched by the sweep.
    const queryChanged = Date.parse((await db().selectFrom('listening_queries').select('updated_at').where('id', '=', q.id).executeTakeFirstOrThrow()).updated_at);
    const trusted = await insertMessage(ws, a.accountId, 'herald trusted', new Date(), { listenedAt: new Date(queryChanged + queryCommitMarginMs + 1) });
    const before = await insertMessage(ws, a.accountId, 'herald before the change', new Date(), { listenedAt: new Date(queryChanged - 1) });
    expect((await matchNewMessages(t.current.services, ws)).matched).toBe(1);
    const streamNow = (await api<Page<MatchBody>>('GET', `/api/v1/workspaces/${ws}/listening/queries/${q.id}/matches`)).items.map((m) => m.messageId);
    expect(streamNow).toContain(before);
    expect(streamNow).not.toContain(trusted);

    // The workspace's sentiment relabels apply to new matches (the shipped model reads this as neutral).
    expect(messageSentiment('herald note', null).label).toBe('neutral');
    const nowIso = t.current.services.now().toISOString();
    await upsertSentimentCorrection(db(), { id: newId(), workspace_id: ws, message_key: messageKey('herald note'), text: 'herald note', label: 'negative', inbox_message_id: null, created_by: owner.userId, created_at: nowIso, updated_at: nowIso });
    const relabelled = await insertMessage(ws, a.accountId, 'Herald note', new Date());
    expect((await matchNewMessages(t.current.services, ws)).matched).toBe(1);
    const relabelledMatch = (await api<Page<MatchBody>>('GET', `/api/v1/workspaces/${ws}/listening/queries/${q.id}/matches?sentiment=negative`)).items.find((m) => m.messageId === relabelled);
    expect(relabelledMatch?.sentiment.label).toBe('negative');

    // New text starts the stream over.
    const changed = await api<QueryBody>('PATCH', `/api/v1/workspaces/${ws}/listening/queries/${q.id}`, { query: 'сервис OR tjänst' });
    expect(changed.normalized).toBe('сервис OR tjänst');
    const restarted = await api<Page<MatchBody>>('GET', `/api/v1/workspaces/${ws}/listening/queries/${q.id}/matches`);
    expect(restarted.items.map((m) => m.text).sort()).toEqual([ru.text, sv.text].sort());

    // The scheduler-facing sweep visits the workspace, then leaves it alone until its interval passes.
    const swept = await listeningSweep(t.current.services);
    expect(swept.workspaces).toBeGreaterThanOrEqual(1);
    expect(swept.spikeChecks).toBe(swept.workspaces);
    expect(await listeningSweep(t.current.services)).toEqual({ workspaces: 0, matched: 0, spikeChecks: 0, alerts: 0 });
    const quick = await listeningSweep(t.current.services, { matchEveryMs: 0 });
    expect(quick.workspaces).toBe(swept.workspaces);
    expect(quick.spikeChecks).toBe(0);
  });

  it('keeps up when more messages than maxBatches × batchSize fall inside the re-read overlap', async () => {
    const created = await createUser({ db: db(), services: t.current.services }, { email: `burst-${dialect}@example.com`, name: 'B', password: 'burst password long', owner: true });
    const bws = created.workspace!.id;
    const bOwner = await t.current.login(`burst-${dialect}@example.com`, 'burst password long');
    const a = await connected(bws, bOwner);
    await insertMessage(bws, a.accountId, 'burst before', new Date());
    const q = await api<QueryBody>('POST', `/api/v1/workspaces/${bws}/listening/queries`, { name: 'Burst', query: 'burst' }, bOwner, 201);
    expect((await db().selectFrom('listening_queries').select('watermark_id').where('id', '=', q.id).executeTakeFirstOrThrow()).watermark_id).not.toBeNull();
    // 50 messages within seconds: all inside the 5-minute overlap behind the watermark.
    for (let i = 0; i < 50; i++) await insertMessage(bws, a.accountId, `burst ${i}`, new Date());
    const opts = { batchSize: 10, maxBatches: 2 };
    let sweeps = 0;
    let total = 0;
    // 20 new messages per sweep at most: 3 sweeps reach all 50; the stall never got past the first 20.
    while (sweeps < 6) {
      sweeps += 1;
      const r = await matchNewMessages(t.current.services, bws, opts);
      total += r.matched;
      if (r.matched === 0) break;
    }
    expect(total).toBe(50);
    expect(sweeps).toBeLessThanOrEqual(4);
    const stored = await db().selectFrom('listening_matches').select((eb) => eb.fn.countAll<string | number>().as('n')).where('query_id', '=', q.id).executeTakeFirstOrThrow();
    expect(Number(stored.n)).toBe(51);
    // Idle afterwards: nothing new.
    expect((await matchNewMessages(t.current.services, bws, opts)).matched).toBe(0);
  });

  it('shows network-search matches in the stream (one cursor, by written time), in volume and in spike detection', async () => {
    const created = await createUser({ db: db(), services: t.current.services }, { email: `merge-${dialect}@example.com`, name: 'M', password: 'merge password long', owner: true });
    const mws = created.workspace!.id;
    const mOwner = await t.current.login(`merge-${dialect}@example.com`, 'merge password long');
    const a = await connected(mws, mOwner);
    const nowMs = t.current.services.now().getTime();
    const ago = (minutes: number) => new Date(nowMs - minutes * 60_000);
    const inboxOld = await insertMessage(mws, a.accountId, 'acme inbox old', ago(240));
    const inboxNew = await insertMessage(mws, a.accountId, 'acme inbox new', ago(120));
    const q = await api<QueryBody>('POST', `/api/v1/workspaces/${mws}/listening/queries`, { name: 'Acme', query: 'acme' }, mOwner, 201);

    /** A post as network search stores it, matched to the query, written `minutes` ago. */
    const found: string[] = [];
    async function searchMatch(minutes: number, label: string): Promise<string> {
      const postId = newId(nowMs);
      const at = ago(minutes).toISOString();
      const foundAt = t.current.services.now().toISOString();
      await db().insertInto('listening_search_posts').values({
        id: postId, workspace_id: mws, network: 'peer', external_id: `found-${postId}`, author_external_id: `far-${minutes}`, author_handle: `far${minutes}.example`, author_name: 'Far Away',
        author_followers: 7, text: `acme found ${minutes}`, url: `https://peer.invalid/p/${postId}`, lang: 'en', network_created_at: at, found_at: foundAt,
      }).execute();
      const matchId = newId(nowMs);
      await db().insertInto('listening_search_matches').values({
        id: matchId, workspace_id: mws, query_id: q.id, post_id: postId, message_created_at: at, sentiment_label: label, sentiment_score: label === 'negative' ? -0.6 : 0, sentiment_lang: 'en', matched_at: foundAt,
      }).execute();
      found.push(postId);
      return matchId;
    }
    await searchMatch(180, 'neutral');
    for (const m of [5, 10, 15, 20]) await searchMatch(m, m === 5 ? 'negative' : 'neutral');

    // One page of everything, newest written first, each item saying where it came from.
    const all = await api<Page<MatchBody & { source: string; postId: string | null; url: string | null }>>('GET', `/api/v1/workspaces/${mws}/listening/queries/${q.id}/matches`, undefined, mOwner);
    expect(all.items.map((i) => i.text)).toEqual(['acme found 5', 'acme found 10', 'acme found 15', 'acme found 20', 'acme inbox new', 'acme found 180', 'acme inbox old']);
    expect(all.items.map((i) => i.source)).toEqual(['search', 'search', 'search', 'search', 'inbox', 'search', 'inbox']);
    expect(all.nextCursor).toBeNull();
    const first = all.items[0]!;
    expect(first).toMatchObject({ messageId: null, postId: found[1], author: { handle: 'far5.example' }, url: `https://peer.invalid/p/${found[1]}`, sentiment: { label: 'negative', lang: 'en' } });
    expect(all.items[4]).toMatchObject({ source: 'inbox', messageId: inboxNew, postId: null });
    expect(all.items[6]!.messageId).toBe(inboxOld);

    // Pages of 2 with one cursor across both kinds: nothing repeated, nothing lost, same order.
    const paged: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: Page<MatchBody> = await api<Page<MatchBody>>('GET', `/api/v1/workspaces/${mws}/listening/queries/${q.id}/matches?limit=2${cursor ? `&cursor=${cursor}` : ''}`, undefined, mOwner);
      paged.push(...page.items.map((i) => i.id));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor && pages < 10);
    expect(paged).toEqual(all.items.map((i) => i.id));
    expect(pages).toBe(4);
    const negatives = await api<Page<MatchBody>>('GET', `/api/v1/workspaces/${mws}/listening/queries/${q.id}/matches?sentiment=negative`, undefined, mOwner);
    expect(negatives.items.map((i) => i.text)).toEqual(['acme found 5']);
    // A cursor that is not an item of this stream is refused with a reason.
    const stale = await t.current.json('GET', `/api/v1/workspaces/${mws}/listening/queries/${q.id}/matches?cursor=${newId()}`, undefined, mOwner);
    expect(stale.status).toBe(422);
    expect(((await stale.json()) as { detail: string }).detail).toContain('not an item of this stream');

    // Volume counts both kinds, per query and workspace-wide.
    expect((await api<VolumeBody>('GET', `/api/v1/workspaces/${mws}/listening/queries/${q.id}/volume?bucket=hour`, undefined, mOwner)).total).toBe(7);
    const byLabel = await api<VolumeBody>('GET', `/api/v1/workspaces/${mws}/listening/volume?bucket=day&bySentiment=true`, undefined, mOwner);
    expect(byLabel.total).toBe(7);
    expect(byLabel.buckets.reduce((n, b) => n + b.sentiment!.negative, 0)).toBe(1);

    // Four found posts in the last hour against a quiet day: the query (and the workspace) spike.
    const report = await checkSpikes(t.current.services, mws);
    const queryAlert = report.alerts.find((al) => al.query_id === q.id);
    expect(queryAlert?.window_count).toBe(4);
    expect(report.alerts.some((al) => al.query_id === null && al.window_count === 4)).toBe(true);
  });

  it('counts volume per local hour and day across the Stockholm DST change, by sentiment, each message once workspace-wide', async () => {
    const created = await createUser({ db: db(), services: t.current.services }, { email: `vol-${dialect}@example.com`, name: 'V', password: 'volume password long', owner: true });
    const vws = created.workspace!.id;
    const vOwner = await t.current.login(`vol-${dialect}@example.com`, 'volume password long');
    await api('PATCH', `/api/v1/workspaces/${vws}`, { timezone: 'Europe/Stockholm' }, vOwner);
    const a = await connected(vws, vOwner);
    // 2026-03-29: Stockholm skips 02:00–03:00 local (01:00 UTC).
    await insertMessage(vws, a.accountId, 'volvo is great, love it', new Date('2026-03-28T23:30:00Z')); // 00:30 local
    await insertMessage(vws, a.accountId, 'volvo is terrible and broken', new Date('2026-03-29T00:10:00Z')); // 01:10
    await insertMessage(vws, a.accountId, 'volvo saab', new Date('2026-03-29T01:20:00Z')); // 03:20
    await insertMessage(vws, a.accountId, 'volvo saab', new Date('2026-03-29T01:40:00Z')); // 03:40
    await insertMessage(vws, a.accountId, 'nothing to see', new Date('2026-03-29T01:45:00Z'));
    const volvo = await api<QueryBody>('POST', `/api/v1/workspaces/${vws}/listening/queries`, { name: 'Volvo', query: 'volvo' }, vOwner, 201);
    const saab = await api<QueryBody>('POST', `/api/v1/workspaces/${vws}/listening/queries`, { name: 'Saab', query: 'saab' }, vOwner, 201);

    const range = 'from=2026-03-28T20:00:00Z&to=2026-03-29T04:00:00Z';
    const hourly = await api<VolumeBody>('GET', `/api/v1/workspaces/${vws}/listening/queries/${volvo.id}/volume?${range}&bucket=hour&bySentiment=true`, undefined, vOwner);
    expect(hourly.zone).toBe('Europe/Stockholm');
    expect(hourly.buckets.map((b) => b.start)).toEqual([
      '2026-03-28T21:00', '2026-03-28T22:00', '2026-03-28T23:00', '2026-03-29T00:00', '2026-03-29T01:00', '2026-03-29T03:00', '2026-03-29T04:00', '2026-03-29T05:00',
    ]);
    const at = (start: string) => hourly.buckets.find((b) => b.start === start);
    expect(at('2026-03-29T00:00')).toEqual({ start: '2026-03-29T00:00', count: 1, sentiment: { negative: 0, neutral: 0, positive: 1 } });
    expect(at('2026-03-29T01:00')).toEqual({ start: '2026-03-29T01:00', count: 1, sentiment: { negative: 1, neutral: 0, positive: 0 } });
    expect(at('2026-03-29T03:00')?.count).toBe(2);
    expect(hourly.total).toBe(4);

    const daily = await api<VolumeBody>('GET', `/api/v1/workspaces/${vws}/listening/queries/${volvo.id}/volume?from=2026-03-27T23:00:00Z&to=2026-03-29T22:00:00Z&bucket=day`, undefined, vOwner);
    expect(daily.buckets).toEqual([
      { start: '2026-03-28', count: 0 },
      { start: '2026-03-29', count: 4 },
    ]);
    // Workspace-wide: "volvo saab" matches both queries and still counts once.
    const all = await api<VolumeBody>('GET', `/api/v1/workspaces/${vws}/listening/volume?${range}`, undefined, vOwner);
    expect(all.total).toBe(4);
    const saabVolume = await api<VolumeBody>('GET', `/api/v1/workspaces/${vws}/listening/queries/${saab.id}/volume?${range}`, undefined, vOwner);
    expect(saabVolume.total).toBe(2);

    const long = await t.current.json('GET', `/api/v1/workspaces/${vws}/listening/volume?from=2026-01-01T00:00:00Z&to=2026-03-01T00:00:00Z&bucket=hour`, undefined, vOwner);
    expect(long.status).toBe(422);
    expect(((await long.json()) as { detail: string }).detail).toBe('A hourly series covers at most 31 days');
    expect((await t.current.json('GET', `/api/v1/workspaces/${vws}/listening/volume?from=2026-03-02T00:00:00Z&to=2026-03-01T00:00:00Z`, undefined, vOwner)).status).toBe(422);
    expect((await t.current.json('GET', `/api/v1/workspaces/${vws}/listening/volume?from=yesterday`, undefined, vOwner)).status).toBe(422);
  });

  it('alerts on spikes per query and per workspace with the figures, an event and webhook delivery, flags, cooldown and negative-only mode', async () => {
    const created = await createUser({ db: db(), services: t.current.services }, { email: `spike-${dialect}@example.com`, name: 'S', password: 'spike password long', owner: true });
    const sws = created.workspace!.id;
    const sOwner = await t.current.login(`spike-${dialect}@example.com`, 'spike password long');
    const a = await connected(sws, sOwner);
    const now = t.current.services.now().getTime();
    const hour = 3_600_000;
    // Baseline: one neutral message an hour for 24 hours; then 8 negative ones in the last hour.
    for (let h = 1; h <= 24; h++) await insertMessage(sws, a.accountId, 'spikeword is here today', new Date(now - h * hour - 5 * 60_000));
    const burst: string[] = [];
    for (let i = 0; i < 8; i++) burst.push(await insertMessage(sws, a.accountId, 'spikeword is terrible, awful and broken', new Date(now - (i + 1) * 60_000), { followers: 100 * i }));
    // calmword: same shape, but the burst is positive.
    for (let h = 1; h <= 24; h++) await insertMessage(sws, a.accountId, 'calmword is here today', new Date(now - h * hour - 5 * 60_000));
    for (let i = 0; i < 8; i++) await insertMessage(sws, a.accountId, 'calmword is wonderful, great, love it', new Date(now - (i + 1) * 60_000));

    await api('POST', `/api/v1/workspaces/${sws}/webhooks`, { url: 'http://127.0.0.1:9/hook', events: ['listening.spike'] }, sOwner, 201);
    const all = await api<QueryBody>('POST', `/api/v1/workspaces/${sws}/listening/queries`, { name: 'All', query: 'spikeword', alerts: { flagInbox: true } }, sOwner, 201);
    const neg = await api<QueryBody>('POST', `/api/v1/workspaces/${sws}/listening/queries`, { name: 'Negative', query: 'spikeword', alerts: { mode: 'negative' } }, sOwner, 201);
    const calm = await api<QueryBody>('POST', `/api/v1/workspaces/${sws}/listening/queries`, { name: 'Calm', query: 'calmword', alerts: { mode: 'negative' } }, sOwner, 201);
    await api('PATCH', `/api/v1/workspaces/${sws}/listening/settings`, { alerts: { k: 2 } }, sOwner);

    const report = await checkSpikes(t.current.services, sws);
    const outcome = (queryId: string | null) => report.checks.find((c) => c.queryId === queryId)?.outcome;
    expect(outcome(all.id)).toBe('alerted');
    expect(outcome(neg.id)).toBe('alerted');
    // Negative-only: calmword's burst is positive, so no alert.
    expect(outcome(calm.id)).toBe('quiet');
    expect(report.checks.find((c) => c.queryId === calm.id)?.verdict.windowCount).toBe(0);
    // Workspace-wide (all queries, each message once): 16 in the last hour against 2 an hour.
    expect(outcome(null)).toBe('alerted');
    expect(report.checks.find((c) => c.queryId === null)?.verdict).toMatchObject({ windowCount: 16, baselineMean: 2, baselineStdDev: 0 });

    const alerts = await api<Page<AlertBody>>('GET', `/api/v1/workspaces/${sws}/listening/alerts`, undefined, sOwner);
    expect(alerts.items).toHaveLength(3);
    const allAlert = alerts.items.find((x) => x.queryId === all.id)!;
    expect(allAlert).toMatchObject({ scope: 'query', mode: 'all', windowCount: 8, baselineMean: 1, baselineStdDev: 0, threshold: 3 });
    expect(allAlert.reason).toBe('spike: 8 in the last window; baseline mean 1, σ 0 over 24 windows; threshold mean + 2·max(σ, √mean, 1) = 3');
    // Top messages: the five authors with the most followers; flagged for the inbox as asked.
    expect(allAlert.topMessageIds).toEqual([burst[7], burst[6], burst[5], burst[4], burst[3]]);
    expect(allAlert.flaggedMessageIds.sort()).toEqual([...allAlert.topMessageIds].sort());
    expect(alerts.items.find((x) => x.queryId === neg.id)).toMatchObject({ mode: 'negative', windowCount: 8, flaggedMessageIds: [] });
    expect(alerts.items.find((x) => x.scope === 'workspace')).toMatchObject({ queryId: null, windowCount: 16 });
    const ofQuery = await api<Page<AlertBody>>('GET', `/api/v1/workspaces/${sws}/listening/alerts?queryId=${all.id}`, undefined, sOwner);
    expect(ofQuery.items.map((x) => x.id)).toEqual([allAlert.id]);

    // One event per alert, each with one webhook delivery, written in the alert's transaction.
    const events = await db().selectFrom('events').selectAll().where('workspace_id', '=', sws).where('type', '=', 'listening.spike').execute();
    expect(events).toHaveLength(3);
    const payload = JSON.parse(events.find((e) => e.subject_id === allAlert.id)!.payload) as Record<string, unknown> & { topMessages: Array<{ messageId: string; text: string; sentiment: string }> };
    expect(payload).toMatchObject({ alertId: allAlert.id, queryId: all.id, queryName: 'All', scope: 'query', mode: 'all', windowCount: 8, baselineMean: 1, threshold: 3, k: 2 });
    expect(payload.topMessages.map((m) => m.messageId)).toEqual(allAlert.topMessageIds);
    expect(payload.topMessages[0]).toMatchObject({ text: 'spikeword is terrible, awful and broken', sentiment: 'negative' });
    const deliveries = await db().selectFrom('webhook_deliveries').select('event_id').where('event_id', 'in', events.map((e) => e.id)).execute();
    expect(deliveries).toHaveLength(3);

    // Cooldown: the spike is still there, but nothing new fires.
    const again = await checkSpikes(t.current.services, sws);
    expect(again.alerts).toHaveLength(0);
    expect(again.checks.filter((c) => c.verdict.spike).map((c) => c.outcome)).toEqual(['cooldown', 'cooldown', 'cooldown']);

    // After the cooldown (6 h by default) the burst is history: quiet, no alert.
    t.current.services.advanceClock(6 * hour + 60_000);
    const later = await checkSpikes(t.current.services, sws);
    expect(later.alerts).toHaveLength(0);
    expect(later.checks.every((c) => c.outcome === 'quiet')).toBe(true);

    // A disabled scope is not checked at all.
    await api('PATCH', `/api/v1/workspaces/${sws}/listening/queries/${all.id}`, { alerts: { enabled: false } }, sOwner);
    expect((await checkSpikes(t.current.services, sws)).checks.some((c) => c.queryId === all.id)).toBe(false);
  });

  it('keeps positive messages as testimonials with permission status', async () => {
    const a = await connected(ws, owner);
    const good = await insertMessage(ws, a.accountId, 'Herald saved my week, what a wonderful tool!', new Date('2026-11-01T10:00:00Z'));
    const badMsg = await insertMessage(ws, a.accountId, 'Herald is awful, terrible support', new Date('2026-11-01T11:00:00Z'));
    const viewer = await t.current.addUser(ws, 'viewer');

    const refused = await t.current.json('POST', `/api/v1/workspaces/${ws}/testimonials`, { messageId: badMsg }, owner);
    expect(refused.status).toBe(422);
    expect(((await refused.json()) as { detail: string }).detail).toMatch(/^Only positive messages become testimonials; this one reads as negative \(score -0\.\d+\)\. Send allowNonPositive: true to keep it anyway\.$/);
    expect((await t.current.json('POST', `/api/v1/workspaces/${ws}/testimonials`, { messageId: newId() }, owner)).status).toBe(422);
    expect((await t.current.json('POST', `/api/v1/workspaces/${ws}/testimonials`, { messageId: good }, viewer)).status).toBe(403);

    interface TBody { id: string; messageId: string; text: string; author: { handle: string }; url: string; writtenAt: string; permission: string; permissionUpdatedAt: string | null; note: string | null }
    const made = await api<TBody>('POST', `/api/v1/workspaces/${ws}/testimonials`, { messageId: good, note: 'for the landing page' }, owner, 201);
    expect(made).toMatchObject({ messageId: good, text: 'Herald saved my week, what a wonderful tool!', url: `https://peer.invalid/m/${good}`, writtenAt: '2026-11-01T10:00:00.000Z', permission: 'not_requested', permissionUpdatedAt: null, note: 'for the landing page' });
    const dup = await t.current.json('POST', `/api/v1/workspaces/${ws}/testimonials`, { messageId: good }, owner);
    expect(dup.status).toBe(409);

    const requested = await api<TBody>('PATCH', `/api/v1/workspaces/${ws}/testimonials/${made.id}`, { permission: 'requested' });
    expect(requested.permission).toBe('requested');
    expect(requested.permissionUpdatedAt).not.toBeNull();
    expect((await api<TBody>('PATCH', `/api/v1/workspaces/${ws}/testimonials/${made.id}`, { permission: 'granted', note: null })).note).toBeNull();
    expect((await t.current.json('PATCH', `/api/v1/workspaces/${ws}/testimonials/${made.id}`, { permission: 'maybe' }, owner)).status).toBe(422);
    expect((await t.current.json('PATCH', `/api/v1/workspaces/${ws}/testimonials/${made.id}`, { permission: 'denied' }, viewer)).status).toBe(403);

    // The library keeps its copy when the message changes on the network.
    await db().updateTable('inbox_messages').set({ text: 'edited later' }).where('id', '=', good).execute();
    const granted = await api<Page<TBody>>('GET', `/api/v1/workspaces/${ws}/testimonials?permission=granted`, undefined, viewer);
    expect(granted.items.map((x) => [x.id, x.text])).toEqual([[made.id, 'Herald saved my week, what a wonderful tool!']]);
    expect((await api<Page<TBody>>('GET', `/api/v1/workspaces/${ws}/testimonials?permission=denied`, undefined, viewer)).items).toEqual([]);

    // Insisting keeps a message the engine reads otherwise.
    const kept = await api<TBody>('POST', `/api/v1/workspaces/${ws}/testimonials`, { messageId: badMsg, allowNonPositive: true, permission: 'requested' }, owner, 201);
    expect(kept.permissionUpdatedAt).not.toBeNull();
    await api('DELETE', `/api/v1/workspaces/${ws}/testimonials/${kept.id}`, undefined, owner, 204);
    expect((await t.current.json('GET', `/api/v1/workspaces/${ws}/testimonials/${kept.id}`, undefined, viewer)).status).toBe(404);
    expect((await api<TBody>('GET', `/api/v1/workspaces/${ws}/testimonials/${made.id}`, undefined, viewer)).permission).toBe('granted');
  });
});
