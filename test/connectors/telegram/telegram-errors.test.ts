/**
 * The error mapping table: every Bot API error answer (fixtures follow the docs' error envelope
 * `{ok:false, error_code, description, parameters}`) and every transport failure, for a send (write)
 * and for a read.
 */
import { createServer, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ConnectorError, type FailureKind } from '../../../src/connectors/connector';
import { createTelegramConnector } from '../../../src/connectors/telegram/telegram.connector';
import { loopbackFetch } from '../bluesky/loopback-fetch';
import { TEST_BOT_TOKEN } from './fake-telegram-api';
import { channelAuth, useFakeTelegram } from './telegram-harness';

const h = useFakeTelegram({ requestTimeoutMs: 500 });

const table: Array<{ fixture: string; kind: FailureKind; retryAfterMs?: number; outcomeUnknown?: boolean; says: string }> = [
  { fixture: 'error-401', kind: 'auth_expired', says: 'did not accept the bot token' },
  { fixture: 'error-404', kind: 'auth_expired', says: 'Not Found' },
  { fixture: 'error-403-kicked', kind: 'disconnected', says: 'Forbidden: bot was kicked from the channel chat' },
  { fixture: 'error-403-not-member', kind: 'disconnected', says: 'bot is not a member' },
  { fixture: 'error-400-chat-not-found', kind: 'disconnected', says: 'chat not found' },
  { fixture: 'error-400-not-enough-rights', kind: 'disconnected', says: 'not enough rights' },
  { fixture: 'error-400-migrated', kind: 'disconnected', says: 'supergroup with the id -1002222222222' },
  { fixture: 'error-400-entities', kind: 'invalid_content', says: "Telegram refused to publish the post: Bad Request: can't parse entities" },
  { fixture: 'error-400-too-long', kind: 'invalid_content', says: 'message is too long' },
  { fixture: 'error-429', kind: 'rate_limited', retryAfterMs: 17_000, says: 'Too Many Requests: retry after 17' },
  { fixture: 'error-500', kind: 'retryable', outcomeUnknown: true, says: 'Internal Server Error' },
  { fixture: 'error-502', kind: 'retryable', outcomeUnknown: true, says: 'Bad Gateway' },
];

async function publishError(): Promise<ConnectorError> {
  const e = await h.current.connector
    .publish({ auth: channelAuth(), variant: { text: 'Hello' }, idempotencyKey: 't', createdAt: '2026-11-26T06:00:00Z' }, h.current.ctx())
    .catch((x: unknown) => x);
  expect(e).toBeInstanceOf(ConnectorError);
  return e as ConnectorError;
}

describe('Telegram error mapping', () => {
  it.each(table)('sendMessage answered $fixture → $kind', async (row) => {
    h.current.tg.expect('sendMessage', row.fixture);
    const e = await publishError();
    expect(e.kind).toBe(row.kind);
    expect(e.message).toContain(row.says);
    expect(e.opts.retryAfterMs).toBe(row.retryAfterMs);
    expect(e.opts.outcomeUnknown ?? false).toBe(row.outcomeUnknown ?? false);
    expect(e.message).not.toContain(TEST_BOT_TOKEN.split(':')[1]!);
  });

  it('a 5xx on a read (getChatMemberCount) is retryable but never "outcome unknown"', async () => {
    h.current.tg.expect('getChatMemberCount', 'error-500');
    const e = (await h.current.connector.metrics!.account({ auth: channelAuth() }, h.current.ctx()).catch((x: unknown) => x)) as ConnectorError;
    expect(e.kind).toBe('retryable');
    expect(e.opts.outcomeUnknown).toBe(false);
  });

  it('the connection cut after the send left → retryable with outcome unknown', async () => {
    h.current.tg.expect('sendMessage', 'sendMessage', { drop: true });
    const e = await publishError();
    expect(e.kind).toBe('retryable');
    expect(e.opts.outcomeUnknown).toBe(true);
  });

  it('no answer within the timeout after sending → outcome unknown', async () => {
    // A server that accepts and never answers.
    const sockets: Socket[] = [];
    const silent = createServer((s) => void sockets.push(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as { port: number }).port;
    try {
      const c = createTelegramConnector({ apiBaseUrl: `http://127.0.0.1:${port}`, requestTimeoutMs: 300 });
      const e = (await c
        .publish({ auth: channelAuth(), variant: { text: 'x' }, idempotencyKey: 't', createdAt: '2026-11-26T06:00:00Z' }, h.current.ctx())
        .catch((x: unknown) => x)) as ConnectorError;
      expect(e.kind).toBe('retryable');
      expect(e.opts.outcomeUnknown).toBe(true);
      expect(e.message).toContain('timed out');
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => silent.close(() => r()));
    }
  });

  it('a refused connection (nothing sent) → retryable, and the post can simply be sent again', async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const c = createTelegramConnector({ apiBaseUrl: `http://127.0.0.1:${port}` });
    const e = (await c
      .publish({ auth: channelAuth(), variant: { text: 'x' }, idempotencyKey: 't', createdAt: '2026-11-26T06:00:00Z' }, { ...h.current.ctx(), fetch: loopbackFetch() })
      .catch((x: unknown) => x)) as ConnectorError;
    expect(e.kind).toBe('retryable');
    expect(e.opts.outcomeUnknown).toBe(false);
    expect(e.message).toContain('ECONNREFUSED');
    expect(e.message).not.toContain(TEST_BOT_TOKEN);
  });

  it('Telegram has no idempotency key and bots cannot read channel history: no findPublished', () => {
    expect(h.current.connector.findPublished).toBeUndefined();
  });
});

describe('the fake Bot API itself', () => {
  it('fails a request it did not expect, and one made with another token', async () => {
    const { tg, connector } = h.current;
    await connector.publish({ auth: channelAuth(), variant: { text: 'x' }, idempotencyKey: 't', createdAt: '2026-11-26T06:00:00Z' }, h.current.ctx()).catch(() => undefined);
    expect(() => tg.assertDone()).toThrow(/unexpected request: sendMessage .*nothing more expected/);
    tg.expect('getMe', 'getMe');
    await connector.connect({ botToken: '7000000001:AAanotheranotheranotheranotherano', chat: '@x' }, h.current.ctx()).catch(() => undefined);
    expect(() => tg.assertDone()).toThrow(/unexpected request: getMe \(another token\)/);
  });
});
