// @vitest-environment node
/**
 * Network moderation buttons and direct messages in the inbox, against a real in-process Herald with an
 * in-process connector that declares `directMessages` and `moderation` (hide only for comments, delete
 * for comments and DMs, deleting our replies): the buttons are exactly the declared actions, delete
 * asks first, the state shows who did it; a DM conversation lists the person's messages and our
 * answer, and the answer goes out as a DM; viewers get no buttons. jsdom is installed by the test.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { I18nextProvider } from 'react-i18next';
import { z } from 'zod';
import type { Connector, InboundMessage } from '../../../src/connectors/connector';
import { ConnectorRegistry } from '../../../src/connectors/registry';
import { syncInbound } from '../../../src/inbox/inbound-sync';
import { createTestApp, type TestApp, type TestSession } from '../../../test/support/test-app';
import { inProcessApi } from '../test-support/in-process-api';
import { ApiProvider } from '../api/context';
import type { Workspace } from '../api/types';
import { createI18n } from '../i18n/index';
import { InboxScreen } from './inbox';
import { inbound } from '../components/inbox-test-connector';
import { installJsdom } from '../components/inbox-jsdom-env';

await installJsdom();
const { cleanup, configure, fireEvent, render, screen, waitFor, within } = await import('@testing-library/react');
configure({ asyncUtilTimeout: 5000 });

/** What the in-process network was asked to do. */
const calls: string[] = [];
let queued: InboundMessage[] = [];
const connector: Connector<{ token: string }, { token: string }> = {
  id: 'testnet',
  displayName: 'Testnet',
  lengthUnit: 'characters',
  credentialFields: [{ name: 'token', label: 'Token', type: 'password', required: true }],
  credentialsSchema: z.object({ token: z.string().min(1) }).strict(),
  limits: { maxConcurrentPerAccount: 1, publishRate: { count: 10, windowMs: 60_000 } },
  supports: { maxMedia: 0, mediaTypes: [], polls: false, threads: false },
  async connect(c) {
    return { externalId: `acct-${c.token}`, handle: `${c.token}.test`, displayName: null, serviceUrl: null, session: { token: c.token } };
  },
  validate: (v) => ({ network: 'testnet', length: v.text.length, max: 500, unit: 'characters', valid: v.text.length <= 500, errors: [] }),
  async publish() {
    return { externalId: 'x', url: null };
  },
  comments: {
    async fetch() {
      const items = queued;
      queued = [];
      return { items, cursor: String(Date.now()) };
    },
    async reply(input) {
      calls.push(`reply ${input.parentExternalId} ${input.text}`);
      return { externalId: `r-${calls.length}`, url: null };
    },
  },
  directMessages: {
    async send(input) {
      calls.push(`dm ${input.correspondent.externalId} ${input.messageExternalId} ${input.text}`);
      return { externalId: `d-${calls.length}`, url: null };
    },
  },
  moderation: {
    hide: { kinds: ['comment'], run: async (i) => void calls.push(`hide ${i.message.externalId}`) },
    unhide: { kinds: ['comment'], run: async (i) => void calls.push(`unhide ${i.message.externalId}`) },
    delete: { kinds: ['comment', 'dm'], run: async (i) => void calls.push(`delete ${i.message.externalId}`) },
    deleteReply: async (i) => void calls.push(`deleteReply ${i.externalId}`),
  },
};

