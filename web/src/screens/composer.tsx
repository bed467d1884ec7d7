/**
 * The Composer: accounts, one base text with optional per-account variants, live per-network
 * counters from the shared validators, previews, images with alt text, a link with campaign tags,
 * and a time (date, time, zone) — saved as a draft, sent for approval or scheduled. Unsaved work is
 * kept in localStorage per workspace. Nothing here knows any network by name.
 */
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { InferResponseType } from 'hono/client';
import { ApiError, unwrap, type Api } from '../api/client';
import { useApi } from '../api/context';
import type { Account, Network, Workspace } from '../api/types';
import { useLoad } from '../api/use-load';
import { MediaLimits, OptionFields, PollEditor, ThreadEditor, acceptedTypes, pollSpec, type OptionValue, type PollDraft } from '../components/composer-extras';
import { BestTimeSuggestion } from '../components/best-time-suggestion';
import { MediaPicker, type PickedMedia } from '../components/media-picker';
import { NetworkCounter } from '../components/network-counter';
import { PostPreview } from '../components/post-preview';
import { HashtagSets } from '../components/hashtag-sets';
import { EmptyState, ErrorState, Loading, errorMessage } from '../components/states';
import { UtmBuilder, emptyUtm, withUtm, type Utm } from '../components/utm-builder';
import { formatDateTime } from '../i18n/format';
import { navigate, workspacePath } from '../router';
import { validatorFor } from '../validation';

type PostsApi = Api['client']['api']['v1']['workspaces'][':workspaceId']['posts'];
/** A post as the API answers it. */
export type Post = InferResponseType<PostsApi[':postId']['$get'], 200>;

/** Everything the composer holds; what survives a reload. */
export interface ComposerDraft {
  accountIds: string[];
  text: string;
  /** Per-account text; absent = the base text. */
  variants: Record<string, string>;
  link: string;
  utm: Utm;
  media: PickedMedia[];
  date: string;
  time: string;
  timezone: string;
  /** A poll for the selected networks that support one (`supports.polls`). */
  poll: PollDraft | null;
  /** Follow-up posts for the networks with `supports.threads`. */
  thread: string[];
  /** Network options per account id, by the names the networks declare. */
  options: Record<string, Record<string, OptionValue>>;
}

/** localStorage key of the unsaved composer of a workspace (and post, when editing). */
export function draftStorageKey(workspaceId: string, postId?: string): string {
  return `herald.composer.${workspaceId}${postId ? `.${postId}` : ''}`;
}

function emptyDraft(timezone: string): ComposerDraft {
  return { accountIds: [], text: '', variants: {}, link: '', utm: { ...emptyUtm }, media: [], date: '', time: '', timezone, poll: null, thread: [], options: {} };
}

function loadStored(key: string): ComposerDraft | null {
  try {
    const raw = window.localStorage.getItem(key);
    if (!raw) return null;
    const v = JSON.parse(raw) as Partial<ComposerDraft>;
    if (typeof v !== 'object' || v === null || typeof v.text !== 'string') return null;
    return { ...emptyDraft(v.timezone ?? 'UTC'), ...v, utm: { ...emptyUtm, ...(v.utm ?? {}) } };
  } catch {
    return null;
  }
}

function isBlank(d: ComposerDraft): boolean {
  return !d.accountIds.length && !d.text && !Object.keys(d.variants).length && !d.link && !d.media.length && !d.date && !d.time && !d.poll && !d.thread.length;
}

/** Keeps unsaved work; a blank composer leaves nothing behind. */
function store(key: string, draft: ComposerDraft): void {
  try {
    if (isBlank(draft)) {
      window.localStorage.removeItem(key);
      return;
    }
    window.localStorage.setItem(key, JSON.stringify(draft));
  } catch {
    // Images can overflow the quota: keep the words at least.
    try {
      window.localStorage.setItem(key, JSON.stringify({ ...draft, media: [] }));
    } catch {
      // Storage unavailable (private mode): nothing more to do.
    }
  }
}

function timeZones(workspaceZone: string): string[] {
  const all = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  return Array.from(new Set([workspaceZone, 'UTC', ...all]));
}

function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
}

