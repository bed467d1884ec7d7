// @vitest-environment jsdom
/**
 * The Composer against a real in-process Herald (SQLite) whose network is a test connector with the
 * id 'bluesky' whose validate IS the shared, browser-safe Bluesky validator: the counter, the disabled
 * Schedule button and the server's answer all come from the same code.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { I18nextProvider } from 'react-i18next';
import { validateBlueskyVariant } from '../../../src/connectors/bluesky/bluesky-validate';
import type { Connector } from '../../../src/connectors/connector';
import { ConnectorRegistry } from '../../../src/connectors/registry';
import { createTestApp, type TestApp, type TestSession } from '../../../test/support/test-app';
import { inProcessApi } from '../test-support/in-process-api';
import { blueskyValidatingTestConnector } from '../test-support/bluesky-test-connector';
import { ApiProvider } from '../api/context';
import type { Workspace } from '../api/types';
import { emptyUtm, withUtm } from '../components/utm-builder';
import { createI18n } from '../i18n/index';
import { validatorFor } from '../validation';
import { ComposerScreen, draftStorageKey } from './composer';

/** A render helper shared by the web tests: the screen talks to the in-process app with `session`. */
function renderWith(t: TestApp, session: TestSession, ui: React.ReactElement) {
  const api = inProcessApi(t, session);
  return render(
    <I18nextProvider i18n={createI18n('en')}>
      <ApiProvider api={api}>{ui}</ApiProvider>
    </I18nextProvider>,
  );
}

