/**
 * Inbox automation and targets: rules that act on every new message (conditions → assign, tag,
 * priority, notify by e-mail, Telegram or webhook), and the response targets (first-response time in
 * business hours, the business hours themselves, the Telegram bot). The server validates everything;
 * its field messages are shown as they come.
 */
import type { InferRequestType, InferResponseType } from 'hono/client';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, unwrap, type Api } from '../api/client';
import { useApi } from '../api/context';
import type { Workspace } from '../api/types';
import { useLoad } from '../api/use-load';
import { inboxAbilities, inboxPriorities, type InboxMember, type InboxPriority } from './inbox-conversation';
import { EmptyState, ErrorState, Loading, errorMessage } from './states';

type WsApi = Api['client']['api']['v1']['workspaces'][':workspaceId'];
/** A rule as the API sends it. */
export type InboxRule = InferResponseType<WsApi['inbox-rules']['$get'], 200>['items'][number];
/** A new rule as the API takes it. */
export type InboxRuleInput = InferRequestType<WsApi['inbox-rules']['$post']>['json'];
type Settings = InferResponseType<WsApi['inbox-settings']['$get'], 200>;

const kinds = ['comment', 'reply', 'mention', 'quote', 'dm'] as const;
const sentiments = ['negative', 'neutral', 'positive'] as const;
const weekdays = [1, 2, 3, 4, 5, 6, 7] as const;

/** "a, b ,, c" → ["a", "b", "c"]. */
export function listOf(text: string): string[] {
  return text
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x !== '');
}

/** The rule form's fields, as typed. */
export interface RuleDraft {
  name: string;
  keywords: string;
  sentiment: string[];
  networks: string;
  minFollowers: string;
  languages: string;
  kinds: string[];
  assignTo: string;
  tags: string;
  priority: '' | InboxPriority;
  emails: string;
  telegramChat: string;
  webhook: boolean;
}

/** An empty rule form. */
export const emptyRuleDraft: RuleDraft = { name: '', keywords: '', sentiment: [], networks: '', minFollowers: '', languages: '', kinds: [], assignTo: '', tags: '', priority: '', emails: '', telegramChat: '', webhook: false };

/** The API body for a rule form: only what was filled in. */
export function ruleInput(d: RuleDraft): InboxRuleInput {
  const conditions: InboxRuleInput['conditions'] = {};
  if (listOf(d.keywords).length) conditions.keywords = listOf(d.keywords);
  if (d.sentiment.length) conditions.sentiment = d.sentiment as Array<(typeof sentiments)[number]>;
  if (listOf(d.networks).length) conditions.networks = listOf(d.networks);
  if (d.minFollowers.trim() !== '') conditions.minFollowers = Number(d.minFollowers);
  if (listOf(d.languages).length) conditions.languages = listOf(d.languages).map((l) => l.toLowerCase());
  if (d.kinds.length) conditions.kinds = d.kinds as Array<(typeof kinds)[number]>;
  const actions: InboxRuleInput['actions'] = {};
  if (d.assignTo) actions.assignTo = d.assignTo;
  if (listOf(d.tags).length) actions.tags = listOf(d.tags);
  if (d.priority) actions.priority = d.priority;
  const notify: NonNullable<InboxRuleInput['actions']['notify']> = [];
  if (listOf(d.emails).length) notify.push({ channel: 'email', to: listOf(d.emails) });
  if (d.telegramChat.trim()) notify.push({ channel: 'telegram', chatId: d.telegramChat.trim() });
  if (d.webhook) notify.push({ channel: 'webhook' });
  if (notify.length) actions.notify = notify;
  return { name: d.name.trim(), conditions, actions };
}

function toggle(list: string[], value: string, on: boolean): string[] {
  return on ? [...new Set([...list, value])] : list.filter((x) => x !== value);
}

