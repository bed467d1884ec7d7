/**
 * `herald import metrics`: loads history from another tool (or a test fixture) into the tables the
 * collection jobs fill — accounts, posts/post_targets, account_metrics, post_metrics — plus each
 * post's content type and hashtags, then rebuilds the rollups of every account it touched.
 *
 * Idempotent: accounts match by (network, external id), posts by (account, external id), snapshots by
 * (account, instant) and observations by (post, instant); a re-import adds nothing and corrects counts
 * that changed. An account not connected in the workspace is added as `disconnected` with the reason
 * "Imported history", without credentials: nothing publishes or collects from it until someone
 * connects it. Imported posts are `published` targets authored by the importing user; a post that
 * already exists (published by Herald or imported before) keeps its text and time.
 */
import type { AccountRow } from '../db/schema';
import { ForbiddenError, ValidationError } from '../domain/errors';
import { newId } from '../domain/ids';
import { assertCan } from '../policies/policy';
import {
  findAccountByNetworkId,
  findTargetByExternalId,
  insertAccountRow,
  insertObservations,
  insertPostWithTarget,
  insertSnapshots,
  observationCounts,
  observationsOfTargets,
  snapshotsOfAccounts,
  updateObservation,
  updateSnapshot,
  upsertPostContent,
} from '../repositories/analytics.repository';
import { findWorkspace } from '../repositories/workspaces.repository';
import type { UseCaseContext } from '../server/services';
import { metricColumn, postMetricNames } from '../analytics/analytics-metrics';
import { accountRef, hashtagsIn, parseMetricsImport, type ImportProblem } from '../analytics/import-format';
import { refreshRollups, type RefreshRollupsResult } from '../analytics/rollups';
import { policyActor } from './workspaces.use-case';

/** Created / updated / unchanged counts of one kind of record. */
export interface ImportTally {
  created: number;
  updated: number;
  unchanged: number;
}

/** What an import did. */
export interface MetricsImportReport {
  /** Accounts added as imported, and accounts that already existed in the workspace. */
  accounts: { created: number; matched: number };
  /** Posts added, and posts that already existed (kept as they were). */
  posts: { created: number; matched: number };
  contentTypes: ImportTally;
  followerSnapshots: ImportTally;
  observations: ImportTally;
  rollups: RefreshRollupsResult[];
}

/** Status reason of accounts that exist only through an import. */
export const importedAccountReason = 'Imported history: not connected (connect the account to publish and collect metrics)';

const tally = (): ImportTally => ({ created: 0, updated: 0, unchanged: 0 });

