// @vitest-environment node
/**
 * The listening screen against a real in-process Herald (messages through the real inbound sync and
 * listening matcher, jsdom installed by the test: components/inbox-jsdom-env.ts says why): the query editor shows the server parser's
 * syntax error at its column and saves a valid query; a query's stream shows its matches as inert
 * text with their sentiment and its volume (the chart's data table in jsdom, which has no canvas);
 * spike alert settings are saved; a match kept as a testimonial appears in the library, whose
 * permission can be changed.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { I18nextProvider } from 'react-i18next';
import type { Connector } from '../../../src/connectors/connector';
import { ConnectorRegistry } from '../../../src/connectors/registry';
import { createTestApp, type TestApp, type TestSession } from '../../../test/support/test-app';
import { inProcessApi } from '../test-support/in-process-api';
import { ApiProvider } from '../api/context';
import type { Workspace } from '../api/types';
import { createI18n } from '../i18n/index';
import { inbound, inboxTestNetwork } from '../components/inbox-test-connector';
import { syncInbound } from '../../../src/inbox/inbound-sync';
import { matchNewMessages } from '../../../src/listening/listening-matching';
import { parseQueryError } from '../components/listening-query-editor';
import { bucketSeconds, chartColumns } from '../components/listening-volume-chart';
import { ListeningScreen } from './listening';
import { installJsdom } from '../components/inbox-jsdom-env';

// jsdom installed here, so the server modules keep their server-side transform (see inbox-jsdom-env.ts).
await installJsdom();
const { cleanup, configure, fireEvent, render, screen, waitFor, within } = await import('@testing-library/react');
// Two cores shared by many test runs: give the in-process server time to answer.
configure({ asyncUtilTimeout: 5000 });

const network = inboxTestNetwork();

describe('listening screen (in-process Herald)', () => {
  let t: TestApp;
  let owner: TestSession & { workspaceId: string };
  let workspace: Workspace;
  let accountId: string;

  beforeAll(async () => {
    t = await createTestApp('sqlite', { initQueue: false, services: { connectors: new ConnectorRegistry([network.connector as unknown as Connector<never, never>]) } });
    owner = await t.setupOwner();
    workspace = (await (await t.json('GET', `/api/v1/workspaces/${owner.workspaceId}`, undefined, owner)).json()) as Workspace;
    accountId = ((await (await t.json('POST', `/api/v1/workspaces/${owner.workspaceId}/accounts`, { network: 'bluesky', credentials: { token: 'alice' } }, owner)).json()) as { id: string }).id;
  });
  afterEach(() => cleanup());
  afterAll(async () => t.close());

  /** Paths of every request the screen made. */
  const requests: string[] = [];
  const renderScreen = () =>
    render(
      <I18nextProvider i18n={createI18n('en')}>
        <ApiProvider api={inProcessApi({ ...t, request: (path, init, opts) => (requests.push(path), t.request(path, init, opts)) }, owner)}>
          <ListeningScreen workspace={workspace} />
        </ApiProvider>
      </I18nextProvider>,
    );

  it('shows the parser error at its column, then saves a valid query', async () => {
    renderScreen();
    fireEvent.click(await screen.findByRole('button', { name: 'New query' }));
    const editor = screen.getByRole('form', { name: 'New query' });
    fireEvent.change(within(editor).getByLabelText('Name'), { target: { value: 'Brand' } });
    const text = within(editor).getByLabelText('Query') as HTMLTextAreaElement;
    fireEvent.change(text, { target: { value: 'herald AND (launch OR' } });
    const alert = await within(editor).findByRole('alert');
    // The server's parser names the column; the caret sits under it.
    const column = Number(/Column (\d+):/.exec(alert.textContent ?? '')?.[1]);
    expect(column).toBeGreaterThan(1);
    const caret = alert.querySelector('pre')!.textContent!.split('\n');
    expect(caret[0]).toBe('herald AND (launch OR');
    expect(caret[1]!.indexOf('^')).toBe(column - 1);
    expect(text.getAttribute('aria-invalid')).toBe('true');
    // One check per pause in typing, not a loop of them while the answer re-renders the form.
    await new Promise((r) => setTimeout(r, 1200));
    expect(requests.filter((p) => p.endsWith('/listening/query-check'))).toHaveLength(1);

    // Saving anyway: the 422 places the cursor on the column.
    fireEvent.click(within(editor).getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(document.activeElement).toBe(text));
    expect(text.selectionStart).toBe(column - 1);

    fireEvent.change(text, { target: { value: 'herald AND (launch OR release) -job' } });
    expect(await within(editor).findByText('Herald reads it as')).toBeTruthy();
    expect(within(editor).queryByRole('alert')).toBeNull();
    fireEvent.click(within(editor).getByLabelText('Alert me on a spike'));
    fireEvent.click(within(editor).getByRole('button', { name: 'Save' }));
    expect(await screen.findByRole('heading', { name: 'Brand' })).toBeTruthy();
    const saved = (await (await t.json('GET', `/api/v1/workspaces/${owner.workspaceId}/listening/queries`, undefined, owner)).json()) as { items: Array<{ name: string; query: string; alerts: { enabled: boolean } }> };
    expect(saved.items).toEqual([expect.objectContaining({ name: 'Brand', query: 'herald AND (launch OR release) -job', alerts: expect.objectContaining({ enabled: true }) })]);
  });

  it('streams matches as inert text with sentiment and volume, and keeps one as a testimonial', async () => {
    const created = await t.json('POST', `/api/v1/workspaces/${owner.workspaceId}/listening/queries`, { name: 'Stream', query: 'herald' }, owner);
    expect(created.status).toBe(201);
    const queryId = ((await created.json()) as { id: string }).id;
    // Through the real ingestion and matcher: sentiment is the engine's.
    network.queue('alice.test', [
      inbound('lh1', 'mention', '<script>alert(1)</script> herald is awful, terrible support javascript:alert(2)', { author: { externalId: 'did:plc:evil', handle: 'evil.test', displayName: '<b>Evil</b>' }, url: 'javascript:alert(3)' }),
      inbound('lh2', 'comment', 'I love Herald, best tool ever'),
      inbound('lh3', 'comment', 'Unrelated words about lunch'),
    ]);
    expect(await syncInbound(t.services, accountId)).toMatchObject({ outcome: 'done', received: 3 });
    // Matched by the ingest itself (in its transaction); the sweep finds nothing left to add.
    const stored = await t.services.database.db.selectFrom('listening_matches').select('message_id').where('query_id', '=', queryId).execute();
    expect(stored).toHaveLength(2);
    expect(await matchNewMessages(t.services, owner.workspaceId)).toMatchObject({ matched: 0 });

    const { container } = renderScreen();
    fireEvent.click(await screen.findByRole('button', { name: /^Stream/ }));
    const matches = await screen.findByRole('list', { name: 'Matching messages' });
    await waitFor(() => expect(within(matches).getAllByRole('listitem')).toHaveLength(2));
    expect(matches.textContent).toContain('<script>alert(1)</script> herald is awful, terrible support javascript:alert(2)');
    expect(matches.textContent).toContain('<b>Evil</b>');
    expect(container.querySelector('script, b')).toBeNull();
    expect(document.body.innerHTML).not.toMatch(/href="javascript:/i);
    for (const a of container.querySelectorAll('a')) expect(a.getAttribute('rel')).toBe('noopener noreferrer');
    expect(within(matches).getByText('Negative')).toBeTruthy();
    expect(within(matches).getByText('Positive')).toBeTruthy();

    // The volume: two matches this hour, split by sentiment, in the chart's data table.
    const figure = await screen.findByText(/^Volume: 2 matches/);
    const table = figure.closest('figure')!.querySelector('table')!;
    const rows = [...table.querySelectorAll('tbody tr')].map((r) => [...r.querySelectorAll('td')].map((c) => c.textContent));
    expect(rows.filter((r) => r[0] !== '0')).toEqual([['2', '1', '0', '1']]);

    // Only negative: the stream asks the API for that label.
    fireEvent.change(screen.getByLabelText('Sentiment'), { target: { value: 'negative' } });
    await waitFor(() => expect(within(screen.getByRole('list', { name: 'Matching messages' })).getAllByRole('listitem')).toHaveLength(1));
    fireEvent.change(screen.getByLabelText('Sentiment'), { target: { value: '' } });
    await waitFor(() => expect(within(screen.getByRole('list', { name: 'Matching messages' })).getAllByRole('listitem')).toHaveLength(2));

    const fanItem = within(screen.getByRole('list', { name: 'Matching messages' })).getByText('I love Herald, best tool ever').closest('li')!;
    fireEvent.click(within(fanItem).getByRole('button', { name: 'Keep as testimonial' }));
    expect(await within(fanItem).findByText('Kept in the testimonials library.')).toBeTruthy();

    fireEvent.click(screen.getByRole('tab', { name: 'Testimonials' }));
    const library = await screen.findByRole('list', { name: 'Testimonials' });
    expect(library.textContent).toContain('I love Herald, best tool ever');
    fireEvent.change(within(library).getByLabelText('Permission to use'), { target: { value: 'granted' } });
    await waitFor(async () => {
      const list = (await (await t.json('GET', `/api/v1/workspaces/${owner.workspaceId}/testimonials`, undefined, owner)).json()) as { items: Array<{ permission: string }> };
      expect(list.items.map((x) => x.permission)).toEqual(['granted']);
    });
  });

  it('saves the workspace spike alert settings', async () => {
    renderScreen();
    fireEvent.click(await screen.findByRole('tab', { name: 'Spike alerts' }));
    const section = await screen.findByRole('region', { name: 'Alerts for the whole workspace' });
    const k = (await within(section).findByLabelText('Sensitivity k (σ above the mean)')) as HTMLInputElement;
    fireEvent.change(k, { target: { value: '3.5' } });
    fireEvent.change(within(section).getByLabelText('Count'), { target: { value: 'negative' } });
    const enabled = within(section).getByLabelText('Alert me on a spike') as HTMLInputElement;
    const wasEnabled = enabled.checked;
    fireEvent.click(enabled);
    fireEvent.click(within(section).getByRole('button', { name: 'Save' }));
    expect(await within(section).findByText('Alert settings saved.')).toBeTruthy();
    const settings = (await (await t.json('GET', `/api/v1/workspaces/${owner.workspaceId}/listening/settings`, undefined, owner)).json()) as { alerts: { k: number; mode: string; enabled: boolean } };
    expect(settings.alerts).toMatchObject({ k: 3.5, mode: 'negative', enabled: !wasEnabled });
    expect(await screen.findByText('No spikes so far.')).toBeTruthy();
  });
});

describe('listening helpers', () => {
  it('reads the parser column out of its message', () => {
    expect(parseQueryError('Column 12: expected a word')).toEqual({ column: 12, message: 'expected a word' });
    expect(parseQueryError('something else')).toEqual({ column: null, message: 'something else' });
  });

  it('turns buckets into chart columns (zone wall time as UTC seconds), split when every bucket has sentiment', () => {
    expect(bucketSeconds('2026-03-29T02:00')).toBe(Date.UTC(2026, 2, 29, 2) / 1000);
    expect(bucketSeconds('2026-03-29')).toBe(Date.UTC(2026, 2, 29) / 1000);
    expect(chartColumns([{ start: '2026-03-29', count: 4 }])).toEqual({ split: false, data: [[Date.UTC(2026, 2, 29) / 1000], [4]] });
    expect(chartColumns([{ start: '2026-03-29', count: 4, sentiment: { negative: 1, neutral: 2, positive: 1 } }]).data).toEqual([[Date.UTC(2026, 2, 29) / 1000], [1], [2], [1]]);
  });
});
