// @vitest-environment jsdom
/**
 * The Queue screen's slot editor against a real in-process Herald: add times per weekday, refuse a
 * duplicate, remove one, save (PUT) and see the stored week and the next free time; viewers see the
 * week without controls.
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
import { QueueScreen } from './queue';

describe('Queue screen (in-process Herald)', () => {
  let t: TestApp;
  let owner: TestSession & { workspaceId: string };
  let workspace: Workspace;
  let accountId: string;

  const renderScreen = (session: TestSession, ws: Workspace) =>
    render(
      <I18nextProvider i18n={createI18n('en')}>
        <ApiProvider api={inProcessApi(t, session)}>
          <QueueScreen workspace={ws} />
        </ApiProvider>
      </I18nextProvider>,
    );

  beforeAll(async () => {
    t = await createTestApp('sqlite', { initQueue: false, services: { connectors: new ConnectorRegistry([blueskyValidatingTestConnector as unknown as Connector<never, never>]) } });
    owner = await t.setupOwner({ timezone: 'Europe/Stockholm' });
    workspace = (await (await t.json('GET', `/api/v1/workspaces/${owner.workspaceId}`, undefined, owner)).json()) as Workspace;
    const res = await t.json('POST', `/api/v1/workspaces/${owner.workspaceId}/accounts`, { network: 'bluesky', credentials: { token: 'alice' } }, owner);
    accountId = ((await res.json()) as { id: string }).id;
  });
  afterEach(() => cleanup());
  afterAll(async () => t.close());

  it('edits the week: adds times, refuses a duplicate, removes one, saves, and shows the next free time', async () => {
    renderScreen(owner, workspace);
    const grid = await screen.findByRole('group', { name: 'Posting times of alice.test' });
    expect(within(grid).getAllByText('No times').length).toBe(7);
    expect(await screen.findByText('No free time in the next 8 weeks.')).toBeTruthy();
    const save = screen.getByRole('button', { name: 'Save times' }) as HTMLButtonElement;
    expect(save.disabled).toBe(true);

    const addAt = (day: string, time: string) => {
      fireEvent.change(within(grid).getByLabelText(`New time on ${day}`), { target: { value: time } });
      fireEvent.click(within(grid).getByRole('button', { name: `Add a time on ${day}` }));
    };
    addAt('Monday', '09:00');
    addAt('Monday', '17:30');
    addAt('Wednesday', '12:15');
    addAt('Monday', '09:00');
    expect(within(grid).getByRole('alert').textContent).toBe('09:00 is already on Monday.');
    fireEvent.click(within(grid).getByRole('button', { name: 'Remove 17:30 on Monday' }));
    expect(screen.getByText('You have unsaved changes.')).toBeTruthy();

    fireEvent.click(save);
    expect(await screen.findByText('Posting times saved for alice.test.')).toBeTruthy();
    const stored = (await (await t.json('GET', `/api/v1/workspaces/${owner.workspaceId}/accounts/${accountId}/slots`, undefined, owner)).json()) as { items: Array<{ weekday: number; time: string }> };
    expect(stored.items.map((s) => `${s.weekday} ${s.time}`)).toEqual(['1 09:00', '3 12:15']);
    expect(await screen.findByText(/^Next free time: /)).toBeTruthy();
    await waitFor(() => expect(screen.queryByText('You have unsaved changes.')).toBeNull());
  });

  it('shows a viewer the week without controls', async () => {
    const viewer = await t.addUser(owner.workspaceId, 'viewer');
    renderScreen(viewer, { ...workspace, role: 'viewer' });
    const grid = await screen.findByRole('group', { name: 'Posting times of alice.test' });
    expect(await within(grid).findByText('09:00')).toBeTruthy();
    expect(screen.getByText('Only editors, admins and owners can change posting times.')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Save times' })).toBeNull();
    expect(within(grid).queryByRole('button')).toBeNull();
  });
});
