/**
 * Reports: pick a template, accounts and a period (or, for the campaign report, one of the
 * workspace's campaigns); preview the report's HTML in a sandboxed frame (no scripts, no same-origin
 * access); download it as PDF, CSV or XLSX; e-mail it weekly or monthly; and set the workspace's
 * white-label branding (admins and owners).
 */
import { useState, type ChangeEvent, type FormEvent } from 'react';
import type { InferResponseType } from 'hono/client';
import { useTranslation } from 'react-i18next';
import { ApiError, unwrap, type Api } from '../api/client';
import { useApi } from '../api/context';
import type { Workspace } from '../api/types';
import { useLoad } from '../api/use-load';
import { ErrorState, Loading, errorMessage } from '../components/states';

// `campaign` is per campaign: its own report route, the campaign's own dates and accounts.
const templates = ['monthly', 'competitors', 'inbox', 'campaign'] as const;
type Template = (typeof templates)[number];
type CampaignItem = InferResponseType<Api['client']['api']['v1']['workspaces'][':workspaceId']['campaigns']['$get'], 200>['items'][number];
const adminRoles = new Set(['owner', 'admin']);
const maxLogoBytes = 256 * 1024;

/** What a report is asked for. */
export interface ReportChoice {
  template: Template;
  accountIds: string[];
  from: string;
  to: string;
  /** With template `campaign`: the campaign ('' until one is chosen). */
  campaignId: string;
}

/** The query of GET …/reports/render for a choice and format (empty fields left to the server). */
export function reportQuery(c: ReportChoice, format: 'html' | 'pdf' | 'csv' | 'xlsx'): Record<string, string> {
  return { template: c.template, format, ...(c.accountIds.length ? { accountIds: c.accountIds.join(',') } : {}), ...(c.from ? { from: c.from } : {}), ...(c.to ? { to: c.to } : {}) };
}

/** Where a choice's report is fetched: the render route, or the chosen campaign's own report route. */
export function reportHref(workspaceId: string, c: ReportChoice, format: 'html' | 'pdf' | 'csv' | 'xlsx'): string {
  const ws = `/api/v1/workspaces/${encodeURIComponent(workspaceId)}`;
  if (c.template === 'campaign') return `${ws}/campaigns/${encodeURIComponent(c.campaignId)}/report?${new URLSearchParams({ format }).toString()}`;
  return `${ws}/reports/render?${new URLSearchParams(reportQuery(c, format)).toString()}`;
}

function readBase64(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result).replace(/^data:[^,]*,/, ''));
    r.onerror = () => reject(r.error ?? new Error('read failed'));
    r.readAsDataURL(file);
  });
}

function Branding({ workspace, canManage }: { workspace: Workspace; canManage: boolean }) {
  const { t } = useTranslation();
  const { client } = useApi();
  const api = client.api.v1.workspaces[':workspaceId']['report-branding'];
  const branding = useLoad(() => unwrap(api.$get({ param: { workspaceId: workspace.id } })), [client, workspace.id]);
  const [draft, setDraft] = useState<{ agencyName?: string; primaryColor?: string; accentColor?: string; logoBase64?: string | null }>({});
  const [state, setState] = useState<'idle' | 'saving' | 'saved' | { error: string }>('idle');
  if (branding.loading && !branding.data) return <Loading />;
  if (branding.error || !branding.data) return <ErrorState error={branding.error} onRetry={branding.reload} />;
  const b = branding.data;
  const onLogo = async (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    if (!file) return;
    if (file.size > maxLogoBytes) return setState({ error: t('reports.logoTooLarge') });
    setDraft((d) => ({ ...d, logoBase64: '' }));
    const data = await readBase64(file);
    setDraft((d) => ({ ...d, logoBase64: data }));
  };
  const save = async (e: FormEvent) => {
    e.preventDefault();
    setState('saving');
    try {
      await unwrap(api.$put({ param: { workspaceId: workspace.id }, json: { ...draft, ...(draft.agencyName !== undefined ? { agencyName: draft.agencyName || null } : {}) } }));
      setDraft({});
      setState('saved');
      branding.reload();
    } catch (err) {
      setState({ error: errorMessage(err, t) });
    }
  };
  return (
    <section aria-labelledby="reports-branding" className="reports-section">
      <h2 id="reports-branding">{t('reports.branding')}</h2>
      {!canManage && <p>{t('reports.adminsOnly')}</p>}
      <form onSubmit={save}>
        <fieldset disabled={!canManage || state === 'saving'}>
          <label>
            {t('reports.agencyName')}
            <input type="text" maxLength={120} value={draft.agencyName ?? b.agencyName ?? ''} onChange={(e) => setDraft((d) => ({ ...d, agencyName: e.target.value }))} />
          </label>
          <label>
            {t('reports.primaryColor')}
            <input type="color" value={draft.primaryColor ?? b.primaryColor} onChange={(e) => setDraft((d) => ({ ...d, primaryColor: e.target.value }))} />
          </label>
          <label>
            {t('reports.accentColor')}
            <input type="color" value={draft.accentColor ?? b.accentColor} onChange={(e) => setDraft((d) => ({ ...d, accentColor: e.target.value }))} />
          </label>
          {b.logoDataUrl && draft.logoBase64 !== null && <img src={b.logoDataUrl} alt={t('reports.logo')} className="reports-logo" />}
          <label>
            {t('reports.logo')}
            <input type="file" accept="image/png,image/jpeg" onChange={(e) => void onLogo(e)} />
          </label>
          {b.logoDataUrl && (
            <button type="button" className="button button-quiet" onClick={() => setDraft((d) => ({ ...d, logoBase64: null }))}>
              {t('reports.removeLogo')}
            </button>
          )}
          <button type="submit" className="button">
            {t('reports.saveBranding')}
          </button>
        </fieldset>
        {state === 'saved' && <p role="status">{t('reports.saved')}</p>}
        {typeof state === 'object' && <p role="alert">{state.error}</p>}
      </form>
    </section>
  );
}

