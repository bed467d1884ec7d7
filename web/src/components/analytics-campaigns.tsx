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
import { CampaignSummaryTable } from './campaign-summary-table';

/** Campaigns of the period with their ROI. */
export function AnalyticsCampaigns({ workspace, period }: { workspace: Workspace; period: { from: string; to: string } }) {
  const { t } = useTranslation();
  const { client } = useApi();
  const list = useLoad(() => unwrap(client.api.v1.workspaces[':workspaceId'].campaigns.$get({ param: { workspaceId: workspace.id } })), [client, workspace.id]);
  const items = (list.data?.items ?? []).filter((c) => c.startsOn <= period.to && c.endsOn >= period.from);
  if (items.length === 0) return null;
  return (
    <section className="analytics-section analytics-campaigns card" aria-labelledby="analytics-campaigns">
      <h2 id="analytics-campaigns">{t('campaigns.title')}</h2>
      <CampaignSummaryTable
        items={items}
        name={(c) => {
          const href = `${workspacePath(workspace.id, 'campaigns')}?campaign=${encodeURIComponent(c.id)}`;
          return (
            <a
              href={href}
              onClick={(e) => {
                e.preventDefault();
                navigate(href);
              }}
            >
              {c.name}
            </a>
          );
        }}
      />
    </section>
  );
}