/** `c` anywhere (outside a field) opens the composer of the workspace. */
export function useComposeShortcut(workspaceId: string | null): void {
  useEffect(() => {
    if (!workspaceId) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'c' || e.ctrlKey || e.metaKey || e.altKey || e.repeat || isTyping(e.target)) return;
      e.preventDefault();
      navigate(workspacePath(workspaceId, 'compose'));
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [workspaceId]);
}

type Action = 'draft' | 'submit' | 'schedule';

/** Per-target API errors (`targets.<i>.<field>`) turned into "handle: message". */
function targetErrors(err: unknown, accounts: Account[]): string[] {
  if (!(err instanceof ApiError)) return [];
  return (err.problem.errors ?? []).map((e) => {
    const m = /^targets\.(\d+)/.exec(e.path);
    const account = m ? accounts[Number(m[1])] : undefined;
    return account ? `${account.handle}: ${e.message}` : e.message;
  });
}

function draftFromPost(post: Post, timezone: string): ComposerDraft {
  const first = post.targets[0];
  const text = first?.text ?? '';
  const variants: Record<string, string> = {};
  for (const t of post.targets) if (t.text !== text) variants[t.accountId] = t.text;
  const local = post.scheduledLocal ?? '';
  const withPoll = post.targets.find((t) => t.poll)?.poll;
  const options: ComposerDraft['options'] = {};
  for (const t of post.targets) {
    const own = Object.fromEntries(Object.entries(t.options).filter((e): e is [string, OptionValue] => typeof e[1] !== 'number'));
    if (Object.keys(own).length) options[t.accountId] = own;
  }
  return {
    ...emptyDraft(post.timezone || timezone),
    accountIds: post.targets.map((t) => t.accountId),
    text,
    variants,
    link: first?.link ?? '',
    date: local.slice(0, 10),
    time: local.slice(11, 16),
    poll: withPoll
      ? { question: withPoll.question ?? '', options: withPoll.options, multiple: !!withPoll.multiple, durationHours: Math.max(1, Math.round((withPoll.durationSeconds ?? 86_400) / 3600)) }
      : null,
    thread: post.targets.find((t) => t.thread.length)?.thread ?? [],
    options,
  };
}

