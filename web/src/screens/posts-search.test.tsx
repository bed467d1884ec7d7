// @vitest-environment jsdom
/**
 * Searching posts: the search box filters the list through GET /posts?q= of a real in-process
 * Herald, and `/` anywhere outside a field focuses it (from another screen it opens Posts first).
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
import { usePath } from '../router';
import { useSearchShortcut } from '../search-shortcut';
import { PostsScreen } from './posts';

function Harness({ workspace }: { workspace: Workspace }) {
  const path = usePath();
  useSearchShortcut(workspace.id);
  return path.endsWith('/posts') ? <PostsScreen workspace={workspace} /> : <p>elsewhere</p>;
}

describe('post search and the / shortcut (in-process Herald)', () => {
  let t: TestApp;
  let owner: TestSession & { workspaceId: string };
  let workspace: Workspace;

  beforeAll(async () => {
    t = await createTestApp('sqlite', { initQueue: false, services: { connectors: new ConnectorRegistry([blueskyValidatingTestConnector as unknown as Connector<never, never>]) } });
    owner = await t.setupOwner();
    workspace = (await (await t.json('GET', `/api/v1/workspaces/${owner.workspaceId}`, undefined, owner)).json()) as Workspace;
    const accountId = ((await (await t.json('POST', `/api/v1/workspaces/${owner.workspaceId}/accounts`, { network: 'bluesky', credentials: { token: 'alice' } }, owner)).json()) as { id: string }).id;
    for (const text of ['Spring launch party', 'Quarterly numbers', 'Launch recap']) {
      await t.json('POST', `/api/v1/workspaces/${owner.workspaceId}/posts`, { text, targets: [{ accountId }] }, owner);
    }
  });
  afterEach(() => cleanup());
  afterAll(async () => t.close());

  const renderApp = () =>
    render(
      <I18nextProvider i18n={createI18n('en')}>
        <ApiProvider api={inProcessApi(t, owner)}>
          <Harness workspace={workspace} />
        </ApiProvider>
      </I18nextProvider>,
    );

  it('filters the list by text and focuses the box on /', async () => {
    window.history.replaceState(null, '', `/w/${owner.workspaceId}/calendar`);
    renderApp();
    expect(screen.getByText('elsewhere')).toBeTruthy();
    fireEvent.keyDown(window, { key: '/' });
    const box = (await screen.findByRole('searchbox', { name: 'Search posts' })) as HTMLInputElement;
    await waitFor(() => expect(document.activeElement).toBe(box));
    const list = await screen.findByRole('list', { name: 'Posts' });
    await waitFor(() => expect(within(list).getAllByRole('listitem').length).toBeGreaterThanOrEqual(3));

    fireEvent.change(box, { target: { value: 'LAUNCH' } });
    await waitFor(() => {
      const text = screen.getByRole('list', { name: 'Posts' }).textContent ?? '';
      expect(text).toContain('Spring launch party');
      expect(text).toContain('Launch recap');
      expect(text).not.toContain('Quarterly numbers');
    });
    fireEvent.change(box, { target: { value: 'nothing like this' } });
    expect(await screen.findByText('No posts match.')).toBeTruthy();

    // Typing "/" inside a field is just a character.
    box.blur();
    fireEvent.keyDown(box, { key: '/' });
    expect(document.activeElement).not.toBe(box);
    fireEvent.keyDown(document.body, { key: '/' });
    expect(document.activeElement).toBe(box);
  });
});
