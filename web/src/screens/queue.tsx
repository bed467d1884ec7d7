/**
 * The Queue: per account, weekly posting times (weekday × time in the workspace zone), edited as a
 * week grid and saved as a whole; shows the account's next free time. "Add to queue" in the composer
 * fills these slots.
 */
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { unwrap } from '../api/client';
import { useApi } from '../api/context';
import type { Account, Workspace } from '../api/types';
import { useLoad } from '../api/use-load';
import { EmptyState, ErrorState, Loading, errorMessage } from '../components/states';
import { formatDateTime } from '../i18n/format';

const weekdays = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

/** One weekly slot as the editor holds it. */
export interface WeekSlot {
  weekday: number;
  time: string;
}

const byTime = (a: WeekSlot, b: WeekSlot) => a.weekday - b.weekday || a.time.localeCompare(b.time);
const sameSet = (a: WeekSlot[], b: WeekSlot[]) => a.length === b.length && [...a].sort(byTime).every((s, i) => { const o = [...b].sort(byTime)[i]; return o?.weekday === s.weekday && o.time === s.time; });

/** The week grid of one account's slots; `onChange` gets the whole new week. */
export function SlotEditor({ handle, slots, readOnly, onChange }: { handle: string; slots: WeekSlot[]; readOnly: boolean; onChange: (slots: WeekSlot[]) => void }) {
  const { t } = useTranslation();
  const [drafts, setDrafts] = useState<Record<number, string>>({});
  const [problem, setProblem] = useState<string | null>(null);

  const add = (weekday: number, day: string) => {
    const time = drafts[weekday] ?? '';
    if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(time)) return;
    if (slots.some((s) => s.weekday === weekday && s.time === time)) {
      setProblem(t('queue.duplicate', { time, day }));
      return;
    }
    setProblem(null);
    onChange([...slots, { weekday, time }].sort(byTime));
    setDrafts((d) => ({ ...d, [weekday]: '' }));
  };

  return (
    <div className="slot-editor" role="group" aria-label={t('queue.gridLabel', { handle })}>
      {weekdays.map((key, i) => {
        const weekday = i + 1;
        const day = t(`queue.weekday.${key}`);
        const mine = slots.filter((s) => s.weekday === weekday).sort(byTime);
        return (
          <div key={key} className="slot-day">
            <h3 className="slot-day-name" id={`slot-day-${key}`}>
              {day}
            </h3>
            <ul className="slot-list" aria-labelledby={`slot-day-${key}`}>
              {mine.length === 0 && <li className="muted">{t('queue.noSlots')}</li>}
              {mine.map((s) => (
                <li key={s.time} className="slot-chip">
                  <span>{s.time}</span>
                  {!readOnly && (
                    <button
                      type="button"
                      className="slot-remove"
                      aria-label={t('queue.removeSlot', { time: s.time, day })}
                      onClick={() => onChange(slots.filter((x) => !(x.weekday === weekday && x.time === s.time)))}
                    >
                      ×
                    </button>
                  )}
                </li>
              ))}
            </ul>
            {!readOnly && (
              <div className="slot-add">
                <label>
                  <span className="visually-hidden">{t('queue.newTime', { day })}</span>
                  <input
                    type="time"
                    value={drafts[weekday] ?? ''}
                    onChange={(e) => setDrafts((d) => ({ ...d, [weekday]: e.target.value }))}
                    onKeyDown={(e) => {
                      if (e.key === 'Enter') {
                        e.preventDefault();
                        add(weekday, day);
                      }
                    }}
                  />
                </label>
                <button type="button" className="button" aria-label={t('queue.addNamed', { day })} onClick={() => add(weekday, day)}>
                  {t('queue.add')}
                </button>
              </div>
            )}
          </div>
        );
      })}
      <p className="field-error" role="alert">
        {problem}
      </p>
    </div>
  );
}

