// @vitest-environment jsdom
/**
 * The Posts list and detail against a real in-process Herald (SQLite): target states as badges, the
 * network's error in plain words, the published post's link, filters and the detail view.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { I18nextProvider } from 'react-i18next';
import type { Connector } from '../../../src/connectors/connector';
import { ConnectorRegistry } from '../../../src/connectors/registry';
import { createTestApp, type TestApp, type TestSession } from '../../../test/support/test-app';
import { inProcessApi } from '../test-support/in-process-api';
import { blueskyValidatingTestConnector } from '../test-support/bluesky-test-connector';
import { ApiProvider } from '../api/context';
import type { Workspace } from '../api/types';
import { createI18n } from '../i18n/index';
import { PostsScreen, matchPostPath } from './posts';

describe('Posts list (in-process Herald)', () => {
  let t: TestApp;
  let owner: TestSession & { workspaceId: string };
  let workspace: Workspace;

  const renderScreen = (postId?: string, as: { session: Pick<TestSession, 'cookie' | 'csrfToken'>; workspace: Workspace } = { session: owner, workspace }) => {
    const api = inProcessApi(t, as.session);
    render(
      <I18nextProvider i18n={createI18n('en')}>
        <ApiProvider api={api}>
          <PostsScreen workspace={as.workspace} postId={postId} />
        </ApiProvider>
      </I18nextProvider>,
    );
  };

  let postId: string;

  beforeAll(async () => {
    t = await createTestApp('sqlite', { services: { connectors: new ConnectorRegistry([blueskyValidatingTestConnector as unknown as Connector<never, never>]) } });
    owner = await t.setupOwner();
    await t.json('PATCH', `/api/v1/workspaces/${owner.workspaceId}`, { timezone: 'Europe/Stockholm' }, owner);
    workspace = (await (await t.json('GET', `/api/v1/workspaces/${owner.workspaceId}`, undefined, owner)).json()) as Workspace;
    const ids: string[] = [];
    for (const token of ['alice', 'bob']) {
      const res = await t.json('POST', `/api/v1/workspaces/${owner.workspaceId}/accounts`, { network: 'bluesky', credentials: { token } }, owner);
      ids.push(((await res.json()) as { id: string }).id);
    }
    const created = await t.json(
      'POST',
      `/api/v1/workspaces/${owner.workspaceId}/posts`,
      { text: '<b>Launch</b> day', targets: ids.map((accountId) => ({ accountId })), schedule: { date: '2099-03-01', time: '10:00', timezone: 'Europe/Stockholm' } },
      owner,
    );
    expect(created.status).toBe(201);
    const post = (await created.json()) as { id: string; targets: Array<{ id: string; accountId: string }> };
    postId = post.id;
    // As the engine leaves them: one published with its link, one failed with the network's words.
    const db = t.services.database.db;
    const [alice, bob] = post.targets;
    await db.updateTable('post_targets').set({ state: 'published', external_id: 'at://x', external_url: 'https://bsky.app/profile/alice.test/post/3k', published_at: '2099-03-01T09:00:05.000Z' }).where('id', '=', alice!.id).execute();
    await db.updateTable('post_targets').set({ state: 'failed', last_error_kind: 'invalid_content', last_error_message: 'Bluesky refused the image' }).where('id', '=', bob!.id).execute();
    // A second post, a draft on alice only.
    await t.json('POST', `/api/v1/workspaces/${owner.workspaceId}/posts`, { text: 'Just a draft', targets: [{ accountId: ids[0] }] }, owner);
  });
  afterEach(() => cleanup());
  afterAll(async () => {
    await t.close();
  });

  it('lists each target with its state, the scheduled time in the workspace zone, the error and the published link', async () => {
    renderScreen();
    const list = await screen.findByRole('list', { name: 'Posts' }, { timeout: 8000 });
    const item = within(list).getByText('<b>Launch</b> day').closest('li') as HTMLElement;
    expect(item.querySelector('.post-item-head')?.textContent).toContain('Scheduled for Mar 1, 2099, 10:00 AM');
    const published = within(item).getByText('Published', { selector: '.badge' });
    expect(published.className).toContain('badge-state-published');
    expect(within(item).getByText('Failed', { selector: '.badge' })).toBeTruthy();
    expect(within(item).getByText('Bluesky refused the image')).toBeTruthy();
    const link = within(item).getByRole('link', { name: 'View the published post' }) as HTMLAnchorElement;
    expect(link.href).toBe('https://bsky.app/profile/alice.test/post/3k');
    expect(link.rel).toContain('noopener');
    expect(within(list).getByText('Just a draft')).toBeTruthy();
    expect(document.querySelector('b')).toBeNull();
  });

  it('filters by state', async () => {
    renderScreen();
    await screen.findByRole('list', { name: 'Posts' }, { timeout: 8000 });
    fireEvent.change(screen.getByLabelText('State'), { target: { value: 'draft' } });
    await waitFor(() => expect(screen.queryByText('<b>Launch</b> day')).toBeNull(), { timeout: 8000 });
    expect(screen.getByText('Just a draft')).toBeTruthy();
    fireEvent.change(screen.getByLabelText('State'), { target: { value: 'cancelled' } });
    expect(await screen.findByText('No posts match.', {}, { timeout: 8000 })).toBeTruthy();
  });

  it('the detail shows every target', async () => {
    renderScreen(postId);
    const targets = await screen.findByRole('list', { name: 'Accounts and states' }, { timeout: 8000 });
    expect(within(targets).getByText('alice.test')).toBeTruthy();
    expect(within(targets).getByText('bob.test')).toBeTruthy();
    expect(within(targets).getByRole('link', { name: 'View the published post' })).toBeTruthy();
    expect(matchPostPath(`/w/ws1/posts/${postId}/edit`)).toEqual({ workspaceId: 'ws1', postId, edit: true });
    expect(matchPostPath('/w/ws1/posts')).toBeNull();
  });

  it('after approval, an editor schedules the post at its requested time from the detail; a contributor has no such button', async () => {
    const contributor = await t.addUser(owner.workspaceId, 'contributor');
    const accounts = (await (await t.json('GET', `/api/v1/workspaces/${owner.workspaceId}/accounts`, undefined, owner)).json()) as { items: Array<{ id: string }> };
    const submitted = await t.json(
      'POST',
      `/api/v1/workspaces/${owner.workspaceId}/posts`,
      { text: 'Needs a yes', targets: [{ accountId: accounts.items[0]!.id }], action: 'submit', schedule: { date: '2099-03-02', time: '10:00', timezone: 'Europe/Stockholm' } },
      contributor,
    );
    expect(submitted.status).toBe(201);
    const id = ((await submitted.json()) as { id: string }).id;

    // In review: nothing to schedule yet for anyone.
    renderScreen(id);
    await screen.findByText('In review', { selector: '.badge' }, { timeout: 8000 });
    expect(screen.queryByRole('button', { name: /^Schedule for/ })).toBeNull();
    cleanup();

    expect((await t.json('POST', `/api/v1/workspaces/${owner.workspaceId}/posts/${id}/approve`, undefined, owner)).status).toBe(200);
    const contributorWorkspace = (await (await t.json('GET', `/api/v1/workspaces/${owner.workspaceId}`, undefined, contributor)).json()) as Workspace;
    expect(contributorWorkspace.role).toBe('contributor');
    renderScreen(id, { session: contributor, workspace: contributorWorkspace });
    await screen.findByText('Approved', { selector: '.badge' }, { timeout: 8000 });
    expect(screen.queryByRole('button', { name: /^Schedule for|^Publish now/ })).toBeNull();
    cleanup();

    renderScreen(id);
    fireEvent.click(await screen.findByRole('button', { name: 'Schedule for Mar 2, 2099, 10:00 AM' }, { timeout: 8000 }));
    await screen.findByText('Scheduled', { selector: '.badge' }, { timeout: 8000 });
    expect(screen.queryByRole('button', { name: /^Schedule for/ })).toBeNull();
    const after = (await (await t.json('GET', `/api/v1/workspaces/${owner.workspaceId}/posts/${id}`, undefined, owner)).json()) as { scheduledAt: string; targets: Array<{ state: string }> };
    expect(after.targets.map((x) => x.state)).toEqual(['scheduled']);
    expect(after.scheduledAt).toBe('2099-03-02T09:00:00.000Z');
  });
});
