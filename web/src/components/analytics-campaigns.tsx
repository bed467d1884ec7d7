/**
 * "ROI where campaign data exists" on the analytics dashboard: the workspace's campaigns whose dates
 * overlap the chosen period, with spend, revenue and ROI as the campaigns API computes them (empty,
 * never 0, without spend or revenue), each linking to the campaign. Nothing shows when no campaign
 * overlaps the period.
 */
import { useTranslation } from 'react-i18next';
import { unwrap } from '../api/client';
import { useApi } from '../api/context';
import type { Workspace } from '../api/types';
import { useLoad } from '../api/use-load';
import { navigate, workspacePath } from '../router';
import { formatMinor } from './money-format';

/** Campaigns of the period with their ROI. */
export function AnalyticsCampaigns({ workspace, period }: { workspace: Workspace; period: { from: string; to: string } }) {
  const { t, i18n } = useTranslation();
  const lng = i18n.language;
  const { client } = useApi();
  const list = useLoad(() => unwrap(client.api.v1.workspaces[':workspaceId'].campaigns.$get({ param: { workspaceId: workspace.id } })), [client, workspace.id]);
  const items = (list.data?.items ?? []).filter((c) => c.startsOn <= period.to && c.endsOn >= period.from);
  if (items.length === 0) return null;
  return (
    <section className="analytics-section analytics-campaigns card" aria-labelledby="analytics-campaigns">
      <h2 id="analytics-campaigns">{t('campaigns.title')}</h2>
      <table className="data-table">
        <thead>
          <tr>
            <th scope="col">{t('campaigns.name')}</th>
            <th scope="col">{t('campaigns.period')}</th>
            <th scope="col">{t('campaigns.spend')}</th>
            <th scope="col">{t('campaigns.revenue')}</th>
            <th scope="col">{t('campaigns.roi')}</th>
          </tr>
        </thead>
        <tbody>
          {items.map((c) => {
            const href = `${workspacePath(workspace.id, 'campaigns')}?campaign=${encodeURIComponent(c.id)}`;
            return (
              <tr key={c.id} data-campaign={c.id}>
                <th scope="row">
                  <a
                    href={href}
                    onClick={(e) => {
                      e.preventDefault();
                      navigate(href);
                    }}
                  >
                    {c.name}
                  </a>
                </th>
                <td>
                  {c.startsOn} – {c.endsOn}
                </td>
                <td>{formatMinor(c.spendMinor, c.currency, lng)}</td>
                <td>{formatMinor(c.revenueMinor, c.currency, lng)}</td>
                <td>{c.roi === null ? '—' : `${new Intl.NumberFormat(lng, { maximumFractionDigits: 6 }).format(c.roi)} %`}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}
