/**
 * Campaigns: the list with spend, revenue and ROI; one campaign with its KPIs (value and "how is this
 * calculated" with the actual arithmetic, or why it is empty), the media plan against what happened,
 * spend and conversion entries, and its posts (text rendered as text). Editors and above create,
 * edit and delete campaigns (deleting asks in the page first), add, edit and remove plan lines,
 * record and remove spend and conversions and link posts. Amounts are typed as decimal text and turned into integer minor units exactly
 * (src/campaigns/money.ts) before sending. Each campaign KPI shows its goal with progress; admins and
 * owners set (or change) and remove goals, which run over the campaign's dates.
 */
import { useId, useState, type FormEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { InferResponseType } from 'hono/client';
import { ApiError, unwrap, type Api } from '../api/client';
import { useApi } from '../api/context';
import type { Workspace } from '../api/types';
import { useLoad } from '../api/use-load';
import { EmptyState, ErrorState, Loading, errorMessage } from '../components/states';
import { minorToDecimal, parseMoney } from '../../../src/campaigns/money';
import { campaignStatuses, type CampaignStatus } from '../../../src/campaigns/campaign-tables';
import { formatMinor } from '../components/money-format';
import { CampaignSummaryTable, formatRoi } from '../components/campaign-summary-table';
import { CampaignGoal, formatCampaignValue } from '../components/campaign-goal';
import './campaigns.css';

type CampaignApi = Api['client']['api']['v1']['workspaces'][':workspaceId']['campaigns'];
/** GET …/campaigns/{id} */
export type CampaignDetail = InferResponseType<CampaignApi[':campaignId']['$get'], 200>;
type LineItem = CampaignDetail['lineItems'][number];
// A line's KPI; the campaign's own KPIs are these plus their goal.
type CampaignKpi = LineItem['kpis'][number];
type CampaignKpiWithGoal = CampaignDetail['kpis'][number];
type AccountOption = { id: string; handle: string; network: string };

const editorRoles = new Set(['owner', 'admin', 'editor']);
// Goals are goals.manage, as on the dashboard (analytics-goals.tsx).
const goalRoles = new Set(['owner', 'admin']);
const missing = '—';


// The campaign's and its lines' KPIs share these fields (the campaign's may carry more).
function formatKpi(k: Pick<CampaignKpi, 'value' | 'definition'>, currency: string, lng: string): string {
  return formatCampaignValue(k.value, k.definition.unit, currency, lng);
}

const num = (v: number | null | undefined, lng: string) => (v === null || v === undefined ? missing : new Intl.NumberFormat(lng).format(v));

/** `text` as minor units of `currency`, or the reason it is not an amount. */
function amountOf(text: string, currency: string): number | string {
  return parseMoney(text, currency);
}

/**
 * True once the API refuses a currency change (409): a plan line, a spend entry or a conversion value
 * is recorded in the current currency, and Herald never converts amounts.
 */
function currencyLocked(c: CampaignDetail): boolean {
  return c.lineItems.length > 0 || c.spendEntries.length > 0 || c.conversionEntries.some((x) => x.valueMinor !== null);
}

/** A media-plan line as the form holds it (text, as typed). */
type LineDraft = { placement: string; accountId: string; budget: string; posts: string; impressions: string; clicks: string; conversions: string };
const emptyLine: LineDraft = { placement: '', accountId: '', budget: '', posts: '', impressions: '', clicks: '', conversions: '' };
const countText = (v: number | null) => (v === null ? '' : String(v));
const intOrNull = (s: string) => (s.trim() === '' ? null : Number(s));

/** The draft of an existing line, amounts as plain decimals the parser reads back exactly. */
function lineDraftOf(l: LineItem, currency: string): LineDraft {
  return {
    placement: l.placement,
    accountId: l.accountId ?? '',
    budget: minorToDecimal(l.plannedBudgetMinor, currency),
    posts: countText(l.plannedPosts),
    impressions: countText(l.plannedImpressions),
    clicks: countText(l.plannedClicks),
    conversions: countText(l.plannedConversions),
  };
}

/** The fields of a media-plan line, shared by the add and edit forms. */
function LineFields({ value: line, onChange, accounts, currency }: { value: LineDraft; onChange: (d: LineDraft) => void; accounts: AccountOption[]; currency: string }) {
  const { t } = useTranslation();
  const set = (patch: Partial<LineDraft>) => onChange({ ...line, ...patch });
  return (
    <>
      <label>
        {t('campaigns.placement')}
        <input type="text" required maxLength={120} value={line.placement} onChange={(e) => set({ placement: e.target.value })} />
      </label>
      <label>
        {t('campaigns.account')}
        <select value={line.accountId} onChange={(e) => set({ accountId: e.target.value })}>
          <option value="">{t('campaigns.anyAccount')}</option>
          {accounts.map((a) => (
            <option key={a.id} value={a.id}>
              {a.handle} ({a.network})
            </option>
          ))}
        </select>
      </label>
      <label>
        {t('campaigns.plannedBudget')} ({currency})
        <input type="text" inputMode="decimal" required value={line.budget} onChange={(e) => set({ budget: e.target.value })} />
      </label>
      <label>
        {t('campaigns.plannedPosts')}
        <input type="number" min={0} step={1} value={line.posts} onChange={(e) => set({ posts: e.target.value })} />
      </label>
      <label>
        {t('campaigns.plannedImpressions')}
        <input type="number" min={0} step={1} value={line.impressions} onChange={(e) => set({ impressions: e.target.value })} />
      </label>
      <label>
        {t('campaigns.plannedClicks')}
        <input type="number" min={0} step={1} value={line.clicks} onChange={(e) => set({ clicks: e.target.value })} />
      </label>
      <label>
        {t('campaigns.plannedConversions')}
        <input type="number" min={0} step={1} value={line.conversions} onChange={(e) => set({ conversions: e.target.value })} />
      </label>
    </>
  );
}

/** A chosen file's text (FileReader: works in every browser the app supports). */
function readText(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result));
    r.onerror = () => reject(r.error ?? new Error('read failed'));
    r.readAsText(file, 'utf-8');
  });
}