const splitRecipients = (text: string) => text.split(/[\n,;]+/).map((r) => r.trim()).filter(Boolean);

/** A schedule's frequency and recipients, as the add and the edit forms ask them. */
function ScheduleFields(p: { frequency: 'weekly' | 'monthly'; recipients: string; onFrequency: (f: 'weekly' | 'monthly') => void; onRecipients: (text: string) => void }) {
  const { t } = useTranslation();
  return (
    <>
      <label>
        {t('reports.frequency')}
        <select value={p.frequency} onChange={(e) => p.onFrequency(e.target.value === 'weekly' ? 'weekly' : 'monthly')}>
          <option value="weekly">{t('reports.frequencies.weekly')}</option>
          <option value="monthly">{t('reports.frequencies.monthly')}</option>
        </select>
      </label>
      <label>
        {t('reports.recipients')}
        <textarea value={p.recipients} onChange={(e) => p.onRecipients(e.target.value)} rows={3} />
      </label>
    </>
  );
}

/** Changing a schedule's frequency and recipients (its report stays what it is). */
function ScheduleEdit({ schedule, onSave, onCancel }: { schedule: { frequency: 'weekly' | 'monthly'; recipients: string[] }; onSave: (patch: { frequency: 'weekly' | 'monthly'; recipients: string[] }) => Promise<void>; onCancel: () => void }) {
  const { t } = useTranslation();
  const [frequency, setFrequency] = useState(schedule.frequency);
  const [recipients, setRecipients] = useState(schedule.recipients.join('\n'));
  return (
    <form
      aria-label={t('reports.editScheduleTitle')}
      onSubmit={(e) => {
        e.preventDefault();
        void onSave({ frequency, recipients: splitRecipients(recipients) });
      }}
    >
      <ScheduleFields frequency={frequency} recipients={recipients} onFrequency={setFrequency} onRecipients={setRecipients} />
      <button type="submit" className="button">
        {t('reports.saveSchedule')}
      </button>
      <button type="button" className="button button-quiet" onClick={onCancel}>
        {t('common.cancel')}
      </button>
    </form>
  );
}

