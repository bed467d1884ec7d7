// @vitest-environment jsdom
/**
 * The composer's hashtag sets against a real in-process Herald (SQLite): inserting a set appends only
 * the tags the text lacks; an editor saves the text's hashtags as a new set through an inline name
 * form and deletes it; the server's 409 for a taken name is shown; viewers only insert.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { I18nextProvider } from 'react-i18next';
import type { Connector } from '../../../src/connectors/connector';
import { ConnectorRegistry } from '../../../src/connectors/registry';
import { createTestApp, type TestApp, type TestSession } from '../../../test/support/test-app';
import { inProcessApi } from '../test-support/in-process-api';
import { blueskyValidatingTestConnector } from '../test-support/bluesky-test-connector';
import { ApiProvider } from '../api/context';
import type { Workspace } from '../api/types';
import { createI18n } from '../i18n/index';
import { ComposerScreen } from '../screens/composer';
import { appendHashtags, hashtagsInText } from './hashtag-sets';

function renderWith(t: TestApp, session: TestSession, ui: React.ReactElement) {
  return render(
    <I18nextProvider i18n={createI18n('en')}>
      <ApiProvider api={inProcessApi(t, session)}>{ui}</ApiProvider>
    </I18nextProvider>,
  );
}

describe('appendHashtags / hashtagsInText', () => {
  it('appends only missing tags, on a new line or continuing a hashtag line', () => {
    expect(appendHashtags('', ['#a', '#b'])).toEqual({ text: '#a #b', added: ['#a', '#b'] });
    expect(appendHashtags('Hello #A', ['#a', '#b']).text).toBe('Hello #A\n#b');
    expect(appendHashtags('Hello\n#x', ['#y']).text).toBe('Hello\n#x #y');
    expect(appendHashtags('Hello ', ['#y']).text).toBe('Hello #y');
    expect(appendHashtags('#a #b', ['#B', '#a'])).toEqual({ text: '#a #b', added: [] });
    expect(hashtagsInText('Привет #Мир и #мир, #kaffe_2026!')).toEqual(['#Мир', '#kaffe_2026']);
  });
});

describe('Hashtag sets in the composer (in-process Herald)', () => {
  let t: TestApp;
  let owner: TestSession & { workspaceId: string };
  let base: string;

  const workspaceAs = async (session: TestSession) => (await (await t.json('GET', `/api/v1/workspaces/${owner.workspaceId}`, undefined, session)).json()) as Workspace;
  const setsOnServer = async () => ((await (await t.json('GET', base, undefined, owner)).json()) as { items: Array<{ id: string; name: string; tags: string[] }> }).items;
  const textArea = () => screen.getByLabelText('Text') as HTMLTextAreaElement;

  beforeAll(async () => {
    t = await createTestApp('sqlite', { services: { connectors: new ConnectorRegistry([blueskyValidatingTestConnector as unknown as Connector<never, never>]) } });
    owner = await t.setupOwner();
    base = `/api/v1/workspaces/${owner.workspaceId}/hashtag-sets`;
    expect((await t.json('POST', `/api/v1/workspaces/${owner.workspaceId}/accounts`, { network: 'bluesky', credentials: { token: 'alice' } }, owner)).status).toBe(201);
    expect((await t.json('POST', base, { name: 'Launch', tags: ['herald', 'launch'] }, owner)).status).toBe(201);
  });
  beforeEach(() => window.localStorage.clear());
  afterEach(() => cleanup());
  afterAll(async () => {
    await t.close();
  });

  it('inserts a set, skipping tags already in the text', async () => {
    renderWith(t, owner, <ComposerScreen workspace={await workspaceAs(owner)} />);
    const select = (await screen.findByLabelText('Hashtag set', undefined, { timeout: 8000 })) as HTMLSelectElement;
    fireEvent.change(textArea(), { target: { value: 'Hello #Herald' } });
    fireEvent.change(select, { target: { value: (await setsOnServer()).find((s) => s.name === 'Launch')!.id } });
    expect(screen.getByText('#herald #launch')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Add to text' }));
    expect(textArea().value).toBe('Hello #Herald\n#launch');
    expect(screen.getByText('Added: #launch')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Add to text' }));
    expect(textArea().value).toBe('Hello #Herald\n#launch');
    expect(screen.getByText('Every hashtag of this set is already in the text.')).toBeTruthy();
  });

  it('lets an editor save the text\'s hashtags as a set, shows a taken name, and delete the set', async () => {
    const editor = await t.addUser(owner.workspaceId, 'editor');
    renderWith(t, editor, <ComposerScreen workspace={await workspaceAs(editor)} />);
    const saveFromText = (await screen.findByRole('button', { name: 'Save hashtags from the text as a set' }, { timeout: 8000 })) as HTMLButtonElement;
    expect(saveFromText.disabled).toBe(true);
    fireEvent.change(textArea(), { target: { value: 'New #one, #two and #One again' } });
    fireEvent.click(saveFromText);

    // A taken name: the server's conflict message, and the form stays open.
    fireEvent.change(screen.getByLabelText('Name of the new set'), { target: { value: 'Launch' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save set' }));
    expect((await screen.findByRole('alert')).textContent).toMatch(/already exists/);

    fireEvent.change(screen.getByLabelText('Name of the new set'), { target: { value: 'Pair' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save set' }));
    await screen.findByText('Set “Pair” saved.');
    expect((await setsOnServer()).find((s) => s.name === 'Pair')?.tags).toEqual(['#one', '#two']);
    await waitFor(() => expect(screen.getByRole('option', { name: 'Pair (2)' })).toBeTruthy());
    expect((screen.getByLabelText('Hashtag set') as HTMLSelectElement).value).toBe((await setsOnServer()).find((s) => s.name === 'Pair')!.id);

    fireEvent.click(screen.getByRole('button', { name: 'Delete set' }));
    await screen.findByText('Set “Pair” deleted.');
    expect((await setsOnServer()).map((s) => s.name)).toEqual(['Launch']);
    await waitFor(() => expect(screen.queryByRole('option', { name: 'Pair (2)' })).toBeNull());
  });

  it('offers viewers the sets to insert but no saving or deleting', async () => {
    const viewer = await t.addUser(owner.workspaceId, 'viewer');
    renderWith(t, viewer, <ComposerScreen workspace={await workspaceAs(viewer)} />);
    await screen.findByLabelText('Hashtag set', undefined, { timeout: 8000 });
    expect(screen.getByRole('button', { name: 'Add to text' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Save hashtags from the text as a set' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Delete set' })).toBeNull();
  });
});
