/**
 * Rule notifications end to end on SQLite and PostgreSQL: a message ingested from a loopback peer
 * matches a rule, the `inbox-notify` jobs are enqueued with the messages, and the worker's handler
 * delivers them to a REAL local SMTP server (npm `smtp-server`, nodemailer on Herald's side), to a fake
 * Telegram Bot API answering documented fixtures (test/fixtures/telegram), and to the workspace's
 * webhooks as `inbox.rule.notification`. Permanent refusals are recorded, temporary ones retried;
 * SMTP settings come from the config module (HERALD_SMTP_URL, HERALD_SMTP_FROM).
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/config';
import { ConnectorRegistry } from '../../src/connectors/registry';
import { syncInbound } from '../../src/inbox/inbound-sync';
import { deliverInboxNotification } from '../../src/inbox/inbox-notify';
import { engagementHandlers } from '../../src/engagement/engagement-sweep';
import { inboxNotifyTask } from '../../src/inbox/inbox-workflow';
import { fixture, startFakeTelegram, TEST_BOT_TOKEN, type FakeTelegram } from '../connectors/telegram/fake-telegram-api';
import { dialects } from '../support/databases';
import { useTestApp, type TestSession } from '../support/test-app';
import { engagementConnector, startEngagementPeer, type EngagementPeer } from './engagement-peer';
import { insertPublishedTarget } from './published-target';

interface Mail {
  from: string;
  to: string[];
  raw: string;
}

let peer: EngagementPeer;
let tg: FakeTelegram;
let smtp: SMTPServer;
const mails: Mail[] = [];
/** Reply code the SMTP server gives the next message (null = accept). */
let refuseNext: { code: number; message: string } | null = null;
const connectors = new ConnectorRegistry();
// Filled in once the SMTP server listens (the config object is shared with the test services).
const smtpConfig = { url: '', from: 'Herald Alerts <alerts@herald.test>' };

beforeAll(async () => {
  peer = await startEngagementPeer();
  connectors.register(engagementConnector(peer.url, { metrics: false }));
  tg = await startFakeTelegram();
  smtp = new SMTPServer({
    // A plain local server: no TLS, no login (nodemailer must not insist on either).
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (refuseNext) {
          const err = Object.assign(new Error(refuseNext.message), { responseCode: refuseNext.code });
          refuseNext = null;
          return callback(err);
        }
        mails.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8') });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  smtpConfig.url = `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  expect(peer.unexpected).toEqual([]);
  await peer?.close();
  await tg?.close();
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
});

describe('SMTP settings', () => {
  it('are read from HERALD_SMTP_URL / HERALD_SMTP_FROM, validated, and off when unset', () => {
    const base = { HERALD_DATA_DIR: '/tmp/herald-inbox-notify-config', HERALD_SECRET_KEY: 'a'.repeat(64) };
    expect(loadConfig(base).smtp).toBeUndefined();
    expect(loadConfig({ ...base, HERALD_SMTP_URL: 'smtps://u:p@mail.example.com:465', HERALD_SMTP_FROM: 'ops@example.com' }).smtp).toEqual({ url: 'smtps://u:p@mail.example.com:465', from: 'ops@example.com' });
    expect(loadConfig({ ...base, HERALD_SMTP_URL: 'smtp://mail.example.com' }).smtp?.from).toBe('herald@localhost');
    expect(() => loadConfig({ ...base, HERALD_SMTP_URL: 'http://mail.example.com' })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, HERALD_SMTP_URL: 'http://mail.example.com' })).toThrow(/HERALD_SMTP_URL must be an smtp:\/\/ or smtps:\/\/ URL/);
  });
});