function Schedules({ workspace, choice, canManage, campaigns }: { workspace: Workspace; choice: ReportChoice; canManage: boolean; campaigns: CampaignItem[] | undefined }) {
  const { t } = useTranslation();
  const { client } = useApi();
  const api = client.api.v1.workspaces[':workspaceId']['report-schedules'];
  const list = useLoad(() => unwrap(api.$get({ param: { workspaceId: workspace.id } })), [client, workspace.id]);
  const [frequency, setFrequency] = useState<'weekly' | 'monthly'>('monthly');
  const [recipients, setRecipients] = useState('');
  const [error, setError] = useState<string | null>(null);
  const add = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      const what = choice.template === 'campaign' ? { template: choice.template, campaignId: choice.campaignId || null } : { template: choice.template, accountIds: choice.accountIds };
      await unwrap(api.$post({ param: { workspaceId: workspace.id }, json: { ...what, frequency, recipients: splitRecipients(recipients) } }));
      setRecipients('');
      list.reload();
    } catch (err) {
      setError(err instanceof ApiError ? (Object.values(err.fieldErrors())[0] ?? err.message) : errorMessage(err, t));
    }
  };
  const remove = async (id: string) => {
    try {
      await unwrap(api[':scheduleId'].$delete({ param: { workspaceId: workspace.id, scheduleId: id } }));
      list.reload();
    } catch (err) {
      setError(errorMessage(err, t));
    }
  };
  const [editing, setEditing] = useState<string | null>(null);
  const change = async (id: string, patch: { paused?: boolean; frequency?: 'weekly' | 'monthly'; recipients?: string[] }) => {
    setError(null);
    try {
      await unwrap(api[':scheduleId'].$patch({ param: { workspaceId: workspace.id, scheduleId: id }, json: patch }));
      list.reload();
      return true;
    } catch (err) {
      setError(err instanceof ApiError ? (Object.values(err.fieldErrors())[0] ?? err.message) : errorMessage(err, t));
      return false;
    }
  };
  const items = list.data?.items ?? [];
  const campaignName = new Map((campaigns ?? []).map((c) => [c.id, c.name]));
  // A campaign deleted after the schedule was made: its deliveries fail; say so rather than show an id.
  const campaignOf = (id: string | null) => (id === null ? '' : campaigns === undefined ? '…' : (campaignName.get(id) ?? t('reports.deletedCampaign')));
  return (
    <section aria-labelledby="reports-schedules" className="reports-section">
      <h2 id="reports-schedules">{t('reports.schedules')}</h2>
      {list.error ? <ErrorState error={list.error} onRetry={list.reload} /> : null}
      {items.length === 0 && !list.loading ? <p>{t('reports.noSchedules')}</p> : null}
      <ul>
        {items.map((s) => (
          <li key={s.id}>
            {s.template === 'campaign' ? t('reports.campaignSchedule', { name: campaignOf(s.campaignId) }) : t(`reports.templates.${s.template}`)} · {t(`reports.frequencies.${s.frequency}`)} · {s.recipients.join(', ')}
            {s.paused ? ` · ${t('reports.paused')}` : ''}
            {s.deliveries[0] ? ` · ${t('reports.lastDelivery', { period: s.deliveries[0].period, status: s.deliveries[0].status })}` : ''}
            {canManage && (
              <>
                <button type="button" className="button button-quiet" onClick={() => void change(s.id, { paused: !s.paused })}>
                  {s.paused ? t('reports.resumeSchedule') : t('reports.pauseSchedule')}
                </button>
                <button type="button" className="button button-quiet" aria-expanded={editing === s.id} onClick={() => setEditing(editing === s.id ? null : s.id)}>
                  {t('reports.editSchedule')}
                </button>
                <button type="button" className="button button-quiet" onClick={() => void remove(s.id)}>
                  {t('reports.removeSchedule')}
                </button>
              </>
            )}
            {canManage && editing === s.id && (
              <ScheduleEdit
                key={s.id}
                schedule={s}
                onSave={async (patch) => {
                  if (await change(s.id, patch)) setEditing(null);
                }}
                onCancel={() => setEditing(null)}
              />
            )}
          </li>
        ))}
      </ul>
      {canManage ? (
        <form onSubmit={add}>
          <ScheduleFields frequency={frequency} recipients={recipients} onFrequency={setFrequency} onRecipients={setRecipients} />
          <button type="submit" className="button">
            {t('reports.addSchedule')}
          </button>
          {error && <p role="alert">{error}</p>}
        </form>
      ) : (
        <p>{t('reports.adminsOnly')}</p>
      )}
    </section>
  );
}

