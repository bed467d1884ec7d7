// @vitest-environment jsdom
/**
 * The Accounts screen against a real in-process Herald (SQLite) whose only network is a test
 * connector declaring its own credential fields: the form must come from that declaration alone.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { I18nextProvider } from 'react-i18next';
import { z } from 'zod';
import { ConnectorError, type Connector } from '../../../src/connectors/connector';
import { ConnectorRegistry } from '../../../src/connectors/registry';
import { createTestApp, type TestApp, type TestSession } from '../../../test/support/test-app';
import { inProcessApi } from '../test-support/in-process-api';
import { ApiProvider } from '../api/context';
import type { Workspace } from '../api/types';
import { createI18n } from '../i18n/index';
import { AccountsScreen } from './accounts';

interface ExampleCredentials {
  instance: string;
  token: string;
  nickname?: string;
}

// A network the UI has never heard of: fields, labels and help exist only here.
const exampleConnector: Connector<ExampleCredentials, { token: string }> = {
  id: 'examplenet',
  displayName: 'ExampleNet',
  lengthUnit: 'characters',
  credentialFields: [
    { name: 'instance', label: 'Instance address', type: 'url', required: true, placeholder: 'https://social.example', help: 'Where your account lives.' },
    { name: 'token', label: 'Access token', type: 'password', required: true },
    { name: 'nickname', label: 'Nickname', type: 'text', required: false },
  ],
  credentialsSchema: z.object({ instance: z.string().url(), token: z.string().min(1), nickname: z.string().optional() }).strict(),
  limits: { maxConcurrentPerAccount: 1, publishRate: { count: 10, windowMs: 60_000 } },
  supports: { maxMedia: 4, mediaTypes: ['image/*'], polls: false, threads: false },
  async connect(credentials) {
    if (credentials.token !== 'good-token') throw new ConnectorError('auth_expired', 'ExampleNet refused the token');
    const handle = credentials.nickname ?? 'alice';
    // A display name full of markup: it must arrive on screen as text.
    return { externalId: `ext-${handle}`, handle: `${handle}@social.example`, displayName: '<img src=x onerror=alert(1)><b>Alice</b>', serviceUrl: credentials.instance, session: { token: credentials.token } };
  },
  validate: (v) => ({ network: 'examplenet', length: v.text.length, max: 500, unit: 'characters', valid: true, errors: [] }),
  async publish() {
    return { externalId: 'x', url: null };
  },
};

describe('Accounts screen (in-process Herald, declared test connector)', () => {
  let t: TestApp;
  let owner: TestSession & { workspaceId: string };
  let workspace: Workspace;

  const renderScreen = (session: TestSession, ws: Workspace) => {
    const api = inProcessApi(t, session);
    const i18n = createI18n('en');
    render(
      <I18nextProvider i18n={i18n}>
        <ApiProvider api={api}>
          <AccountsScreen workspace={ws} />
        </ApiProvider>
      </I18nextProvider>,
    );
    return i18n;
  };

  beforeAll(async () => {
    t = await createTestApp('sqlite', { initQueue: false, services: { connectors: new ConnectorRegistry([exampleConnector as unknown as Connector<never, never>]) } });
    owner = await t.setupOwner();
    const res = await t.json('GET', `/api/v1/workspaces/${owner.workspaceId}`, undefined, owner);
    workspace = (await res.json()) as Workspace;
  });
  afterEach(() => cleanup());
  afterAll(async () => {
    await t.close();
  });

  it('shows the empty state, then renders the form from the declared fields only', async () => {
    renderScreen(owner, workspace);
    expect(await screen.findByText('No accounts yet. Connect one to start scheduling posts.')).toBeTruthy();
    const form = await screen.findByRole('region', { name: 'Connect an account' });
    expect(within(form).getByText('ExampleNet')).toBeTruthy();

    const instance = within(form).getByLabelText(/Instance address/) as HTMLInputElement;
    expect(instance.type).toBe('url');
    expect(instance.required).toBe(true);
    expect(instance.placeholder).toBe('https://social.example');
    const helpId = instance.getAttribute('aria-describedby') ?? '';
    expect(document.getElementById(helpId)?.textContent).toBe('Where your account lives.');
    const token = within(form).getByLabelText(/Access token/) as HTMLInputElement;
    expect(token.type).toBe('password');
    const nickname = within(form).getByLabelText(/Nickname/) as HTMLInputElement;
    expect(nickname.required).toBe(false);
    expect(within(form).getAllByRole('textbox').length + 1).toBe(3); // two text-like inputs + one password
  });

  it('shows the network’s refusal, then connects and lists the account with markup kept as text', async () => {
    renderScreen(owner, workspace);
    const form = await screen.findByRole('region', { name: 'Connect an account' });
    fireEvent.change(within(form).getByLabelText(/Instance address/), { target: { value: 'https://social.example' } });
    fireEvent.change(within(form).getByLabelText(/Access token/), { target: { value: 'bad-token' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Connect' }));
    expect((await within(form).findByRole('alert')).textContent).toMatch(/\S/);
    expect((await t.json('GET', `/api/v1/workspaces/${owner.workspaceId}/accounts`, undefined, owner).then((r) => r.json())) as { items: unknown[] }).toEqual({ items: [] });

    fireEvent.change(within(form).getByLabelText(/Access token/), { target: { value: 'good-token' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Connect' }));
    expect(await screen.findByText('alice@social.example is connected.')).toBeTruthy();
    const list = await screen.findByRole('list', { name: 'Connected accounts' });
    const item = within(list).getByText('alice@social.example', { selector: '.account-handle' }).closest('li');
    expect(item).toBeTruthy();
    expect(within(item as HTMLElement).getByText('<img src=x onerror=alert(1)><b>Alice</b>')).toBeTruthy();
    expect(document.querySelector('img')).toBeNull();
    expect(within(item as HTMLElement).getByText('Connected', { selector: '.badge, .badge *' })).toBeTruthy();
  });

  it('shows a held-post count and reconnect for an account that needs it, and removes after confirmation', async () => {
    const accountId = ((await t.json('GET', `/api/v1/workspaces/${owner.workspaceId}/accounts`, undefined, owner).then((r) => r.json())) as { items: Array<{ id: string }> }).items[0]!.id;
    const db = t.services.database.db;
    await db.updateTable('accounts').set({ status: 'needs_reconnect', status_reason: 'Token expired' }).where('id', '=', accountId).execute();
    // Two posts wait for the account, as the engine leaves them when the network refuses the session.
    const now = new Date().toISOString();
    for (const n of [1, 2]) {
      await db.insertInto('posts').values({ id: `post-${n}`, workspace_id: owner.workspaceId, author_id: owner.userId, timezone: 'UTC', scheduled_local: null, scheduled_at: now, created_at: now, updated_at: now, deleted_at: null }).execute();
      await db
        .insertInto('post_targets')
        .values({
          id: `target-${n}`, post_id: `post-${n}`, workspace_id: owner.workspaceId, account_id: accountId, network: 'examplenet', state: 'held', text: 'hi', link: null, langs: '[]',
          scheduled_at: now, version: 1, attempts: 0, next_attempt_at: null, lease_owner: null, lease_until: null, last_error_kind: 'auth_expired', last_error_message: null,
          external_id: null, external_url: null, published_at: null, created_at: now, updated_at: now,
        })
        .execute();
    }

    const i18n = renderScreen(owner, workspace);
    const list = await screen.findByRole('list', { name: 'Connected accounts' });
    expect(within(list).getByText('Needs reconnecting')).toBeTruthy();
    expect(within(list).getByText('Token expired')).toBeTruthy();
    expect(within(list).getByText('2 posts wait for this account')).toBeTruthy();

    fireEvent.click(within(list).getByRole('button', { name: 'Reconnect alice@social.example' }));
    fireEvent.change(within(list).getByLabelText(/Instance address/), { target: { value: 'https://social.example' } });
    fireEvent.change(within(list).getByLabelText(/Access token/), { target: { value: 'good-token' } });
    fireEvent.click(within(list).getByRole('button', { name: 'Reconnect' }));
    expect(await screen.findByText('alice@social.example is reconnected. 2 held posts resume.')).toBeTruthy();
    await waitFor(() => expect(within(screen.getByRole('list', { name: 'Connected accounts' })).getByText('Connected', { selector: '.badge, .badge *' })).toBeTruthy());

    await i18n.changeLanguage('ru');
    const ruList = await screen.findByRole('list', { name: 'Подключённые аккаунты' });
    fireEvent.click(within(ruList).getByRole('button', { name: 'Удалить alice@social.example' }));
    fireEvent.click(within(ruList).getByRole('button', { name: 'Да, удалить' }));
    expect(await screen.findByText(/^alice@social.example удалён\. Отменены 2 неотправленные публикации\.$/)).toBeTruthy();
    expect(await screen.findByText('Аккаунтов пока нет. Подключите первый, чтобы планировать публикации.')).toBeTruthy();
  });

  it('an editor sees the accounts but no connect form', async () => {
    const editor = await t.addUser(owner.workspaceId, 'editor');
    renderScreen(editor, { ...workspace, role: 'editor' });
    expect(await screen.findByText('Only admins and owners can connect or remove accounts.')).toBeTruthy();
    expect(screen.queryByRole('region', { name: 'Connect an account' })).toBeNull();
  });
});
