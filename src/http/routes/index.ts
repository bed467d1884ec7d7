/**
 * The route-module registry: every module exports `register<Name>Routes(app, services)` and is listed
 * here once. A module should return the result of its chained `app.openapi(...)` calls so that the
 * typed client (`hc<HeraldApp>`) learns its routes; returning nothing still registers them.
 */
import { registerHealthRoutes } from './health.routes';
import { registerAuthRoutes } from './auth.routes';
import { registerWorkspaceRoutes } from './workspaces.routes';
import { registerMemberRoutes } from './members.routes';
import { registerTokenRoutes } from './tokens.routes';
import { registerNetworkRoutes } from './networks.routes';
import { registerAccountRoutes } from './accounts.routes';
import { registerPostRoutes } from './posts.routes';
import { registerWebhookRoutes } from './webhooks.routes';
import { registerPostingSlotRoutes } from './posting-slots.routes';
import { registerInvitationRoutes } from './invitations.routes';
import { registerOAuthRoutes } from './oauth.routes';
import { registerInboxRoutes } from './inbox.routes';
import { registerMetricsRoutes } from './metrics.routes';
import { registerCalendarRoutes } from './calendar.routes';
import { registerAnalyticsRoutes } from './analytics.routes';
import { registerListeningRoutes } from './listening.routes';
import { registerCompetitorRoutes } from './competitors.routes';
import { registerReportRoutes } from './reports.routes';
import { registerHashtagSetRoutes } from './hashtag-sets.routes';
import { registerCampaignRoutes } from './campaigns.routes';
import { registerGoalRoutes } from './goals.routes';

/** Every route module, in registration order. Append one line per module. */
export const routeModules = [
  registerHealthRoutes,
  registerAuthRoutes,
  registerWorkspaceRoutes,
  registerMemberRoutes,
  registerTokenRoutes,
  registerNetworkRoutes,
  registerAccountRoutes,
  registerPostRoutes,
  registerWebhookRoutes,
  registerPostingSlotRoutes,
  registerInvitationRoutes,
  registerOAuthRoutes,
  registerInboxRoutes,
  registerMetricsRoutes,
  registerCalendarRoutes,
  registerAnalyticsRoutes,
  registerListeningRoutes,
  registerCompetitorRoutes,
  registerReportRoutes,
  registerHashtagSetRoutes,
  registerCampaignRoutes,
  registerGoalRoutes,
] as const;
