// @vitest-environment jsdom
/**
 * Accounts and OAuth against a real in-process Herald: "Connect with <network>" appears only for a
 * network whose declared sign-in is available (with the server address and the declared start fields),
 * starts the sign-in through the API and sends the browser to the network; an unavailable sign-in says
 * why and the credential form stays; the callback's ?connected= / ?oauthError= are shown and removed
 * from the address; an expiring token shows "expires in N days"; reconnecting signs in again.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { I18nextProvider } from 'react-i18next';
import { z } from 'zod';
import type { Connector } from '../../../src/connectors/connector';
import { ConnectorRegistry } from '../../../src/connectors/registry';
import { createTestApp, type TestApp, type TestSession } from '../../../test/support/test-app';
import { inProcessApi } from '../test-support/in-process-api';
import { ApiProvider } from '../api/context';
import type { Workspace } from '../api/types';
import { createI18n } from '../i18n/index';
import { AccountsScreen } from './accounts';

const base = {
  lengthUnit: 'characters',
  credentialsSchema: z.object({ token: z.string().min(1) }).strict(),
  limits: { maxConcurrentPerAccount: 1, publishRate: { count: 10, windowMs: 60_000 } },
  supports: { maxMedia: 1, mediaTypes: ['image/*'], polls: false, threads: false },
  validate: () => ({ network: 'x', length: 0, max: 1, unit: 'characters', valid: true, errors: [] }),
  async publish() {
    return { externalId: 'x', url: null };
  },
};

const begun: Array<Record<string, unknown>> = [];
// Signs in on a server the user names; also takes a token, which expires in three days.
const fedi: Connector<{ token: string }, { token: string }> = {
  ...base,
  id: 'fedi',
  displayName: 'Fedi',
  credentialFields: [{ name: 'token', label: 'Access token', type: 'password', required: true }],
  oauth: {
    available: () => ({ ok: true }),
    needsServiceUrl: true,
    startFields: [{ name: 'community', label: 'Community', type: 'text', required: true }],
    async begin(input) {
      begun.push({ serviceUrl: input.serviceUrl, fields: input.fields });
      return { authorizeUrl: `${input.serviceUrl}/oauth/authorize?state=${input.state}` };
    },
    async finish() {
      return { token: 'from-oauth' };
    },
  },
  async connect(c) {
    return { externalId: `f:${c.token}`, handle: `${c.token}@fedi.example`, displayName: null, serviceUrl: 'https://fedi.example', session: { token: c.token }, expiresAt: new Date(Date.now() + 3 * 86_400_000 + 3_600_000).toISOString() };
  },
};
// Its sign-in needs app credentials nobody configured.
const closed: Connector<{ token: string }, { token: string }> = {
  ...base,
  id: 'closed',
  displayName: 'Closed',
  credentialFields: [{ name: 'token', label: 'Bot token', type: 'password', required: true }],
  oauth: {
    available: () => ({ ok: false, reason: 'HERALD_CLOSED_CLIENT_ID is not set' }),
    needsServiceUrl: false,
    async begin() {
      throw new Error('not configured');
    },
    async finish() {
      throw new Error('not configured');
    },
  },
  async connect(c) {
    return { externalId: `c:${c.token}`, handle: c.token, displayName: null, serviceUrl: null, session: { token: c.token } };
  },
};

describe('Accounts with OAuth sign-in (in-process Herald)', () => {
  let t: TestApp;
  let owner: TestSession & { workspaceId: string };
  let workspace: Workspace;
  const redirects: string[] = [];

  const renderScreen = () =>
    render(
      <I18nextProvider i18n={createI18n('en')}>
        <ApiProvider api={inProcessApi(t, owner)}>
          <AccountsScreen workspace={workspace} redirect={(url) => redirects.push(url)} />
        </ApiProvider>
      </I18nextProvider>,
    );

  beforeAll(async () => {
    t = await createTestApp('sqlite', { initQueue: false, services: { connectors: new ConnectorRegistry([fedi, closed] as unknown as Array<Connector<never, never>>) } });
    owner = await t.setupOwner();
    workspace = (await (await t.json('GET', `/api/v1/workspaces/${owner.workspaceId}`, undefined, owner)).json()) as Workspace;
  });
  afterEach(() => cleanup());
  afterAll(async () => t.close());

  it('connects with the network: server address and declared fields, then off to the authorize URL', async () => {
    window.history.replaceState(null, '', `/w/${owner.workspaceId}/accounts`);
    renderScreen();
    const form = await screen.findByRole('region', { name: 'Connect an account' });
    const connect = await within(form).findByRole('button', { name: 'Connect with Fedi' });
    expect(within(form).getByText('Or connect with credentials:')).toBeTruthy();
    fireEvent.click(connect);
    // The server asks for what is missing, and the form shows it at the field.
    expect(await within(form).findByText('server address required')).toBeTruthy();
    fireEvent.change(within(form).getByLabelText(/Server address/), { target: { value: 'https://fedi.example' } });
    fireEvent.click(connect);
    expect(await within(form).findByText('Community is required')).toBeTruthy();
    fireEvent.change(within(form).getByLabelText(/Community/), { target: { value: 'news' } });
    await waitFor(() => expect((connect as HTMLButtonElement).disabled).toBe(false));
    fireEvent.click(connect);
    await waitFor(() => expect(redirects.length).toBe(1));
    expect(redirects[0]).toMatch(/^https:\/\/fedi\.example\/oauth\/authorize\?state=/);
    expect(begun.at(-1)).toEqual({ serviceUrl: 'https://fedi.example', fields: { community: 'news' } });
    expect(window.sessionStorage.getItem('herald.oauth.workspace')).toBe(owner.workspaceId);
  });

  it('says why a sign-in is unavailable and keeps the credential form', async () => {
    renderScreen();
    const form = await screen.findByRole('region', { name: 'Connect an account' });
    fireEvent.change(within(form).getByRole('combobox'), { target: { value: 'closed' } });
    expect(await within(form).findByText('Signing in with Closed is not set up: HERALD_CLOSED_CLIENT_ID is not set')).toBeTruthy();
    expect(within(form).queryByRole('button', { name: 'Connect with Closed' })).toBeNull();
    expect(within(form).getByLabelText(/Bot token/)).toBeTruthy();
  });

  it('shows the callback result once and removes it from the address; an expiring token and reconnecting by sign-in', async () => {
    const res = await t.json('POST', `/api/v1/workspaces/${owner.workspaceId}/accounts`, { network: 'fedi', credentials: { token: 'mia' } }, owner);
    const account = (await res.json()) as { id: string };
    window.history.replaceState(null, '', `/w/${owner.workspaceId}/accounts?connected=${account.id}`);
    renderScreen();
    expect(await screen.findByText('The account is connected.')).toBeTruthy();
    expect(window.location.search).toBe('');
    const list = await screen.findByRole('list', { name: 'Connected accounts' });
    expect(within(list).getByText('Access expires in 3 days')).toBeTruthy();

    fireEvent.click(within(list).getByRole('button', { name: 'Reconnect mia@fedi.example' }));
    fireEvent.change(within(list).getByLabelText(/Community/), { target: { value: 'news' } });
    fireEvent.click(within(list).getByRole('button', { name: 'Reconnect with Fedi' }));
    await waitFor(() => expect(redirects.length).toBe(2));
    // The account's own server is used; the user is not asked for it again.
    expect(begun.at(-1)).toEqual({ serviceUrl: 'https://fedi.example', fields: { community: 'news' } });
    cleanup();

    window.history.replaceState(null, '', `/w/${owner.workspaceId}/accounts?oauthError=${encodeURIComponent('The server said no')}`);
    renderScreen();
    expect((await screen.findByText('Connecting failed: The server said no')).getAttribute('role')).toBe('alert');
    expect(window.location.search).toBe('');
  });
});