function FormStatus({ state }: { state: 'idle' | 'saving' | 'saved' | { error: string } }) {
  const { t } = useTranslation();
  if (state === 'saved') return <p role="status">{t('campaigns.saved')}</p>;
  if (typeof state === 'object') return <p role="alert" className="form-error">{state.error}</p>;
  return null;
}

type Status = 'idle' | 'saving' | 'saved' | { error: string };

/** A message shown as it is: a problem found before anything is sent (e.g. an amount that is not money), or the API's own words. */
class InputProblem extends Error {}

/** Runs a save with the shared status handling. */
function useSave(): [Status, (fn: () => Promise<unknown>) => Promise<boolean>] {
  const { t } = useTranslation();
  const [state, setState] = useState<Status>('idle');
  const run = async (fn: () => Promise<unknown>) => {
    setState('saving');
    try {
      await fn();
      setState('saved');
      return true;
    } catch (e) {
      setState({ error: e instanceof InputProblem ? e.message : errorMessage(e, t) });
      return false;
    }
  };
  return [state, run];
}

function KpiTable({ kpis, currency, onRemoveGoal, removing }: { kpis: CampaignKpiWithGoal[]; currency: string; onRemoveGoal?: (goalId: string) => void; removing: boolean }) {
  const { t, i18n } = useTranslation();
  return (
    <table className="data-table campaign-kpis">
      <thead>
        <tr>
          <th scope="col">{t('campaigns.kpi')}</th>
          <th scope="col">{t('campaigns.value')}</th>
          <th scope="col">{t('campaigns.goal')}</th>
        </tr>
      </thead>
      <tbody>
        {kpis.map((k) => (
          <tr key={k.definition.id} data-kpi={k.definition.id}>
            <th scope="row">
              {k.definition.label}
              <details className="kpi-how">
                <summary>{t('campaigns.howCalculated')}</summary>
                <p>{k.definition.mirrors}</p>
                {k.value !== null ? <p className="kpi-formula">{k.inputs.formula}</p> : <p>{t('campaigns.missingReason', { reason: k.inputs.emptyReason ?? '' })}</p>}
                <p className="muted">{k.definition.missingRule}</p>
              </details>
            </th>
            <td>{formatKpi(k, currency, i18n.language)}</td>
            <td className="campaign-kpi-goal">
              <CampaignGoal goal={k.goal} unit={k.definition.unit} currency={currency} onRemove={onRemoveGoal} removing={removing} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

type GoalDraft = { definitionId: string; direction: 'at_least' | 'at_most'; target: string };

/**
 * Sets the goal of one campaign KPI (admins and owners). A KPI that already has a goal gets it
 * changed (PATCH) rather than a second one: the campaign shows only its newest goal per KPI, and
 * removing that one would bring an older, forgotten target back.
 */
function SetCampaignGoal({ workspace, campaign: c, onSaved }: { workspace: Workspace; campaign: CampaignDetail; onSaved: () => void }) {
  const { t } = useTranslation();
  const { client } = useApi();
  const api = client.api.v1.workspaces[':workspaceId'].goals;
  const [d, setD] = useState<GoalDraft>(() => ({ definitionId: c.kpis[0]?.definition.id ?? '', direction: 'at_least', target: '' }));
  const [state, save] = useSave();
  const kpi = c.kpis.find((k) => k.definition.id === d.definitionId);
  const unitLabel = kpi?.definition.unit === 'money' ? c.currency : '%';
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const target = Number(d.target);
    const existing = kpi?.goal ?? null;
    void save(async () => {
      if (d.target.trim() === '' || !Number.isFinite(target)) throw new InputProblem(t('campaigns.goalTargetNumber'));
      if (existing) await unwrap(api[':goalId'].$patch({ param: { workspaceId: workspace.id, goalId: existing.goalId }, json: { target, direction: d.direction } }));
      else await unwrap(api.$post({ param: { workspaceId: workspace.id }, json: { campaignId: c.id, definitionId: d.definitionId, target, direction: d.direction } }));
      setD((x) => ({ ...x, target: '' }));
      onSaved();
    });
  };
  return (
    <form className="campaign-form goal-form" onSubmit={submit} aria-label={t('goals.add')}>
      <fieldset disabled={state === 'saving'}>
        <label>
          {t('goals.kpi')}
          <select value={d.definitionId} onChange={(e) => setD({ ...d, definitionId: e.target.value })}>
            {c.kpis.map((k) => (
              <option key={k.definition.id} value={k.definition.id}>
                {k.definition.label}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('goals.direction')}
          <select value={d.direction} onChange={(e) => setD({ ...d, direction: e.target.value === 'at_most' ? 'at_most' : 'at_least' })}>
            <option value="at_least">{t('goals.directions.at_least')}</option>
            <option value="at_most">{t('goals.directions.at_most')}</option>
          </select>
        </label>
        <label>
          {t('goals.target')} ({unitLabel})
          <input type="number" step="any" required value={d.target} onChange={(e) => setD({ ...d, target: e.target.value })} />
        </label>
        <button type="submit" className="button">
          {t('goals.add')}
        </button>
      </fieldset>
      <p className="muted">{t('campaigns.goalPeriod', { from: c.startsOn, to: c.endsOn })}</p>
      <FormStatus state={state} />
    </form>
  );
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  const id = useId();
  return (
    <section className="card campaign-section" aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {children}
    </section>
  );
}

type LinePatch = Parameters<CampaignApi[':campaignId']['line-items'][':lineItemId']['$patch']>[0]['json'];

/** Edits one media-plan line (PATCH); mounted per opening, so its status starts fresh. */
function EditLine({ line: l, currency, accounts, save: send, onSaved, onCancel }: { line: LineItem; currency: string; accounts: AccountOption[]; save: (json: LinePatch) => Promise<unknown>; onSaved: () => void; onCancel: () => void }) {
  const { t } = useTranslation();
  const [d, setD] = useState(() => lineDraftOf(l, currency));
  const [state, save] = useSave();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const budget = amountOf(d.budget, currency);
    void save(async () => {
      if (typeof budget === 'string') throw new InputProblem(t('campaigns.badAmount', { field: t('campaigns.plannedBudget'), problem: budget }));
      await send({
        placement: d.placement,
        // The account only when it changed: "none" for a line that names only a network would clear the network too.
        ...(d.accountId === (l.accountId ?? '') ? {} : { accountId: d.accountId || null }),
        plannedBudgetMinor: budget,
        plannedPosts: intOrNull(d.posts),
        plannedImpressions: intOrNull(d.impressions),
        plannedClicks: intOrNull(d.clicks),
        plannedConversions: intOrNull(d.conversions),
      });
      onSaved();
    });
  };
  const title = t('campaigns.editLineTitle', { placement: l.placement });
  return (
    <form className="campaign-form" onSubmit={submit} aria-label={title}>
      <fieldset disabled={state === 'saving'}>
        <legend>{title}</legend>
        <LineFields value={d} onChange={setD} accounts={accounts} currency={currency} />
        <button type="submit" className="button">
          {t('campaigns.saveLine')}
        </button>
        <button type="button" className="button button-quiet" onClick={onCancel}>
          {t('common.cancel')}
        </button>
      </fieldset>
      <FormStatus state={state} />
    </form>
  );
}

/** A campaign's own fields as the forms hold them (text, as typed); `status` only once it exists. */
type CampaignDraft = { name: string; objective: string; startsOn: string; endsOn: string; currency: string; budget: string; utm: string; margin: string; status?: CampaignStatus };

/**
 * The fields of a campaign, shared by the create and edit forms. `status` is shown when the draft has
 * one (a new campaign starts planned); `lockedCurrency` shows the currency read-only, described by
 * `lockId`; `budgetUnit` names the currency in the budget's label.
 */
function CampaignFields({ value: d, onChange, lockedCurrency, lockId, budgetUnit = false }: { value: CampaignDraft; onChange: (d: CampaignDraft) => void; lockedCurrency?: string; lockId?: string; budgetUnit?: boolean }) {
  const { t } = useTranslation();
  const set = (patch: Partial<CampaignDraft>) => onChange({ ...d, ...patch });
  const { status } = d;
  return (
    <>
      <label>
        {t('campaigns.name')}
        <input type="text" required maxLength={120} value={d.name} onChange={(e) => set({ name: e.target.value })} />
      </label>
      <label>
        {t('campaigns.objective')}
        <input type="text" maxLength={1000} value={d.objective} onChange={(e) => set({ objective: e.target.value })} />
      </label>
      <label>
        {t('campaigns.startsOn')}
        <input type="date" required value={d.startsOn} onChange={(e) => set({ startsOn: e.target.value })} />
      </label>
      <label>
        {t('campaigns.endsOn')}
        <input type="date" required value={d.endsOn} onChange={(e) => set({ endsOn: e.target.value })} />
      </label>
      {status !== undefined && (
        <label>
          {t('campaigns.status')}
          <select value={status} onChange={(e) => set({ status: campaignStatuses.find((s) => s === e.target.value) ?? status })}>
            {campaignStatuses.map((s) => (
              <option key={s} value={s}>
                {t(`campaigns.statuses.${s}`)}
              </option>
            ))}
          </select>
        </label>
      )}
      <label>
        {t('campaigns.currency')}
        {lockedCurrency !== undefined ? (
          <input type="text" readOnly value={lockedCurrency} aria-describedby={lockId} />
        ) : (
          <input type="text" required maxLength={3} value={d.currency} onChange={(e) => set({ currency: e.target.value })} />
        )}
      </label>
      <label>
        {t('campaigns.budget')}
        {budgetUnit && ` (${lockedCurrency ?? d.currency.trim().toUpperCase()})`}
        <input type="text" inputMode="decimal" value={d.budget} onChange={(e) => set({ budget: e.target.value })} />
      </label>
      <label>
        {t('campaigns.utm')}
        <input type="text" maxLength={100} value={d.utm} onChange={(e) => set({ utm: e.target.value })} />
      </label>
      <label>
        {t('campaigns.margin')}
        <input type="number" min={0} max={100} step="0.01" value={d.margin} onChange={(e) => set({ margin: e.target.value })} />
      </label>
    </>
  );
}

/**
 * Edits a campaign's own fields (PATCH: only what the API accepts). The currency is read-only once
 * amounts are recorded in it; should that happen meanwhile, the API's 409 is shown and the campaign
 * reloaded so the lock appears.
 */
function EditCampaign({ workspace, campaign: c, onSaved, onCancel, onConflict }: { workspace: Workspace; campaign: CampaignDetail; onSaved: () => void; onCancel: () => void; onConflict: () => void }) {
  const { t } = useTranslation();
  const { client } = useApi();
  const lockId = useId();
  const locked = currencyLocked(c);
  const [d, setD] = useState<CampaignDraft>(() => ({
    name: c.name,
    objective: c.objective ?? '',
    startsOn: c.startsOn,
    endsOn: c.endsOn,
    currency: c.currency,
    budget: c.budgetMinor === null ? '' : minorToDecimal(c.budgetMinor, c.currency),
    status: c.status as CampaignStatus,
    utm: c.utmCampaign ?? '',
    margin: c.grossMarginPercent === null ? '' : String(c.grossMarginPercent),
  }));
  const [state, save] = useSave();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const currency = locked ? c.currency : d.currency.trim().toUpperCase();
    const budget = d.budget.trim() === '' ? null : amountOf(d.budget, currency);
    void save(async () => {
      if (typeof budget === 'string') throw new InputProblem(t('campaigns.badAmount', { field: t('campaigns.budget'), problem: budget }));
      try {
        await unwrap(
          client.api.v1.workspaces[':workspaceId'].campaigns[':campaignId'].$patch({
            param: { workspaceId: workspace.id, campaignId: c.id },
            json: {
              name: d.name,
              objective: d.objective.trim() === '' ? null : d.objective,
              startsOn: d.startsOn,
              endsOn: d.endsOn,
              // Sent only when it changes, so an unchanged currency never meets the lock.
              ...(currency === c.currency ? {} : { currency }),
              budgetMinor: budget,
              status: d.status,
              utmCampaign: d.utm.trim() === '' ? null : d.utm,
              grossMarginPercent: d.margin.trim() === '' ? null : Number(d.margin),
            },
          }),
        );
      } catch (err) {
        if (err instanceof ApiError && err.status === 409) onConflict();
        throw err;
      }
      onSaved();
    });
  };
  return (
    <form className="card campaign-form campaign-edit" onSubmit={submit} aria-label={t('campaigns.editCampaign')}>
      <fieldset disabled={state === 'saving'}>
        <CampaignFields value={d} onChange={setD} lockedCurrency={locked ? c.currency : undefined} lockId={lockId} budgetUnit />
        <button type="submit" className="button button-primary">
          {t('campaigns.saveCampaign')}
        </button>
        <button type="button" className="button button-quiet" onClick={onCancel}>
          {t('common.cancel')}
        </button>
      </fieldset>
      {locked && (
        <p id={lockId} className="muted">
          {t('campaigns.currencyLocked', { currency: c.currency })}
        </p>
      )}
      <FormStatus state={state} />
    </form>
  );
}

/**
 * The in-page confirm step of deleting a campaign (editors and above): names the campaign and what goes
 * with it (the API deletes plan, entries, post links, goals and the report schedules that mail it in
 * one transaction), then deletes it. A refusal shows the API's own words and keeps the step open.
 */
function DeleteCampaign({ workspace, campaign: c, onDeleted, onCancel }: { workspace: Workspace; campaign: CampaignDetail; onDeleted: () => void; onCancel: () => void }) {
  const { t } = useTranslation();
  const { client } = useApi();
  const [state, save] = useSave();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void save(async () => {
      try {
        await unwrap(client.api.v1.workspaces[':workspaceId'].campaigns[':campaignId'].$delete({ param: { workspaceId: workspace.id, campaignId: c.id } }));
      } catch (err) {
        // The API's own words (e.g. which role may not delete), not the generic line for its status.
        if (err instanceof ApiError && err.problem.detail) throw new InputProblem(err.problem.detail);
        throw err;
      }
      onDeleted();
    });
  };
  return (
    <form className="card campaign-form campaign-delete" onSubmit={submit} aria-label={t('campaigns.deleteCampaign')}>
      <p>
        <strong>{t('campaigns.deleteConfirm', { name: c.name })}</strong>
      </p>
      <p>{t('campaigns.deleteConsequence')}</p>
      <fieldset disabled={state === 'saving'}>
        <button type="submit" className="button button-danger">
          {t('campaigns.deleteSubmit')}
        </button>
        {/* Focus lands on the harmless choice, so a stray Enter does not delete. */}
        <button type="button" className="button button-quiet" onClick={onCancel} autoFocus>
          {t('common.cancel')}
        </button>
      </fieldset>
      {typeof state === 'object' && <FormStatus state={state} />}
    </form>
  );
}

function CampaignView({ workspace, campaignId, onBack }: { workspace: Workspace; campaignId: string; onBack: () => void }) {
  const { t, i18n } = useTranslation();
  const lng = i18n.language;
  const { client } = useApi();
  const api = client.api.v1.workspaces[':workspaceId'].campaigns[':campaignId'];
  const param = { workspaceId: workspace.id, campaignId };
  const campaign = useLoad(() => unwrap(api.$get({ param })), [client, workspace.id, campaignId]);
  const accounts = useLoad(() => unwrap(client.api.v1.workspaces[':workspaceId'].accounts.$get({ param: { workspaceId: workspace.id } })), [client, workspace.id]);
  const canEdit = editorRoles.has(workspace.role);
  const canSetGoals = goalRoles.has(workspace.role);
  const [goalRemoveState, saveGoalRemove] = useSave();
  const [line, setLine] = useState<LineDraft>(emptyLine);
  const [editing, setEditing] = useState(false);
  const [edited, setEdited] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [editLineId, setEditLineId] = useState<string | null>(null);
  const [lineRemoveState, saveLineRemove] = useSave();
  const [spend, setSpend] = useState({ day: '', amount: '', lineItemId: '' });
  const [conv, setConv] = useState({ day: '', count: '', value: '' });
  const [postId, setPostId] = useState('');
  const [lineState, saveLine] = useSave();
  const [spendState, saveSpend] = useSave();
  const [convState, saveConv] = useSave();
  const [postState, savePost] = useSave();
  const [removeState, saveRemove] = useSave();
  const [importState, saveImport] = useSave();
  const [importing, setImporting] = useState<File | null>(null);
  const [imported, setImported] = useState<{ spend: { created: number; unchanged: number }; conversions: { created: number; unchanged: number } } | null>(null);

  if (campaign.loading && !campaign.data) return <Loading />;
  if (campaign.error || !campaign.data) return <ErrorState error={campaign.error} onRetry={campaign.reload} />;
  const c = campaign.data;
  const cur = c.currency;
  const money = (v: number | null | undefined) => formatMinor(v, cur, lng);
  const kpiOf = <K extends Pick<CampaignKpi, 'definition'>>(list: K[], id: string) => list.find((k) => k.definition.id === id);
  const handle = new Map((accounts.data?.items ?? []).map((a) => [a.id, `${a.handle} (${a.network})`]));
  const editedLine = c.lineItems.find((l) => l.id === editLineId);
  const reportHref = (format: string) => `/api/v1/workspaces/${workspace.id}/campaigns/${c.id}/report?format=${format}`;

  const addLine = (e: FormEvent) => {
    e.preventDefault();
    const budget = amountOf(line.budget, cur);
    void saveLine(async () => {
      if (typeof budget === 'string') throw new InputProblem(t('campaigns.badAmount', { field: t('campaigns.plannedBudget'), problem: budget }));
      await unwrap(
        api['line-items'].$post({
          param,
          json: {
            placement: line.placement,
            accountId: line.accountId || null,
            plannedBudgetMinor: budget,
            plannedPosts: intOrNull(line.posts),
            plannedImpressions: intOrNull(line.impressions),
            plannedClicks: intOrNull(line.clicks),
            plannedConversions: intOrNull(line.conversions),
          },
        }),
      );
      setLine(emptyLine);
      campaign.reload();
    });
  };
  const addSpend = (e: FormEvent) => {
    e.preventDefault();
    const amount = amountOf(spend.amount, cur);
    void saveSpend(async () => {
      if (typeof amount === 'string') throw new InputProblem(t('campaigns.badAmount', { field: t('campaigns.amount'), problem: amount }));
      await unwrap(api.spend.$post({ param, json: { day: spend.day, amountMinor: amount, currency: cur, lineItemId: spend.lineItemId || null } }));
      setSpend({ day: '', amount: '', lineItemId: '' });
      campaign.reload();
    });
  };
  const addConversions = (e: FormEvent) => {
    e.preventDefault();
    const value = conv.value.trim() === '' ? null : amountOf(conv.value, cur);
    void saveConv(async () => {
      if (typeof value === 'string') throw new InputProblem(t('campaigns.badAmount', { field: t('campaigns.valueOptional'), problem: value }));
      await unwrap(api.conversions.$post({ param, json: { day: conv.day, count: Number(conv.count), ...(value === null ? {} : { valueMinor: value, currency: cur }) } }));
      setConv({ day: '', count: '', value: '' });
      campaign.reload();
    });
  };
  const removeGoal = (goalId: string) =>
    void saveGoalRemove(async () => {
      await unwrap(client.api.v1.workspaces[':workspaceId'].goals[':goalId'].$delete({ param: { workspaceId: workspace.id, goalId } }));
      campaign.reload();
    });
  const removeLine = (lineItemId: string) =>
    void saveLineRemove(async () => {
      await unwrap(api['line-items'][':lineItemId'].$delete({ param: { ...param, lineItemId } }));
      if (editLineId === lineItemId) setEditLineId(null);
      campaign.reload();
    });
  const removeEntry = (kind: 'spend' | 'conversions', entryId: string) =>
    void saveRemove(async () => {
      const param2 = { ...param, entryId };
      await unwrap(kind === 'spend' ? api.spend[':entryId'].$delete({ param: param2 }) : api.conversions[':entryId'].$delete({ param: param2 }));
      campaign.reload();
    });
  const unlink = (id: string) =>
    void saveRemove(async () => {
      await unwrap(api.posts[':postId'].$delete({ param: { ...param, postId: id } }));
      campaign.reload();
    });
  const importFile = (e: FormEvent) => {
    e.preventDefault();
    const file = importing;
    if (!file) return;
    setImported(null);
    void saveImport(async () => {
      const content = await readText(file);
      const format = file.name.toLowerCase().endsWith('.json') ? 'json' : 'csv';
      setImported(await unwrap(api.import.$post({ param, json: { format, content } })));
      campaign.reload();
    });
  };
  const linkPost = (e: FormEvent) => {
    e.preventDefault();
    void savePost(async () => {
      await unwrap(api.posts[':postId'].$put({ param: { ...param, postId: postId.trim() } }));
      setPostId('');
      campaign.reload();
    });
  };

  return (
    <div className="campaign-detail">
      <p>
        <button type="button" className="button button-quiet" onClick={onBack}>
          ← {t('campaigns.back')}
        </button>
      </p>
      <h2 className="campaign-name">{c.name}</h2>
      <p className="muted">
        {c.startsOn} – {c.endsOn} · {t(`campaigns.statuses.${c.status}`)} · {cur}
        {c.objective ? ` · ${c.objective}` : ''}
        {c.utmCampaign ? ` · utm_campaign=${c.utmCampaign}` : ''}
      </p>
      {canEdit && (
        <p>
          <button
            type="button"
            className="button"
            aria-expanded={editing}
            onClick={() => {
              setEdited(false);
              setEditing(!editing);
            }}
          >
            {t('campaigns.editCampaign')}
          </button>{' '}
          <button type="button" className="button button-quiet" aria-expanded={deleting} onClick={() => setDeleting(!deleting)}>
            {t('campaigns.deleteCampaign')}
          </button>{' '}
          {edited && <span role="status">{t('campaigns.campaignSaved')}</span>}
        </p>
      )}
      {canEdit && deleting && <DeleteCampaign workspace={workspace} campaign={c} onDeleted={onBack} onCancel={() => setDeleting(false)} />}
      {canEdit && editing && (
        <EditCampaign
          workspace={workspace}
          campaign={c}
          onSaved={() => {
            setEditing(false);
            setEdited(true);
            campaign.reload();
          }}
          onCancel={() => setEditing(false)}
          onConflict={campaign.reload}
        />
      )}
      <dl className="campaign-figures">
        <div>
          <dt>{t('campaigns.spend')}</dt>
          <dd>
            {money(c.spendMinor)} / {money(c.planned.budgetMinor)}
          </dd>
        </div>
        <div>
          <dt>{t('campaigns.revenue')}</dt>
          <dd>{money(c.revenueMinor)}</dd>
        </div>
        <div>
          <dt>{t('campaigns.conversions')}</dt>
          <dd>{num(c.conversions, lng)}</dd>
        </div>
        <div>
          <dt>{t('campaigns.roi')}</dt>
          <dd data-testid="campaign-roi">{formatRoi(c.roi, lng)}</dd>
        </div>
      </dl>
      <nav className="campaign-report" aria-label={t('campaigns.report')}>
        <a href={reportHref('html')} target="_blank" rel="noopener noreferrer">
          {t('campaigns.reportHtml')}
        </a>{' '}
        <a href={reportHref('pdf')}>{t('campaigns.reportPdf')}</a> <a href={reportHref('csv')}>{t('campaigns.reportCsv')}</a> <a href={reportHref('xlsx')}>{t('campaigns.reportXlsx')}</a>
      </nav>

      <Section title={t('campaigns.kpis')}>
        <KpiTable kpis={c.kpis} currency={cur} onRemoveGoal={canSetGoals ? removeGoal : undefined} removing={goalRemoveState === 'saving'} />
        {typeof goalRemoveState === 'object' && (
          <p role="alert" className="form-error">
            {goalRemoveState.error}
          </p>
        )}
        {canSetGoals ? <SetCampaignGoal workspace={workspace} campaign={c} onSaved={campaign.reload} /> : <p className="muted">{t('goals.adminsOnly')}</p>}
      </Section>

      <Section title={t('campaigns.planVsActual')}>
        {c.lineItems.length === 0 ? (
          <p>{t('campaigns.noLines')}</p>
        ) : (
          <table className="data-table campaign-plan">
            <thead>
              <tr>
                <th scope="col">{t('campaigns.line')}</th>
                <th scope="col">{t('campaigns.plannedBudget')}</th>
                <th scope="col">{t('campaigns.spend')}</th>
                <th scope="col">{t('campaigns.budgetUsed')}</th>
                <th scope="col">{t('campaigns.posts')}</th>
                <th scope="col">{t('campaigns.impressions')}</th>
                <th scope="col">{t('campaigns.clicks')}</th>
                <th scope="col">{t('campaigns.conversions')}</th>
                {canEdit && <th scope="col" />}
              </tr>
            </thead>
            <tbody>
              {c.lineItems.map((l) => {
                const used = kpiOf(l.kpis, 'campaign.plan.spend');
                return (
                  <tr key={l.id}>
                    <th scope="row">
                      {l.placement}
                      <span className="muted"> {l.accountId ? (handle.get(l.accountId) ?? l.network) : (l.network ?? '')}</span>
                    </th>
                    <td>{money(l.plannedBudgetMinor)}</td>
                    <td>{money(l.actual.spendMinor)}</td>
                    <td>{used ? formatKpi(used, cur, lng) : missing}</td>
                    <td>
                      {num(l.actual.posts, lng)} / {num(l.plannedPosts, lng)}
                    </td>
                    <td>
                      {num(l.actual.impressions, lng)} / {num(l.plannedImpressions, lng)}
                    </td>
                    <td>
                      {num(l.actual.clicks, lng)} / {num(l.plannedClicks, lng)}
                    </td>
                    <td>
                      {num(l.actual.conversions, lng)} / {num(l.plannedConversions, lng)}
                    </td>
                    {canEdit && (
                      <td className="campaign-row-actions">
                        <button type="button" className="button button-quiet" aria-expanded={editLineId === l.id} onClick={() => setEditLineId(l.id)}>
                          {t('campaigns.editLine')}
                        </button>
                        <button type="button" className="button button-quiet" disabled={lineRemoveState === 'saving'} onClick={() => removeLine(l.id)}>
                          {t('campaigns.removeLine')}
                        </button>
                      </td>
                    )}
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
        {typeof lineRemoveState === 'object' && (
          <p role="alert" className="form-error">
            {lineRemoveState.error}
          </p>
        )}
        {canEdit && editedLine && (
          <EditLine
            key={editedLine.id}
            line={editedLine}
            currency={cur}
            accounts={accounts.data?.items ?? []}
            save={(json) => unwrap(api['line-items'][':lineItemId'].$patch({ param: { ...param, lineItemId: editedLine.id }, json }))}
            onSaved={() => {
              setEditLineId(null);
              campaign.reload();
            }}
            onCancel={() => setEditLineId(null)}
          />
        )}
        {canEdit && (
          <form className="campaign-form" onSubmit={addLine} aria-label={t('campaigns.addLine')}>
            <fieldset disabled={lineState === 'saving'}>
              <LineFields value={line} onChange={setLine} accounts={accounts.data?.items ?? []} currency={cur} />
              <button type="submit" className="button">
                {t('campaigns.addLine')}
              </button>
            </fieldset>
            <FormStatus state={lineState} />
          </form>
        )}
      </Section>

      <Section title={t('campaigns.entries')}>
        {c.spendEntries.length === 0 && c.conversionEntries.length === 0 ? (
          <p>{t('campaigns.noEntries')}</p>
        ) : (
          <table className="data-table campaign-entries">
            <thead>
              <tr>
                <th scope="col">{t('campaigns.day')}</th>
                <th scope="col">{t('campaigns.spend')}</th>
                <th scope="col">{t('campaigns.conversions')}</th>
                <th scope="col">{t('campaigns.revenue')}</th>
                <th scope="col">{t('campaigns.source')}</th>
                {canEdit && <th scope="col" />}
              </tr>
            </thead>
            <tbody>
              {[
                ...c.spendEntries.map((s) => ({ key: s.id, kind: 'spend' as const, day: s.day, spend: s.amountMinor, count: null as number | null, value: null as number | null, source: s.source })),
                ...c.conversionEntries.map((x) => ({ key: x.id, kind: 'conversions' as const, day: x.day, spend: null as number | null, count: x.count, value: x.valueMinor, source: x.source })),
              ]
                .sort((a, b) => a.day.localeCompare(b.day))
                .map((r) => (
                  <tr key={r.key}>
                    <td>{r.day}</td>
                    <td>{r.spend === null ? '' : money(r.spend)}</td>
                    <td>{r.count === null ? '' : num(r.count, lng)}</td>
                    <td>{r.count === null ? '' : money(r.value)}</td>
                    <td>{t(`campaigns.sources.${r.source}`)}</td>
                    {canEdit && (
                      <td>
                        <button type="button" className="button button-quiet" disabled={removeState === 'saving'} onClick={() => removeEntry(r.kind, r.key)}>
                          {t('campaigns.removeEntry')}
                        </button>
                      </td>
                    )}
                  </tr>
                ))}
            </tbody>
          </table>
        )}
        {typeof removeState === 'object' && (
          <p role="alert" className="form-error">
            {removeState.error}
          </p>
        )}
        {canEdit && (
          <div className="campaign-entry-forms">
            <form className="campaign-form" onSubmit={addSpend} aria-label={t('campaigns.addSpend')}>
              <fieldset disabled={spendState === 'saving'}>
                <label>
                  {t('campaigns.day')}
                  <input type="date" required value={spend.day} onChange={(e) => setSpend({ ...spend, day: e.target.value })} />
                </label>
                <label>
                  {t('campaigns.amount')} ({cur})
                  <input type="text" inputMode="decimal" required value={spend.amount} onChange={(e) => setSpend({ ...spend, amount: e.target.value })} />
                </label>
                <label>
                  {t('campaigns.line')}
                  <select value={spend.lineItemId} onChange={(e) => setSpend({ ...spend, lineItemId: e.target.value })}>
                    <option value="">—</option>
                    {c.lineItems.map((l) => (
                      <option key={l.id} value={l.id}>
                        {l.placement}
                      </option>
                    ))}
                  </select>
                </label>
                <button type="submit" className="button">
                  {t('campaigns.addSpend')}
                </button>
              </fieldset>
              <FormStatus state={spendState} />
            </form>
            <form className="campaign-form" onSubmit={addConversions} aria-label={t('campaigns.addConversions')}>
              <fieldset disabled={convState === 'saving'}>
                <label>
                  {t('campaigns.day')}
                  <input type="date" required value={conv.day} onChange={(e) => setConv({ ...conv, day: e.target.value })} />
                </label>
                <label>
                  {t('campaigns.count')}
                  <input type="number" min={0} step={1} required value={conv.count} onChange={(e) => setConv({ ...conv, count: e.target.value })} />
                </label>
                <label>
                  {t('campaigns.valueOptional')} ({cur})
                  <input type="text" inputMode="decimal" value={conv.value} onChange={(e) => setConv({ ...conv, value: e.target.value })} />
                </label>
                <button type="submit" className="button">
                  {t('campaigns.addConversions')}
                </button>
              </fieldset>
              <FormStatus state={convState} />
            </form>
            <form className="campaign-form" onSubmit={importFile} aria-label={t('campaigns.importTitle')}>
              <fieldset disabled={importState === 'saving'}>
                <label>
                  {t('campaigns.importFile')}
                  <input type="file" accept=".csv,.json,text/csv,application/json" onChange={(e) => setImporting(e.target.files?.[0] ?? null)} />
                </label>
                <button type="submit" className="button" disabled={!importing}>
                  {t('campaigns.importSubmit')}
                </button>
              </fieldset>
              {imported && importState === 'saved' && (
                <p role="status">
                  {t('campaigns.importResult', { spendNew: imported.spend.created, spendOld: imported.spend.unchanged, convNew: imported.conversions.created, convOld: imported.conversions.unchanged })}
                </p>
              )}
              {typeof importState === 'object' && <FormStatus state={importState} />}
            </form>
          </div>
        )}
      </Section>

      <Section title={t('campaigns.linkedPosts')}>
        {c.posts.length === 0 ? (
          <p>{t('campaigns.noPosts')}</p>
        ) : (
          <table className="data-table campaign-posts">
            <thead>
              <tr>
                <th scope="col">{t('campaigns.published')}</th>
                <th scope="col">{t('campaigns.account')}</th>
                <th scope="col">{t('campaigns.posts')}</th>
                <th scope="col">{t('campaigns.impressions')}</th>
                <th scope="col">{t('campaigns.clicks')}</th>
                <th scope="col">{t('campaigns.linkedBy')}</th>
                {canEdit && <th scope="col" />}
              </tr>
            </thead>
            <tbody>
              {c.posts.map((p) => (
                <tr key={p.targetId}>
                  <td>{p.publishedAt ? new Date(p.publishedAt).toLocaleString(lng, { timeZone: workspace.timezone }) : t('campaigns.notPublished')}</td>
                  <td>{handle.get(p.accountId) ?? p.network}</td>
                  {/* Network text as a text node, never markup. */}
                  <td className="campaign-post-text">{p.text}</td>
                  <td>{num(p.impressions, lng)}</td>
                  <td>{num(p.clicks, lng)}</td>
                  <td>{p.linkedBy.map((k) => t(`campaigns.linkedByKinds.${k}`)).join(', ')}</td>
                  {canEdit && (
                    <td>
                      {p.linkedBy.includes('manual') && (
                        <button type="button" className="button button-quiet" disabled={removeState === 'saving'} onClick={() => unlink(p.postId)}>
                          {t('campaigns.unlinkPost')}
                        </button>
                      )}
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {canEdit && (
          <form className="campaign-form" onSubmit={linkPost} aria-label={t('campaigns.linkPost')}>
            <fieldset disabled={postState === 'saving'}>
              <label>
                {t('campaigns.postId')}
                <input type="text" required value={postId} onChange={(e) => setPostId(e.target.value)} />
              </label>
              <button type="submit" className="button">
                {t('campaigns.linkPost')}
              </button>
            </fieldset>
            <FormStatus state={postState} />
          </form>
        )}
      </Section>
    </div>
  );
}

function CreateCampaign({ workspace, onCreated }: { workspace: Workspace; onCreated: (id: string) => void }) {
  const { t } = useTranslation();
  const { client } = useApi();
  const [d, setD] = useState<CampaignDraft>({ name: '', objective: '', startsOn: '', endsOn: '', currency: 'EUR', budget: '', utm: '', margin: '' });
  const [state, save] = useSave();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const currency = d.currency.trim().toUpperCase();
    const budget = d.budget.trim() === '' ? null : amountOf(d.budget, currency);
    void save(async () => {
      if (typeof budget === 'string') throw new InputProblem(t('campaigns.badAmount', { field: t('campaigns.budget'), problem: budget }));
      const created = await unwrap(
        client.api.v1.workspaces[':workspaceId'].campaigns.$post({
          param: { workspaceId: workspace.id },
          json: { name: d.name, objective: d.objective || null, startsOn: d.startsOn, endsOn: d.endsOn, currency, budgetMinor: budget, utmCampaign: d.utm || null, grossMarginPercent: d.margin.trim() === '' ? null : Number(d.margin) },
        }),
      );
      onCreated(created.id);
    });
  };
  return (
    <form className="card campaign-form" onSubmit={submit} aria-label={t('campaigns.create')}>
      <h2>{t('campaigns.create')}</h2>
      <fieldset disabled={state === 'saving'}>
        <CampaignFields value={d} onChange={setD} />
        <button type="submit" className="button button-primary">
          {t('campaigns.createSubmit')}
        </button>
      </fieldset>
      <FormStatus state={state} />
    </form>
  );
}

/** The campaigns screen. */
export function CampaignsScreen({ workspace }: { workspace: Workspace }) {
  const { t } = useTranslation();
  const { client } = useApi();
  const [selected, setSelected] = useState<string | null>(() => (typeof window === 'undefined' ? null : new URLSearchParams(window.location.search).get('campaign')));
  const list = useLoad(() => unwrap(client.api.v1.workspaces[':workspaceId'].campaigns.$get({ param: { workspaceId: workspace.id } })), [client, workspace.id, selected]);
  const canEdit = editorRoles.has(workspace.role);
  const select = (id: string | null) => {
    setSelected(id);
    const p = new URLSearchParams(window.location.search);
    if (id) p.set('campaign', id);
    else p.delete('campaign');
    const q = p.toString();
    window.history.replaceState(window.history.state, '', `${window.location.pathname}${q ? `?${q}` : ''}`);
  };

  return (
    <div className="campaigns">
      <header className="screen-header">
        <h1>{t('campaigns.title')}</h1>
      </header>
      {selected ? (
        <CampaignView key={selected} workspace={workspace} campaignId={selected} onBack={() => select(null)} />
      ) : list.loading && !list.data ? (
        <Loading />
      ) : list.error || !list.data ? (
        <ErrorState error={list.error} onRetry={list.reload} />
      ) : (
        <>
          {list.data.items.length === 0 ? (
            <EmptyState>{t('campaigns.none')}</EmptyState>
          ) : (
            <CampaignSummaryTable
              items={list.data.items}
              showStatus
              className="data-table campaigns-list"
              name={(c) => (
                <button type="button" className="button-link" onClick={() => select(c.id)}>
                  {c.name}
                </button>
              )}
            />
          )}
          {canEdit ? <CreateCampaign workspace={workspace} onCreated={(id) => select(id)} /> : <p className="muted">{t('campaigns.editorsOnly')}</p>}
        </>
      )}
    </div>
  );
}