function AccountQueue({ workspace, account, canEdit }: { workspace: Workspace; account: Account; canEdit: boolean }) {
  const { t, i18n } = useTranslation();
  const { client } = useApi();
  const param = { workspaceId: workspace.id, accountId: account.id };
  const saved = useLoad(() => unwrap(client.api.v1.workspaces[':workspaceId'].accounts[':accountId'].slots.$get({ param })), [client, workspace.id, account.id]);
  const next = useLoad(
    () => unwrap(client.api.v1.workspaces[':workspaceId'].queue.next.$get({ param: { workspaceId: workspace.id }, query: { accountIds: account.id } })),
    [client, workspace.id, account.id],
  );
  const [slots, setSlots] = useState<WeekSlot[] | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);

  useEffect(() => {
    if (saved.data) setSlots(saved.data.items.map((s) => ({ weekday: s.weekday, time: s.time })));
  }, [saved.data]);

  if (saved.loading && !saved.data) return <Loading />;
  if (saved.error) return <ErrorState error={saved.error} onRetry={saved.reload} />;
  const current = slots ?? [];
  const dirty = saved.data ? !sameSet(current, saved.data.items) : false;

  const save = async () => {
    setBusy(true);
    setError(null);
    try {
      const r = await unwrap(client.api.v1.workspaces[':workspaceId'].accounts[':accountId'].slots.$put({ param, json: { slots: current } }));
      setSlots(r.items.map((s) => ({ weekday: s.weekday, time: s.time })));
      setNotice(t('queue.saved', { handle: account.handle }));
      saved.reload();
      next.reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const nextFree = next.data?.next;
  return (
    <section className="card queue-account" aria-labelledby="queue-account-title">
      <h2 id="queue-account-title">{account.handle}</h2>
      <div className="notice" role="status" aria-live="polite">
        {notice}
      </div>
      <p className="muted">{t('queue.zoneNote', { zone: workspace.timezone })}</p>
      <p className="queue-next">{next.data ? (nextFree ? t('queue.next', { time: formatDateTime(nextFree.at, i18n.language, workspace.timezone) }) : t('queue.noNext')) : ''}</p>
      {!canEdit && <p className="muted">{t('queue.readOnly')}</p>}
      <SlotEditor
        handle={account.handle}
        slots={current}
        readOnly={!canEdit}
        onChange={(s) => {
          setSlots(s);
          setNotice(null);
        }}
      />
      {error != null && (
        <p className="form-error" role="alert">
          {errorMessage(error, t)}
        </p>
      )}
      {canEdit && (
        <div className="form-actions">
          <button type="button" className="button button-primary" disabled={busy || !dirty} onClick={() => void save()}>
            {busy ? t('common.saving') : t('queue.save')}
          </button>
          {dirty && <span className="muted">{t('queue.unsaved')}</span>}
        </div>
      )}
    </section>
  );
}

/** The Queue screen of one workspace. */
export function QueueScreen({ workspace }: { workspace: Workspace }) {
  const { t } = useTranslation();
  const { client } = useApi();
  const accounts = useLoad(() => unwrap(client.api.v1.workspaces[':workspaceId'].accounts.$get({ param: { workspaceId: workspace.id } })), [client, workspace.id]);
  const [accountId, setAccountId] = useState<string | null>(null);
  const items = accounts.data?.items ?? [];
  const account = items.find((a) => a.id === accountId) ?? items[0];
  const canEdit = ['owner', 'admin', 'editor'].includes(workspace.role);

  return (
    <div className="screen">
      <header className="screen-header">
        <h1>{t('queue.title')}</h1>
        <p className="muted">{t('queue.intro')}</p>
      </header>
      {accounts.loading && !accounts.data ? (
        <Loading />
      ) : accounts.error ? (
        <ErrorState error={accounts.error} onRetry={accounts.reload} />
      ) : !account ? (
        <EmptyState>{t('queue.noAccounts')}</EmptyState>
      ) : (
        <>
          {items.length > 1 && (
            <label className="field queue-account-pick">
              <span className="field-label">{t('queue.account')}</span>
              <select value={account.id} onChange={(e) => setAccountId(e.target.value)}>
                {items.map((a) => (
                  <option key={a.id} value={a.id}>
                    {a.handle}
                  </option>
                ))}
              </select>
            </label>
          )}
          <AccountQueue key={account.id} workspace={workspace} account={account} canEdit={canEdit} />
        </>
      )}
    </div>
  );
}
