// @vitest-environment jsdom
/**
 * The Composer's declaration-driven parts against a real in-process Herald with two test networks:
 * 'mastodon' (its validate IS the shared Mastodon validator; polls, threads and option fields declared;
 * the account's server announces its own limits) and 'bluesky' (no polls, no threads, no options).
 * The poll and thread editors and the option fields appear only from those declarations, the counter
 * uses the account's server limits, and what is saved carries the extras for the right targets only.
 * Also the queue: "Next free slot" fills the time, "Add to queue" schedules at it.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { I18nextProvider } from 'react-i18next';
import { z } from 'zod';
import type { Connector } from '../../../src/connectors/connector';
import { validateMastodonVariant } from '../../../src/connectors/mastodon/mastodon-validate';
import { ConnectorRegistry } from '../../../src/connectors/registry';
import { createTestApp, type TestApp, type TestSession } from '../../../test/support/test-app';
import { inProcessApi } from '../test-support/in-process-api';
import { blueskyValidatingTestConnector } from '../test-support/bluesky-test-connector';
import { ApiProvider } from '../api/context';
import type { Workspace } from '../api/types';
import { createI18n } from '../i18n/index';
import { ComposerScreen } from './composer';

const mastodonLike: Connector<{ token: string }, { token: string }> = {
  id: 'mastodon',
  displayName: 'Mastodon',
  lengthUnit: 'characters',
  credentialFields: [{ name: 'token', label: 'Token', type: 'password', required: true }],
  credentialsSchema: z.object({ token: z.string().min(1) }).strict(),
  limits: { maxConcurrentPerAccount: 1, publishRate: { count: 10, windowMs: 60_000 } },
  supports: { maxMedia: 4, mediaTypes: ['image/*', 'video/mp4'], polls: true, threads: true },
  optionFields: [
    { name: 'contentWarning', label: 'Content warning', type: 'text' },
    { name: 'visibility', label: 'Visibility', type: 'select', default: 'public', choices: [{ value: 'public', label: 'Public' }, { value: 'unlisted', label: 'Quiet public' }] },
    { name: 'sensitive', label: 'Mark media as sensitive', type: 'boolean', default: false },
  ],
  async connect(c) {
    // A small server: 60 characters, 3 poll options.
    return { externalId: `m:${c.token}`, handle: `${c.token}@small.example`, displayName: null, serviceUrl: null, session: { token: c.token }, networkLimits: { maxCharacters: 60, maxPollOptions: 3 } };
  },
  validate: validateMastodonVariant,
  async publish() {
    return { externalId: 'x', url: null };
  },
};

describe('Composer extras from /networks declarations (in-process Herald)', () => {
  let t: TestApp;
  let owner: TestSession & { workspaceId: string };
  let workspace: Workspace;
  let masto: string;
  let sky: string;

  beforeAll(async () => {
    t = await createTestApp('sqlite', { services: { connectors: new ConnectorRegistry([mastodonLike, blueskyValidatingTestConnector] as unknown as Array<Connector<never, never>>) } });
    owner = await t.setupOwner({ timezone: 'Europe/Stockholm' });
    workspace = (await (await t.json('GET', `/api/v1/workspaces/${owner.workspaceId}`, undefined, owner)).json()) as Workspace;
    const connect = async (network: string, token: string) => ((await (await t.json('POST', `/api/v1/workspaces/${owner.workspaceId}/accounts`, { network, credentials: { token } }, owner)).json()) as { id: string }).id;
    masto = await connect('mastodon', 'mia');
    sky = await connect('bluesky', 'alice');
  });
  beforeEach(() => window.localStorage.clear());
  afterEach(() => cleanup());
  afterAll(async () => t.close());

  const renderComposer = () =>
    render(
      <I18nextProvider i18n={createI18n('en')}>
        <ApiProvider api={inProcessApi(t, owner)}>
          <ComposerScreen workspace={workspace} />
        </ApiProvider>
      </I18nextProvider>,
    );
  const pick = async (name: RegExp) => fireEvent.click(await screen.findByRole('checkbox', { name }, { timeout: 8000 }));

  it('shows poll, thread and options only for networks that declare them, with the server limits, and saves them on the right targets', async () => {
    renderComposer();
    await pick(/^alice\.test/);
    expect(screen.queryByRole('button', { name: 'Add a poll' })).toBeNull();
    expect(screen.queryByRole('group', { name: 'Thread' })).toBeNull();
    expect(screen.getByText('Bluesky: at most 4 files (image/*)')).toBeTruthy();

    await pick(/^mia@small\.example/);
    expect(screen.getByText('Mastodon: at most 4 files (image/*, video/mp4)')).toBeTruthy();
    const fileInput = document.querySelector('input[type=file]') as HTMLInputElement;
    expect(fileInput.accept).toBe('image/*,video/mp4');

    // The counter measures against the account's own server (60), not Mastodon's default (500).
    fireEvent.change(screen.getByLabelText('Text'), { target: { value: 'x'.repeat(61) } });
    const counter = screen.getByText(/mia@small\.example · Mastodon/).closest('.network-counter') as HTMLElement;
    expect(within(counter).getByText(/61 \/ 60/)).toBeTruthy();
    expect(counter.getAttribute('data-state')).toBe('invalid');
    fireEvent.change(screen.getByLabelText('Text'), { target: { value: 'Which day?' } });

    fireEvent.click(screen.getByRole('button', { name: 'Add a poll' }));
    const poll = screen.getByRole('group', { name: 'Poll' });
    expect(within(poll).getByText('Only Mastodon will get the poll.')).toBeTruthy();
    fireEvent.change(within(poll).getByLabelText('Option 1'), { target: { value: 'Monday' } });
    fireEvent.change(within(poll).getByLabelText('Option 2'), { target: { value: 'Tuesday' } });
    for (const [i, day] of [[3, 'Wednesday'], [4, 'Thursday']] as const) {
      fireEvent.click(within(poll).getByRole('button', { name: 'Add an option' }));
      fireEvent.change(within(poll).getByLabelText(`Option ${i}`), { target: { value: day } });
    }
    // Four options on a server that allows three: the shared validator says so, with the server's words.
    expect(await within(counter).findByText('The poll has 4 options; this server allows 3')).toBeTruthy();
    expect((screen.getByRole('button', { name: 'Send for approval' }) as HTMLButtonElement).disabled).toBe(true);
    fireEvent.click(within(poll).getByRole('button', { name: 'Remove option 4' }));
    await waitFor(() => expect(counter.getAttribute('data-state')).toBe('valid'));

    const thread = screen.getByRole('group', { name: 'Thread' });
    fireEvent.click(within(thread).getByRole('button', { name: 'Add a follow-up post' }));
    fireEvent.change(within(thread).getByLabelText('Post 2 of the thread'), { target: { value: 'Results on Friday.' } });

    const options = screen.getByRole('group', { name: 'Options for mia@small.example' });
    expect((within(options).getByLabelText('Visibility') as HTMLSelectElement).value).toBe('public');
    fireEvent.change(within(options).getByLabelText('Visibility'), { target: { value: 'unlisted' } });
    fireEvent.change(within(options).getByLabelText('Content warning'), { target: { value: 'polls' } });
    expect(screen.queryByRole('group', { name: 'Options for alice.test' })).toBeNull();

    // The previews show the extras only where they go.
    const mPreview = screen.getByRole('article', { name: 'Preview for mia@small.example on Mastodon' });
    expect(within(within(mPreview).getByRole('list', { name: 'Poll' })).getAllByRole('listitem').map((li) => li.textContent)).toEqual(['Monday', 'Tuesday', 'Wednesday']);
    expect(within(mPreview).getByText('Results on Friday.')).toBeTruthy();
    const bPreview = screen.getByRole('article', { name: 'Preview for alice.test on Bluesky' });
    expect(within(bPreview).queryByRole('list', { name: 'Poll' })).toBeNull();
    expect(within(bPreview).queryByText('Results on Friday.')).toBeNull();

    fireEvent.click(screen.getByRole('button', { name: 'Send for approval' }));
    expect(await screen.findByText(/^Saved:/)).toBeTruthy();
    const posts = (await (await t.json('GET', `/api/v1/workspaces/${owner.workspaceId}/posts?state=in_review`, undefined, owner)).json()) as {
      items: Array<{ targets: Array<{ accountId: string; poll: unknown; thread: string[]; options: Record<string, unknown> }> }>;
    };
    const targets = posts.items[0]!.targets;
    const m = targets.find((x) => x.accountId === masto)!;
    const b = targets.find((x) => x.accountId === sky)!;
    expect(m.poll).toMatchObject({ options: ['Monday', 'Tuesday', 'Wednesday'], multiple: false, durationSeconds: 86_400 });
    expect(m.thread).toEqual(['Results on Friday.']);
    expect(m.options).toEqual({ visibility: 'unlisted', contentWarning: 'polls' });
    expect(b.poll).toBeNull();
    expect(b.thread).toEqual([]);
    expect(b.options).toEqual({});
  });

  it('fills the next free slot, and "Add to queue" schedules at it; says so when the accounts share none', async () => {
    await t.json('PUT', `/api/v1/workspaces/${owner.workspaceId}/accounts/${masto}/slots`, { slots: [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, time: '23:59' })) }, owner);
    renderComposer();
    await pick(/^mia@small\.example/);
    fireEvent.change(screen.getByLabelText('Text'), { target: { value: 'Queued post' } });
    fireEvent.click(screen.getByRole('button', { name: 'Next free slot' }));
    expect(await screen.findByText(/^Next free slot: /)).toBeTruthy();
    const time = screen.getByLabelText('Time') as HTMLInputElement;
    expect(time.value).toBe('23:59');
    const date = (screen.getByLabelText('Date') as HTMLInputElement).value;
    expect(date).toMatch(/^\d{4}-\d{2}-\d{2}$/);

    fireEvent.click(screen.getByRole('button', { name: 'Add to queue' }));
    expect(await screen.findByText(/^Saved:/)).toBeTruthy();
    const scheduled = (await (await t.json('GET', `/api/v1/workspaces/${owner.workspaceId}/posts?state=scheduled`, undefined, owner)).json()) as { items: Array<{ scheduledLocal: string; timezone: string }> };
    expect(scheduled.items.map((p) => p.scheduledLocal)).toEqual([`${date}T23:59`]);
    expect(scheduled.items[0]?.timezone).toBe('Europe/Stockholm');

    // The slot is now taken: the next one is a day later. With Bluesky (no slots) added, none is shared.
    await pick(/^mia@small\.example/);
    fireEvent.change(screen.getByLabelText('Text'), { target: { value: 'Second' } });
    fireEvent.click(screen.getByRole('button', { name: 'Next free slot' }));
    await waitFor(() => expect((screen.getByLabelText('Date') as HTMLInputElement).value > date).toBe(true));
    await pick(/^alice\.test/);
    fireEvent.click(screen.getByRole('button', { name: 'Next free slot' }));
    expect(await screen.findByText(/share no free slot/)).toBeTruthy();
  });
});
