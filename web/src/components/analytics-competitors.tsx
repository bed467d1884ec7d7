/**
 * Competitors tab of the analytics screen: own accounts and watched public accounts side by side for
 * the dashboard's period and an engagement definition (followers, change, posting frequency, ER with
 * "how is this calculated", engagement per post), the watched list with add/remove for editors, and
 * one competitor's analysis — top posts, content types, hashtags, posting hours and promoted-post
 * suspicions with their evidence, called suspicions. Every figure is the API's; text from networks is
 * rendered as text, links only for http(s).
 */
import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { InferResponseType } from 'hono/client';
import { unwrap, type Api } from '../api/client';
import { useApi } from '../api/context';
import type { Account, Workspace } from '../api/types';
import { useLoad } from '../api/use-load';
import { formatDateTime } from '../i18n/format';
import { NetworkLink } from './inbox-network-text';
import { hourName, weekdayName } from './analytics-heatmap';
import { KpiChange, KpiValueText } from './kpi-card';
import { changeView, formatCount, formatDay, formatPercent } from './kpi-format';
import { definitionText } from './kpi-definition-text';
import { KpiHowCalculated } from './kpi-how-calculated';
import type { KpiDefinitionCard, KpiInputsView } from './kpi-types';
import { ErrorState, Loading, errorMessage } from './states';

type WorkspaceApi = Api['client']['api']['v1']['workspaces'][':workspaceId'];
/** GET …/competitors-comparison */
export type CompetitorComparison = InferResponseType<WorkspaceApi['competitors-comparison']['$get'], 200>;
/** One watched account. */
export type Competitor = InferResponseType<WorkspaceApi['competitors']['$get'], 200>['items'][number];
/** GET …/competitors/{id}/analysis */
export type CompetitorAnalysis = InferResponseType<WorkspaceApi['competitors'][':competitorId']['analysis']['$get'], 200>;

const editorRoles = new Set(['owner', 'admin', 'editor']);

/**
 * The ER inputs of a benchmark summary (sent as a plain record) as the KPI engine's inputs, when they
 * have that shape; null otherwise (then no breakdown is shown rather than a wrong one).
 */
export function benchmarkInputs(inputs: Record<string, unknown>): KpiInputsView | null {
  const numberOrNull = (k: string) => inputs[k] === null || typeof inputs[k] === 'number';
  const ok =
    typeof inputs.formula === 'string' &&
    typeof inputs.from === 'string' &&
    typeof inputs.to === 'string' &&
    typeof inputs.postsInPeriod === 'number' &&
    typeof inputs.postsCounted === 'number' &&
    ['numerator', 'denominator'].every(numberOrNull);
  if (!ok) return null;
  const defaults: KpiInputsView = {
    timeZone: '',
    from: '',
    to: '',
    formula: '',
    numerator: null,
    denominator: null,
    postsInPeriod: 0,
    postsCounted: 0,
    postsMissingCounts: 0,
    postsMissingDenominator: 0,
    sumOfValues: null,
    valuesCounted: null,
    days: null,
    daysMissingFollowers: null,
    daysMissingCounts: null,
    startFollowers: null,
    endFollowers: null,
    emptyReason: null,
  };
  return { ...defaults, ...(inputs as Partial<KpiInputsView>) };
}

