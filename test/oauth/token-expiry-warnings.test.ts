/**
 * Token expiry warnings with a moved clock (services.now): 7 days and 1 day ahead, once each even
 * with concurrent sweeps, and an expired token turning the account `needs_reconnect` with a clear
 * reason. The warning is a webhook event.
 */
import { describe, expect, it } from 'vitest';
import { ConnectorRegistry } from '../../src/connectors/registry';
import { sweepTokenExpiry } from '../../src/accounts/expiry-warnings';
import { dialects } from '../support/databases';
import { useTestApp } from '../support/test-app';
import { loopbackConnector } from '../support/loopback-network';
import { newId } from '../../src/domain/ids';

const h = 3_600_000;
const d = 24 * h;
const connectors = new ConnectorRegistry();
connectors.register(loopbackConnector('http://127.0.0.1:9'));

describe.each(dialects())('token expiry warnings (%s)', (dialect) => {
  const t = useTestApp(dialect, { services: { connectors } });

  it('warns at 7 days and at 1 day once each, and flags expired accounts', async () => {
    const services = t.current.services;
    const db = services.database.db;
    const owner = await t.current.setupOwner();
    const ws = owner.workspaceId;
    const hook = await t.current.json('POST', `/api/v1/workspaces/${ws}/webhooks`, { url: 'http://127.0.0.1:9/hook', events: ['account.token_expiring', 'account.needs_reconnect'] }, owner);
    expect(hook.status).toBe(201);
    const now = services.now().getTime();
    const account = async (handle: string, expiresInMs: number | null, extra: { status?: 'ok' | 'disconnected'; removed?: boolean } = {}) => {
      const id = newId();
      const at = new Date(now).toISOString();
      await db
        .insertInto('accounts')
        .values({
          id,
          workspace_id: ws,
          network: 'loopback',
          external_id: `ext-${handle}`,
          handle,
          display_name: null,
          service_url: null,
          status: extra.status ?? 'ok',
          status_reason: null,
          credentials_enc: 'sealed',
          session_enc: null,
          created_at: at,
          updated_at: at,
          removed_at: extra.removed ? at : null,
          token_expires_at: expiresInMs === null ? null : new Date(now + expiresInMs).toISOString(),
        })
        .execute();
      return id;
    };
    const tenDays = await account('ten-days', 10 * d);
    const fiveDays = await account('five-days', 5 * d);
    const halfDay = await account('half-day', 12 * h);
    const expired = await account('expired', -h);
    const never = await account('never', null);
    const gone = await account('gone', 2 * d, { removed: true });
    const off = await account('off', 2 * d, { status: 'disconnected' });

    const warnings = async () =>
      (await db.selectFrom('events').selectAll().where('workspace_id', '=', ws).where('type', '=', 'account.token_expiring').orderBy('id').execute()).map((e) => JSON.parse(e.payload) as { accountId: string; daysLeft: number; expiresAt: string; network: string });
    const warned = async (id: string) => (await db.selectFrom('accounts').select(['expiry_warned', 'status', 'status_reason']).where('id', '=', id).executeTakeFirstOrThrow());

    // Two sweeps at once: each warning and flag exactly once.
    const [r1, r2] = await Promise.all([sweepTokenExpiry(services), sweepTokenExpiry(services)]);
    expect(r1.warned7d + r2.warned7d).toBe(1);
    expect(r1.warned1d + r2.warned1d).toBe(1);
    expect(r1.expired + r2.expired).toBe(1);
    let w = await warnings();
    expect(w).toHaveLength(2);
    expect(w.find((x) => x.accountId === fiveDays)).toMatchObject({ daysLeft: 5, network: 'loopback' });
    expect(w.find((x) => x.accountId === halfDay)).toMatchObject({ daysLeft: 1 });
    expect((await warned(fiveDays)).expiry_warned).toBe('7d');
    expect((await warned(halfDay)).expiry_warned).toBe('1d');
    expect((await warned(tenDays)).expiry_warned).toBeNull();
    const e = await warned(expired);
    expect(e.status).toBe('needs_reconnect');
    expect(e.status_reason).toMatch(/expired on .* UTC\. Reconnect the account/);
    for (const id of [never, gone, off]) expect((await warned(id)).expiry_warned).toBeNull();
    expect(await sweepTokenExpiry(services)).toEqual({ warned7d: 0, warned1d: 0, expired: 0 });

    // 4.5 days later: the ten-day account gets its 7-day warning, the five-day one its 1-day warning,
    // the half-day one has expired.
    services.advanceClock(4.5 * d);
    try {
      expect(await sweepTokenExpiry(services)).toEqual({ warned7d: 1, warned1d: 1, expired: 1 });
      w = await warnings();
      expect(w).toHaveLength(4);
      expect(w.slice(2).map((x) => [x.accountId, x.daysLeft]).sort()).toEqual([[fiveDays, 1], [tenDays, 6]].sort());
      expect((await warned(halfDay)).status).toBe('needs_reconnect');
      expect(await sweepTokenExpiry(services)).toEqual({ warned7d: 0, warned1d: 0, expired: 0 });
    } finally {
      services.advanceClock(-4.5 * d);
    }

    // Every warning and flag went to the webhook.
    const deliveries = await db.selectFrom('webhook_deliveries').innerJoin('events', 'events.id', 'webhook_deliveries.event_id').select('events.type').execute();
    expect(deliveries.filter((x) => x.type === 'account.token_expiring')).toHaveLength(4);
    expect(deliveries.filter((x) => x.type === 'account.needs_reconnect')).toHaveLength(2);
  });
});