function RuleForm({ workspaceId, members, onSaved }: { workspaceId: string; members: InboxMember[]; onSaved: () => void }) {
  const { t } = useTranslation();
  const { client } = useApi();
  const [d, setD] = useState<RuleDraft>(emptyRuleDraft);
  const [state, setState] = useState<'idle' | 'saving' | { error: string; fields: Record<string, string> }>('idle');
  const set = <K extends keyof RuleDraft>(k: K, v: RuleDraft[K]) => setD((x) => ({ ...x, [k]: v }));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (state === 'saving') return;
    setState('saving');
    try {
      await unwrap(client.api.v1.workspaces[':workspaceId']['inbox-rules'].$post({ param: { workspaceId }, json: ruleInput(d) }));
      setD(emptyRuleDraft);
      setState('idle');
      onSaved();
    } catch (err) {
      setState({ error: errorMessage(err, t), fields: err instanceof ApiError ? err.fieldErrors() : {} });
    }
  };
  const text = (k: 'name' | 'keywords' | 'networks' | 'minFollowers' | 'languages' | 'tags' | 'emails' | 'telegramChat', type = 'text') => (
    <label className="field-inline">
      <span className="field-label">{t(`inbox.rules.field.${k}`)}</span>
      <input type={type} value={d[k]} onChange={(e) => set(k, e.target.value)} />
    </label>
  );
  return (
    <form className="card inbox-rule-form" onSubmit={submit} aria-label={t('inbox.rules.new')}>
      <h3>{t('inbox.rules.new')}</h3>
      {text('name')}
      <fieldset className="listening-alert-settings">
        <legend>{t('inbox.rules.when')}</legend>
        <div className="posts-filters">
          {text('keywords')}
          {text('networks')}
          {text('languages')}
          {text('minFollowers', 'number')}
        </div>
        <div className="posts-filters" role="group" aria-label={t('inbox.filter.sentiment')}>
          {sentiments.map((s) => (
            <label key={s} className="check">
              <input type="checkbox" checked={d.sentiment.includes(s)} onChange={(e) => set('sentiment', toggle(d.sentiment, s, e.target.checked))} />
              {t(`listening.sentiment.${s}`)}
            </label>
          ))}
        </div>
        <div className="posts-filters" role="group" aria-label={t('inbox.filter.kind')}>
          {kinds.map((k) => (
            <label key={k} className="check">
              <input type="checkbox" checked={d.kinds.includes(k)} onChange={(e) => set('kinds', toggle(d.kinds, k, e.target.checked))} />
              {t(`inbox.kind.${k}`)}
            </label>
          ))}
        </div>
      </fieldset>
      <fieldset className="listening-alert-settings">
        <legend>{t('inbox.rules.then')}</legend>
        <div className="posts-filters">
          <label className="field-inline">
            <span className="field-label">{t('inbox.bulk.assign')}</span>
            <select value={d.assignTo} onChange={(e) => set('assignTo', e.target.value)}>
              <option value="">—</option>
              {members.map((m) => (
                <option key={m.userId} value={m.userId}>
                  {m.name}
                </option>
              ))}
            </select>
          </label>
          {text('tags')}
          <label className="field-inline">
            <span className="field-label">{t('inbox.filter.priority')}</span>
            <select value={d.priority} onChange={(e) => set('priority', e.target.value as RuleDraft['priority'])}>
              <option value="">—</option>
              {inboxPriorities.map((p) => (
                <option key={p} value={p}>
                  {t(`inbox.priority.${p}`)}
                </option>
              ))}
            </select>
          </label>
        </div>
        <div className="posts-filters">
          {text('emails')}
          {text('telegramChat')}
          <label className="check">
            <input type="checkbox" checked={d.webhook} onChange={(e) => set('webhook', e.target.checked)} />
            {t('inbox.rules.field.webhook')}
          </label>
        </div>
      </fieldset>
      {typeof state === 'object' && (
        <div className="form-error" role="alert">
          <p>{state.error}</p>
          {Object.entries(state.fields).length > 0 && (
            <ul>
              {Object.entries(state.fields).map(([path, message]) => (
                <li key={path}>
                  {path}: {message}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      <button type="submit" className="button button-primary" disabled={state === 'saving' || !d.name.trim()}>
        {state === 'saving' ? t('common.saving') : t('inbox.rules.create')}
      </button>
    </form>
  );
}

function describeRule(r: InboxRule, t: (k: string, o?: Record<string, unknown>) => string, memberName: (id: string) => string): string {
  const c = r.conditions;
  const when = [
    c.keywords?.length ? c.keywords.map((k) => `"${k}"`).join(' / ') : null,
    c.sentiment?.map((s) => t(`listening.sentiment.${s}`)).join(' / ') ?? null,
    c.networks?.join(' / ') ?? null,
    c.languages?.join(' / ') ?? null,
    c.kinds?.map((k) => t(`inbox.kind.${k}`)).join(' / ') ?? null,
    c.minFollowers !== undefined ? t('inbox.rules.minFollowersShort', { count: c.minFollowers }) : null,
  ].filter(Boolean);
  const a = r.actions;
  const then = [
    a.assignTo ? t('inbox.assignedTo', { name: memberName(a.assignTo) }) : null,
    a.tags?.length ? a.tags.map((x) => `#${x}`).join(' ') : null,
    a.priority ? t(`inbox.priority.${a.priority}`) : null,
    ...(a.notify ?? []).map((n) => (n.channel === 'email' ? `✉ ${n.to.join(', ')}` : n.channel === 'telegram' ? `Telegram ${n.chatId}` : 'Webhook')),
  ].filter(Boolean);
  return `${when.join(' · ')} → ${then.join(' · ')}`;
}

function Rules({ workspace, members }: { workspace: Workspace; members: InboxMember[] }) {
  const { t } = useTranslation();
  const { client } = useApi();
  const api = client.api.v1.workspaces[':workspaceId']['inbox-rules'];
  const rules = useLoad(() => unwrap(api.$get({ param: { workspaceId: workspace.id } })), [client, workspace.id]);
  const [error, setError] = useState<string | null>(null);
  const can = inboxAbilities(workspace.role);
  const memberName = (id: string) => members.find((m) => m.userId === id)?.name ?? id;
  const act = async (call: Promise<unknown>) => {
    setError(null);
    try {
      await call;
      rules.reload();
    } catch (e) {
      setError(errorMessage(e, t));
    }
  };
  return (
    <section aria-label={t('inbox.rules.title')}>
      <h2>{t('inbox.rules.title')}</h2>
      <p className="field-help">{t('inbox.rules.explain')}</p>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      {rules.loading && !rules.data ? (
        <Loading />
      ) : rules.error ? (
        <ErrorState error={rules.error} onRetry={rules.reload} />
      ) : (rules.data?.items.length ?? 0) === 0 ? (
        <EmptyState>{t('inbox.rules.none')}</EmptyState>
      ) : (
        <ul className="plain-list inbox-rule-list" aria-label={t('inbox.rules.title')}>
          {rules.data!.items.map((r) => (
            <li key={r.id} className="card">
              <strong>{r.name}</strong> {!r.active && <span className="badge">{t('listening.queries.paused')}</span>}
              <p className="muted">{describeRule(r, t, memberName)}</p>
              {can.manage && (
                <div className="form-actions">
                  <button type="button" className="button" onClick={() => void act(unwrap(api[':ruleId'].$patch({ param: { workspaceId: workspace.id, ruleId: r.id }, json: { active: !r.active } })))}>
                    {r.active ? t('listening.queries.pause') : t('listening.queries.resume')}
                  </button>
                  <button type="button" className="button button-danger" onClick={() => window.confirm(t('inbox.rules.removeConfirm', { name: r.name })) && void act(unwrap(api[':ruleId'].$delete({ param: { workspaceId: workspace.id, ruleId: r.id } })))}>
                    {t('listening.queries.remove')}
                  </button>
                </div>
              )}
            </li>
          ))}
        </ul>
      )}
      {can.manage && <RuleForm workspaceId={workspace.id} members={members} onSaved={rules.reload} />}
    </section>
  );
}

function Targets({ workspace }: { workspace: Workspace }) {
  const { t, i18n } = useTranslation();
  const { client } = useApi();
  const api = client.api.v1.workspaces[':workspaceId']['inbox-settings'];
  const settings = useLoad(() => unwrap(api.$get({ param: { workspaceId: workspace.id } })), [client, workspace.id]);
  const [draft, setDraft] = useState<Settings | null>(null);
  const [token, setToken] = useState('');
  const [state, setState] = useState<'idle' | 'saving' | 'saved' | { error: string }>('idle');
  const isAdmin = workspace.role === 'owner' || workspace.role === 'admin';
  if (settings.loading && !settings.data) return <Loading />;
  if (settings.error || !settings.data) return <ErrorState error={settings.error} onRetry={settings.reload} />;
  const value = draft ?? settings.data;
  const range = (day: number) => value.businessHours.ranges.find((r) => r.weekday === day);
  const setDay = (day: number, next: { start: string; end: string } | null) => {
    const ranges = value.businessHours.ranges.filter((r) => r.weekday !== day);
    if (next) ranges.push({ weekday: day, ...next });
    ranges.sort((a, b) => a.weekday - b.weekday);
    setDraft({ ...value, businessHours: { ...value.businessHours, ranges } });
    setState('idle');
  };
  const save = async (e: FormEvent) => {
    e.preventDefault();
    setState('saving');
    try {
      const saved = await unwrap(
        api.$put({ param: { workspaceId: workspace.id }, json: { businessHours: value.businessHours, firstResponseMinutes: value.firstResponseMinutes, ...(token.trim() ? { telegramBotToken: token.trim() } : {}) } }),
      );
      setDraft(saved);
      setToken('');
      setState('saved');
    } catch (err) {
      setState({ error: err instanceof ApiError && err.status === 422 ? Object.values(err.fieldErrors())[0] ?? errorMessage(err, t) : errorMessage(err, t) });
    }
  };
  // 1 January 2024 was a Monday: weekday 1…7 is Monday…Sunday, as the API counts.
  const dayNames = (day: number) => new Intl.DateTimeFormat(i18n.language, { weekday: 'long', timeZone: 'UTC' }).format(new Date(Date.UTC(2024, 0, day)));
  return (
    <section aria-label={t('inbox.targets.title')}>
      <h2>{t('inbox.targets.title')}</h2>
      <form onSubmit={save} className="card">
        <fieldset disabled={!isAdmin} className="plain-fieldset">
          <label className="field-inline">
            <span className="field-label">{t('inbox.targets.firstResponse')}</span>
            <input type="number" min={1} value={value.firstResponseMinutes} onChange={(e) => (setDraft({ ...value, firstResponseMinutes: e.target.valueAsNumber }), setState('idle'))} />
          </label>
          <p className="field-help">{t('inbox.targets.zone', { zone: value.businessHours.zone ?? value.zone })}</p>
          <table className="inbox-hours">
            <tbody>
              {weekdays.map((day) => {
                const r = range(day);
                return (
                  <tr key={day}>
                    <th scope="row">
                      <label className="check">
                        <input type="checkbox" checked={!!r} onChange={(e) => setDay(day, e.target.checked ? { start: '09:00', end: '17:00' } : null)} />
                        {dayNames(day)}
                      </label>
                    </th>
                    <td>
                      {r && (
                        <>
                          <input type="time" aria-label={t('inbox.targets.opens', { day: dayNames(day) })} value={r.start} onChange={(e) => setDay(day, { start: e.target.value, end: r.end })} />
                          {' – '}
                          <input type="time" aria-label={t('inbox.targets.closes', { day: dayNames(day) })} value={r.end} onChange={(e) => setDay(day, { start: r.start, end: e.target.value })} />
                        </>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          <label className="field-inline">
            <span className="field-label">{t('inbox.targets.telegramBot')}</span>
            <input type="password" autoComplete="off" value={token} placeholder={value.telegramBotTokenSet ? '••••••••' : ''} onChange={(e) => setToken(e.target.value)} />
          </label>
          <p className="field-help">{value.telegramBotTokenSet ? t('inbox.targets.telegramSet') : t('inbox.targets.telegramHelp')}</p>
        </fieldset>
        {typeof state === 'object' && (
          <p className="form-error" role="alert">
            {state.error}
          </p>
        )}
        {state === 'saved' && <p role="status">{t('inbox.targets.saved')}</p>}
        {isAdmin ? (
          <button type="submit" className="button button-primary" disabled={state === 'saving'}>
            {state === 'saving' ? t('common.saving') : t('common.save')}
          </button>
        ) : (
          <p className="muted">{t('inbox.targets.adminsOnly')}</p>
        )}
      </form>
    </section>
  );
}

/** Rules and response targets of the workspace's inbox. */
export function InboxAutomation({ workspace, members }: { workspace: Workspace; members: InboxMember[] }) {
  return (
    <div className="inbox-automation">
      <Rules workspace={workspace} members={members} />
      <Targets workspace={workspace} />
    </div>
  );
}
