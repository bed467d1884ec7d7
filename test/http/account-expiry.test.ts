/* eslint-disable @typescript-eslint/no-explicit-any -- response bodies are checked field by field */
/**
 * Token expiry and server limits on accounts: stored on connect and reconnect, updated by a
 * connector's saveSession(session, { expiresAt }) (which forgets warnings about the old date), and
 * shown as tokenExpiresAt / expiresInDays / expiry next to the unchanged status.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectorRegistry } from '../../src/connectors/registry';
import { accountContext } from '../../src/publishing/connector-context';
import { dialects } from '../support/databases';
import { extrasConnector } from '../support/extras-connector';
import { startLoopbackNetwork, type LoopbackNetwork } from '../support/loopback-network';
import { useTestApp, type TestSession } from '../support/test-app';

const day = 86_400_000;
let network: LoopbackNetwork;
const connectors = new ConnectorRegistry();
/** What the next connect reports as expiry (relative to the test app's clock). */
let nextExpiry: (() => string | null) | null = null;
let nextLimits: Record<string, number> = { maxCharacters: 500 };
beforeAll(async () => {
  network = await startLoopbackNetwork();
  const x = extrasConnector(network.url, { expiresAt: () => nextExpiry?.() ?? null });
  // Limits read at connect time so a reconnect can report new ones.
  const connect = x.connector.connect;
  x.connector.connect = async (c, ctx) => ({ ...(await connect(c, ctx)), networkLimits: nextLimits });
  connectors.register(x.connector);
});
afterAll(async () => network?.close());

