// @vitest-environment jsdom
/**
 * The invitation page against a real in-process Herald: the token from the fragment is previewed
 * (workspace, role), a newcomer creates their account and is signed in as a member; a used link
 * shows the server's words; a link without a token says so.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { I18nextProvider } from 'react-i18next';
import { createTestApp, type TestApp, type TestSession } from '../../../test/support/test-app';
import { inProcessApi } from '../test-support/in-process-api';
import { ApiProvider } from '../api/context';
import { createI18n } from '../i18n/index';
import { InviteScreen } from './invite';

describe('invitation page (in-process Herald)', () => {
  let t: TestApp;
  let owner: TestSession & { workspaceId: string };

  // The page has no session yet: requests carry no cookie.
  const anonymous = () => inProcessApi(t, { cookie: '', csrfToken: '' });
  const renderPage = (joined: Array<string | null>, lang: 'en' | 'ru' = 'en') =>
    render(
      <I18nextProvider i18n={createI18n(lang)}>
        <ApiProvider api={anonymous()}>
          <InviteScreen signedInAs={null} onJoined={(csrf) => joined.push(csrf)} />
        </ApiProvider>
      </I18nextProvider>,
    );
  const invite = async (role: string) => {
    const res = await t.json('POST', `/api/v1/workspaces/${owner.workspaceId}/invitations`, { role }, owner);
    return ((await res.json()) as { token: string }).token;
  };

  beforeAll(async () => {
    t = await createTestApp('sqlite', { initQueue: false });
    owner = await t.setupOwner();
  });
  afterEach(() => cleanup());
  afterAll(async () => t.close());

  it('previews the invitation, creates the account and joins with the role', async () => {
    const token = await invite('contributor');
    window.history.replaceState(null, '', `/invite#${token}`);
    const joined: Array<string | null> = [];
    renderPage(joined);
    expect(await screen.findByRole('heading', { name: 'Join My workspace' })).toBeTruthy();
    expect(screen.getByText('You are invited as Contributor.')).toBeTruthy();
    fireEvent.change(screen.getByLabelText('Your name'), { target: { value: 'Cleo' } });
    fireEvent.change(screen.getByLabelText('E-mail address'), { target: { value: 'cleo@example.com' } });
    fireEvent.change(screen.getByLabelText('Password'), { target: { value: 'short' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create account and join' }));
    expect((await screen.findByRole('alert')).textContent).toMatch(/at least 10 characters/);
    fireEvent.change(screen.getByLabelText('Password'), { target: { value: 'a long enough password' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create account and join' }));
    await waitFor(() => expect(joined.length).toBe(1));
    expect(joined[0]).toMatch(/\S{10,}/);
    expect(window.location.pathname).toBe(`/w/${owner.workspaceId}/compose`);
    const members = (await (await t.json('GET', `/api/v1/workspaces/${owner.workspaceId}/members`, undefined, owner)).json()) as { items: Array<{ email: string; role: string }> };
    expect(members.items.find((m) => m.email === 'cleo@example.com')?.role).toBe('contributor');

    // The same link again: the server's explanation, in the page.
    cleanup();
    window.history.replaceState(null, '', `/invite#${token}`);
    renderPage([]);
    expect((await screen.findByRole('alert')).textContent).toMatch(/already been used/);
  });

  it('says so when the link carries no invitation (in Russian too)', async () => {
    window.history.replaceState(null, '', '/invite');
    renderPage([], 'ru');
    expect(await screen.findByText('В этой ссылке нет приглашения. Откройте полную ссылку, которую вам прислали.')).toBeTruthy();
  });
});
