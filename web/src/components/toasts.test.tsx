// @vitest-environment jsdom
/**
 * Background toasts against a real in-process Herald: nothing for what was already there when the
 * page opened; then a newly published target, a failed one (with the network's words) and an account
 * that needs reconnecting each appear once in the polite live region, and can be dismissed.
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
import { BackgroundToasts } from './toasts';

describe('background toasts (in-process Herald)', () => {
  let t: TestApp;
  let owner: TestSession & { workspaceId: string };
  let workspace: Workspace;
  let accountId: string;

  const draft = async (text: string) => {
    const res = await t.json('POST', `/api/v1/workspaces/${owner.workspaceId}/posts`, { text, targets: [{ accountId }] }, owner);
    return ((await res.json()) as { targets: Array<{ id: string }> }).targets[0]!.id;
  };
  // What the publishing engine leaves behind, written directly: the toasts only read the API.
  const setTarget = async (id: string, state: 'published' | 'failed', message: string | null = null, at = new Date()) => {
    const db = t.services.database.db;
    const { post_id } = await db.selectFrom('post_targets').select('post_id').where('id', '=', id).executeTakeFirstOrThrow();
    await db.updateTable('posts').set({ scheduled_at: at.toISOString() }).where('id', '=', post_id).execute();
    await db.updateTable('post_targets').set({ state, scheduled_at: at.toISOString(), last_error_kind: message ? 'invalid_content' : null, last_error_message: message }).where('id', '=', id).execute();
  };

  beforeAll(async () => {
    t = await createTestApp('sqlite', { initQueue: false, services: { connectors: new ConnectorRegistry([blueskyValidatingTestConnector as unknown as Connector<never, never>]) } });
    owner = await t.setupOwner();
    workspace = (await (await t.json('GET', `/api/v1/workspaces/${owner.workspaceId}`, undefined, owner)).json()) as Workspace;
    accountId = ((await (await t.json('POST', `/api/v1/workspaces/${owner.workspaceId}/accounts`, { network: 'bluesky', credentials: { token: 'alice' } }, owner)).json()) as { id: string }).id;
  });
  afterEach(() => cleanup());
  afterAll(async () => t.close());

  it('announces new results once, not what was there before, and dismisses them', async () => {
    await setTarget(await draft('old news'), 'published');
    render(
      <I18nextProvider i18n={createI18n('en')}>
        <ApiProvider api={inProcessApi(t, owner)}>
          <BackgroundToasts workspace={workspace} intervalMs={150} />
        </ApiProvider>
      </I18nextProvider>,
    );
    const region = screen.getByRole('region', { name: 'Notifications' });
    expect(region.querySelector('[aria-live="polite"]')).toBeTruthy();
    await new Promise((r) => setTimeout(r, 400));
    expect(within(region).queryAllByRole('listitem')).toEqual([]);

    await setTarget(await draft('Fresh <b>launch</b> post'), 'published');
    // Due a day ago: a late retry's result is not news any more.
    await setTarget(await draft('yesterday'), 'published', null, new Date(Date.now() - 86_400_000));
    await setTarget(await draft('broken'), 'failed', 'Bluesky refused the image: too large');
    await t.services.database.db.updateTable('accounts').set({ status: 'needs_reconnect', updated_at: new Date().toISOString() }).where('id', '=', accountId).execute();

    expect(await within(region).findByText('Published on alice.test: Fresh <b>launch</b> post')).toBeTruthy();
    expect(await within(region).findByText('Publishing on alice.test failed: Bluesky refused the image: too large')).toBeTruthy();
    expect(await within(region).findByText('alice.test needs reconnecting; its posts wait.')).toBeTruthy();
    expect(region.querySelector('b')).toBeNull();
    await new Promise((r) => setTimeout(r, 400));
    expect(within(region).getAllByRole('listitem').length).toBe(3);
    expect(within(region).queryByText(/yesterday/)).toBeNull();

    const failed = within(region).getByText(/failed:/).closest('li') as HTMLElement;
    fireEvent.click(within(failed).getByRole('button', { name: 'Dismiss' }));
    await waitFor(() => expect(within(region).queryByText(/failed:/)).toBeNull());
  });
});
