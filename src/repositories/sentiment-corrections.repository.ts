/** Sentiment relabels per workspace (the stored half of src/sentiment/corrections.ts). */
import type { SentimentCorrectionRow } from '../db/schema';
import type { Executor } from '../jobs/job-queue';

/**
 * Stores a relabel; a second relabel of the same message (same workspace and message key) replaces
 * the label, text, author and inbox link and bumps `updated_at`, keeping `id` and `created_at`.
 */
export async function upsertSentimentCorrection(db: Executor, row: SentimentCorrectionRow): Promise<void> {
  await db
    .insertInto('sentiment_corrections')
    .values(row)
    .onConflict((oc) =>
      oc.columns(['workspace_id', 'message_key']).doUpdateSet({
        label: row.label,
        text: row.text,
        inbox_message_id: row.inbox_message_id,
        created_by: row.created_by,
        updated_at: row.updated_at,
      }),
    )
    .execute();
}

/** A workspace's relabels, oldest change first (the order learning expects: later wins). */
export async function listSentimentCorrections(db: Executor, workspaceId: string): Promise<SentimentCorrectionRow[]> {
  return db.selectFrom('sentiment_corrections').selectAll().where('workspace_id', '=', workspaceId).orderBy('updated_at').orderBy('id').execute();
}

/** Forgets the relabel of one message; true when there was one. */
export async function deleteSentimentCorrection(db: Executor, workspaceId: string, messageKey: string): Promise<boolean> {
  const r = await db.deleteFrom('sentiment_corrections').where('workspace_id', '=', workspaceId).where('message_key', '=', messageKey).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/**
 * Removes the relabel behind one inbox message: the row keyed by the message's current text, or the row
 * that last relabelled this message (its text may have been edited since). Returns the removed rows'
 * labels (empty when the message had no relabel).
 */
export async function deleteSentimentCorrectionOfMessage(db: Executor, workspaceId: string, messageKey: string, inboxMessageId: string): Promise<string[]> {
  const rows = await db
    .deleteFrom('sentiment_corrections')
    .where('workspace_id', '=', workspaceId)
    .where((eb) => eb.or([eb('message_key', '=', messageKey), eb('inbox_message_id', '=', inboxMessageId)]))
    .returning(['label'])
    .execute();
  return rows.map((r) => r.label);
}
