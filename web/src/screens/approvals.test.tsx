// @vitest-environment jsdom
/**
 * The Approvals screen against a real in-process Herald (SQLite): a contributor submits through the
 * API, the post appears for the editor, who approves it or sends it back with a comment; the history
 * shows the comment, and the contributor sees their own submission's state.
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
import { ApprovalsScreen } from './approvals';

const reviewNet: Connector<{ token: string }, { token: string }> = {
  id: 'reviewnet',
  displayName: 'ReviewNet',
  lengthUnit: 'characters',
  credentialFields: [{ name: 'token', label: 'Token', type: 'password', required: true }],
  credentialsSchema: z.object({ token: z.string().min(1) }).strict(),
  limits: { maxConcurrentPerAccount: 1, publishRate: { count: 10, windowMs: 60_000 } },
  supports: { maxMedia: 4, mediaTypes: ['image/*'], polls: false, threads: false },
  async connect(c) {
    return { externalId: 'ext-1', handle: 'brand@review.example', displayName: 'Brand', serviceUrl: null, session: { token: c.token } };
  },
  validate: (v) => ({ network: 'reviewnet', length: v.text.length, max: 500, unit: 'characters', valid: true, errors: [] }),
  async publish() {
    return { externalId: 'x', url: null };
  },
};

describe('Approvals screen (in-process Herald)', () => {
  let t: TestApp;
  let owner: TestSession & { workspaceId: string };
  let editor: TestSession;
  let contributor: TestSession;
  let accountId: string;

  const workspaceAs = async (session: TestSession) => (await (await t.json('GET', `/api/v1/workspaces/${owner.workspaceId}`, undefined, session)).json()) as Workspace;

  const renderScreen = async (session: TestSession, userId: string) => {
    const ws = await workspaceAs(session);
    const api = inProcessApi(t, session);
    const edited: string[] = [];
    render(
      <I18nextProvider i18n={createI18n('en')}>
        <ApiProvider api={api}>
          <ApprovalsScreen workspace={ws} userId={userId} onEdit={(id) => edited.push(id)} />
        </ApiProvider>
      </I18nextProvider>,
    );
    return edited;
  };

  const submit = async (text: string) => {
    const res = await t.json('POST', `/api/v1/workspaces/${owner.workspaceId}/posts`, { text, targets: [{ accountId }], action: 'submit' }, contributor);
    expect(res.status).toBe(201);
    return ((await res.json()) as { id: string }).id;
  };
  const states = async (postId: string) => ((await (await t.json('GET', `/api/v1/workspaces/${owner.workspaceId}/posts/${postId}`, undefined, owner)).json()) as { states: Record<string, number> }).states;

  beforeAll(async () => {
    t = await createTestApp('sqlite', { initQueue: false, services: { connectors: new ConnectorRegistry([reviewNet as unknown as Connector<never, never>]) } });
    owner = await t.setupOwner();
    editor = await t.addUser(owner.workspaceId, 'editor');
    contributor = await t.addUser(owner.workspaceId, 'contributor');
    const res = await t.json('POST', `/api/v1/workspaces/${owner.workspaceId}/accounts`, { network: 'reviewnet', credentials: { token: 'tok' } }, owner);
    expect(res.status).toBe(201);
    accountId = ((await res.json()) as { id: string }).id;
  });
  afterEach(() => cleanup());
  afterAll(async () => t.close());

  it('shows an empty queue, then a submitted post; the editor approves it', async () => {
    await renderScreen(editor, editor.userId);
    expect(await screen.findByText('Nothing is waiting for review.')).toBeTruthy();
    cleanup();

    const postId = await submit('<b>Launch</b> day post');
    const edited = await renderScreen(editor, editor.userId);
    const card = await screen.findByRole('listitem', { name: '<b>Launch</b> day post' });
    expect(within(card).getByText('In review')).toBeTruthy();
    // Markup in the text stays text.
    expect(card.querySelector('b')).toBeNull();
    fireEvent.click(within(card).getByRole('button', { name: 'Open to edit' }));
    expect(edited).toEqual([postId]);

    fireEvent.click(within(card).getByRole('button', { name: 'Approve' }));
    expect(await screen.findByText('The post was approved.')).toBeTruthy();
    await waitFor(() => expect(screen.queryByRole('listitem', { name: '<b>Launch</b> day post' })).toBeNull());
    expect(await states(postId)).toEqual({ approved: 1 });
  });

  it('the editor sends a post back with a comment; it becomes a draft and the history shows who and why', async () => {
    const postId = await submit('Needs a fix');
    await renderScreen(editor, editor.userId);
    const card = await screen.findByRole('listitem', { name: 'Needs a fix' });
    fireEvent.click(within(card).getByRole('button', { name: 'Send back' }));
    fireEvent.change(within(card).getByLabelText('Comment for the author'), { target: { value: 'Please add the link' } });
    fireEvent.click(within(card).getByRole('button', { name: 'Send back to the author' }));
    expect(await screen.findByText('The post was sent back to its author.')).toBeTruthy();
    expect(await states(postId)).toEqual({ draft: 1 });
    cleanup();

    // The contributor sees their submissions and their state, and the comment in the history.
    await renderScreen(contributor, contributor.userId);
    expect(await screen.findByRole('heading', { name: 'My submissions' })).toBeTruthy();
    const mine = await screen.findByRole('listitem', { name: 'Needs a fix' });
    expect(within(mine).getByText('Draft')).toBeTruthy();
    expect(within(mine).queryByRole('button', { name: 'Approve' })).toBeNull();
    const approved = await screen.findByRole('listitem', { name: '<b>Launch</b> day post' });
    expect(within(approved).getByText('Approved')).toBeTruthy();
    fireEvent.click(within(mine).getByRole('button', { name: 'Show history' }));
    const history = await within(mine).findByRole('list', { name: 'History' });
    expect(await within(history).findByText('Please add the link')).toBeTruthy();
    const names = within(history).getAllByRole('listitem').map((li) => li.textContent ?? '');
    expect(names.some((n) => /submitted it for review/.test(n))).toBe(true);
    expect(names.some((n) => /sent it back/.test(n))).toBe(true);
  });
});
