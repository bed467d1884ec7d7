/**
 * Analytics response types taken from the typed client, so the dashboard follows the server's zod
 * schemas (a changed API breaks the web build instead of the browser).
 */
import type { InferResponseType } from 'hono/client';
import type { Api } from '../api/client';

type WorkspaceApi = Api['client']['api']['v1']['workspaces'][':workspaceId'];
type AnalyticsApi = WorkspaceApi['analytics'];

/** GET …/analytics/kpis */
export type AccountKpis = InferResponseType<AnalyticsApi['kpis']['$get'], 200>;
/** One KPI with its definition card, inputs, previous period and change. */
export type KpiEntry = AccountKpis['kpis'][number];
/** A definition card. */
export type KpiDefinitionCard = KpiEntry['definition'];
/** The inputs behind a value ("how is this calculated"). */
export type KpiInputsView = KpiEntry['inputs'];
/** The default definition over one content type's posts. */
export type ContentTypeKpi = AccountKpis['byContentType'][number];
/** GET …/analytics/best-times */
export type BestTimes = InferResponseType<AnalyticsApi['best-times']['$get'], 200>;
/** GET …/analytics/definitions */
export type KpiDefinitions = InferResponseType<AnalyticsApi['definitions']['$get'], 200>;
/** GET …/inbox-metrics */
export type InboxMetrics = InferResponseType<WorkspaceApi['inbox-metrics']['$get'], 200>;
/** GET …/accounts/{accountId}/metrics */
export type AccountMetrics = InferResponseType<WorkspaceApi['accounts'][':accountId']['metrics']['$get'], 200>;
