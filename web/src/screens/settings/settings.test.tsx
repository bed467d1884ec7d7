// @vitest-environment jsdom
/**
 * Settings against a real in-process Herald (SQLite): the workspace time zone, members (role change,
 * removal), invitations (link shown once, revoke), API tokens (token shown once, works, revoke) and
 * webhooks (event picker, secret shown once, pause, delete); a viewer sees only what they may use.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { I18nextProvider } from 'react-i18next';
import { createTestApp, type TestApp, type TestSession } from '../../../../test/support/test-app';
import { inProcessApi } from '../../test-support/in-process-api';
import { ApiProvider } from '../../api/context';
import type { Workspace } from '../../api/types';
import { createI18n } from '../../i18n/index';
import { webhookEventTypes } from '../../../../src/webhooks/webhook-events';
import { webhookEvents } from './integrations-settings';
import { SettingsScreen } from './settings';

describe('Settings screen (in-process Herald)', () => {
  let t: TestApp;
  let owner: TestSession & { workspaceId: string };
  let workspace: Workspace;
  let changed = 0;

  const renderScreen = (session: TestSession, ws: Workspace) => {
    const i18n = createI18n('en');
    render(
      <I18nextProvider i18n={i18n}>
        <ApiProvider api={inProcessApi(t, session)}>
          <SettingsScreen workspace={ws} userId={session.userId} onWorkspaceChanged={() => changed++} />
        </ApiProvider>
      </I18nextProvider>,
    );
    return i18n;
  };
  const openTab = (name: string) => fireEvent.click(screen.getByRole('tab', { name }));

  beforeAll(async () => {
    t = await createTestApp('sqlite', { initQueue: false });
    owner = await t.setupOwner({ timezone: 'UTC' });
    workspace = (await (await t.json('GET', `/api/v1/workspaces/${owner.workspaceId}`, undefined, owner)).json()) as Workspace;
  });
  afterEach(() => cleanup());
  afterAll(async () => t.close());

  it('changes the workspace time zone through the API', async () => {
    renderScreen(owner, workspace);
    const zone = screen.getByLabelText('Time zone of the workspace') as HTMLSelectElement;
    fireEvent.change(zone, { target: { value: 'Europe/Stockholm' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(await screen.findByText('Time zone saved: Europe/Stockholm.')).toBeTruthy();
    expect(changed).toBe(1);
    const ws = (await (await t.json('GET', `/api/v1/workspaces/${owner.workspaceId}`, undefined, owner)).json()) as Workspace;
    expect(ws.timezone).toBe('Europe/Stockholm');
  });

  it('lists members, changes a role and removes a member after confirmation', async () => {
    const editor = await t.addUser(owner.workspaceId, 'editor', { email: 'ed@example.com' });
    renderScreen(owner, workspace);
    openTab('Members');
    const list = await screen.findByRole('list', { name: 'Members of this workspace' });
    expect(within(list).getByText('(you)')).toBeTruthy();
    const edRow = within(list).getByText('ed@example.com').closest('li') as HTMLElement;
    const role = within(edRow).getByRole('combobox') as HTMLSelectElement;
    expect(role.value).toBe('editor');
    fireEvent.change(role, { target: { value: 'viewer' } });
    expect(await screen.findByText(/is now Viewer\.$/)).toBeTruthy();
    const members = (await (await t.json('GET', `/api/v1/workspaces/${owner.workspaceId}/members`, undefined, owner)).json()) as { items: Array<{ userId: string; role: string }> };
    expect(members.items.find((m) => m.userId === editor.userId)?.role).toBe('viewer');

    const row = within(await screen.findByRole('list', { name: 'Members of this workspace' })).getByText('ed@example.com').closest('li') as HTMLElement;
    fireEvent.click(within(row).getByRole('button', { name: /^Remove / }));
    fireEvent.click(within(row).getByRole('button', { name: 'Yes, remove' }));
    expect(await screen.findByText(/was removed from the workspace\.$/)).toBeTruthy();
    await waitFor(() => expect(screen.queryByText('ed@example.com')).toBeNull());
  });

  it('creates an invitation link shown once that a newcomer can accept, and revokes another', async () => {
    renderScreen(owner, workspace);
    openTab('Invitations');
    fireEvent.change(screen.getByLabelText('Role'), { target: { value: 'contributor' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create invitation link' }));
    const link = (await screen.findByLabelText('Invitation link', { selector: 'input' })) as HTMLInputElement;
    expect(link.value).toMatch(/^http:\/\/127\.0\.0\.1:3000\/invite#hinv_/);
    const token = link.value.split('#')[1]!;
    const list = await screen.findByRole('list', { name: 'Invitations of this workspace' });
    expect(within(list).getByText('Anyone with the link')).toBeTruthy();
    expect(within(list).getByText('Waiting')).toBeTruthy();
    expect(list.textContent).not.toContain(token);

    const accepted = await t.json('POST', '/api/v1/invitations/accept', { token, name: 'Newcomer', email: 'new@example.com', password: 'a long enough password' });
    expect(accepted.status).toBe(201);

    fireEvent.change(screen.getByLabelText(/E-mail address/), { target: { value: 'later@example.com' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create invitation link' }));
    await waitFor(() => expect(within(screen.getByRole('list', { name: 'Invitations of this workspace' })).getByText('later@example.com')).toBeTruthy());
    fireEvent.click(screen.getByRole('button', { name: 'Revoke the invitation for later@example.com' }));
    expect(await screen.findByText('The invitation was revoked.')).toBeTruthy();
    const again = within(await screen.findByRole('list', { name: 'Invitations of this workspace' }));
    await waitFor(() => expect(again.getByText('Revoked')).toBeTruthy());
    expect(again.getByText('Accepted')).toBeTruthy();
  });

  it('creates an API token shown once that works, then revokes it', async () => {
    renderScreen(owner, workspace);
    openTab('API tokens');
    fireEvent.change(screen.getByLabelText('Token name'), { target: { value: 'Reporting' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create token' }));
    const field = (await screen.findByLabelText('New API token')) as HTMLInputElement;
    expect(field.value).toMatch(/^hrld_/);
    expect((await t.json('GET', `/api/v1/workspaces/${owner.workspaceId}`, undefined, field.value)).status).toBe(200);
    const list = await screen.findByRole('list', { name: 'API tokens of this workspace' });
    expect(list.textContent).not.toContain(field.value);
    fireEvent.click(within(list).getByRole('button', { name: 'Revoke Reporting' }));
    fireEvent.click(within(list).getByRole('button', { name: 'Yes, remove' }));
    expect(await screen.findByText('Reporting was revoked.')).toBeTruthy();
    expect((await t.json('GET', `/api/v1/workspaces/${owner.workspaceId}`, undefined, field.value)).status).toBe(401);
  });

  it('adds a webhook with the picked events, shows its secret once, pauses and deletes it', async () => {
    renderScreen(owner, workspace);
    openTab('Webhooks');
    fireEvent.change(screen.getByLabelText('Address (URL)'), { target: { value: 'http://127.0.0.1:9/hook' } });
    fireEvent.click(screen.getByLabelText('A post failed'));
    fireEvent.click(screen.getByLabelText('An account needs reconnecting'));
    fireEvent.click(screen.getByRole('button', { name: 'Add webhook' }));
    expect(((await screen.findByLabelText('Webhook signing secret')) as HTMLInputElement).value).toMatch(/^whsec_/);
    const list = await screen.findByRole('list', { name: 'Webhooks of this workspace' });
    expect(within(list).getByText('Nothing sent yet')).toBeTruthy();
    const hooks = (await (await t.json('GET', `/api/v1/workspaces/${owner.workspaceId}/webhooks`, undefined, owner)).json()) as { items: Array<{ events: string[]; active: boolean }> };
    expect(hooks.items[0]?.events.sort()).toEqual(['account.needs_reconnect', 'post.target.held', 'post.target.published']);

    fireEvent.click(within(list).getByRole('button', { name: 'Pause the webhook to http://127.0.0.1:9/hook' }));
    await waitFor(() => expect(within(screen.getByRole('list', { name: 'Webhooks of this workspace' })).getByText('Paused')).toBeTruthy());
    fireEvent.click(screen.getByRole('button', { name: 'Delete the webhook to http://127.0.0.1:9/hook' }));
    fireEvent.click(screen.getByRole('button', { name: 'Yes, remove' }));
    expect(await screen.findByText('No webhooks yet.')).toBeTruthy();
  });

  it('offers every webhook event type the server has, each with words in every language', async () => {
    expect([...webhookEvents].sort()).toEqual([...webhookEventTypes].sort());
    const i18n = createI18n('en');
    for (const lng of ['en', 'ru', 'sv']) {
      await i18n.changeLanguage(lng);
      for (const e of webhookEvents) expect(i18n.exists(`settings.webhooks.event.${e.replace(/\./g, '_')}`), `${lng}: ${e}`).toBe(true);
    }
  });

  it('a viewer sees the workspace and members tabs only, without controls, in Swedish too', async () => {
    const viewer = await t.addUser(owner.workspaceId, 'viewer');
    const i18n = renderScreen(viewer, { ...workspace, role: 'viewer' });
    expect(screen.getAllByRole('tab').map((x) => x.textContent)).toEqual(['Workspace', 'Members']);
    expect((screen.getByLabelText('Time zone of the workspace') as HTMLSelectElement).disabled).toBe(true);
    expect(screen.getByText('Only admins and owners can change the workspace time zone.')).toBeTruthy();
    openTab('Members');
    await screen.findByRole('list', { name: 'Members of this workspace' });
    expect(screen.queryByRole('button', { name: /^Remove/ })).toBeNull();
    await i18n.changeLanguage('sv');
    expect(await screen.findByRole('tab', { name: 'Medlemmar' })).toBeTruthy();
  });
});
