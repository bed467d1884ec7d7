/**
 * GET /calendar (the calendar's light feed): the posts scheduled in [from, to), with only time, author,
 * title and each target's account, network and state; the same posts and states as GET /posts for the
 * range; cursor pages; validated ranges; readable by every member, on SQLite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../support/databases';
import { useTestApp, type TestSession } from '../support/test-app';
import { ConnectorRegistry } from '../../src/connectors/registry';
import { loopbackConnector, startLoopbackNetwork, type LoopbackNetwork } from '../support/loopback-network';
import { calendarTitle } from '../../src/use-cases/calendar.use-case';

let network: LoopbackNetwork;
const connectors = new ConnectorRegistry();
beforeAll(async () => {
  network = await startLoopbackNetwork();
  connectors.register(loopbackConnector(network.url, { maxLength: 5000 }));
});
afterAll(async () => network?.close());

interface CalendarPage {
  items: Array<{ id: string; authorId: string; scheduledAt: string; title: string; targets: Array<{ accountId: string; network: string; state: string }> }>;
  nextCursor: string | null;
}
interface PostPage {
  items: Array<{ id: string; scheduledAt: string | null; targets: Array<{ accountId: string; state: string }> }>;
  nextCursor: string | null;
}

describe('calendar titles', () => {
  it('are the first line of the first non-empty text, cut to 100 characters with an ellipsis', () => {
    expect(calendarTitle(['', '  \n', 'Hello\nsecond line'])).toBe('Hello');
    expect(calendarTitle([])).toBe('');
    expect(calendarTitle(['x'.repeat(100)])).toBe('x'.repeat(100));
    expect(calendarTitle(['x'.repeat(101)])).toBe(`${'x'.repeat(99)}…`);
    // Text cut in the database (200 characters) counts as long even when its first line is shorter than that.
    expect(calendarTitle([`${'y'.repeat(200)}`])).toBe(`${'y'.repeat(99)}…`);
    // Characters outside the BMP are not split.
    expect(calendarTitle(['😀'.repeat(120)])).toBe(`${'😀'.repeat(99)}…`);
  });
});

describe.each(dialects())('GET /calendar (%s)', (dialect) => {
  const t = useTestApp(dialect, { services: { connectors } });
  let owner: TestSession & { workspaceId: string };
  let ws: string;
  const accounts: string[] = [];
  let n = 0;

  const connect = async () => {
    const handle = `cal-${dialect}-${++n}`;
    network.addAccount(handle, 'secret-pw');
    const res = await t.current.json('POST', `/api/v1/workspaces/${ws}/accounts`, { network: 'loopback', credentials: { handle, password: 'secret-pw' } }, owner);
    expect(res.status).toBe(201);
    return ((await res.json()) as { id: string }).id;
  };
  const create = async (body: Record<string, unknown>) => {
    const res = await t.current.json('POST', `/api/v1/workspaces/${ws}/posts`, body, owner);
    expect(res.status, await res.clone().text()).toBe(201);
    return ((await res.json()) as { id: string }).id;
  };
  const feed = (query: string, who: TestSession = owner) => t.current.json('GET', `/api/v1/workspaces/${ws}/calendar?${query}`, undefined, who);
  const range = (from: string, to: string, extra = '') => `from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}${extra}`;

  beforeAll(async () => {
    owner = await t.current.setupOwner({ timezone: 'UTC' });
    ws = owner.workspaceId;
    accounts.push(await connect(), await connect());
  });

  it('lists the range with titles and every target, the same posts and states as GET /posts', async () => {
    const a = await create({ text: '\nLaunch day\nmore words', targets: accounts.map((accountId) => ({ accountId })), schedule: { at: '2032-05-03T10:00:00Z' } });
    const b = await create({ text: 'z'.repeat(300), targets: [{ accountId: accounts[0] }], schedule: { at: '2032-05-20T23:59:00Z' } });
    const c = await create({ text: 'own text below', targets: [{ accountId: accounts[1], text: 'Only on two' }], action: 'submit', schedule: { at: '2032-05-10T08:00:00Z' } });
    await create({ text: 'June', targets: [{ accountId: accounts[0] }], schedule: { at: '2032-06-01T00:00:00Z' } });
    await create({ text: 'no time', targets: [{ accountId: accounts[0] }] });
    const gone = await create({ text: 'deleted', targets: [{ accountId: accounts[0] }], schedule: { at: '2032-05-04T10:00:00Z' } });
    expect((await t.current.json('DELETE', `/api/v1/workspaces/${ws}/posts/${gone}`, undefined, owner)).status).toBe(200);

    const res = await feed(range('2032-05-01T00:00:00Z', '2032-06-01T00:00:00Z'));
    expect(res.status).toBe(200);
    const page = (await res.json()) as CalendarPage;
    expect(page.nextCursor).toBeNull();
    expect(page.items.map((i) => i.id)).toEqual([a, b, c]);
    const [ia, ib, ic] = page.items;
    expect(ia).toEqual({
      id: a,
      authorId: owner.userId,
      scheduledAt: '2032-05-03T10:00:00.000Z',
      title: 'Launch day',
      targets: accounts.map((accountId) => ({ accountId, network: 'loopback', state: 'scheduled' })),
    });
    expect(ib!.title).toBe(`${'z'.repeat(99)}…`);
    expect(ic!.title).toBe('Only on two');
    expect(ic!.targets).toEqual([{ accountId: accounts[1], network: 'loopback', state: 'in_review' }]);
    // Nothing heavier than the calendar draws.
    expect(Object.keys(ia!).sort()).toEqual(['authorId', 'id', 'scheduledAt', 'targets', 'title']);

    const full = (await (await t.current.json('GET', `/api/v1/workspaces/${ws}/posts?${range('2032-05-01T00:00:00Z', '2032-06-01T00:00:00Z', '&limit=200')}`, undefined, owner)).json()) as PostPage;
    expect(page.items.map((i) => [i.id, i.scheduledAt, i.targets.map((x) => [x.accountId, x.state])])).toEqual(
      full.items.map((p) => [p.id, p.scheduledAt, p.targets.map((x) => [x.accountId, x.state])]),
    );
  });

  it('pages with a cursor and answers any member (contributors read the calendar too)', async () => {
    const ids = [];
    for (let d = 1; d <= 5; d++) ids.push(await create({ text: `day ${d}`, targets: [{ accountId: accounts[0] }], schedule: { at: `2033-01-0${d}T12:00:00Z` } }));
    const q = range('2033-01-01T00:00:00Z', '2033-02-01T00:00:00Z');
    const first = (await (await feed(`${q}&limit=2`)).json()) as CalendarPage;
    expect(first.items.map((i) => i.id)).toEqual(ids.slice(0, 2));
    expect(first.nextCursor).toBe(ids[1]);
    const second = (await (await feed(`${q}&limit=2&cursor=${first.nextCursor}`)).json()) as CalendarPage;
    expect(second.items.map((i) => i.id)).toEqual(ids.slice(2, 4));
    const last = (await (await feed(`${q}&limit=2&cursor=${second.nextCursor}`)).json()) as CalendarPage;
    expect(last.items.map((i) => i.id)).toEqual(ids.slice(4));
    expect(last.nextCursor).toBeNull();
    // The default page holds them all.
    expect(((await (await feed(q)).json()) as CalendarPage).items).toHaveLength(5);

    const contributor = await t.current.addUser(ws, 'contributor');
    const seen = await feed(q, contributor);
    expect(seen.status).toBe(200);
    expect(((await seen.json()) as CalendarPage).items).toHaveLength(5);
  });

  it('refuses missing, malformed, reversed and too-wide ranges and over-large pages with a clear 4xx', async () => {
    const problems: Array<[string, RegExp]> = [
      ['to=2033-01-01T00:00:00Z', /from/],
      [range('yesterday', '2033-01-01T00:00:00Z'), /from must be an ISO instant/],
      [range('2033-02-01T00:00:00Z', '2033-01-01T00:00:00Z'), /from must be before to/],
      [range('2033-01-01T00:00:00Z', '2033-06-01T00:00:00Z'), /at most 100 days/],
      [range('2033-01-01T00:00:00Z', '2033-02-01T00:00:00Z', '&limit=5000'), /limit/],
    ];
    for (const [query, message] of problems) {
      const res = await feed(query);
      expect([400, 422], query).toContain(res.status);
      expect(await res.text(), query).toMatch(message);
    }
  });
});