describe.each(dialects())('account token expiry (%s)', (dialect) => {
  const t = useTestApp(dialect, { services: { connectors } });
  let owner: TestSession & { workspaceId: string };
  const accountsPath = () => `/api/v1/workspaces/${owner.workspaceId}/accounts`;
  const row = (id: string) => t.current.services.database.db.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const listed = async (id: string) => ((await (await t.current.json('GET', accountsPath(), undefined, owner)).json()) as any).items.find((a: any) => a.id === id);

  beforeAll(async () => {
    owner = await t.current.setupOwner();
  });

  it('shows days left and expiring_soon from 7 days, expired after, with status untouched', async () => {
    const now = () => t.current.services.now().getTime();
    const expiresAt = new Date(now() + 10 * day + 3_600_000).toISOString();
    nextExpiry = () => expiresAt;
    nextLimits = { maxCharacters: 500 };
    network.addAccount(`exp-${dialect}`, 'pw');
    const res = await t.current.json('POST', accountsPath(), { network: 'extras', credentials: { handle: `exp-${dialect}`, password: 'pw' } }, owner);
    const a = (await res.json()) as any;
    expect(res.status).toBe(201);
    expect(a).toMatchObject({ status: 'ok', tokenExpiresAt: expiresAt, expiresInDays: 10, expiry: 'ok', networkLimits: { maxCharacters: 500 } });
    expect((await row(a.id)).token_expires_at).toBe(expiresAt);

    t.current.services.advanceClock(3 * day);
    expect(await listed(a.id)).toMatchObject({ status: 'ok', expiresInDays: 7, expiry: 'expiring_soon' });
    t.current.services.advanceClock(7 * day);
    // Less than an hour left: "expires today".
    expect(await listed(a.id)).toMatchObject({ expiresInDays: 0, expiry: 'expiring_soon' });
    t.current.services.advanceClock(2 * day);
    expect(await listed(a.id)).toMatchObject({ status: 'ok', expiresInDays: -2, expiry: 'expired', tokenExpiresAt: expiresAt });
    t.current.services.advanceClock(-12 * day);
  });

  it('an account without a known expiry says so', async () => {
    nextExpiry = () => null;
    network.addAccount(`noexp-${dialect}`, 'pw');
    const a = (await (await t.current.json('POST', accountsPath(), { network: 'extras', credentials: { handle: `noexp-${dialect}`, password: 'pw' } }, owner)).json()) as any;
    expect(a).toMatchObject({ tokenExpiresAt: null, expiresInDays: null, expiry: 'none' });
  });

  it('reconnect stores the new expiry and limits and forgets warnings about the old date', async () => {
    const first = new Date(t.current.services.now().getTime() + 5 * day).toISOString();
    nextExpiry = () => first;
    nextLimits = { maxCharacters: 500 };
    network.addAccount(`re-${dialect}`, 'pw');
    const a = (await (await t.current.json('POST', accountsPath(), { network: 'extras', credentials: { handle: `re-${dialect}`, password: 'pw' } }, owner)).json()) as any;
    await t.current.services.database.db.updateTable('accounts').set({ expiry_warned: '7d' }).where('id', '=', a.id).execute();

    const second = new Date(t.current.services.now().getTime() + 60 * day + 3_600_000).toISOString();
    nextExpiry = () => second;
    nextLimits = { maxCharacters: 11_000 };
    const res = await t.current.json('POST', `${accountsPath()}/${a.id}/reconnect`, { credentials: { handle: `re-${dialect}`, password: 'pw' } }, owner);
    expect(res.status).toBe(200);
    expect((await res.json()) as any).toMatchObject({ tokenExpiresAt: second, expiresInDays: 60, expiry: 'ok', networkLimits: { maxCharacters: 11_000 } });
    const r = await row(a.id);
    expect(r).toMatchObject({ token_expires_at: second, expiry_warned: null, network_limits: JSON.stringify({ maxCharacters: 11_000 }) });

    // The same expiry again keeps the warning state (the warning was about this very date).
    await t.current.services.database.db.updateTable('accounts').set({ expiry_warned: '7d' }).where('id', '=', a.id).execute();
    await t.current.json('POST', `${accountsPath()}/${a.id}/reconnect`, { credentials: { handle: `re-${dialect}`, password: 'pw' } }, owner);
    expect((await row(a.id)).expiry_warned).toBe('7d');
  });

  it("a connector's saveSession with expiresAt updates the expiry; without it only the session changes", async () => {
    const start = new Date(t.current.services.now().getTime() + 2 * day).toISOString();
    nextExpiry = () => start;
    network.addAccount(`save-${dialect}`, 'pw');
    const a = (await (await t.current.json('POST', accountsPath(), { network: 'extras', credentials: { handle: `save-${dialect}`, password: 'pw' } }, owner)).json()) as any;
    const db = t.current.services.database.db;
    await db.updateTable('accounts').set({ expiry_warned: '1d' }).where('id', '=', a.id).execute();
    const ctx = accountContext(t.current.services, a.id, 5_000);

    const before = await row(a.id);
    await ctx.saveSession({ token: 'refreshed-1' });
    const plain = await row(a.id);
    expect(plain.session_enc).not.toBe(before.session_enc);
    expect(plain).toMatchObject({ token_expires_at: start, expiry_warned: '1d' });
    expect(t.current.services.secrets.open(plain.session_enc!, `account:${a.id}:session`)).toEqual({ token: 'refreshed-1' });

    // Same date (written differently): warnings stay.
    await ctx.saveSession({ token: 'refreshed-2' }, { expiresAt: start.replace('.000Z', 'Z') });
    expect(await row(a.id)).toMatchObject({ token_expires_at: start, expiry_warned: '1d' });

    const renewed = new Date(Date.parse(start) + 30 * day).toISOString();
    await ctx.saveSession({ token: 'refreshed-3' }, { expiresAt: renewed });
    expect(await row(a.id)).toMatchObject({ token_expires_at: renewed, expiry_warned: null });
    expect(await listed(a.id)).toMatchObject({ tokenExpiresAt: renewed, expiry: 'ok' });

    await db.updateTable('accounts').set({ expiry_warned: '7d' }).where('id', '=', a.id).execute();
    await ctx.saveSession({ token: 'refreshed-4' }, { expiresAt: null });
    expect(await row(a.id)).toMatchObject({ token_expires_at: null, expiry_warned: null });
    expect(await listed(a.id)).toMatchObject({ tokenExpiresAt: null, expiresInDays: null, expiry: 'none' });
  });

  it('connect takes the expiry a connector saved with its session when connect itself names none', async () => {
    const saved = new Date(t.current.services.now().getTime() + 20 * day + 3_600_000).toISOString();
    const c = connectors.get('extras');
    const original = c.connect;
    c.connect = async (creds, ctx) => {
      const r = await original(creds, ctx);
      await ctx.saveSession({ token: 'from-connect' }, { expiresAt: saved });
      const { expiresAt: _drop, ...rest } = r;
      return rest;
    };
    try {
      network.addAccount(`cs-${dialect}`, 'pw');
      const a = (await (await t.current.json('POST', accountsPath(), { network: 'extras', credentials: { handle: `cs-${dialect}`, password: 'pw' } }, owner)).json()) as any;
      expect(a).toMatchObject({ tokenExpiresAt: saved, expiresInDays: 20 });
      const r = await row(a.id);
      expect(t.current.services.secrets.open(r.session_enc!, `account:${a.id}:session`)).toEqual({ token: 'from-connect' });
    } finally {
      c.connect = original;
    }
  });

  it('the OpenAPI document describes the expiry fields', async () => {
    const doc = (await (await t.current.request('/api/openapi.json')).json()) as any;
    const props = doc.components.schemas.Account.properties;
    expect(Object.keys(props)).toEqual(expect.arrayContaining(['tokenExpiresAt', 'expiresInDays', 'expiry', 'networkLimits', 'heldPosts', 'status']));
    expect(props.expiry.enum).toEqual(['none', 'ok', 'expiring_soon', 'expired']);
    expect(props.expiry.description).toContain('expiring_soon');
  });
});
