// @vitest-environment node
/**
 * Relabelling a message's sentiment from the conversation panel, against a real in-process Herald:
 * the select sends the label to POST …/sentiment, the badge shows the new label, the correction is
 * stored for the workspace, and Undo (DELETE …/sentiment) brings the model's label back and forgets the
 * correction; viewers get no select. jsdom is installed by the test (inbox-jsdom-env.ts).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { I18nextProvider } from 'react-i18next';
import type { Connector } from '../../../src/connectors/connector';
import { ConnectorRegistry } from '../../../src/connectors/registry';
import { syncInbound } from '../../../src/inbox/inbound-sync';
import { createTestApp, type TestApp, type TestSession } from '../../../test/support/test-app';
import { inProcessApi } from '../test-support/in-process-api';
import { ApiProvider } from '../api/context';
import type { Workspace } from '../api/types';
import { createI18n } from '../i18n/index';
import { InboxScreen } from '../screens/inbox';
import { inbound as msg, inboxTestNetwork } from './inbox-test-connector';
import { installJsdom } from './inbox-jsdom-env';

await installJsdom();
const { cleanup, configure, fireEvent, render, screen, waitFor, within } = await import('@testing-library/react');
configure({ asyncUtilTimeout: 5000 });

const network = inboxTestNetwork();

describe('relabel sentiment in the conversation (in-process Herald)', () => {
  let t: TestApp;
  let owner: TestSession & { workspaceId: string };
  let workspace: Workspace;
  const posts: string[] = [];

  beforeAll(async () => {
    t = await createTestApp('sqlite', { initQueue: false, services: { connectors: new ConnectorRegistry([network.connector as unknown as Connector<never, never>]) } });
    owner = await t.setupOwner();
    workspace = (await (await t.json('GET', `/api/v1/workspaces/${owner.workspaceId}`, undefined, owner)).json()) as Workspace;
    const account = ((await (await t.json('POST', `/api/v1/workspaces/${owner.workspaceId}/accounts`, { network: 'bluesky', credentials: { token: 'alice' } }, owner)).json()) as { id: string }).id;
    network.queue('alice.test', [msg('r1', 'comment', 'Love the new release')]);
    expect(await syncInbound(t.services, account)).toMatchObject({ outcome: 'done' });
  });
  afterEach(() => cleanup());
  afterAll(async () => t.close());

  const renderInbox = (ws: Workspace) => {
    const spy: TestApp = {
      ...t,
      request: (path, init, opts) => {
        if (init?.method === 'POST') posts.push(path);
        return t.request(path, init, opts);
      },
    };
    return render(
      <I18nextProvider i18n={createI18n('en')}>
        <ApiProvider api={inProcessApi(spy, owner)}>
          <InboxScreen workspace={ws} />
        </ApiProvider>
      </I18nextProvider>,
    );
  };

  it('sends the new label, shows it on the badge and stores the correction', async () => {
    renderInbox(workspace);
    const list = await screen.findByRole('list', { name: 'Messages' });
    fireEvent.click(within(list).getByText('Love the new release').closest('button')!);
    const conversation = await screen.findByRole('region', { name: 'Conversation' });
    const select = (await within(conversation).findByLabelText('Relabel sentiment')) as HTMLSelectElement;
    expect(select.value).toBe('positive');
    expect(within(conversation).getAllByText('Positive').some((e) => e.classList.contains('badge'))).toBe(true);

    fireEvent.change(select, { target: { value: 'negative' } });
    expect(await within(conversation).findByRole('status')).toHaveProperty('textContent', ' Sentiment relabelled.');
    await waitFor(() => expect(within(conversation).getAllByText('Negative').some((e) => e.classList.contains('badge'))).toBe(true));
    expect((within(conversation).getByLabelText('Relabel sentiment') as HTMLSelectElement).value).toBe('negative');
    expect(posts.filter((p) => p.endsWith('/sentiment'))).toHaveLength(1);
    const stored = await t.services.database.db.selectFrom('sentiment_corrections').selectAll().where('workspace_id', '=', owner.workspaceId).execute();
    expect(stored).toEqual([expect.objectContaining({ text: 'Love the new release', label: 'negative', created_by: owner.userId })]);

    fireEvent.click(within(conversation).getByRole('button', { name: 'Undo' }));
    expect(await within(conversation).findByText("Relabel undone: Herald's own label is back.")).toBeTruthy();
    await waitFor(() => expect(within(conversation).getAllByText('Positive').some((e) => e.classList.contains('badge'))).toBe(true));
    expect((within(conversation).getByLabelText('Relabel sentiment') as HTMLSelectElement).value).toBe('positive');
    expect(within(conversation).queryByRole('button', { name: 'Undo' })).toBeNull();
    expect(await t.services.database.db.selectFrom('sentiment_corrections').selectAll().where('workspace_id', '=', owner.workspaceId).execute()).toEqual([]);
  });

  it('shows no relabel control to viewers', async () => {
    renderInbox({ ...workspace, role: 'viewer' });
    const list = await screen.findByRole('list', { name: 'Messages' });
    fireEvent.click(within(list).getByText('Love the new release').closest('button')!);
    const conversation = await screen.findByRole('region', { name: 'Conversation' });
    // Loaded: the badge is there, the control is not.
    expect(within(conversation).getAllByText('Positive').some((e) => e.classList.contains('badge'))).toBe(true);
    expect(within(conversation).queryByLabelText('Relabel sentiment')).toBeNull();
  });
});
