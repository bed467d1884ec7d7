/**
 * Tenant isolation over EVERY route the OpenAPI document lists: each route with a path parameter is
 * called by workspace A's owner (cookie session and API token) with workspace B's ids — both B's own
 * workspace URL and A's workspace URL carrying B's resource ids. Every call must be refused (404, or 403
 * before a lookup), and not one row in the database may change. A new route whose parameters this test
 * cannot fill fails the test, so isolation is checked for routes added later too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kysely } from 'kysely';
import { ConnectorRegistry } from '../../src/connectors/registry';
import type { Database } from '../../src/db/schema';
import { dialects } from '../support/databases';
import { loopbackConnector, startLoopbackNetwork, type LoopbackNetwork } from '../support/loopback-network';
import { useTestApp, type TestSession } from '../support/test-app';
import { createUser } from '../../src/use-cases/users.use-case';
import { newId } from '../../src/domain/ids';

let network: LoopbackNetwork;
const connectors = new ConnectorRegistry();
beforeAll(async () => {
  network = await startLoopbackNetwork();
  connectors.register(loopbackConnector(network.url));
});
afterAll(async () => network?.close());

const tables = ['organizations', 'users', 'organization_members', 'workspaces', 'memberships', 'api_tokens', 'accounts', 'posts', 'post_targets', 'media', 'events', 'webhooks', 'webhook_deliveries', 'posting_slots', 'invitations', 'oauth_states', 'oauth_apps', 'inbox_messages', 'account_metrics', 'post_metrics', 'listening_queries', 'listening_matches', 'listening_settings', 'listening_alerts', 'listening_inbox_flags', 'testimonials', 'inbox_message_tags', 'inbox_notes', 'inbox_saved_replies', 'inbox_settings', 'inbox_rules', 'inbox_replies', 'analytics_settings', 'competitors', 'competitor_snapshots', 'competitor_posts', 'competitor_post_observations', 'report_branding', 'report_schedules', 'report_deliveries', 'sentiment_corrections', 'hashtag_sets', 'campaigns', 'campaign_line_items', 'campaign_spend', 'campaign_conversions', 'campaign_posts', 'goals', 'inbox_dm_cursors'] as const;

/** Every row of every tenant table, as text: any change shows up as a difference. */
async function snapshot(db: Kysely<Database>): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const t of tables) {
    const rows = await db.selectFrom(t).selectAll().execute();
    // A's own token records its use; that is the only write the probes may cause.
    const replacer = (k: string, v: unknown) => (Buffer.isBuffer(v) ? v.toString('base64') : t === 'api_tokens' && k === 'last_used_at' ? undefined : v);
    out[t] = JSON.stringify(rows.map((r) => JSON.stringify(r, replacer)).sort());
  }
  return out;
}

