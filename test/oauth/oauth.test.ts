/**
 * OAuth connect for any connector with the `oauth` capability, through the HTTP API, against a
 * loopback authorization server that checks PKCE (S256), the registered redirect URI and the client
 * secret: start → the network's authorize page → Herald's callback → connected (or reconnected)
 * account; and every refusal (declined, expired, reused, another user, network failure, bad start).
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectorRegistry } from '../../src/connectors/registry';
import { dialects } from '../support/databases';
import { useTestApp, type TestSession } from '../support/test-app';
import { engagementConnector, startEngagementPeer, type EngagementPeer } from '../inbox/engagement-peer';

let peer: EngagementPeer;
const connectors = new ConnectorRegistry();
beforeAll(async () => {
  peer = await startEngagementPeer();
  connectors.register(engagementConnector(peer.url));
  connectors.register(engagementConnector(peer.url, { id: 'plain', oauth: false }));
  connectors.register(engagementConnector(peer.url, { id: 'closed', oauth: { unavailable: 'set HERALD_CLOSED_CLIENT_ID and HERALD_CLOSED_CLIENT_SECRET' } }));
  connectors.register(engagementConnector(peer.url, { id: 'fedi', needsServiceUrl: true }));
  connectors.register(engagementConnector(peer.url, { id: 'grouped', startField: true }));
});
afterAll(async () => {
  expect(peer.unexpected).toEqual([]);
  await peer?.close();
});

describe.each(dialects())('OAuth connect (%s)', (dialect) => {
  const t = useTestApp(dialect, { services: { connectors } });
  let owner: TestSession & { workspaceId: string };
  let ws: string;
  let n = 0;
  const handle = () => `oauth-${dialect}-${++n}`;

  beforeAll(async () => {
    owner = await t.current.setupOwner();
    ws = owner.workspaceId;
  });

  const start = async (body: Record<string, unknown>, who: TestSession = owner) => t.current.json('POST', `/api/v1/workspaces/${ws}/accounts/oauth/start`, body, who);

  /** Starts, lets the peer answer as `as`, and returns Herald's callback path with the network's query. */
  async function authorize(as: string | { deny: true }, body: Record<string, unknown> = { network: 'peer' }): Promise<string> {
    const res = await start(body);
    expect(res.status, await res.clone().text()).toBe(200);
    const { authorizeUrl } = (await res.json()) as { authorizeUrl: string };
    peer.authorizeAs(as);
    const page = await fetch(authorizeUrl, { redirect: 'manual' });
    expect(page.status).toBe(302);
    const back = new URL(page.headers.get('location')!);
    return `${back.pathname}${back.search}`;
  }

  async function callback(path: string, who?: TestSession): Promise<{ connected: string | null; error: string | null; res: Response }> {
    const res = await t.current.request(path, { headers: who ? { cookie: who.cookie } : {} });
    expect(res.status).toBe(302);
    const to = new URL(res.headers.get('location')!, 'http://herald.invalid');
    expect(to.pathname).toBe('/accounts');
    return { connected: to.searchParams.get('connected'), error: to.searchParams.get('oauthError'), res };
  }

  it('connects an account: state and PKCE verifier stored only sealed/hashed, app registered once, account stored like a form connect', async () => {
    const h = handle();
    peer.addAccount(h);
    const registrations = () => peer.requests.filter((l) => l.startsWith('POST /apps')).length;
    const registeredBefore = registrations();
    const res = await start({ network: 'peer' });
    expect(res.status).toBe(200);
    const { authorizeUrl, expiresAt } = (await res.json()) as { authorizeUrl: string; expiresAt: string };
    const u = new URL(authorizeUrl);
    const state = u.searchParams.get('state')!;
    expect(u.searchParams.get('redirect_uri')).toBe(`${t.current.services.config.publicUrl}/api/v1/oauth/callback/peer`);
    expect(u.searchParams.get('code_challenge_method')).toBe('S256');
    expect(u.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(state.length).toBeGreaterThanOrEqual(43);
    expect(Date.parse(expiresAt) - Date.now()).toBeGreaterThan(9 * 60_000);

    const db = t.current.services.database.db;
    const rows = await db.selectFrom('oauth_states').selectAll().execute();
    const row = rows.find((r) => r.id === createHash('sha256').update(state).digest('hex'));
    expect(row).toBeDefined();
    expect(JSON.stringify(rows)).not.toContain(state);
    const apps = await db.selectFrom('oauth_apps').selectAll().execute();
    expect(apps.map((a) => [a.network, a.service_url])).toEqual([['peer', peer.url]]);
    expect(apps[0]!.app_enc).not.toContain('secret-');

    peer.authorizeAs(h);
    const page = await fetch(authorizeUrl, { redirect: 'manual' });
    const back = new URL(page.headers.get('location')!);
    const r = await callback(`${back.pathname}${back.search}`, owner);
    expect(r.error).toBeNull();
    expect(r.res.headers.get('cache-control')).toBe('no-store');
    const list = (await (await t.current.json('GET', `/api/v1/workspaces/${ws}/accounts`, undefined, owner)).json()) as { items: Array<{ id: string; handle: string; status: string; network: string }> };
    const acct = list.items.find((a) => a.id === r.connected);
    expect(acct).toMatchObject({ handle: h, status: 'ok', network: 'peer' });
    const stored = await db.selectFrom('accounts').selectAll().where('id', '=', r.connected!).executeTakeFirstOrThrow();
    expect(stored.token_expires_at).not.toBeNull();
    expect(stored.credentials_enc).not.toMatch(/accessToken/);
    const connectedEvents = await db.selectFrom('events').selectAll().where('type', '=', 'account.connected').where('subject_id', '=', r.connected!).execute();
    expect(connectedEvents).toHaveLength(1);
    expect(connectedEvents[0]!.actor_id).toBe(owner.userId);

    // The state is gone: the same callback again is refused.
    const again = await callback(`${back.pathname}${back.search}`, owner);
    expect(again.connected).toBeNull();
    expect(again.error).toMatch(/unknown, has expired or was already used/);

    // A second sign-in on the same server reuses the app registration.
    await authorize({ deny: true });
    expect(registrations() - registeredBefore).toBe(1);
  });

  it('finishes without a session cookie (the state names the user) and refuses a different signed-in user', async () => {
    const h = handle();
    peer.addAccount(h);
    const path = await authorize(h);
    const intruder = await t.current.addUser(ws, 'admin');
    const refused = await callback(path, intruder);
    expect(refused.error).toMatch(/different person/);
    // Refusal used the state up.
    expect((await callback(path)).error).toMatch(/already used/);

    const ok = await callback(await authorize(h));
    expect(ok.error).toBeNull();
    expect(ok.connected).toBeTruthy();
  });

  it('says so when the user declines, when the sign-in expired, and when the network fails the code exchange', async () => {
    const declined = await callback(await authorize({ deny: true }), owner);
    expect(declined.error).toBe('You declined access on Peer; nothing was connected.');

    const h = handle();
    peer.addAccount(h);
    const late = await authorize(h);
    t.current.services.advanceClock(11 * 60_000);
    try {
      expect((await callback(late, owner)).error).toMatch(/longer than 10 minutes/);
    } finally {
      t.current.services.advanceClock(-11 * 60_000);
    }

    const failing = await authorize(h);
    peer.failNext('/oauth/token', { status: 500 });
    expect((await callback(failing, owner)).error).toBe('Peer did not complete the sign-in: injected HTTP 500');

    const noState = await callback('/api/v1/oauth/callback/peer?code=abc', owner);
    expect(noState.error).toMatch(/no state/);
    const forged = await callback('/api/v1/oauth/callback/peer?code=abc&state=forged', owner);
    expect(forged.error).toMatch(/unknown/);
    expect(await t.current.services.database.db.selectFrom('accounts').select('handle').where('handle', '=', h).execute()).toEqual([]);
  });

  it('reconnects with accountId (held posts path), and signing in to an already connected account renews it', async () => {
    const h = handle();
    peer.addAccount(h);
    const first = await callback(await authorize(h), owner);
    const id = first.connected!;
    const db = t.current.services.database.db;
    await db.updateTable('accounts').set({ status: 'needs_reconnect', status_reason: 'token revoked' }).where('id', '=', id).execute();

    const re = await callback(await authorize(h, { network: 'peer', accountId: id }), owner);
    expect(re).toMatchObject({ connected: id, error: null });
    expect((await db.selectFrom('accounts').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status).toBe('ok');
    expect(await db.selectFrom('events').select('type').where('subject_id', '=', id).where('type', '=', 'account.reconnected').execute()).toHaveLength(1);

    const again = await callback(await authorize(h), owner);
    expect(again).toMatchObject({ connected: id, error: null });
    expect(await db.selectFrom('accounts').select('id').where('handle', '=', h).where('removed_at', 'is', null).execute()).toHaveLength(1);

    // Reconnecting with another person's network account is refused with words.
    const other = handle();
    peer.addAccount(other);
    const wrong = await callback(await authorize(other, { network: 'peer', accountId: id }), owner);
    expect(wrong.error).toMatch(/belong to .* not /);
  });

  it("passes the connector's declared start fields to begin (checked first), and what it keeps reaches finish", async () => {
    const missing = await start({ network: 'grouped' });
    expect(missing.status).toBe(422);
    expect(((await missing.json()) as { detail: string }).detail).toMatch(/Group is required/);
    const unknown = await start({ network: 'grouped', fields: { group: 'g1', colour: 'red' } });
    expect(unknown.status).toBe(422);
    expect(((await unknown.json()) as { detail: string }).detail).toMatch(/no field "colour"/);
    const refused = await start({ network: 'grouped', fields: { group: 'club' } });
    expect(refused.status).toBe(422);
    expect(((await refused.json()) as { detail: string }).detail).toBe('Peer refused to start the sign-in: Enter the group as g followed by digits');

    const h = handle();
    peer.addAccount(h);
    const r = await callback(await authorize(h, { network: 'grouped', fields: { group: ' g42 ' } }), owner);
    expect(r.error).toBeNull();
    const list = (await (await t.current.json('GET', `/api/v1/workspaces/${ws}/accounts`, undefined, owner)).json()) as { items: Array<{ id: string; displayName: string | null }> };
    expect(list.items.find((a) => a.id === r.connected)?.displayName).toBe(`Name of ${h} (g42)`);
  });

  it('refuses bad starts: unknown network 404, no oauth 400, not configured 400 with the reason, missing server 422, non-admins 403', async () => {
    const unknown = await start({ network: 'nope' });
    expect(unknown.status).toBe(404);
    const plain = await start({ network: 'plain' });
    expect(plain.status).toBe(400);
    expect(((await plain.json()) as { detail: string }).detail).toMatch(/does not connect by OAuth/);
    const closed = await start({ network: 'closed' });
    expect(closed.status).toBe(400);
    expect(((await closed.json()) as { detail: string }).detail).toMatch(/HERALD_CLOSED_CLIENT_ID/);
    const fedi = await start({ network: 'fedi' });
    expect(fedi.status).toBe(422);
    expect(((await fedi.json()) as { detail: string }).detail).toMatch(/Name your Peer server/);
    const badUrl = await start({ network: 'fedi', serviceUrl: 'ftp://x' });
    expect(badUrl.status).toBe(422);
    const fediOk = await start({ network: 'fedi', serviceUrl: `${peer.url}/` });
    expect(fediOk.status).toBe(200);
    const missingAccount = await start({ network: 'peer', accountId: '0190c7e2-1b2c-7d3e-8f40-1234567890ab' });
    expect(missingAccount.status).toBe(404);
    for (const role of ['editor', 'viewer'] as const) {
      const who = await t.current.addUser(ws, role);
      expect((await start({ network: 'peer' }, who)).status).toBe(403);
    }
  });
});