describe('Composer (in-process Herald, shared Bluesky validator)', () => {
  let t: TestApp;
  let owner: TestSession & { workspaceId: string };
  let workspace: Workspace;
  let accountId: string;

  beforeAll(async () => {
    t = await createTestApp('sqlite', { services: { connectors: new ConnectorRegistry([blueskyValidatingTestConnector as unknown as Connector<never, never>]) } });
    owner = await t.setupOwner();
    workspace = (await (await t.json('GET', `/api/v1/workspaces/${owner.workspaceId}`, undefined, owner)).json()) as Workspace;
    const res = await t.json('POST', `/api/v1/workspaces/${owner.workspaceId}/accounts`, { network: 'bluesky', credentials: { token: 'alice' } }, owner);
    expect(res.status).toBe(201);
    accountId = ((await res.json()) as { id: string }).id;
  });
  beforeEach(() => window.localStorage.clear());
  afterEach(() => cleanup());
  afterAll(async () => {
    await t.close();
  });

  it('the UI map hands out the shared validator the server connector runs', () => {
    expect(validatorFor('bluesky')).toBe(validateBlueskyVariant);
    expect(validatorFor('nonexistent')).toBeNull();
  });

  const pickAccount = async () => {
    fireEvent.click(await screen.findByRole('checkbox', { name: /^alice\.test/ }, { timeout: 8000 }));
  };

  it('301 graphemes: the counter turns to the error state and Schedule is disabled', async () => {
    renderWith(t, owner, <ComposerScreen workspace={workspace} />);
    await pickAccount();
    fireEvent.change(screen.getByLabelText('Text'), { target: { value: '👍🏽'.repeat(301) } });
    fireEvent.change(screen.getByLabelText('Date'), { target: { value: '2099-01-01' } });
    fireEvent.change(screen.getByLabelText('Time'), { target: { value: '12:00' } });
    const counter = document.querySelector('.network-counter') as HTMLElement;
    expect(counter.dataset.state).toBe('invalid');
    expect(within(counter).getByText('301 / 300 characters')).toBeTruthy();
    expect(within(counter).getByRole('alert').textContent).toContain('Text is 301 graphemes; Bluesky allows 300');
    expect((screen.getByRole('button', { name: 'Schedule' }) as HTMLButtonElement).disabled).toBe(true);

    fireEvent.change(screen.getByLabelText('Text'), { target: { value: '👍🏽'.repeat(300) } });
    expect(counter.dataset.state).toBe('valid');
    expect((screen.getByRole('button', { name: 'Schedule' }) as HTMLButtonElement).disabled).toBe(false);
  });

  it('an image the network refuses is flagged before upload', async () => {
    renderWith(t, owner, <ComposerScreen workspace={workspace} />);
    await pickAccount();
    fireEvent.change(screen.getByLabelText('Text'), { target: { value: 'with a file' } });
    const file = new File([new Uint8Array(1_000_001)], 'big.png', { type: 'image/png' });
    fireEvent.change(document.querySelector('input[type=file]') as HTMLInputElement, { target: { files: [file] } });
    expect(await screen.findByText('Image 1 is 1,000,001 bytes; Bluesky allows 1,000,000', {}, { timeout: 8000 })).toBeTruthy();
    expect(screen.getByLabelText('Alt text for big.png')).toBeTruthy();
  });

  it('a valid post is scheduled and the API shows it scheduled; the stored draft is cleared', async () => {
    renderWith(t, owner, <ComposerScreen workspace={workspace} />);
    await pickAccount();
    fireEvent.change(screen.getByLabelText('Text'), { target: { value: 'Hello from the composer' } });
    fireEvent.change(screen.getByLabelText('Web address'), { target: { value: 'https://example.com/a?ref=x' } });
    fireEvent.change(screen.getByLabelText('Campaign source (utm_source)'), { target: { value: 'bsky' } });
    fireEvent.change(screen.getByLabelText('Date'), { target: { value: '2099-01-01' } });
    fireEvent.change(screen.getByLabelText('Time'), { target: { value: '12:00' } });
    expect(window.localStorage.getItem(draftStorageKey(workspace.id))).toContain('Hello from the composer');
    fireEvent.click(screen.getByRole('button', { name: 'Schedule' }));
    expect(await screen.findByText(/Saved: Scheduled \(1\)\./, {}, { timeout: 8000 })).toBeTruthy();

    const list = (await (await t.json('GET', `/api/v1/workspaces/${owner.workspaceId}/posts?state=scheduled`, undefined, owner)).json()) as {
      items: Array<{ scheduledAt: string; targets: Array<{ accountId: string; state: string; text: string; link: string }> }>;
    };
    expect(list.items).toHaveLength(1);
    expect(list.items[0]!.scheduledAt).toBe('2099-01-01T12:00:00.000Z');
    expect(list.items[0]!.targets).toMatchObject([{ accountId, state: 'scheduled', text: 'Hello from the composer', link: 'https://example.com/a?ref=x&utm_source=bsky' }]);
    expect(window.localStorage.getItem(draftStorageKey(workspace.id))).toBeNull();
  });

  it('unsaved work survives a re-mount', async () => {
    const first = renderWith(t, owner, <ComposerScreen workspace={workspace} />);
    await pickAccount();
    fireEvent.change(screen.getByLabelText('Text'), { target: { value: 'Half-written thought' } });
    fireEvent.click(screen.getByRole('checkbox', { name: 'Own text for alice.test' }));
    fireEvent.change(screen.getByLabelText('Text for alice.test'), { target: { value: 'Alice’s own words' } });
    first.unmount();

    renderWith(t, owner, <ComposerScreen workspace={workspace} />);
    expect(((await screen.findByLabelText('Text', {}, { timeout: 8000 })) as HTMLTextAreaElement).value).toBe('Half-written thought');
    expect((screen.getByRole('checkbox', { name: /^alice\.test/, checked: true }) as HTMLInputElement).checked).toBe(true);
    expect((screen.getByLabelText('Text for alice.test') as HTMLTextAreaElement).value).toBe('Alice’s own words');
    const preview = screen.getByRole('article', { name: 'Preview for alice.test on Bluesky' });
    expect(within(preview).getByText('Alice’s own words')).toBeTruthy();
  });

  it('a contributor asking to schedule gets what the API answers: in review', async () => {
    const contributor = await t.addUser(owner.workspaceId, 'contributor');
    renderWith(t, contributor, <ComposerScreen workspace={{ ...workspace, role: 'contributor' }} />);
    await pickAccount();
    fireEvent.change(screen.getByLabelText('Text'), { target: { value: 'Please approve' } });
    fireEvent.change(screen.getByLabelText('Date'), { target: { value: '2099-01-02' } });
    fireEvent.change(screen.getByLabelText('Time'), { target: { value: '09:30' } });
    fireEvent.click(screen.getByRole('button', { name: 'Schedule' }));
    expect(await screen.findByText(/Saved: In review \(1\)\./, {}, { timeout: 8000 })).toBeTruthy();
  });
});

describe('UTM builder', () => {
  it('appends the tags, keeping the existing query and fragment, replacing same-named tags', () => {
    expect(withUtm('https://example.com/p?a=1#top', { source: 'bsky', medium: 'social', campaign: 'spring sale' })).toBe(
      'https://example.com/p?a=1&utm_source=bsky&utm_medium=social&utm_campaign=spring+sale#top',
    );
    expect(withUtm('https://example.com/?utm_source=old&b=2', { ...emptyUtm, source: 'new' })).toBe('https://example.com/?utm_source=new&b=2');
    expect(withUtm('https://example.com/x', emptyUtm)).toBe('https://example.com/x');
    expect(withUtm('not a url', { ...emptyUtm, source: 'x' })).toBe('not a url');
    expect(withUtm('  ', { ...emptyUtm, source: 'x' })).toBe('');
  });
});