function ComparisonTable({ data, definition }: { data: CompetitorComparison; definition: KpiDefinitionCard | undefined }) {
  const { t, i18n } = useTranslation();
  const lng = i18n.language;
  return (
    <table className="analytics-table analytics-comparison">
      <caption>{t('analytics.competitors.comparison', { from: formatDay(data.period.from, lng), to: formatDay(data.period.to, lng) })}</caption>
      <thead>
        <tr>
          <th scope="col">{t('analytics.competitors.account')}</th>
          <th scope="col">{t('analytics.competitors.followers')}</th>
          <th scope="col">{t('analytics.competitors.followersChange')}</th>
          <th scope="col">{t('analytics.competitors.posts')}</th>
          <th scope="col">{t('analytics.competitors.postsPerWeek')}</th>
          <th scope="col">{t('analytics.competitors.er', { definition: definition ? definitionText(definition, lng).label : data.definition.label })}</th>
          <th scope="col">{t('analytics.competitors.engagementPerPost')}</th>
        </tr>
      </thead>
      <tbody>
        {data.rows.map((r) => {
          const s = r.summary;
          const inputs = benchmarkInputs(s.er.inputs);
          return (
            <tr key={`${r.kind}:${r.id}`} data-row={`${r.kind}:${r.handle}`}>
              <th scope="row">
                {r.handle} <span className="muted">· {r.network}</span> <span className={`badge analytics-kind-${r.kind}`}>{t(`analytics.competitors.${r.kind}`)}</span>
              </th>
              <td>{formatCount(s.followers.end?.followers, lng)}</td>
              <td>
                <KpiChange view={changeView({ absolute: s.followers.change, percent: s.followers.changePercent }, 'followers', lng)} />
              </td>
              <td>
                {formatCount(s.posts, lng)}
                {s.reposts > 0 && <span className="muted"> ({t('analytics.competitors.reposts', { count: s.reposts })})</span>}
              </td>
              <td>{formatCount(s.postsPerWeek, lng)}</td>
              <td>
                <KpiValueText value={s.er.value} unit="percent" />
                {definition && inputs && <KpiHowCalculated definition={definition} network={r.network} workspaceZone={data.timeZone} inputs={inputs} />}
              </td>
              <td>{formatCount(s.engagementPerPost, lng)}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function AnalysisView({ workspaceId, competitor, period, definitionId, onClose }: { workspaceId: string; competitor: Competitor; period: { from: string; to: string }; definitionId: string; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const lng = i18n.language;
  const { client } = useApi();
  const headingId = useId();
  const analysis = useLoad(
    () =>
      unwrap(
        client.api.v1.workspaces[':workspaceId'].competitors[':competitorId'].analysis.$get({
          param: { workspaceId, competitorId: competitor.id },
          query: { from: period.from, to: period.to, definitionId },
        }),
      ),
    [client, workspaceId, competitor.id, period.from, period.to, definitionId],
  );
  const a = analysis.data;
  return (
    <section className="card analytics-competitor" aria-labelledby={headingId}>
      <div className="analytics-competitor-head">
        <h3 id={headingId}>{t('analytics.competitors.analysis', { handle: competitor.handle })}</h3>
        <button type="button" className="button button-quiet" onClick={onClose}>
          {t('analytics.competitors.close')}
        </button>
      </div>
      {analysis.loading && !a ? (
        <Loading />
      ) : analysis.error || !a ? (
        <ErrorState error={analysis.error} onRetry={analysis.reload} />
      ) : (
        <>
          {a.followersApproximated.posts > 0 && <p className="muted">{t('analytics.competitors.approximated', { count: a.followersApproximated.posts })}</p>}

          <h4>{t('analytics.competitors.suspicions')}</h4>
          <p className="muted">{t('analytics.competitors.suspicionsNote')}</p>
          {a.promotion.norm && (
            <p className="muted">
              {t('analytics.competitors.norm', { posts: a.promotion.norm.posts, median: formatPercent(a.promotion.norm.median * 100, lng, 1), threshold: formatPercent(a.promotion.norm.threshold * 100, lng, 1) })}
            </p>
          )}
          {a.promotion.notJudgedPosts > 0 && <p className="muted">{t('analytics.competitors.notJudged', { count: a.promotion.notJudgedPosts })}</p>}
          {a.promotion.suspicions.length === 0 ? (
            <p>{t('analytics.competitors.noSuspicions')}</p>
          ) : (
            <ul className="plain-list analytics-suspicions" aria-label={t('analytics.competitors.suspicions')}>
              {a.promotion.suspicions.map((s) => (
                <li key={s.postId} className="analytics-suspicion">
                  <p className="analytics-post-text">{s.text}</p>
                  <p>
                    {t('analytics.competitors.gained', { at24: formatCount(s.engagementAt24h, lng), later: formatCount(s.engagementLater, lng), share: formatPercent(s.shareAfter24h * 100, lng, 1) })}
                  </p>
                  <details>
                    <summary>{t('analytics.competitors.evidence')}</summary>
                    <p lang="en">{s.evidence}</p>
                  </details>
                  <p className="muted">
                    <time dateTime={s.publishedAt}>{formatDateTime(s.publishedAt, lng, a.timeZone)}</time> · <NetworkLink href={s.url}>{t('analytics.competitors.openPost')}</NetworkLink>
                  </p>
                </li>
              ))}
            </ul>
          )}

          <h4>{t('analytics.competitors.topPosts')}</h4>
          {a.summary.topPosts.length === 0 ? (
            <p className="muted">{t('analytics.competitors.nothing')}</p>
          ) : (
            <ol className="analytics-top-posts" aria-label={t('analytics.competitors.topPosts')}>
              {a.summary.topPosts.map((p) => (
                <li key={p.id}>
                  <p className="analytics-post-text">{p.text}</p>
                  <p className="muted">
                    {t(`analytics.contentTypes.${p.contentType}`, { defaultValue: p.contentType })} · {t('analytics.competitors.engagement', { value: formatCount(p.engagement, lng) })} ·{' '}
                    <time dateTime={p.publishedAt}>{formatDateTime(p.publishedAt, lng, a.timeZone)}</time> · <NetworkLink href={p.url}>{t('analytics.competitors.openPost')}</NetworkLink>
                  </p>
                </li>
              ))}
            </ol>
          )}

          <div className="analytics-competitor-grid">
            <table className="analytics-table">
              <caption>{t('analytics.competitors.contentMix')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('analytics.contentTypeTable.type')}</th>
                  <th scope="col">{t('analytics.competitors.posts')}</th>
                  <th scope="col">{t('analytics.competitors.share')}</th>
                  <th scope="col">{t('analytics.competitors.engagementPerPost')}</th>
                </tr>
              </thead>
              <tbody>
                {a.summary.contentMix.map((c) => (
                  <tr key={c.contentType}>
                    <th scope="row">{t(`analytics.contentTypes.${c.contentType}`, { defaultValue: c.contentType })}</th>
                    <td>{formatCount(c.posts, lng)}</td>
                    <td>{formatPercent(c.share * 100, lng, 1)}</td>
                    <td>{formatCount(c.engagementPerPost, lng)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <table className="analytics-table">
              <caption>{t('analytics.competitors.hashtags')}</caption>
              <thead>
                <tr>
                  <th scope="col">#</th>
                  <th scope="col">{t('analytics.competitors.hashtagPosts')}</th>
                  <th scope="col">{t('analytics.competitors.hashtagEngagement')}</th>
                </tr>
              </thead>
              <tbody>
                {a.summary.hashtags.map((h) => (
                  <tr key={h.tag}>
                    <th scope="row">#{h.tag}</th>
                    <td>{formatCount(h.posts, lng)}</td>
                    <td>{formatCount(h.engagement, lng)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <table className="analytics-table">
              <caption>{t('analytics.competitors.postingHours')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('analytics.heatmap.weekday')}</th>
                  <th scope="col">{t('analytics.heatmap.hour')}</th>
                  <th scope="col">{t('analytics.competitors.posts')}</th>
                </tr>
              </thead>
              <tbody>
                {[...a.summary.postingHours]
                  .sort((x, y) => y.posts - x.posts || x.weekday - y.weekday || x.hour - y.hour)
                  .slice(0, 10)
                  .map((h) => (
                    <tr key={`${h.weekday}|${h.hour}`}>
                      <th scope="row">{weekdayName(h.weekday, lng)}</th>
                      <td>{hourName(h.hour, lng)}</td>
                      <td>{formatCount(h.posts, lng)}</td>
                    </tr>
                  ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}

function AddCompetitorForm({ workspaceId, networks, onAdded }: { workspaceId: string; networks: string[]; onAdded: (c: Competitor) => void }) {
  const { t } = useTranslation();
  const { client } = useApi();
  const [network, setNetwork] = useState(networks[0] ?? '');
  const [handle, setHandle] = useState('');
  const [state, setState] = useState<'idle' | 'saving' | { added: string } | { error: string; field?: string }>('idle');
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (state === 'saving') return;
    setState('saving');
    try {
      const added = await unwrap(client.api.v1.workspaces[':workspaceId'].competitors.$post({ param: { workspaceId }, json: { network, handle } }));
      setHandle('');
      setState({ added: added.handle });
      onAdded(added);
    } catch (err) {
      setState({ error: errorMessage(err, t) });
    }
  };
  return (
    <form className="analytics-add-competitor" aria-label={t('analytics.competitors.add')} onSubmit={(e) => void submit(e)}>
      <label className="field">
        <span className="field-label">{t('analytics.competitors.network')}</span>
        <select value={network} onChange={(e) => setNetwork(e.target.value)}>
          {networks.map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </select>
      </label>
      <label className="field">
        <span className="field-label">{t('analytics.competitors.handle')}</span>
        <input value={handle} required onChange={(e) => setHandle(e.target.value)} aria-invalid={typeof state === 'object' && 'error' in state ? true : undefined} />
      </label>
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={state === 'saving' || !handle.trim()}>
          {state === 'saving' ? t('analytics.competitors.adding') : t('analytics.competitors.add')}
        </button>
      </div>
      {typeof state === 'object' && 'error' in state && (
        <p className="field-error" role="alert">
          {state.error}
        </p>
      )}
      {typeof state === 'object' && 'added' in state && <p role="status">{t('analytics.competitors.added', { handle: state.added })}</p>}
    </form>
  );
}

/** The competitors tab. */
export function AnalyticsCompetitors({
  workspace,
  accounts,
  period,
  definitions,
  defaultDefinitionId,
}: {
  workspace: Workspace;
  accounts: readonly Account[];
  period: { from: string; to: string };
  definitions: readonly KpiDefinitionCard[];
  defaultDefinitionId: string;
}) {
  const { t, i18n } = useTranslation();
  const lng = i18n.language;
  const { client } = useApi();
  const ws = client.api.v1.workspaces[':workspaceId'];
  const ratios = definitions.filter((d) => d.formula === 'ratio');
  const [definitionId, setDefinitionId] = useState(defaultDefinitionId);
  const [open, setOpen] = useState<string | null>(null);
  const [removing, setRemoving] = useState<{ id: string; error?: string } | null>(null);
  const list = useLoad(() => unwrap(ws.competitors.$get({ param: { workspaceId: workspace.id } })), [client, workspace.id]);
  const comparison = useLoad(
    () => unwrap(ws['competitors-comparison'].$get({ param: { workspaceId: workspace.id }, query: { from: period.from, to: period.to, definitionId } })),
    [client, workspace.id, period.from, period.to, definitionId, list.data],
  );
  const canManage = editorRoles.has(workspace.role);
  // The server accepts networks the workspace has an account on (imported history counts too).
  const networks = [...new Set(accounts.map((a) => a.network))].sort();
  const opened = list.data?.items.find((c) => c.id === open) ?? null;

  const remove = async (c: Competitor) => {
    if (!window.confirm(t('analytics.competitors.removeConfirm', { handle: c.handle }))) return;
    setRemoving({ id: c.id });
    try {
      await unwrap(ws.competitors[':competitorId'].$delete({ param: { workspaceId: workspace.id, competitorId: c.id } }));
      if (open === c.id) setOpen(null);
      setRemoving(null);
      list.reload();
    } catch (e) {
      setRemoving({ id: c.id, error: errorMessage(e, t) });
    }
  };

  return (
    <div className="analytics-competitors">
      <label className="field analytics-competitors-definition">
        <span className="field-label">{t('analytics.competitors.definition')}</span>
        <select value={definitionId} onChange={(e) => setDefinitionId(e.target.value)}>
          {ratios.map((d) => (
            <option key={d.id} value={d.id}>
              {d.id === defaultDefinitionId ? t('analytics.workspaceDefault', { label: definitionText(d, lng).label }) : definitionText(d, lng).label} — {d.vendor}
            </option>
          ))}
        </select>
      </label>
      {comparison.loading && !comparison.data ? (
        <Loading />
      ) : comparison.error || !comparison.data ? (
        <ErrorState error={comparison.error} onRetry={comparison.reload} />
      ) : (
        <ComparisonTable data={comparison.data} definition={definitions.find((d) => d.id === comparison.data!.definition.id)} />
      )}

      <h3>{t('analytics.competitors.list')}</h3>
      {list.loading && !list.data ? (
        <Loading />
      ) : list.error || !list.data ? (
        <ErrorState error={list.error} onRetry={list.reload} />
      ) : list.data.items.length === 0 ? (
        <p className="muted">{t('analytics.competitors.empty')}</p>
      ) : (
        <ul className="plain-list analytics-competitor-list" aria-label={t('analytics.competitors.list')}>
          {list.data.items.map((c) => (
            <li key={c.id}>
              <span className="analytics-competitor-name">
                {c.displayName ? `${c.displayName} (${c.handle})` : c.handle} <span className="muted">· {c.network}</span>
              </span>{' '}
              <span className="muted">{c.collectedAt ? t('analytics.competitors.collectedAt', { at: formatDateTime(c.collectedAt, lng, workspace.timezone) }) : t('analytics.competitors.notCollected')}</span>
              {c.lastError && <span className="field-error"> {t('analytics.competitors.lastError', { error: c.lastError })}</span>}
              <span className="analytics-competitor-actions">
                <button type="button" className="button button-quiet" aria-expanded={open === c.id} onClick={() => setOpen(open === c.id ? null : c.id)}>
                  {t('analytics.competitors.details', { handle: c.handle })}
                </button>
                {canManage && (
                  <button type="button" className="button button-quiet button-danger" disabled={removing?.id === c.id && !removing.error} onClick={() => void remove(c)}>
                    {t('analytics.competitors.remove', { handle: c.handle })}
                  </button>
                )}
              </span>
              {removing?.id === c.id && removing.error && (
                <span className="field-error" role="alert">
                  {removing.error}
                </span>
              )}
            </li>
          ))}
        </ul>
      )}
      {opened && <AnalysisView key={opened.id} workspaceId={workspace.id} competitor={opened} period={period} definitionId={definitionId} onClose={() => setOpen(null)} />}
      {canManage && networks.length > 0 && (
        <>
          <h3>{t('analytics.competitors.add')}</h3>
          <AddCompetitorForm workspaceId={workspace.id} networks={networks} onAdded={() => list.reload()} />
        </>
      )}
    </div>
  );
}
