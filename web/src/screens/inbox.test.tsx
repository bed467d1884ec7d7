// @vitest-environment node
/**
 * The inbox screen against a real in-process Herald: messages arrive through the real inbound sync
 * from a connector whose `comments` capability stays in process (components/inbox-test-connector.ts:
 * id bluesky, with the shared Bluesky validator), so ingestion, the list, filters, conversation and
 * reply run through the real routes and use cases. Checks that filters become the API's query, that
 * hostile network content is inert, and that a reply is validated with the network's validator and
 * sent exactly once. jsdom is installed by the test (components/inbox-jsdom-env.ts says why).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { I18nextProvider } from 'react-i18next';
import { ConnectorError, type Connector } from '../../../src/connectors/connector';
import { ConnectorRegistry } from '../../../src/connectors/registry';
import { syncInbound } from '../../../src/inbox/inbound-sync';
import { createTestApp, type TestApp, type TestSession } from '../../../test/support/test-app';
import { inProcessApi } from '../test-support/in-process-api';
import { ApiProvider } from '../api/context';
import type { Workspace } from '../api/types';
import { createI18n } from '../i18n/index';
import { InboxScreen, inboxQuery, noInboxFilters } from './inbox';
import { safeHttpUrl, splitLinks } from '../components/inbox-network-text';
import { inbound as msg, inboxTestNetwork } from '../components/inbox-test-connector';
import { installJsdom } from '../components/inbox-jsdom-env';

await installJsdom();
const { cleanup, configure, fireEvent, render, screen, waitFor, within } = await import('@testing-library/react');
// Two cores shared by many test runs: give the in-process server time to answer.
configure({ asyncUtilTimeout: 5000 });

const network = inboxTestNetwork();
const replies = network.replies;

const hostileName = '<img src=x onerror=alert(1)>';
const hostileText = '<script>alert(1)</script> see javascript:alert(2) and https://example.test/ok, <b>bold</b>';

describe('inbox screen (in-process Herald)', () => {
  let t: TestApp;
  let owner: TestSession & { workspaceId: string };
  let workspace: Workspace;
  let alice: string;
  let bob: string;
  const requests: string[] = [];
  /** Idempotency-Key of every reply request, in order. */
  const replyKeys: string[] = [];

  beforeAll(async () => {
    t = await createTestApp('sqlite', { initQueue: false, services: { connectors: new ConnectorRegistry([network.connector as unknown as Connector<never, never>]) } });
    owner = await t.setupOwner();
    workspace = (await (await t.json('GET', `/api/v1/workspaces/${owner.workspaceId}`, undefined, owner)).json()) as Workspace;
    const connect = async (token: string) => ((await (await t.json('POST', `/api/v1/workspaces/${owner.workspaceId}/accounts`, { network: 'bluesky', credentials: { token } }, owner)).json()) as { id: string }).id;
    alice = await connect('alice');
    bob = await connect('bob');
    network.queue('alice.test', [
      msg('c1', 'comment', 'Love the new release'),
      msg('c2', 'reply', 'Agreed, it is great', { parentExternalId: 'c1' }),
      msg('h1', 'mention', hostileText, { author: { externalId: 'did:plc:evil', handle: 'evil.test', displayName: hostileName }, url: 'javascript:alert(3)' }),
    ]);
    network.queue('bob.test', [msg('b1', 'mention', 'Hello Bob from the past', { createdAt: '2020-01-02T10:00:00.000Z' })]);
    for (const id of [alice, bob]) expect(await syncInbound(t.services, id)).toMatchObject({ outcome: 'done' });
  });
  afterEach(() => cleanup());
  afterAll(async () => t.close());

  const renderInbox = (pollMs?: number) => {
    // Every request the screen makes, as path + query, to check what the filters send.
    const spy: TestApp = {
      ...t,
      request: (path, init, opts) => {
        requests.push(path);
        const key = new Headers(init?.headers).get('idempotency-key');
        if (key) replyKeys.push(key);
        return t.request(path, init, opts);
      },
    };
    return render(
      <I18nextProvider i18n={createI18n('en')}>
        <ApiProvider api={inProcessApi(spy, owner)}>
          <InboxScreen workspace={workspace} pollMs={pollMs} />
        </ApiProvider>
      </I18nextProvider>,
    );
  };
  const listText = () => screen.getByRole('list', { name: 'Messages' }).textContent ?? '';
  const lastInboxQuery = () => new URL(`http://x${requests.filter((r) => r.includes('/inbox-messages?')).at(-1)}`).searchParams;

  it('lists every account in one list and renders hostile content as inert text', async () => {
    const { container } = renderInbox();
    const list = await screen.findByRole('list', { name: 'Messages' });
    await waitFor(() => expect(within(list).getAllByRole('listitem')).toHaveLength(4));
    expect(listText()).toContain('Hello Bob from the past');
    expect(listText()).toContain(hostileName);

    fireEvent.click(within(list).getByText(hostileName).closest('button')!);
    const conversation = await screen.findByRole('region', { name: 'Conversation' });
    // The text is on the page as text: no element was made from it, the words are visible verbatim.
    expect(conversation.textContent).toContain('<script>alert(1)</script>');
    expect(conversation.textContent).toContain('<b>bold</b>');
    expect(container.querySelector('script, img, b')).toBeNull();
    // Only http(s) becomes a link; javascript: (in the text and as the message's own URL) stays text.
    const links = [...container.querySelectorAll('a')];
    expect(links.map((a) => a.getAttribute('href'))).toContain('https://example.test/ok');
    for (const a of links) {
      expect(a.getAttribute('href')).toMatch(/^https?:\/\//);
      if (a.getAttribute('target') === '_blank') expect(a.getAttribute('rel')).toBe('noopener noreferrer');
    }
    expect(within(conversation).getByText('Open on the network').tagName).toBe('SPAN');
    expect(document.body.innerHTML).not.toMatch(/href="javascript:/i);
  });

  it('turns each filter into the query the API gets, and shows what it answers', async () => {
    renderInbox();
    await screen.findByRole('list', { name: 'Messages' });
    const form = screen.getByRole('form', { name: 'Inbox filters' });

    fireEvent.change(within(form).getByLabelText('Type'), { target: { value: 'mention' } });
    await waitFor(() => expect(lastInboxQuery().get('kind')).toBe('mention'));
    await waitFor(() => expect(listText()).not.toContain('Love the new release'));
    expect(listText()).toContain('Hello Bob from the past');

    fireEvent.change(within(form).getByLabelText('Account'), { target: { value: bob } });
    await waitFor(() => expect(lastInboxQuery().get('accountId')).toBe(bob));
    await waitFor(() => expect(listText()).not.toContain(hostileName));
    expect(lastInboxQuery().get('kind')).toBe('mention');

    fireEvent.change(within(form).getByLabelText('Written since'), { target: { value: '2021-01-01' } });
    await waitFor(() => expect(lastInboxQuery().get('since')).toBe(new Date('2021-01-01T00:00:00').toISOString()));
    expect(await screen.findByText('No messages match these filters.')).toBeTruthy();

    fireEvent.click(screen.getByRole('button', { name: 'Clear filters' }));
    await waitFor(() => expect(within(screen.getByRole('list', { name: 'Messages' })).getAllByRole('listitem')).toHaveLength(4));
    const q = lastInboxQuery();
    expect([q.has('kind'), q.has('accountId'), q.has('since'), q.has('network')]).toEqual([false, false, false, false]);

    fireEvent.change(within(form).getByLabelText('Network'), { target: { value: 'bluesky' } });
    await waitFor(() => expect(lastInboxQuery().get('network')).toBe('bluesky'));
  });

  it('sends search and the workflow filters to the API', async () => {
    renderInbox();
    await screen.findByRole('list', { name: 'Messages' });
    const form = screen.getByRole('form', { name: 'Inbox filters' });

    fireEvent.change(within(form).getByLabelText('Search'), { target: { value: 'BOB' } });
    await waitFor(() => expect(lastInboxQuery().get('q')).toBe('BOB'));
    await waitFor(() => expect(within(screen.getByRole('list', { name: 'Messages' })).getAllByRole('listitem')).toHaveLength(1));
    expect(listText()).toContain('Hello Bob from the past');
    fireEvent.change(within(form).getByLabelText('Search'), { target: { value: '' } });

    const pick = (label: string, value: string) => fireEvent.change(within(form).getByLabelText(label), { target: { value } });
    pick('Status', 'resolved');
    pick('Sentiment', 'negative');
    pick('Assignee', 'none');
    pick('Tag', 'vip');
    pick('Language', 'EN');
    pick('Written until', '2030-01-31');
    fireEvent.click(within(form).getByLabelText('Late first response only'));
    await waitFor(() => {
      const q = lastInboxQuery();
      expect(Object.fromEntries([...q].filter(([k]) => k !== 'limit'))).toEqual({
        status: 'resolved',
        sentiment: 'negative',
        assignee: 'none',
        tag: 'vip',
        lang: 'en',
        until: new Date('2030-02-01T00:00:00').toISOString(),
        breached: 'true',
      });
    });
    expect(await screen.findByText('No messages match these filters.')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Clear filters' }));
    await waitFor(() => expect(within(screen.getByRole('list', { name: 'Messages' })).getAllByRole('listitem')).toHaveLength(4));
  });

  it('assigns, tags, resolves, notes and changes several messages at once', async () => {
    const message = async (externalId: string) => {
      const all = (await (await t.json('GET', `/api/v1/workspaces/${owner.workspaceId}/inbox-messages?limit=100`, undefined, owner)).json()) as { items: Array<{ id: string; externalId: string; status: string; assigneeId: string | null; tags: string[] }> };
      return all.items.find((m) => m.externalId === externalId)!;
    };
    renderInbox();
    const list = await screen.findByRole('list', { name: 'Messages' });
    fireEvent.click(within(list).getByText('Love the new release').closest('button')!);
    const conversation = await screen.findByRole('region', { name: 'Conversation' });

    fireEvent.change(await within(conversation).findByLabelText('Assignee'), { target: { value: owner.userId } });
    await waitFor(async () => expect((await message('c1')).assigneeId).toBe(owner.userId));
    fireEvent.change(within(conversation).getByLabelText('New tag'), { target: { value: 'VIP' } });
    fireEvent.click(within(conversation).getByRole('button', { name: 'Add tag' }));
    await waitFor(async () => expect((await message('c1')).tags).toEqual(['vip']));
    expect(await within(conversation).findByRole('button', { name: 'Remove tag vip' })).toBeTruthy();
    fireEvent.click(within(conversation).getByRole('button', { name: 'Resolve' }));
    await waitFor(async () => expect((await message('c1')).status).toBe('resolved'));
    // The list shows the new state without a reload.
    await waitFor(() => expect(within(list).getByText('Love the new release').closest('button')!.textContent).toContain('Resolved'));

    const notes = within(conversation).getByRole('region', { name: 'Internal notes' });
    fireEvent.change(within(notes).getByLabelText('Add a note for the team'), { target: { value: 'Call them <b>back</b>' } });
    fireEvent.click(within(notes).getByRole('button', { name: 'Add note' }));
    expect(await within(notes).findByText('Call them <b>back</b>')).toBeTruthy();

    // Bulk: tick two messages, set them waiting in one request.
    fireEvent.click(within(list).getByLabelText('Tick the message from c1.fan.test'));
    fireEvent.click(within(list).getByLabelText('Tick the message from b1.fan.test'));
    const bulk = screen.getByRole('region', { name: 'Change the ticked messages' });
    expect(bulk.textContent).toContain('2 messages ticked');
    fireEvent.change(within(bulk).getByLabelText('Set status'), { target: { value: 'waiting' } });
    await waitFor(async () => expect([(await message('c1')).status, (await message('b1')).status]).toEqual(['waiting', 'waiting']));
    expect((await message('c2')).status).not.toBe('waiting');
    expect(requests.filter((r) => r.endsWith('/inbox-messages/bulk'))).toHaveLength(1);
  });

  it('fills the reply box from a saved reply with its variables', async () => {
    const saved = await t.json('POST', `/api/v1/workspaces/${owner.workspaceId}/inbox-saved-replies`, { name: 'Thanks', text: 'Thanks, {{author.handle}}!' }, owner);
    expect(saved.status).toBe(201);
    renderInbox();
    const list = await screen.findByRole('list', { name: 'Messages' });
    fireEvent.click(within(list).getByText('Agreed, it is great').closest('button')!);
    const conversation = await screen.findByRole('region', { name: 'Conversation' });
    fireEvent.change(await within(conversation).findByLabelText('Saved reply'), { target: { value: ((await saved.json()) as { id: string }).id } });
    await waitFor(() => expect((within(conversation).getByLabelText('Your reply') as HTMLTextAreaElement).value).toBe('Thanks, c2.fan.test!'));
  });

  it('creates a rule that the real ingestion then applies, and saves the response targets', async () => {
    renderInbox();
    fireEvent.click(await screen.findByRole('tab', { name: 'Rules and targets' }));
    const form = await screen.findByRole('form', { name: 'New rule' });
    const fill = (label: string, value: string) => fireEvent.change(within(form).getByLabelText(label), { target: { value } });
    fill('Rule name', 'Complaints');
    fill('Words or phrases (comma-separated, any of them)', 'refund, broken ');
    fill('Add tags (comma-separated)', 'Complaint');
    fill('Priority', 'high');
    fill('Assign to', owner.userId);
    fireEvent.click(within(form).getByLabelText('Mention'));
    fireEvent.click(within(form).getByRole('button', { name: 'Create rule' }));
    const rules = await screen.findByRole('list', { name: 'Rules' });
    expect(rules.textContent).toContain('Complaints');
    expect(rules.textContent).toContain('"refund" / "broken"');
    const stored = (await (await t.json('GET', `/api/v1/workspaces/${owner.workspaceId}/inbox-rules`, undefined, owner)).json()) as { items: Array<{ conditions: unknown; actions: unknown }> };
    expect(stored.items).toEqual([expect.objectContaining({ conditions: { keywords: ['refund', 'broken'], kinds: ['mention'] }, actions: { assignTo: owner.userId, tags: ['complaint'], priority: 'high' } })]);

    // A new mention through the real inbound sync: the rule tags, prioritises and assigns it.
    network.queue('alice.test', [msg('r1', 'mention', 'My order arrived broken, I want a refund')]);
    expect(await syncInbound(t.services, alice)).toMatchObject({ outcome: 'done', received: 1 });
    fireEvent.click(screen.getByRole('tab', { name: 'Messages' }));
    const list = await screen.findByRole('list', { name: 'Messages' });
    const item = (await within(list).findByText('My order arrived broken, I want a refund')).closest('button')!;
    expect(item.textContent).toContain('High');
    expect(item.textContent).toContain('#complaint');

    // Response targets (admins): 30 business minutes, no Sundays.
    fireEvent.click(screen.getByRole('tab', { name: 'Rules and targets' }));
    const targets = await screen.findByRole('region', { name: 'Response targets' });
    fireEvent.change(await within(targets).findByLabelText('First response within (business minutes)'), { target: { value: '30' } });
    fireEvent.click(within(targets).getByLabelText('Monday'));
    fireEvent.click(within(targets).getByLabelText('Sunday'));
    fireEvent.change(within(targets).getByLabelText('Closes on Sunday'), { target: { value: '13:00' } });
    fireEvent.click(within(targets).getByRole('button', { name: 'Save' }));
    expect(await within(targets).findByText('Response targets saved.')).toBeTruthy();
    const settings = (await (await t.json('GET', `/api/v1/workspaces/${owner.workspaceId}/inbox-settings`, undefined, owner)).json()) as { firstResponseMinutes: number; businessHours: { ranges: Array<{ weekday: number; start: string; end: string }> } };
    expect(settings.firstResponseMinutes).toBe(30);
    expect(settings.businessHours.ranges.map((r) => r.weekday)).toEqual([2, 3, 4, 5, 7]);
    expect(settings.businessHours.ranges.at(-1)).toEqual({ weekday: 7, start: '09:00', end: '13:00' });
  });

  it('tells how many new messages arrived instead of moving the list', async () => {
    renderInbox(150);
    const list = await screen.findByRole('list', { name: 'Messages' });
    await waitFor(() => expect(within(list).getAllByRole('listitem').length).toBeGreaterThan(0));
    const before = within(list).getAllByRole('listitem').length;
    network.queue('bob.test', [msg('n1', 'comment', 'Fresh one'), msg('n2', 'comment', 'Fresh two')]);
    expect(await syncInbound(t.services, bob)).toMatchObject({ received: 2 });
    const show = await screen.findByRole('button', { name: 'Show 2 new messages' });
    expect(within(list).getAllByRole('listitem')).toHaveLength(before);
    fireEvent.click(show);
    await waitFor(() => expect(within(screen.getByRole('list', { name: 'Messages' })).getAllByRole('listitem')).toHaveLength(before + 2));
    await waitFor(() => expect(screen.queryByRole('button', { name: /^Show \d+ new/ })).toBeNull());
  });

  it('checks the reply with the network validator, then sends it once, threaded under the message', async () => {
    renderInbox();
    const list = await screen.findByRole('list', { name: 'Messages' });
    fireEvent.click(within(list).getByText('Agreed, it is great').closest('button')!);
    const conversation = await screen.findByRole('region', { name: 'Conversation' });
    // The thread shows the comment it answers above it.
    expect(within(conversation).getByRole('list', { name: 'Thread' }).textContent).toContain('Love the new release');

    const box = within(conversation).getByLabelText('Your reply');
    const send = within(conversation).getByRole('button', { name: 'Send reply' }) as HTMLButtonElement;
    expect(send.disabled).toBe(true);
    fireEvent.change(box, { target: { value: 'x'.repeat(301) } });
    expect(within(conversation).getByText('301 / 300')).toBeTruthy();
    expect(box.getAttribute('aria-invalid')).toBe('true');
    expect(send.disabled).toBe(true);

    fireEvent.change(box, { target: { value: 'Thank you! 🎉' } });
    expect(within(conversation).getByText('12 / 300')).toBeTruthy();
    expect(send.disabled).toBe(false);
    // The network takes the first try but its answer is lost: the person presses again, and the
    // retry carries the same Idempotency-Key, so Herald can tell it is the same reply.
    network.failNextReply(new ConnectorError('retryable', 'socket hang up', { outcomeUnknown: true }));
    fireEvent.click(send);
    expect(await within(conversation).findByText(/did not answer after the reply was sent/)).toBeTruthy();
    expect(replyKeys).toHaveLength(1);
    const before = replies.length;
    fireEvent.click(send);
    fireEvent.click(send);
    fireEvent.submit(box.closest('form')!);
    expect(await within(conversation).findByText('Reply sent.')).toBeTruthy();
    expect(replies.length - before).toBe(1);
    expect(replyKeys).toHaveLength(2);
    expect(replyKeys[1]).toBe(replyKeys[0]);
    expect(replies.at(-1)).toMatchObject({ parentExternalId: 'c2', text: 'Thank you! 🎉' });
    expect(within(conversation).getByText('Open it on the network').getAttribute('rel')).toBe('noopener noreferrer');
    expect((box as HTMLTextAreaElement).value).toBe('');
  });
});

describe('inbox helpers', () => {
  it('no inbox or listening source renders HTML from strings', async () => {
    const { readdirSync, readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const root = join(import.meta.dirname, '..');
    const mine = [
      ...readdirSync(join(root, 'screens')).filter((f) => /^(inbox|listening)/.test(f)).map((f) => join(root, 'screens', f)),
      ...readdirSync(join(root, 'components')).filter((f) => /^(inbox|listening)-/.test(f)).map((f) => join(root, 'components', f)),
    ];
    expect(mine.length).toBeGreaterThanOrEqual(10);
    for (const file of mine.filter((f) => !f.endsWith('.test.tsx'))) expect(readFileSync(file, 'utf8'), file).not.toMatch(/dangerouslySetInnerHTML|\.innerHTML\s*=|insertAdjacentHTML|outerHTML\s*=/);
  });

  it('maps filters to the API query, leaving unset ones out', () => {
    expect(inboxQuery(noInboxFilters)).toEqual({ limit: '30' });
    expect(inboxQuery({ ...noInboxFilters, network: 'mastodon', accountId: 'a1', kind: 'dm' }, 'cur')).toEqual({ limit: '30', network: 'mastodon', accountId: 'a1', kind: 'dm', cursor: 'cur' });
  });

  it('accepts only absolute http(s) URLs as links', () => {
    expect(safeHttpUrl('https://example.test/a?b=1')).toBe('https://example.test/a?b=1');
    expect(safeHttpUrl('HTTP://EXAMPLE.test')).toBe('http://example.test/');
    for (const bad of ['javascript:alert(1)', ' JaVaScRiPt:alert(1)', 'data:text/html,<script>x</script>', '//evil.test', '/relative', 'vbscript:x', '', null]) expect(safeHttpUrl(bad)).toBeNull();
    expect(splitLinks('a https://x.test/p. b javascript:alert(1)')).toEqual([
      { text: 'a ', href: null },
      { text: 'https://x.test/p', href: 'https://x.test/p' },
      { text: '. b javascript:alert(1)', href: null },
    ]);
  });
});