/** A plausible, valid body per route so validation passes and the access check is what answers. */
const bodiesFor = (ids: Record<string, string>): Record<string, unknown> => ({
  'PATCH /api/v1/workspaces/{workspaceId}': { name: 'taken over' },
  'POST /api/v1/workspaces/{workspaceId}/members': { email: 'intruder@example.com', role: 'owner' },
  'PATCH /api/v1/workspaces/{workspaceId}/members/{userId}': { role: 'owner' },
  'POST /api/v1/workspaces/{workspaceId}/tokens': { name: 'steal' },
  'POST /api/v1/workspaces/{workspaceId}/accounts': { network: 'loopback', credentials: { handle: 'victim-b', password: 'pw-b' } },
  'POST /api/v1/workspaces/{workspaceId}/accounts/{accountId}/reconnect': { credentials: { handle: 'victim-b', password: 'pw-b' } },
  'POST /api/v1/workspaces/{workspaceId}/posts': { text: 'injected', targets: [{ accountId: ids.accountId }] },
  'PATCH /api/v1/workspaces/{workspaceId}/posts/{postId}': { text: 'rewritten' },
  'POST /api/v1/workspaces/{workspaceId}/posts/{postId}/reject': { reason: 'no' },
  'POST /api/v1/workspaces/{workspaceId}/posts/{postId}/schedule': { schedule: { at: new Date(Date.now() + 3_600_000).toISOString() } },
  'POST /api/v1/workspaces/{workspaceId}/webhooks': { url: 'http://127.0.0.1:9/hook', events: ['post.target.published'] },
  'PUT /api/v1/workspaces/{workspaceId}/accounts/{accountId}/slots': { slots: [{ weekday: 1, time: '09:00' }] },
  'POST /api/v1/workspaces/{workspaceId}/accounts/{accountId}/slots': { weekday: 2, time: '10:00' },
  'POST /api/v1/workspaces/{workspaceId}/invitations': { role: 'owner' },
  'PATCH /api/v1/workspaces/{workspaceId}/webhooks/{webhookId}': { active: false },
  'POST /api/v1/workspaces/{workspaceId}/accounts/oauth/start': { network: 'loopback', accountId: ids.accountId },
  'POST /api/v1/workspaces/{workspaceId}/inbox-messages/{messageId}/reply': { text: 'hijacked reply' },
  'PATCH /api/v1/workspaces/{workspaceId}/inbox-messages/{messageId}': { status: 'resolved', addTags: ['hijacked'] },
  'POST /api/v1/workspaces/{workspaceId}/inbox-messages/bulk': { messageIds: [ids.messageId], change: { status: 'resolved' } },
  'POST /api/v1/workspaces/{workspaceId}/inbox-messages/{messageId}/notes': { text: 'spy note' },
  'POST /api/v1/workspaces/{workspaceId}/inbox-messages/{messageId}/sentiment': { label: 'negative' },
  'POST /api/v1/workspaces/{workspaceId}/inbox-messages/{messageId}/moderation': { action: 'delete' },
  'POST /api/v1/workspaces/{workspaceId}/inbox-saved-replies': { name: 'spy', text: 'hi' },
  'PATCH /api/v1/workspaces/{workspaceId}/inbox-saved-replies/{savedReplyId}': { text: 'hijacked' },
  'PUT /api/v1/workspaces/{workspaceId}/inbox-settings': { firstResponseMinutes: 1 },
  'POST /api/v1/workspaces/{workspaceId}/inbox-rules': { name: 'spy', conditions: { networks: ['loopback'] }, actions: { tags: ['spy'] } },
  'PATCH /api/v1/workspaces/{workspaceId}/inbox-rules/{ruleId}': { active: false },
  'PUT /api/v1/workspaces/{workspaceId}/analytics/settings': { defaultDefinitionId: 'popsters.er-post' },
  'POST /api/v1/workspaces/{workspaceId}/listening/queries': { name: 'spy', query: 'brand' },
  'POST /api/v1/workspaces/{workspaceId}/listening/query-check': { query: 'brand' },
  'PATCH /api/v1/workspaces/{workspaceId}/listening/queries/{queryId}': { name: 'hijacked', query: 'other words' },
  'PATCH /api/v1/workspaces/{workspaceId}/listening/settings': { alerts: { k: 9 } },
  'POST /api/v1/workspaces/{workspaceId}/testimonials': { messageId: ids.messageId, allowNonPositive: true },
  'PATCH /api/v1/workspaces/{workspaceId}/testimonials/{testimonialId}': { permission: 'granted' },
  'POST /api/v1/workspaces/{workspaceId}/competitors': { network: 'loopback', handle: 'victim-b' },
  'PUT /api/v1/workspaces/{workspaceId}/report-branding': { agencyName: 'spy', primaryColor: '#000000' },
  'POST /api/v1/workspaces/{workspaceId}/report-schedules': { template: 'monthly', frequency: 'weekly', recipients: ['spy@example.com'] },
  'PATCH /api/v1/workspaces/{workspaceId}/report-schedules/{scheduleId}': { recipients: ['spy@example.com'] },
  'POST /api/v1/workspaces/{workspaceId}/hashtag-sets': { name: 'spy', tags: ['spy'] },
  'PATCH /api/v1/workspaces/{workspaceId}/hashtag-sets/{hashtagSetId}': { name: 'hijacked', tags: ['hijacked'] },
  'POST /api/v1/workspaces/{workspaceId}/campaigns': { name: 'spy', startsOn: '2026-03-01', endsOn: '2026-03-31', currency: 'EUR' },
  'PATCH /api/v1/workspaces/{workspaceId}/campaigns/{campaignId}': { name: 'hijacked' },
  'POST /api/v1/workspaces/{workspaceId}/campaigns/{campaignId}/line-items': { placement: 'spy', plannedBudgetMinor: 1 },
  'PATCH /api/v1/workspaces/{workspaceId}/campaigns/{campaignId}/line-items/{lineItemId}': { placement: 'hijacked' },
  'POST /api/v1/workspaces/{workspaceId}/campaigns/{campaignId}/spend': { day: '2026-03-02', amountMinor: 1, currency: 'EUR' },
  'POST /api/v1/workspaces/{workspaceId}/campaigns/{campaignId}/conversions': { day: '2026-03-02', count: 1 },
  'POST /api/v1/workspaces/{workspaceId}/campaigns/{campaignId}/import': { format: 'csv', content: 'type,date,amount\nspend,2026-03-02,1\n' },
  'POST /api/v1/workspaces/{workspaceId}/goals': { definitionId: 'livedune.er.pooled', target: 1, direction: 'at_least', from: '2026-03-01', to: '2026-03-31' },
  'PATCH /api/v1/workspaces/{workspaceId}/goals/{goalId}': { target: 99 },
});