describe('inbox moderation buttons and direct messages (in-process Herald)', () => {
  let t: TestApp;
  let owner: TestSession & { workspaceId: string };
  let workspace: Workspace;

  beforeAll(async () => {
    t = await createTestApp('sqlite', { initQueue: false, services: { connectors: new ConnectorRegistry([connector as unknown as Connector<never, never>]) } });
    owner = await t.setupOwner();
    workspace = (await (await t.json('GET', `/api/v1/workspaces/${owner.workspaceId}`, undefined, owner)).json()) as Workspace;
    const account = ((await (await t.json('POST', `/api/v1/workspaces/${owner.workspaceId}/accounts`, { network: 'testnet', credentials: { token: 'alice' } }, owner)).json()) as { id: string }).id;
    const karin = { externalId: 'u-karin', handle: 'karin.test', displayName: 'Karin', followers: null };
    queued = [
      inbound('c1', 'comment', 'Buy cheap followers here'),
      inbound('c2', 'comment', 'Where is the manual?'),
      inbound('d1', 'dm', 'Hi, where is my order?', { author: karin, createdAt: new Date(Date.now() - 120_000).toISOString() }),
      inbound('d2', 'dm', 'It was order 4411', { author: karin, createdAt: new Date(Date.now() - 60_000).toISOString() }),
    ];
    expect(await syncInbound(t.services, account)).toMatchObject({ outcome: 'done', received: 4 });
  });
  afterEach(() => cleanup());
  afterAll(async () => t.close());

  const renderInbox = (ws: Workspace) =>
    render(
      <I18nextProvider i18n={createI18n('en')}>
        <ApiProvider api={inProcessApi(t, owner)}>
          <InboxScreen workspace={ws} />
        </ApiProvider>
      </I18nextProvider>,
    );
  const open = async (text: string) => {
    const list = await screen.findByRole('list', { name: 'Messages' });
    fireEvent.click(within(list).getByText(text).closest('button')!);
    return screen.findByRole('region', { name: 'Conversation' });
  };

  it('offers exactly the declared actions; hides, shows again, and deletes only after confirming', async () => {
    renderInbox(workspace);
    const conv = await open('Buy cheap followers here');
    const group = await within(conv).findByRole('group', { name: 'On the network' });
    expect(within(group).getAllByRole('button').map((b) => b.textContent)).toEqual(['Hide on testnet', 'Delete on testnet']);

    fireEvent.click(within(group).getByRole('button', { name: 'Hide on testnet' }));
    expect(await within(conv).findByText(/^Hidden on the network by Owner/)).toBeTruthy();
    // The list shows it too.
    await waitFor(() => expect(within(screen.getByRole('list', { name: 'Messages' })).getByText('Hidden on the network')).toBeTruthy());
    expect(calls).toContain('hide c1');
    fireEvent.click(await within(conv).findByRole('button', { name: 'Show again on testnet' }));
    await waitFor(() => expect(within(conv).queryByText(/^Hidden on the network by/)).toBeNull());
    expect(calls).toContain('unhide c1');

    fireEvent.click(await within(conv).findByRole('button', { name: 'Delete on testnet' }));
    const confirm = await within(conv).findByRole('group', { name: 'Delete this message on testnet? People will no longer see it there.' });
    expect(calls).not.toContain('delete c1');
    fireEvent.click(within(confirm).getByRole('button', { name: 'Yes, delete' }));
    expect(await within(conv).findByText(/^Deleted on the network by Owner/)).toBeTruthy();
    expect(calls).toContain('delete c1');
    // Nothing more to do on the network for a deleted message (this network cannot restore).
    expect(within(conv).queryByRole('button', { name: /on testnet$/ })).toBeNull();
  });

  it('a DM conversation shows the person\'s messages and our answer, which goes out as a DM; only Delete is offered', async () => {
    renderInbox(workspace);
    const conv = await open('It was order 4411');
    const dms = await within(conv).findByRole('list', { name: 'Direct messages' });
    expect(within(dms).getByText('Hi, where is my order?')).toBeTruthy();
    expect(within(dms).getByText('The message below')).toBeTruthy();
    const group = within(conv).getByRole('group', { name: 'On the network' });
    expect(within(group).getAllByRole('button').map((b) => b.textContent)).toEqual(['Delete on testnet']);

    fireEvent.change(within(conv).getByLabelText('Your reply'), { target: { value: 'It ships tomorrow!' } });
    fireEvent.click(within(conv).getByRole('button', { name: 'Send reply' }));
    expect(await within(conv).findByText('Reply sent.')).toBeTruthy();
    expect(calls).toContain('dm u-karin d2 It ships tomorrow!');
    expect(calls.filter((c) => c.startsWith('reply '))).toEqual([]);
    const after = await within(conv).findByRole('list', { name: 'Direct messages' });
    await waitFor(() => expect(within(after).getByText('Our answer (Owner)')).toBeTruthy());
    expect(within(after).getByText('It ships tomorrow!')).toBeTruthy();
  });

  it('lists our reply to a comment with its sender and deletes it on the network after confirming', async () => {
    renderInbox(workspace);
    // The comment deleted above takes no more replies.
    const deleted = await open('Buy cheap followers here');
    expect(await within(deleted).findByText('The message was deleted on the network; there is nothing to reply to.')).toBeTruthy();
    const conv = await open('Where is the manual?');
    fireEvent.change(within(conv).getByLabelText('Your reply'), { target: { value: 'Removed, sorry about that.' } });
    fireEvent.click(within(conv).getByRole('button', { name: 'Send reply' }));
    const ours = await within(conv).findByRole('region', { name: 'Our replies' });
    await waitFor(() => expect(within(ours).getByText('Removed, sorry about that.')).toBeTruthy());
    expect(within(ours).getByText('Owner')).toBeTruthy();
    expect(calls.filter((c) => c.startsWith('reply '))).toEqual(['reply c2 Removed, sorry about that.']);
    fireEvent.click(within(ours).getByRole('button', { name: 'Delete this reply on the network' }));
    const confirm = within(ours).getByRole('group', { name: 'Delete our reply on the network? People will no longer see it there.' });
    expect(calls.some((c) => c.startsWith('deleteReply '))).toBe(false);
    fireEvent.click(within(confirm).getByRole('button', { name: 'Yes, delete' }));
    expect(await within(ours).findByText(/^Deleted on the network, /)).toBeTruthy();
    expect(calls.filter((c) => c.startsWith('deleteReply '))).toHaveLength(1);
  });

  it('viewers see the state but no buttons', async () => {
    renderInbox({ ...workspace, role: 'viewer' });
    const conv = await open('Hi, where is my order?');
    await within(conv).findByRole('list', { name: 'Direct messages' });
    expect(within(conv).queryByRole('group', { name: 'On the network' })).toBeNull();
    expect(within(conv).queryByRole('button', { name: /on testnet$/ })).toBeNull();
  });
});
