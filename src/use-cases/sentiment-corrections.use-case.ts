/**
 * Sentiment corrections from the inbox: a member relabels a message. The relabel is stored per
 * workspace (src/repositories/sentiment-corrections.repository.ts), the message's own label changes at
 * once, and every later message of the workspace is labelled with the corrected model
 * (src/inbox/inbox-workflow.ts workspaceAnalyzer reads the relabels on each ingest, so there is no
 * analyser cache to invalidate). Undoing a relabel deletes the stored correction and labels the message
 * again with the model as it is without it, so neither the exact-message label nor the term weights
 * learned from that relabel remain. Both write an `inbox.message.sentiment_relabelled` event (a webhook
 * event type) in the same transaction.
 */
import { z } from 'zod';
import { ConflictError, NotFoundError } from '../domain/errors';
import { workspaceAnalyzer } from '../inbox/inbox-workflow';
import { isId, newId } from '../domain/ids';
import { assertCan } from '../policies/policy';
import { findInboxMessage } from '../repositories/inbox-messages.repository';
import { updateMessages } from '../repositories/inbox-workflow.repository';
import { deleteSentimentCorrectionOfMessage, upsertSentimentCorrection } from '../repositories/sentiment-corrections.repository';
import type { SentimentLanguage } from '../sentiment/language-rules';
import type { SentimentLabel } from '../sentiment/sentiment-engine';
import { messageKey } from '../sentiment/sentiment-model';
import type { UseCaseContext } from '../server/services';
import { recordEvent } from '../webhooks/webhook-events';
import { inboxMessageViews, type InboxMessageView } from './inbox.use-case';
import { parseInput } from './posts.use-case';
import { policyActor } from './workspaces.use-case';

/** Body of a relabel. */
export const sentimentRelabelSchema = z.object({ label: z.enum(['negative', 'neutral', 'positive'], { message: 'label must be negative, neutral or positive' }) }).strict();

/**
 * The score a relabelled message gets. A member's label carries no strength, so each label maps to one
 * fixed, clearly-signed value on the engine's [-1, 1] scale (sorting by score keeps relabelled messages
 * among the clear ones of their side).
 */
export const RELABEL_SCORES: Readonly<Record<SentimentLabel, number>> = Object.freeze({ negative: -0.6, neutral: 0, positive: 0.6 });

/** Relabels one inbox message (contributors and above): stores the correction, updates the message, records an event. */
export async function relabelInboxMessageSentiment(ctx: UseCaseContext, messageId: string, raw: unknown): Promise<InboxMessageView> {
  const actor = await policyActor(ctx);
  if (actor) assertCan(actor, 'inbox.triage');
  const input = parseInput(sentimentRelabelSchema, raw);
  const m = isId(messageId) ? await findInboxMessage(ctx.db, ctx.workspaceId, messageId) : undefined;
  if (!m) throw new NotFoundError('Message');
  const nowMs = ctx.services.now().getTime();
  const now = new Date(nowMs).toISOString();
  const by = ctx.actor.kind === 'user' ? ctx.actor.userId : null;
  await ctx.db.transaction().execute(async (trx) => {
    await upsertSentimentCorrection(trx, { id: newId(nowMs), workspace_id: ctx.workspaceId, message_key: messageKey(m.text), text: m.text, label: input.label, inbox_message_id: m.id, created_by: by, created_at: now, updated_at: now });
    await updateMessages(trx, ctx.workspaceId, [m.id], { sentiment_label: input.label, sentiment_score: RELABEL_SCORES[input.label], sentiment_lang: m.sentiment_lang ?? m.lang ?? 'und' });
    await recordEvent(ctx.services, trx, { workspaceId: ctx.workspaceId, type: 'inbox.message.sentiment_relabelled', subjectId: m.id, actorId: by, payload: { messageId: m.id, from: m.sentiment_label, to: input.label, undone: false } });
  });
  const fresh = await findInboxMessage(ctx.db, ctx.workspaceId, m.id);
  return (await inboxMessageViews(ctx, [fresh!]))[0]!;
}

/** The network's language tag when the engine has rules for it (the same trust ingest gives it). */
function engineLang(tag: string | null): SentimentLanguage | undefined {
  const p = tag?.toLowerCase().split(/[-_]/)[0];
  return p === 'en' || p === 'ru' || p === 'sv' ? p : undefined;
}

/**
 * Undoes the relabel of one inbox message (contributors and above): forgets the stored correction, so
 * the workspace's learned term weights no longer include it, and gives the message back the label and
 * score the model (with the workspace's other relabels) assigns; records the change as an event.
 * A message without a relabel is a 409.
 */
export async function undoInboxMessageSentimentRelabel(ctx: UseCaseContext, messageId: string): Promise<InboxMessageView> {
  const actor = await policyActor(ctx);
  if (actor) assertCan(actor, 'inbox.triage');
  const m = isId(messageId) ? await findInboxMessage(ctx.db, ctx.workspaceId, messageId) : undefined;
  if (!m) throw new NotFoundError('Message');
  const by = ctx.actor.kind === 'user' ? ctx.actor.userId : null;
  await ctx.db.transaction().execute(async (trx) => {
    const removed = await deleteSentimentCorrectionOfMessage(trx, ctx.workspaceId, messageKey(m.text), m.id);
    if (removed.length === 0) throw new ConflictError("This message's sentiment was not relabelled, so there is nothing to undo");
    // Read after the delete, in the same transaction: the model no longer knows this relabel.
    const analyzer = await workspaceAnalyzer(trx, ctx.workspaceId);
    const lang = engineLang(m.lang);
    const s = analyzer.analyze(m.text, lang ? { lang } : {});
    await updateMessages(trx, ctx.workspaceId, [m.id], { sentiment_label: s.label, sentiment_score: s.score, sentiment_lang: s.lang });
    await recordEvent(ctx.services, trx, { workspaceId: ctx.workspaceId, type: 'inbox.message.sentiment_relabelled', subjectId: m.id, actorId: by, payload: { messageId: m.id, from: m.sentiment_label, to: s.label, undone: true } });
  });
  const fresh = await findInboxMessage(ctx.db, ctx.workspaceId, m.id);
  return (await inboxMessageViews(ctx, [fresh!]))[0]!;
}