function ComposerForm({ workspace, accounts, networks, post }: { workspace: Workspace; accounts: Account[]; networks: Network[]; post: Post | null }) {
  const { t } = useTranslation();
  const { client } = useApi();
  const key = draftStorageKey(workspace.id, post?.id);
  const [draft, setDraft] = useState<ComposerDraft>(() => loadStored(key) ?? (post ? draftFromPost(post, workspace.timezone) : emptyDraft(workspace.timezone)));
  const [busy, setBusy] = useState<Action | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState<Post | null>(null);
  const zones = useMemo(() => timeZones(workspace.timezone), [workspace.timezone]);
  const { i18n } = useTranslation();
  const [queueNote, setQueueNote] = useState<string | null>(null);
  const [finding, setFinding] = useState(false);

  useEffect(() => store(key, draft), [key, draft]);

  const update = (patch: Partial<ComposerDraft>) => {
    setDraft((d) => ({ ...d, ...patch }));
    setSaved(null);
  };
  const selected = draft.accountIds.map((id) => accounts.find((a) => a.id === id)).filter((a): a is Account => !!a);
  const link = withUtm(draft.link, draft.utm);
  const textFor = (a: Account) => draft.variants[a.id] ?? draft.text;
  const networkOf = (a: Account) => networks.find((n) => n.id === a.network);
  const selectedNetworks = [...new Map(selected.map((a) => [a.network, networkOf(a)])).values()].filter((n): n is Network => !!n);
  const pollNetworks = selectedNetworks.filter((n) => n.supports.polls);
  const threadNetworks = selectedNetworks.filter((n) => n.supports.threads);
  const thread = draft.thread.filter((p) => p.trim() !== '');
  // The extras each account's network takes, exactly as they are sent and validated.
  const extrasFor = (a: Account) => {
    const n = networkOf(a);
    // Untouched and emptied fields are left out: the network's own default applies.
    const options = Object.fromEntries(Object.entries(n?.optionFields.length ? (draft.options[a.id] ?? {}) : {}).filter(([, v]) => v !== ''));
    return {
      // Explicitly none on networks that take them, so an edit that removes a poll or thread sticks.
      ...(n?.supports.polls ? { poll: draft.poll ? pollSpec(draft.poll) : null } : {}),
      ...(n?.supports.threads ? { thread } : {}),
      ...(Object.keys(options).length ? { options } : {}),
    };
  };
  const checks = selected.map((a) => {
    const validate = validatorFor(a.network);
    const variant = { text: textFor(a), link: link || null, media: draft.media.map((m) => ({ mimeType: m.mimeType, sizeBytes: m.sizeBytes, alt: m.alt })), ...extrasFor(a) };
    return { account: a, result: validate ? validate(variant, { networkLimits: a.networkLimits }) : null };
  });
  const allValid = selected.length > 0 && checks.every((c) => c.result === null || c.result.valid);
  const hasTime = !!draft.date && !!draft.time;
  const networkName = (id: string) => networks.find((n) => n.id === id)?.displayName ?? id;

  // `action` applies to a new post; an edit keeps each target's state. `at` overrides the form's time
  // ("add to queue" schedules at the slot it just found).
  const save = async (action: Action, at?: { date: string; time: string; timezone: string }) => {
    setBusy(action);
    setError(null);
    const media = draft.media.map((m) => ({ data: m.data, mimeType: m.mimeType, alt: m.alt }));
    const targets = selected.map((a) => ({ accountId: a.id, ...(draft.variants[a.id] !== undefined ? { text: draft.variants[a.id] } : {}), ...extrasFor(a) }));
    const schedule = at ?? (hasTime ? { date: draft.date, time: draft.time, timezone: draft.timezone } : undefined);
    try {
      let result: Post;
      const posts = client.api.v1.workspaces[':workspaceId'].posts;
      if (post) {
        const param = { workspaceId: workspace.id, postId: post.id };
        // Editing keeps each target's state; the API reschedules scheduled targets to the new time.
        result = await unwrap(posts[':postId'].$patch({ param, json: { text: draft.text, link: link || null, ...(draft.media.length ? { media } : {}), targets, ...(schedule ? { schedule } : {}) } }));
      } else {
        result = await unwrap(
          posts.$post({
            param: { workspaceId: workspace.id },
            json: { text: draft.text, link: link || null, media, targets, action, ...(schedule ? { schedule } : {}) },
          }),
        );
      }
      // The store effect then removes the saved work (a blank composer leaves nothing behind).
      if (post) {
        try {
          window.localStorage.removeItem(key);
        } catch {
          // Nothing stored to clear.
        }
      } else setDraft(emptyDraft(draft.timezone));
      setSaved(result);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(null);
    }
  };

  /** The next slot all selected accounts share (null: none), or undefined after a failure (shown as error). */
  const nextSlot = async () => {
    setFinding(true);
    setError(null);
    setQueueNote(null);
    try {
      const r = await unwrap(client.api.v1.workspaces[':workspaceId'].queue.next.$get({ param: { workspaceId: workspace.id }, query: { accountIds: selected.map((a) => a.id).join(',') } }));
      if (!r.next) setQueueNote(t('queueActions.none'));
      return r.next;
    } catch (err) {
      setError(err);
      return undefined;
    } finally {
      setFinding(false);
    }
  };
  const fillNextSlot = async () => {
    const slot = await nextSlot();
    if (!slot) return;
    update({ date: slot.date, time: slot.time, timezone: slot.timezone });
    setQueueNote(t('queueActions.filled', { time: formatDateTime(slot.at, i18n.language, slot.timezone) }));
  };
  const addToQueue = async () => {
    const slot = await nextSlot();
    if (slot) await save('schedule', { date: slot.date, time: slot.time, timezone: slot.timezone });
  };

  const perTarget = targetErrors(error, selected);
  const savedStates = saved ? Object.entries(saved.states).filter(([, n]) => n) : [];

  return (
    <form className="composer" onSubmit={(e) => e.preventDefault()} noValidate>
      <div className="notice" role="status" aria-live="polite">
        {saved && (
          <>
            {t('composer.saved', { states: savedStates.map(([s, n]) => `${t(`posts.state.${s}`)} (${n})`).join(', ') })}{' '}
            <a
              href={workspacePath(workspace.id, `posts/${saved.id}`)}
              onClick={(e) => {
                e.preventDefault();
                navigate(workspacePath(workspace.id, `posts/${saved.id}`));
              }}
            >
              {t('composer.openPost')}
            </a>
          </>
        )}
      </div>
      <div className="composer-layout">
        <div className="composer-main">
          <fieldset className="composer-accounts">
            <legend>{t('composer.accounts')}</legend>
            {accounts.length === 0 && <p className="muted">{t('composer.noAccounts')}</p>}
            <ul className="plain-list">
              {accounts.map((a) => {
                const on = draft.accountIds.includes(a.id);
                const locked = !!post;
                return (
                  <li key={a.id} className="composer-account">
                    <label className="check">
                      <input
                        type="checkbox"
                        checked={on}
                        disabled={locked}
                        onChange={(e) => update({ accountIds: e.target.checked ? [...draft.accountIds, a.id] : draft.accountIds.filter((x) => x !== a.id) })}
                      />
                      <span>
                        {a.handle} <span className="muted">· {networkName(a.network)}</span>
                      </span>
                    </label>
                    <span className={`badge badge-${a.status}`}>{t(`accounts.status.${a.status}`)}</span>
                  </li>
                );
              })}
            </ul>
          </fieldset>

          <label className="field">
            <span className="field-label">{t('composer.text')}</span>
            <textarea rows={6} value={draft.text} onChange={(e) => update({ text: e.target.value })} />
          </label>
          <HashtagSets workspace={workspace} text={draft.text} onText={(text) => update({ text })} />

          {checks.map(({ account, result }) => {
            const own = draft.variants[account.id] !== undefined;
            return (
              <div key={account.id} className="composer-target">
                <NetworkCounter label={`${account.handle} · ${networkName(account.network)}`} result={result} fallbackLength={textFor(account).length} />
                <label className="check">
                  <input
                    type="checkbox"
                    checked={own}
                    onChange={(e) => {
                      const variants = { ...draft.variants };
                      if (e.target.checked) variants[account.id] = draft.text;
                      else delete variants[account.id];
                      update({ variants });
                    }}
                  />
                  <span>{t('composer.ownText', { handle: account.handle })}</span>
                </label>
                {own && (
                  <label className="field">
                    <span className="field-label">{t('composer.variantText', { handle: account.handle })}</span>
                    <textarea rows={4} value={draft.variants[account.id]} onChange={(e) => update({ variants: { ...draft.variants, [account.id]: e.target.value } })} />
                  </label>
                )}
                {networkOf(account) && (
                  <OptionFields
                    network={networkOf(account)!}
                    handle={account.handle}
                    values={draft.options[account.id] ?? {}}
                    onChange={(values) => update({ options: { ...draft.options, [account.id]: values } })}
                  />
                )}
              </div>
            );
          })}

          {pollNetworks.length > 0 && (
            <PollEditor poll={draft.poll} only={pollNetworks.length < selectedNetworks.length ? pollNetworks.map((n) => n.displayName) : null} onChange={(poll) => update({ poll })} />
          )}
          {threadNetworks.length > 0 && (
            <ThreadEditor parts={draft.thread} only={threadNetworks.length < selectedNetworks.length ? threadNetworks.map((n) => n.displayName) : null} onChange={(parts) => update({ thread: parts })} />
          )}
          <MediaPicker media={draft.media} onChange={(media) => update({ media })} accept={acceptedTypes(selectedNetworks)} />
          <MediaLimits networks={selectedNetworks} />
          <UtmBuilder link={draft.link} utm={draft.utm} onLink={(v) => update({ link: v })} onUtm={(utm) => update({ utm })} />

          <fieldset className="composer-schedule">
            <legend>{t('composer.schedule.title')}</legend>
            <div className="schedule-fields">
              <label className="field">
                <span className="field-label">{t('composer.schedule.date')}</span>
                <input type="date" value={draft.date} onChange={(e) => update({ date: e.target.value })} />
              </label>
              <label className="field">
                <span className="field-label">{t('composer.schedule.time')}</span>
                <input type="time" value={draft.time} onChange={(e) => update({ time: e.target.value })} />
              </label>
              <label className="field">
                <span className="field-label">{t('composer.schedule.timezone')}</span>
                <select value={draft.timezone} onChange={(e) => update({ timezone: e.target.value })}>
                  {zones.map((z) => (
                    <option key={z} value={z}>
                      {z}
                    </option>
                  ))}
                </select>
              </label>
            </div>
            <BestTimeSuggestion workspaceId={workspace.id} account={selected[0]} onUse={(slot) => update(slot)} />
            {!post && (
              <div className="form-actions">
                <button type="button" className="button" disabled={selected.length === 0 || finding || busy != null} onClick={() => void fillNextSlot()}>
                  {finding ? t('queueActions.finding') : t('queueActions.nextSlot')}
                </button>
                <button type="button" className="button" disabled={!allValid || finding || busy != null} onClick={() => void addToQueue()}>
                  {t('queueActions.addToQueue')}
                </button>
              </div>
            )}
            <p className="muted" role="status" aria-live="polite">
              {queueNote}
            </p>
          </fieldset>

          {error != null && (
            <div className="form-error" role="alert">
              <p>{errorMessage(error, t)}</p>
              {perTarget.length > 0 && (
                <ul>
                  {perTarget.map((m, i) => (
                    <li key={i}>{m}</li>
                  ))}
                </ul>
              )}
            </div>
          )}
          {post ? (
            <div className="form-actions">
              <button type="button" className="button button-primary" disabled={!allValid || busy != null} onClick={() => void save('draft')}>
                {busy ? t('common.saving') : t('common.save')}
              </button>
            </div>
          ) : (
          <div className="form-actions">
            <button type="button" className="button button-primary" disabled={!allValid || !hasTime || busy != null} onClick={() => void save('schedule')}>
              {busy === 'schedule' ? t('common.saving') : t('composer.actions.schedule')}
            </button>
            <button type="button" className="button" disabled={!allValid || busy != null} onClick={() => void save('submit')}>
              {busy === 'submit' ? t('common.saving') : t('composer.actions.submit')}
            </button>
            <button type="button" className="button" disabled={selected.length === 0 || busy != null} onClick={() => void save('draft')}>
              {busy === 'draft' ? t('common.saving') : t('composer.actions.draft')}
            </button>
          </div>
          )}
          {selected.length > 0 && !hasTime && <p className="muted">{t('composer.schedule.needTime')}</p>}
        </div>
        <aside className="composer-previews" aria-label={t('composer.preview.title')}>
          <h2>{t('composer.preview.title')}</h2>
          {selected.length === 0 ? (
            <p className="muted">{t('composer.preview.none')}</p>
          ) : (
            selected.map((a) => (
              <PostPreview
                key={a.id}
                networkName={networkName(a.network)}
                handle={a.handle}
                displayName={a.displayName}
                text={textFor(a)}
                link={link}
                images={draft.media}
                poll={networkOf(a)?.supports.polls && draft.poll ? pollSpec(draft.poll).options.filter(Boolean) : null}
                thread={networkOf(a)?.supports.threads ? thread : []}
              />
            ))
          )}
        </aside>
      </div>
    </form>
  );
}