interface OpenApiDoc {
  paths: Record<string, Record<string, { requestBody?: unknown }>>;
}

describe.each(dialects())('tenant isolation on every OpenAPI route (%s)', (dialect) => {
  const t = useTestApp(dialect, { services: { connectors } });

  it('refuses workspace B ids to workspace A on every route, and changes nothing', async () => {
    const a = await t.current.setupOwner({ email: 'owner-a@example.com' });
    const aToken = await t.current.createToken(a, a.workspaceId, 'a token');

    // Workspace B, in another agency, with one of every resource.
    const created = await createUser({ db: t.current.services.database.db, services: t.current.services }, { email: 'owner-b@example.com', name: 'B', password: 'b password is long', owner: true });
    const ws = created.workspace?.id ?? '';
    expect(ws).toBeTruthy();
    const bOwner = await t.current.login('owner-b@example.com', 'b password is long');
    const bMember = await t.current.addUser(ws, 'editor', { email: 'member-b@example.com' });
    network.addAccount('victim-b', 'pw-b');
    const account = await (await t.current.json('POST', `/api/v1/workspaces/${ws}/accounts`, { network: 'loopback', credentials: { handle: 'victim-b', password: 'pw-b' } }, bOwner)).json() as { id: string };
    const post = await (await t.current.json('POST', `/api/v1/workspaces/${ws}/posts`, { text: 'B only', targets: [{ accountId: account.id }] }, bOwner)).json() as { id: string };
    const hook = await (await t.current.json('POST', `/api/v1/workspaces/${ws}/webhooks`, { url: 'http://127.0.0.1:9/hook', events: ['post.target.published'] }, bOwner)).json() as { id: string };
    await t.current.createToken(bOwner, ws, 'b token');
    const tokenList = await (await t.current.json('GET', `/api/v1/workspaces/${ws}/tokens`, undefined, bOwner)).json() as { items: Array<{ id: string }> };
    const token = { id: tokenList.items[0]?.id ?? '' };
    const slot = await (await t.current.json('POST', `/api/v1/workspaces/${ws}/accounts/${account.id}/slots`, { weekday: 1, time: '09:00' }, bOwner)).json() as { id: string };
    const invitation = await (await t.current.json('POST', `/api/v1/workspaces/${ws}/invitations`, { role: 'viewer' }, bOwner)).json() as { id: string };
    // An inbound message on B's account, as the inbound sync stores it.
    const messageId = newId();
    const nowIso = new Date().toISOString();
    await t.current.services.database.db.insertInto('inbox_messages').values({
      id: messageId, workspace_id: ws, account_id: account.id, network: 'loopback', external_id: 'ext-b-1', kind: 'comment', parent_external_id: null, root_external_id: null,
      target_id: null, author_external_id: 'fan', author_handle: 'fan', author_name: null, author_followers: null, text: 'B only comment', url: null, lang: null,
      network_created_at: nowIso, received_at: nowIso, edited_at: null, deleted_at: null,
    }).execute();
    // A listening query (which matches B's message) and a testimonial made from that message.
    const query = await (await t.current.json('POST', `/api/v1/workspaces/${ws}/listening/queries`, { name: 'B brand', query: 'comment' }, bOwner)).json() as { id: string };
    const testimonial = await (await t.current.json('POST', `/api/v1/workspaces/${ws}/testimonials`, { messageId, allowNonPositive: true }, bOwner)).json() as { id: string };
    // Inbox workflow on B's message: a tag, a note, a saved reply, a rule and settings.
    const bInbox = (method: string, path: string, body: unknown) => t.current.json(method, `/api/v1/workspaces/${ws}${path}`, body, bOwner);
    expect((await bInbox('PATCH', `/inbox-messages/${messageId}`, { addTags: ['b-tag'] })).status).toBe(200);
    expect((await bInbox('POST', `/inbox-messages/${messageId}/notes`, { text: 'B note' })).status).toBe(201);
    const savedReply = await (await bInbox('POST', '/inbox-saved-replies', { name: 'B reply', text: 'Hi {{author.name}}' })).json() as { id: string };
    const rule = await (await bInbox('POST', '/inbox-rules', { name: 'B rule', conditions: { keywords: ['b'] }, actions: { tags: ['b'] } })).json() as { id: string };
    expect((await bInbox('PUT', '/inbox-settings', { firstResponseMinutes: 30 })).status).toBe(200);
    // One of B's replies as the reply log stores it (deletable on the network).
    const replyId = newId();
    await t.current.services.database.db.insertInto('inbox_replies').values({ id: replyId, workspace_id: ws, message_id: messageId, idempotency_key: 'b-key', state: 'sent', text: 'B reply', external_id: 'b-reply-1', url: null, sent_by: null, created_at: nowIso, sent_at: nowIso }).execute();
    // A competitor of B with a snapshot, a post and an observation, as the collection job stores them.
    const competitorId = newId();
    await t.current.services.database.db.insertInto('competitors').values({
      id: competitorId, workspace_id: ws, network: 'loopback', external_id: 'rival-b', handle: 'rival-b', display_name: null, service_url: null, profile_url: null,
      followers: 10, created_by: null, created_at: nowIso, collected_at: nowIso, last_error: null,
    }).execute();
    await t.current.services.database.db.insertInto('competitor_snapshots').values({ id: newId(), competitor_id: competitorId, workspace_id: ws, observed_at: nowIso, followers: 10 }).execute();
    const competitorPostId = newId();
    await t.current.services.database.db.insertInto('competitor_posts').values({
      id: competitorPostId, competitor_id: competitorId, workspace_id: ws, external_id: 'rival-post', url: null, published_at: nowIso, text: 'rival #b', content_type: 'text', hashtags: '["b"]',
      likes: 1, shares: 0, comments: 0, quotes: null, views: null, first_seen_at: nowIso, last_seen_at: nowIso,
    }).execute();
    await t.current.services.database.db.insertInto('competitor_post_observations').values({ id: newId(), post_id: competitorPostId, competitor_id: competitorId, workspace_id: ws, observed_at: nowIso, likes: 1, shares: 0, comments: 0, quotes: null, views: null }).execute();
    // Report branding, a schedule and its delivered period.
    expect((await bInbox('PUT', '/report-branding', { agencyName: 'B agency', primaryColor: '#123456' })).status).toBe(200);
    const schedule = await (await bInbox('POST', '/report-schedules', { template: 'monthly', frequency: 'monthly', recipients: ['b@example.com'] })).json() as { id: string };
    await t.current.services.database.db.insertInto('report_deliveries').values({ schedule_id: schedule.id, workspace_id: ws, period_key: 'month-2026-03', status: 'sent', claimed_at: nowIso, sent_at: nowIso, error: null, pdf_bytes: 1000 }).execute();
    const hashtagSet = await (await bInbox('POST', '/hashtag-sets', { name: 'B set', tags: ['b'] })).json() as { id: string };
    // A campaign of B with a plan line, spend, a conversion and B's post linked; and a goal.
    const campaign = await (await bInbox('POST', '/campaigns', { name: 'B campaign', startsOn: '2026-03-01', endsOn: '2026-03-31', currency: 'EUR' })).json() as { id: string };
    const withLine = await (await bInbox('POST', `/campaigns/${campaign.id}/line-items`, { placement: 'B line', plannedBudgetMinor: 100 })).json() as { lineItems: Array<{ id: string }> };
    const spendEntry = await (await bInbox('POST', `/campaigns/${campaign.id}/spend`, { day: '2026-03-02', amountMinor: 50, currency: 'EUR' })).json() as { id: string };
    expect((await bInbox('POST', `/campaigns/${campaign.id}/conversions`, { day: '2026-03-02', count: 1 })).status).toBe(201);
    expect((await bInbox('PUT', `/campaigns/${campaign.id}/posts/${post.id}`, undefined)).status).toBe(200);
    const goal = await (await bInbox('POST', '/goals', { definitionId: 'livedune.er.pooled', target: 5, direction: 'at_least', from: '2026-03-01', to: '2026-03-31' })).json() as { id: string };
    const ids: Record<string, string> = { campaignId: campaign.id, lineItemId: withLine.lineItems[0]?.id ?? '', entryId: spendEntry.id, goalId: goal.id, hashtagSetId: hashtagSet.id, scheduleId: schedule.id, competitorId, accountId: account.id, postId: post.id, webhookId: hook.id, tokenId: token.id, userId: bMember.userId, slotId: slot.id, invitationId: invitation.id, messageId, queryId: query.id, testimonialId: testimonial.id, savedReplyId: savedReply.id, ruleId: rule.id, replyId };
    for (const [k, v] of Object.entries(ids)) expect(v, k).toBeTruthy();
    const bodies = bodiesFor(ids);

    const doc = await (await t.current.request('/api/openapi.json')).json() as OpenApiDoc;
    const db = t.current.services.database.db;
    const before = await snapshot(db);
    const probed: string[] = [];
    for (const [path, methods] of Object.entries(doc.paths)) {
      const params = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
      if (!params.includes('workspaceId')) continue;
      for (const method of Object.keys(methods)) {
        const key = `${method.toUpperCase()} ${path}`;
        const body = methods[method]?.requestBody ? bodies[key] : undefined;
        if (methods[method]?.requestBody) expect(body, `no probe body for ${key}: add one to this test`).toBeDefined();
        const fill = (workspaceId: string) =>
          path.replace(/\{(\w+)\}/g, (_m, name: string) => {
            if (name === 'workspaceId') return workspaceId;
            const v = ids[name];
            if (!v) throw new Error(`no workspace-B id for path parameter {${name}} of ${key}: add one to this test`);
            return v;
          });
        const variants = [fill(ws), ...(params.length > 1 ? [fill(a.workspaceId)] : [])];
        for (const url of variants) {
          for (const who of [a, aToken] as Array<TestSession | string>) {
            const res = await t.current.json(method.toUpperCase(), url, body, who);
            const foreignWorkspace = url.includes(ws);
            const allowed = foreignWorkspace ? [404] : [403, 404];
            expect(allowed, `${key} as ${typeof who === 'string' ? 'token' : 'session'} on ${url} → ${res.status} ${await res.clone().text()}`).toContain(res.status);
          }
        }
        probed.push(key);
      }
    }
    const after = await snapshot(db);
    const changed = tables.filter((t) => after[t] !== before[t]);
    expect(changed, changed.map((t) => `${t}:\n${before[t]}\n${after[t]}`).join('\n')).toEqual([]);
    // The document really covered the workspace routes of every module.
    for (const part of ['/members', '/tokens', '/accounts', '/posts', '/webhooks', '/oauth/start', '/inbox-messages', '/metrics', '/listening/queries/{queryId}/matches', '/listening/volume', '/testimonials/{testimonialId}', '/inbox-messages/{messageId}/conversation', '/inbox-messages/{messageId}/sentiment', '/inbox-saved-replies/{savedReplyId}', '/inbox-rules/{ruleId}', '/inbox-messages/{messageId}/moderation', '/inbox-replies/{replyId}', '/inbox-settings', '/inbox-metrics', '/reports/render', '/report-schedules/{scheduleId}', '/report-branding']) expect(probed.some((p) => p.includes(part)), part).toBe(true);
    expect(probed.length).toBeGreaterThanOrEqual(20);
  });
});
