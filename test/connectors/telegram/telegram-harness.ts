/**
 * Shared set-up for the Telegram connector tests: the fake Bot API, a connector pointed at it, a
 * loopback-only fetch, a context that records saved sessions, and ready-made account auth.
 */
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { AccountAuth, ConnectorContext } from '../../../src/connectors/connector';
import { createTelegramConnector, type TelegramCredentials, type TelegramSession } from '../../../src/connectors/telegram/telegram.connector';
import { loopbackFetch } from '../bluesky/loopback-fetch';
import { CHANNEL, DISCUSSION, startFakeTelegram, TEST_BOT_ID, TEST_BOT_TOKEN, type FakeTelegram } from './fake-telegram-api';

/** The session `connect` yields for the fixtures' public channel. */
export const channelSession = (): TelegramSession => ({
  botId: TEST_BOT_ID,
  botUsername: 'herald_test_bot',
  chatId: CHANNEL.id,
  chatType: 'channel',
  chatUsername: CHANNEL.username,
  title: 'Herald News',
  linkedChatId: DISCUSSION.id,
});

/** Auth of the channel account, with an optional session override. */
export function channelAuth(session: TelegramSession | null = channelSession()): AccountAuth<TelegramCredentials, TelegramSession> {
  return {
    accountId: 'acc-1',
    externalId: String(CHANNEL.id),
    handle: `@${CHANNEL.username}`,
    serviceUrl: null,
    credentials: { botToken: TEST_BOT_TOKEN, chat: `@${CHANNEL.username}` },
    session,
  };
}

/** What a Telegram connector test works with. */
export interface TelegramHarness {
  tg: FakeTelegram;
  connector: ReturnType<typeof createTelegramConnector>;
  /** Sessions the connector saved, in order. */
  saved: TelegramSession[];
  ctx(): ConnectorContext<TelegramSession>;
}

/** Registers hooks: one fake per file, `assertDone()` after every test. */
export function useFakeTelegram(opts: { requestTimeoutMs?: number } = {}): { current: TelegramHarness } {
  const holder = {} as { current: TelegramHarness };
  beforeAll(async () => {
    const tg = await startFakeTelegram();
    const saved: TelegramSession[] = [];
    const connector = createTelegramConnector({ apiBaseUrl: tg.url, requestTimeoutMs: opts.requestTimeoutMs ?? 2_000, uploadTimeoutMs: 5_000 });
    holder.current = {
      tg,
      connector,
      saved,
      ctx: () => ({
        fetch: loopbackFetch(),
        defaultServiceUrl: 'http://127.0.0.1:1',
        saveSession: async (s) => {
          saved.push(structuredClone(s));
        },
      }),
    };
  });
  afterEach(() => {
    holder.current.saved.length = 0;
    holder.current.tg.assertDone();
  });
  afterAll(async () => {
    await holder.current?.tg.close();
  });
  return holder;
}