describe.each(dialects())('inbox rule notifications (%s)', (dialect) => {
  const t = useTestApp(dialect, { services: { connectors }, config: { smtp: smtpConfig } });
  let owner: TestSession & { workspaceId: string };
  let ws: string;

  beforeAll(async () => {
    owner = await t.current.setupOwner();
    ws = owner.workspaceId;
    t.current.services.config.networks.telegram.apiBaseUrl = tg.url;
  });

  const api = (method: string, path: string, body?: unknown) => t.current.json(method, `/api/v1/workspaces/${ws}${path}`, body, owner);
  const eventsOf = (type: string) => t.current.services.database.db.selectFrom('events').selectAll().where('type', '=', type).where('workspace_id', '=', ws).orderBy('id').execute();

  it('e-mails, messages the Telegram chat and calls webhooks for a matching new message; never for back-fill', async () => {
    expect((await api('PUT', '/inbox-settings', { telegramBotToken: TEST_BOT_TOKEN })).status).toBe(200);
    const hook = await api('POST', '/webhooks', { url: 'http://127.0.0.1:9/hook', events: ['inbox.rule.notification'] });
    expect(hook.status).toBe(201);
    const badChat = await api('POST', '/inbox-rules', { name: 'x', conditions: { networks: ['peer'] }, actions: { notify: [{ channel: 'telegram', chatId: 'not a chat' }] } });
    expect(badChat.status).toBe(422);
    const badMail = await api('POST', '/inbox-rules', { name: 'x', conditions: { networks: ['peer'] }, actions: { notify: [{ channel: 'email', to: ['nobody'] }] } });
    expect(badMail.status).toBe(422);
    const ruleRes = await api('POST', '/inbox-rules', {
      name: 'Complaints',
      conditions: { keywords: ['broken'] },
      actions: { notify: [{ channel: 'email', to: ['support@brand.test', 'lead@brand.test'] }, { channel: 'telegram', chatId: '-1001234567890' }, { channel: 'webhook' }] },
    });
    expect(ruleRes.status, await ruleRes.clone().text()).toBe(201);
    const rule = (await ruleRes.json()) as { id: string };

    const queued: Array<Record<string, unknown>> = [];
    const queue = t.current.services.queue;
    const enqueue = queue.enqueue.bind(queue);
    queue.enqueue = async (task, payload, opts, executor) => {
      if (task === inboxNotifyTask) queued.push(payload);
      return enqueue(task, payload, opts, executor);
    };
    try {
      const handle = `notify-${dialect}`;
      peer.addAccount(handle, 'pw');
      const acc = await api('POST', '/accounts', { network: 'peer', credentials: { handle, password: 'pw' } });
      const accountId = ((await acc.json()) as { id: string }).id;
      await insertPublishedTarget(t.current.services.database.db, { workspaceId: ws, authorId: owner.userId, accountId, network: 'peer', externalId: `post-${handle}`, publishedAt: new Date(Date.now() - 60_000) });
      // History from the first sync matches the rule but notifies nobody.
      peer.comment({ accountHandle: handle, authorHandle: 'old', parentId: `post-${handle}`, rootId: `post-${handle}`, text: 'It was broken last year' });
      await syncInbound(t.current.services, accountId);
      expect(queued).toEqual([]);
      expect(await eventsOf('inbox.rule.matched')).toHaveLength(1);

      const c = peer.comment({ accountHandle: handle, authorHandle: 'angry_user', parentId: `post-${handle}`, rootId: `post-${handle}`, text: 'The app is broken again <script>alert(1)</script> javascript:alert(2)' });
      await syncInbound(t.current.services, accountId);
      const message = await t.current.services.database.db.selectFrom('inbox_messages').select('id').where('external_id', '=', c.id).executeTakeFirstOrThrow();
      expect(queued).toEqual([0, 1, 2].map((index) => ({ workspaceId: ws, messageId: message.id, ruleId: rule.id, index })));

      tg.expect('sendMessage', 'sendMessage');
      // The handler the worker runs (registered with the engagement handlers).
      const handler = engagementHandlers(t.current.services)[inboxNotifyTask]!;
      for (const [i, p] of queued.entries()) await handler(p, { jobId: `notify-${i}`, attempt: 1, workerId: 'test' });
      const sent = tg.calls('sendMessage').at(-1)!;
      tg.assertDone();

      // The e-mail, as the SMTP server received it.
      expect(mails).toHaveLength(1);
      expect(mails[0]!.from).toBe('alerts@herald.test');
      expect(mails[0]!.to).toEqual(['support@brand.test', 'lead@brand.test']);
      const raw = mails[0]!.raw.replace(/=\r\n/g, '');
      expect(raw).toMatch(/^Subject: \[Herald\] Complaints: comment from @angry_user on peer/m);
      expect(raw).toMatch(/^Content-Type: text\/plain/m);
      expect(raw).toContain('broken again');
      expect(raw).toContain(`/inbox/${message.id}`);

      // The Telegram message: plain text (no parse mode), to the chat, with the bot's token in the path only.
      expect(sent.token).toBe(TEST_BOT_TOKEN);
      expect(sent.params.chat_id).toBe(-1001234567890);
      expect(sent.params.parse_mode).toBeUndefined();
      expect(String(sent.params.text)).toContain('The app is broken again <script>alert(1)</script> javascript:alert(2)');
      expect(String(sent.params.text)).toContain('Rule "Complaints"');

      // The webhook event and its delivery row.
      const hookEvents = await eventsOf('inbox.rule.notification');
      expect(hookEvents).toHaveLength(1);
      expect(JSON.parse(hookEvents[0]!.payload)).toMatchObject({ messageId: message.id, ruleId: rule.id, ruleName: 'Complaints', author: { handle: 'angry_user' } });
      const deliveries = await t.current.services.database.db.selectFrom('webhook_deliveries').selectAll().where('event_id', '=', hookEvents[0]!.id).execute();
      expect(deliveries).toHaveLength(1);
      expect((await eventsOf('inbox.notification.sent')).map((e) => JSON.parse(e.payload).channel).sort()).toEqual(['email', 'telegram', 'webhook']);

      // Permanent refusals are recorded and not retried; temporary ones throw so the queue retries.
      tg.expect('sendMessage', 'error-403-kicked');
      expect(await deliverInboxNotification(t.current.services, { workspaceId: ws, messageId: message.id, ruleId: rule.id, index: 1 })).toBe('failed');
      tg.expect('sendMessage', 'error-429');
      await expect(deliverInboxNotification(t.current.services, { workspaceId: ws, messageId: message.id, ruleId: rule.id, index: 1 })).rejects.toThrow(/Telegram answered 429/);
      tg.assertDone();
      refuseNext = { code: 550, message: 'Mailbox unavailable' };
      expect(await deliverInboxNotification(t.current.services, { workspaceId: ws, messageId: message.id, ruleId: rule.id, index: 0 })).toBe('failed');
      refuseNext = { code: 451, message: 'Try again later' };
      await expect(deliverInboxNotification(t.current.services, { workspaceId: ws, messageId: message.id, ruleId: rule.id, index: 0 })).rejects.toThrow(/SMTP delivery failed/);
      const failed = (await eventsOf('inbox.notification.failed')).map((e) => JSON.parse(e.payload) as { channel: string; reason: string });
      expect(failed.map((f) => f.channel)).toEqual(['telegram', 'email']);
      expect(failed[0]!.reason).toMatch(/bot was kicked/);
      // The token never shows up in what Herald records.
      expect(JSON.stringify(await t.current.services.database.db.selectFrom('events').selectAll().execute())).not.toContain(TEST_BOT_TOKEN.split(':')[1]);
      expect(fixture('sendMessage').ok).toBe(true);

      // A rule deleted before the job runs: nothing is sent.
      expect((await api('DELETE', `/inbox-rules/${rule.id}`)).status).toBe(204);
      expect(await deliverInboxNotification(t.current.services, { workspaceId: ws, messageId: message.id, ruleId: rule.id, index: 0 })).toBe('skipped');
      expect(mails).toHaveLength(1);
    } finally {
      queue.enqueue = enqueue;
      mails.length = 0;
    }
  });
});
