// @vitest-environment jsdom
/**
 * The Calendar screen against a real in-process Herald (SQLite): it opens on the day in the address,
 * draws posts from the light feed (GET /calendar) coloured by status and network, reads a post in full
 * only when it is opened (text, the network's error, the published link), and keeps view, day and grid
 * step in the address.
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
import { CalendarScreen } from './calendar';

describe('Calendar screen (in-process Herald)', () => {
  let t: TestApp;
  let owner: TestSession & { workspaceId: string };
  let workspace: Workspace;
  const requests: string[] = [];

  beforeAll(async () => {
    t = await createTestApp('sqlite', { services: { connectors: new ConnectorRegistry([blueskyValidatingTestConnector as unknown as Connector<never, never>]) } });
    owner = await t.setupOwner({ timezone: 'UTC' });
    workspace = (await (await t.json('GET', `/api/v1/workspaces/${owner.workspaceId}`, undefined, owner)).json()) as Workspace;
    const account = (await (await t.json('POST', `/api/v1/workspaces/${owner.workspaceId}/accounts`, { network: 'bluesky', credentials: { token: 'alice' } }, owner)).json()) as { id: string };
    const created = await t.json(
      'POST',
      `/api/v1/workspaces/${owner.workspaceId}/posts`,
      { text: 'Spring launch\n<b>second line</b>', targets: [{ accountId: account.id }], schedule: { date: '2099-03-10', time: '09:30', timezone: 'UTC' } },
      owner,
    );
    expect(created.status).toBe(201);
    const post = (await created.json()) as { targets: Array<{ id: string }> };
    // As the engine leaves a refused post: failed, with the network's words.
    await t.services.database.db
      .updateTable('post_targets')
      .set({ state: 'failed', last_error_kind: 'invalid_content', last_error_message: 'Bluesky refused the image' })
      .where('id', '=', post.targets[0]!.id)
      .execute();
  });
  afterEach(() => cleanup());
  afterAll(async () => {
    await t.close();
  });

  const renderScreen = () => {
    const api = inProcessApi(t, owner);
    render(
      <I18nextProvider i18n={createI18n('en')}>
        <ApiProvider api={api}>
          <CalendarScreen workspace={workspace} />
        </ApiProvider>
      </I18nextProvider>,
    );
  };

  it('opens on the day in the address, draws the feed, and reads the post in full when it is opened', async () => {
    window.history.replaceState(null, '', '/w/ws/calendar?date=2099-03-10');
    // Which API paths the screen asks for: the feed, and the full post only once it is opened.
    const original = t.request;
    t.request = (path, init, opts) => {
      requests.push(path.split('?')[0]!);
      return original(path, init, opts);
    };
    try {
      renderScreen();
      const event = await screen.findByText('Spring launch', { selector: '.rbc-event-content' }, { timeout: 8000 });
      const block = event.closest('.rbc-event') as HTMLElement;
      expect(block.className).toContain('cal-status-failed');
      expect(block.className).toContain('cal-network-bluesky');
      expect(requests.some((p) => p.endsWith('/calendar'))).toBe(true);
      expect(requests.some((p) => /\/posts\/[^/]+$/.test(p))).toBe(false);

      fireEvent.click(block);
      const detail = await screen.findByRole('complementary', { name: 'Post details' }, { timeout: 8000 });
      expect(await within(detail).findByText('What the network said: Bluesky refused the image', {}, { timeout: 8000 })).toBeTruthy();
      // The whole text, as text (markup from people is never HTML).
      expect(within(detail).getByText(/Spring launch/).textContent).toBe('Spring launch\n<b>second line</b>');
      expect(document.querySelector('.calendar-detail b')).toBeNull();
      expect(requests.some((p) => /\/posts\/[^/]+$/.test(p))).toBe(true);
    } finally {
      t.request = original;
    }
  });

  it('keeps view, day and grid step in the address', async () => {
    window.history.replaceState(null, '', '/w/ws/calendar?date=2099-03-10');
    renderScreen();
    await screen.findByText('Spring launch', { selector: '.rbc-event-content' }, { timeout: 8000 });
    fireEvent.click(screen.getByRole('button', { name: 'Day' }));
    fireEvent.change(await screen.findByLabelText('Grid step'), { target: { value: '5' } });
    await waitFor(() => expect(window.location.search).toBe('?view=day&date=2099-03-10&scale=5'));
    expect(document.querySelector('.calendar-host.calendar-scale-5')).not.toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Month' }));
    await waitFor(() => expect(window.location.search).toBe('?date=2099-03-10&scale=5'));
    expect(screen.queryByLabelText('Grid step')).toBeNull();
  });
});
