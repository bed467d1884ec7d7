/**
 * Goals on the analytics dashboard: the goals that apply to the chosen account (its own and the
 * workspace-wide ones) and, for admins and owners, a form to set one for a KPI definition and period
 * and a button to remove one. The KPI cards show each goal's progress (KpiGoal).
 */
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { unwrap } from '../api/client';
import { useApi } from '../api/context';
import type { Workspace } from '../api/types';
import { useLoad } from '../api/use-load';
import { ErrorState, Loading, errorMessage } from './states';
import type { KpiDefinitionCard } from './kpi-types';
import { definitionText } from './kpi-definition-text';

const adminRoles = new Set(['owner', 'admin']);

/** The goals section. */
export function AnalyticsGoals({ workspace, accountId, period, definitions, onChanged }: { workspace: Workspace; accountId: string; period: { from: string; to: string }; definitions: KpiDefinitionCard[]; onChanged: () => void }) {
  const { t, i18n } = useTranslation();
  const { client } = useApi();
  const api = client.api.v1.workspaces[':workspaceId'].goals;
  const goals = useLoad(() => unwrap(api.$get({ param: { workspaceId: workspace.id }, query: { accountId } })), [client, workspace.id, accountId]);
  const canManage = adminRoles.has(workspace.role);
  const [d, setD] = useState({ definitionId: definitions[0]?.id ?? '', target: '', direction: 'at_least', scope: 'account', from: period.from, to: period.to });
  const [state, setState] = useState<'idle' | 'saving' | { error: string }>('idle');
  const label = (id: string) => {
    const def = definitions.find((x) => x.id === id);
    return def ? definitionText(def, i18n.language).label : id;
  };
  const run = async (fn: () => Promise<unknown>) => {
    setState('saving');
    try {
      await fn();
      setState('idle');
      goals.reload();
      onChanged();
    } catch (e) {
      setState({ error: errorMessage(e, t) });
    }
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void run(() =>
      unwrap(api.$post({ param: { workspaceId: workspace.id }, json: { definitionId: d.definitionId, target: Number(d.target), direction: d.direction, from: d.from, to: d.to, accountId: d.scope === 'account' ? accountId : null } })),
    );
  };
  return (
    <section className="analytics-section analytics-goals card" aria-labelledby="analytics-goals">
      <h2 id="analytics-goals">{t('goals.title')}</h2>
      {goals.loading && !goals.data ? (
        <Loading />
      ) : goals.error || !goals.data ? (
        <ErrorState error={goals.error} onRetry={goals.reload} />
      ) : goals.data.items.length === 0 ? (
        <p>{t('goals.none')}</p>
      ) : (
        <table className="data-table">
          <thead>
            <tr>
              <th scope="col">{t('goals.kpi')}</th>
              <th scope="col">{t('goals.target')}</th>
              <th scope="col">{t('goals.scope')}</th>
              <th scope="col">
                {t('goals.from')} – {t('goals.to')}
              </th>
              {canManage && <th scope="col" />}
            </tr>
          </thead>
          <tbody>
            {goals.data.items.map((g) => (
              <tr key={g.id}>
                <th scope="row">{label(g.definitionId)}</th>
                <td>
                  {t(`goals.directions.${g.direction}`)} {g.target}
                </td>
                <td>{g.scope === 'account' ? t('goals.thisAccount') : t('goals.workspace')}</td>
                <td>
                  {g.from} – {g.to}
                </td>
                {canManage && (
                  <td>
                    <button type="button" className="button button-quiet" onClick={() => void run(() => unwrap(api[':goalId'].$delete({ param: { workspaceId: workspace.id, goalId: g.id } })))}>
                      {t('goals.remove')}
                    </button>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {canManage ? (
        <form onSubmit={submit} aria-label={t('goals.add')} className="goal-form">
          <fieldset disabled={state === 'saving'}>
            <label>
              {t('goals.kpi')}
              <select value={d.definitionId} onChange={(e) => setD({ ...d, definitionId: e.target.value })}>
                {definitions.map((def) => (
                  <option key={def.id} value={def.id}>
                    {definitionText(def, i18n.language).label}
                  </option>
                ))}
              </select>
            </label>
            <label>
              {t('goals.direction')}
              <select value={d.direction} onChange={(e) => setD({ ...d, direction: e.target.value })}>
                <option value="at_least">{t('goals.directions.at_least')}</option>
                <option value="at_most">{t('goals.directions.at_most')}</option>
              </select>
            </label>
            <label>
              {t('goals.target')}
              <input type="number" step="any" required value={d.target} onChange={(e) => setD({ ...d, target: e.target.value })} />
            </label>
            <label>
              {t('goals.scope')}
              <select value={d.scope} onChange={(e) => setD({ ...d, scope: e.target.value })}>
                <option value="account">{t('goals.thisAccount')}</option>
                <option value="workspace">{t('goals.workspace')}</option>
              </select>
            </label>
            <label>
              {t('goals.from')}
              <input type="date" required value={d.from} onChange={(e) => setD({ ...d, from: e.target.value })} />
            </label>
            <label>
              {t('goals.to')}
              <input type="date" required value={d.to} onChange={(e) => setD({ ...d, to: e.target.value })} />
            </label>
            <button type="submit" className="button">
              {t('goals.add')}
            </button>
          </fieldset>
          {typeof state === 'object' && (
            <p role="alert" className="form-error">
              {state.error}
            </p>
          )}
        </form>
      ) : (
        <p className="muted">{t('goals.adminsOnly')}</p>
      )}
    </section>
  );
}