/** The Composer screen (new post, or editing `postId`). */
export function ComposerScreen({ workspace, postId }: { workspace: Workspace; postId?: string }) {
  const { t } = useTranslation();
  const { client } = useApi();
  const accounts = useLoad(() => unwrap(client.api.v1.workspaces[':workspaceId'].accounts.$get({ param: { workspaceId: workspace.id } })), [client, workspace.id]);
  const networks = useLoad(() => unwrap(client.api.v1.networks.$get()), [client]);
  const post = useLoad(
    () => (postId ? unwrap(client.api.v1.workspaces[':workspaceId'].posts[':postId'].$get({ param: { workspaceId: workspace.id, postId } })) : Promise.resolve(null)),
    [client, workspace.id, postId],
  );
  const loading = (accounts.loading && !accounts.data) || (networks.loading && !networks.data) || (post.loading && post.data === undefined);
  const failed = accounts.error ?? networks.error ?? post.error;
  return (
    <div className="screen">
      <header className="screen-header">
        <h1>{postId ? t('composer.editTitle') : t('composer.title')}</h1>
      </header>
      {loading ? (
        <Loading />
      ) : failed ? (
        <ErrorState error={failed} onRetry={() => [accounts, networks, post].forEach((l) => l.reload())} />
      ) : !accounts.data?.items.length ? (
        <EmptyState>{t('composer.noAccounts')}</EmptyState>
      ) : (
        <ComposerForm key={`${workspace.id}:${postId ?? ''}`} workspace={workspace} accounts={accounts.data.items} networks={networks.data?.items ?? []} post={post.data ?? null} />
      )}
    </div>
  );
}