/** The Reports screen. */
export function ReportsScreen({ workspace }: { workspace: Workspace }) {
  const { t } = useTranslation();
  const { client } = useApi();
  const ws = client.api.v1.workspaces[':workspaceId'];
  const accounts = useLoad(() => unwrap(ws.accounts.$get({ param: { workspaceId: workspace.id } })), [client, workspace.id]);
  const campaigns = useLoad(() => unwrap(ws.campaigns.$get({ param: { workspaceId: workspace.id } })), [client, workspace.id]);
  const [choice, setChoice] = useState<ReportChoice>({ template: 'monthly', accountIds: [], from: '', to: '', campaignId: '' });
  const [preview, setPreview] = useState<{ url: string; shown: number } | { error: string } | 'loading' | null>(null);
  const canManage = adminRoles.has(workspace.role);
  const href = (format: 'html' | 'pdf' | 'csv' | 'xlsx') => reportHref(workspace.id, choice, format);
  const isCampaign = choice.template === 'campaign';

  const showPreview = async (e: FormEvent) => {
    e.preventDefault();
    if (isCampaign) {
      // The campaign comes from the workspace's own list: the frame loads its report directly.
      setPreview(choice.campaignId ? { url: href('html'), shown: Date.now() } : { error: t('reports.chooseCampaignFirst') });
      return;
    }
    setPreview('loading');
    try {
      // Only checked here (check=true: nothing is built) so a refusal (bad period, unknown account)
      // shows as a message; the frame then loads the report's address itself, because a srcdoc frame
      // would inherit the app's CSP (no inline styles) while the report's own response carries a
      // policy that lets its styles apply. The report is built once, for the frame.
      const res = await ws.reports.render.$get({ param: { workspaceId: workspace.id }, query: { ...reportQuery(choice, 'html'), check: 'true' } });
      if (!res.ok) await unwrap(Promise.resolve(res));
      setPreview({ url: href('html'), shown: Date.now() });
    } catch (err) {
      setPreview({ error: err instanceof ApiError ? (Object.values(err.fieldErrors())[0] ?? err.message) : errorMessage(err, t) });
    }
  };
  const toggle = (id: string) => setChoice((c) => ({ ...c, accountIds: c.accountIds.includes(id) ? c.accountIds.filter((x) => x !== id) : [...c.accountIds, id] }));

  return (
    <div className="reports">
      <h1>{t('reports.title')}</h1>
      <form onSubmit={showPreview} aria-label={t('reports.builder')}>
        <label>
          {t('reports.template')}
          <select value={choice.template} onChange={(e) => setChoice((c) => ({ ...c, template: (templates as readonly string[]).includes(e.target.value) ? (e.target.value as Template) : 'monthly' }))}>
            {templates.map((tp) => (
              <option key={tp} value={tp}>
                {t(`reports.templates.${tp}`)}
              </option>
            ))}
          </select>
        </label>
        {isCampaign ? (
          <>
            <label>
              {t('reports.campaign')}
              <select value={choice.campaignId} aria-describedby="reports-campaign-note" onChange={(e) => setChoice((c) => ({ ...c, campaignId: e.target.value }))}>
                <option value="">{t('reports.chooseCampaign')}</option>
                {(campaigns.data?.items ?? []).map((c) => (
                  <option key={c.id} value={c.id}>
                    {c.name}
                  </option>
                ))}
              </select>
            </label>
            <p className="reports-note" id="reports-campaign-note">
              {campaigns.data && campaigns.data.items.length === 0 ? t('reports.noCampaigns') : t('reports.campaignNote')}
            </p>
            {campaigns.error ? <ErrorState error={campaigns.error} onRetry={campaigns.reload} /> : null}
          </>
        ) : (
          <>
            <fieldset>
              <legend>{t('reports.accounts')}</legend>
              {accounts.loading && !accounts.data ? <Loading /> : null}
              {(accounts.data?.items ?? []).map((a) => (
                <label key={a.id}>
                  <input type="checkbox" checked={choice.accountIds.includes(a.id)} onChange={() => toggle(a.id)} />@{a.handle} ({a.network})
                </label>
              ))}
              {choice.accountIds.length === 0 && <p>{t('reports.allAccounts')}</p>}
            </fieldset>
            <label>
              {t('reports.from')}
              <input type="date" value={choice.from} onChange={(e) => setChoice((c) => ({ ...c, from: e.target.value }))} />
            </label>
            <label>
              {t('reports.to')}
              <input type="date" value={choice.to} onChange={(e) => setChoice((c) => ({ ...c, to: e.target.value }))} />
            </label>
          </>
        )}
        <button type="submit" className="button">
          {t('reports.preview')}
        </button>
        {(!isCampaign || choice.campaignId) && (
          <span className="reports-downloads">
            {t('reports.download')}:{' '}
            <a href={href('pdf')} download>
              {t('reports.downloadPdf')}
            </a>{' '}
            <a href={href('csv')} download>
              {t('reports.downloadCsv')}
            </a>{' '}
            <a href={href('xlsx')} download>
              {t('reports.downloadXlsx')}
            </a>
          </span>
        )}
      </form>
      {preview === 'loading' && <Loading />}
      {preview && typeof preview === 'object' && 'error' in preview && <p role="alert">{preview.error}</p>}
      {preview && typeof preview === 'object' && 'url' in preview && (
        // No allow-scripts, no allow-same-origin: the report can neither run code nor reach the app.
        <iframe key={preview.shown} title={t('reports.previewTitle')} sandbox="" src={preview.url} className="reports-preview" style={{ width: '100%', height: '70vh', border: '1px solid #ccc' }} />
      )}
      <Schedules workspace={workspace} choice={choice} canManage={canManage} campaigns={campaigns.data?.items} />
      <Branding workspace={workspace} canManage={canManage} />
    </div>
  );
}