/** Imports a metrics file (its text) into the workspace. Needs `accounts.manage` (admins and owners). */
export async function importMetrics(ctx: UseCaseContext, text: string): Promise<MetricsImportReport> {
  const actor = await policyActor(ctx);
  if (actor) assertCan(actor, 'accounts.manage');
  if (ctx.actor.kind !== 'user') throw new ForbiddenError('Imports are made by a person: imported posts need an author');
  const authorId = ctx.actor.userId;
  const file = parseMetricsImport(text);
  const workspace = await findWorkspace(ctx.db, ctx.workspaceId);
  if (!workspace) throw new ValidationError('The workspace does not exist');
  const services = ctx.services;
  const report: MetricsImportReport = {
    accounts: { created: 0, matched: 0 },
    posts: { created: 0, matched: 0 },
    contentTypes: tally(),
    followerSnapshots: tally(),
    observations: tally(),
    rollups: [],
  };

  const touched = new Set<string>();
  await ctx.db.transaction().execute(async (trx) => {
    const nowIso = services.now().toISOString();
    const accounts = new Map<string, AccountRow>();
    for (const a of file.accounts) {
      let row = await findAccountByNetworkId(trx, ctx.workspaceId, a.network, a.externalId);
      if (row) report.accounts.matched += 1;
      else {
        row = {
          id: newId(),
          workspace_id: ctx.workspaceId,
          network: a.network,
          external_id: a.externalId,
          handle: a.handle,
          display_name: a.displayName ?? null,
          service_url: null,
          status: 'disconnected',
          status_reason: importedAccountReason,
          credentials_enc: '',
          session_enc: null,
          created_at: nowIso,
          updated_at: nowIso,
          removed_at: null,
          token_expires_at: null,
          expiry_warned: null,
          inbound_cursor: null,
          inbound_synced_at: null,
          metrics_synced_at: null,
          network_limits: null,
        };
        await insertAccountRow(trx, row);
        report.accounts.created += 1;
      }
      accounts.set(accountRef(a), row);
      touched.add(row.id);
    }

    // Post targets by account ref + external id: those in the file, then any already stored.
    const targets = new Map<string, string>();
    const targetKey = (ref: string, externalId: string) => `${ref}\u0000${externalId}`;
    for (const p of file.posts) {
      const account = accounts.get(p.account)!;
      const existing = await findTargetByExternalId(trx, account.id, p.externalId);
      let targetId = existing?.id;
      if (targetId) report.posts.matched += 1;
      else {
        targetId = newId();
        const postId = newId();
        const publishedAt = new Date(p.publishedAt).toISOString();
        await insertPostWithTarget(
          trx,
          { id: postId, workspace_id: ctx.workspaceId, author_id: authorId, timezone: workspace.timezone, scheduled_local: null, scheduled_at: null, created_at: nowIso, updated_at: nowIso, deleted_at: null },
          {
            id: targetId,
            post_id: postId,
            workspace_id: ctx.workspaceId,
            account_id: account.id,
            network: account.network,
            state: 'published',
            text: p.text ?? '',
            link: null,
            langs: '[]',
            scheduled_at: null,
            version: 1,
            attempts: 0,
            next_attempt_at: null,
            lease_owner: null,
            lease_until: null,
            last_error_kind: null,
            last_error_message: null,
            external_id: p.externalId,
            external_url: p.url ?? null,
            published_at: publishedAt,
            created_at: nowIso,
            updated_at: nowIso,
            extras: '{}',
          },
        );
        report.posts.created += 1;
      }
      targets.set(targetKey(p.account, p.externalId), targetId);
      const hashtags = p.hashtags ?? hashtagsIn(p.text ?? '');
      const r = await upsertPostContent(trx, {
        target_id: targetId,
        workspace_id: ctx.workspaceId,
        account_id: account.id,
        content_type: p.contentType,
        hashtags: JSON.stringify(hashtags.map((h) => h.replace(/^#/, ''))),
        updated_at: nowIso,
      });
      report.contentTypes[r] += 1;
    }

    const problems: ImportProblem[] = [];
    for (const [i, o] of file.observations.entries()) {
      const key = targetKey(o.account, o.post);
      if (targets.has(key)) continue;
      const stored = await findTargetByExternalId(trx, accounts.get(o.account)!.id, o.post);
      if (stored) targets.set(key, stored.id);
      else problems.push({ path: `observations[${i}].post`, code: 'unknown_post', message: `no post "${o.post}" of "${o.account}" in posts or already imported` });
    }
    if (problems.length) throw new ValidationError(`The metrics file has ${problems.length} problem${problems.length === 1 ? '' : 's'}: ${problems.slice(0, 3).map((p) => `${p.path}: ${p.message}`).join('; ')}`, problems.slice(0, 50));

    const storedSnapshots = new Map<string, { id: string; followers: number | null; following: number | null; posts_count: number | null }>();
    for (const s of await snapshotsOfAccounts(trx, [...new Set(file.followerSnapshots.map((s) => accounts.get(s.account)!.id))])) storedSnapshots.set(`${s.account_id}|${s.observed_at}`, s);
    const newSnapshots = [];
    for (const s of file.followerSnapshots) {
      const account = accounts.get(s.account)!;
      const observedAt = new Date(s.observedAt).toISOString();
      const counts = { followers: s.followers ?? null, following: s.following ?? null, posts_count: s.posts ?? null };
      const key = `${account.id}|${observedAt}`;
      const existing = storedSnapshots.get(key);
      if (!existing) {
        const row = { id: newId(), workspace_id: ctx.workspaceId, account_id: account.id, observed_at: observedAt, ...counts };
        newSnapshots.push(row);
        storedSnapshots.set(key, row);
        report.followerSnapshots.created += 1;
      } else if (existing.followers === counts.followers && existing.following === counts.following && existing.posts_count === counts.posts_count) {
        report.followerSnapshots.unchanged += 1;
      } else {
        await updateSnapshot(trx, existing.id, counts);
        Object.assign(existing, counts);
        report.followerSnapshots.updated += 1;
      }
    }
    await insertSnapshots(trx, newSnapshots);

    const storedObservations = new Map<string, { id: string } & Record<(typeof observationCounts)[number], number | null>>();
    for (const o of await observationsOfTargets(trx, [...new Set(file.observations.map((o) => targets.get(targetKey(o.account, o.post))!))])) storedObservations.set(`${o.target_id}|${o.observed_at}`, o);
    const newObservations = [];
    for (const o of file.observations) {
      const account = accounts.get(o.account)!;
      const targetId = targets.get(targetKey(o.account, o.post))!;
      const observedAt = new Date(o.observedAt).toISOString();
      const rec = o as Record<string, unknown>;
      const counts = Object.fromEntries(postMetricNames.map((m) => [metricColumn[m], typeof rec[m] === 'number' ? (rec[m] as number) : null])) as Record<(typeof observationCounts)[number], number | null>;
      const key = `${targetId}|${observedAt}`;
      const existing = storedObservations.get(key);
      if (!existing) {
        const row = { id: newId(), workspace_id: ctx.workspaceId, account_id: account.id, target_id: targetId, observed_at: observedAt, ...counts };
        newObservations.push(row);
        storedObservations.set(key, row);
        report.observations.created += 1;
      } else if (observationCounts.every((c) => existing[c] === counts[c])) {
        report.observations.unchanged += 1;
      } else {
        await updateObservation(trx, existing.id, counts);
        Object.assign(existing, counts);
        report.observations.updated += 1;
      }
    }
    await insertObservations(trx, newObservations);
  });

  // Snapshots carry forward and observations may concern old posts: rebuild each account's history.
  for (const accountId of touched) report.rollups.push(await refreshRollups(ctx.db, { accountId, now: services.now() }));
  services.log.info({ workspaceId: ctx.workspaceId, accounts: report.accounts, posts: report.posts, observations: report.observations }, 'metrics imported');
  return report;
}
