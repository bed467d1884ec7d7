/**
 * Stored relabels (migration 0005-sentiment-corrections) on SQLite and PostgreSQL: one row per workspace
 * and message, a second relabel replaces the first, workspaces are isolated, and the rows feed the
 * workspace's model.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/domain/ids';
import { deleteSentimentCorrection, deleteSentimentCorrectionOfMessage, listSentimentCorrections, upsertSentimentCorrection } from '../../src/repositories/sentiment-corrections.repository';
import { modelForWorkspace } from '../../src/sentiment/corrections';
import { createSentimentAnalyzer } from '../../src/sentiment/sentiment-engine';
import { loadDefaultModel, messageKey } from '../../src/sentiment/sentiment-model';
import { dialects, useTestDb } from '../support/databases';

describe.each(dialects())('sentiment corrections repository (%s)', (dialect) => {
  const t = useTestDb(dialect);
  const ws1 = newId();
  const ws2 = newId();
  const userId = newId();

  beforeAll(async () => {
    const db = t.current.db;
    const now = new Date().toISOString();
    const orgId = newId();
    await db.insertInto('organizations').values({ id: orgId, name: 'Org', created_at: now }).execute();
    for (const id of [ws1, ws2]) await db.insertInto('workspaces').values({ id, organization_id: orgId, name: id, timezone: 'UTC', created_at: now }).execute();
    await db.insertInto('users').values({ id: userId, email: `s-${userId}@example.test`, name: 'm', password_hash: 'x', locale: 'en', created_at: now }).execute();
  });

  const row = (workspaceId: string, text: string, label: 'negative' | 'neutral' | 'positive', at: string) => ({
    id: newId(),
    workspace_id: workspaceId,
    message_key: messageKey(text),
    text,
    label,
    inbox_message_id: null,
    created_by: userId,
    created_at: at,
    updated_at: at,
  });

  it('stores relabels per workspace; relabelling the same message replaces the label', async () => {
    const db = t.current.db;
    await upsertSentimentCorrection(db, row(ws1, 'The drop is sick', 'negative', '2026-01-01T10:00:00.000Z'));
    await upsertSentimentCorrection(db, row(ws1, 'Those colours are sick', 'positive', '2026-01-01T10:01:00.000Z'));
    await upsertSentimentCorrection(db, row(ws1, 'the drop is  SICK', 'positive', '2026-01-01T10:02:00.000Z'));
    await upsertSentimentCorrection(db, row(ws2, 'The drop is sick', 'negative', '2026-01-01T10:03:00.000Z'));
    const rows = await listSentimentCorrections(db, ws1);
    expect(rows.map((r) => [r.message_key, r.label])).toEqual([
      ['those colours are sick', 'positive'],
      ['the drop is sick', 'positive'],
    ]);
    expect(rows[1]?.text).toBe('the drop is  SICK');
    expect(rows[1]?.created_at).toBe('2026-01-01T10:00:00.000Z');
    expect((await listSentimentCorrections(db, ws2)).map((r) => r.label)).toEqual(['negative']);
  });

  it('feeds the workspace model, and forgetting a relabel takes it back out', async () => {
    const db = t.current.db;
    const base = loadDefaultModel();
    const plain = createSentimentAnalyzer(base);
    const ws1Model = createSentimentAnalyzer(modelForWorkspace(base, await listSentimentCorrections(db, ws1)));
    const ws2Model = createSentimentAnalyzer(modelForWorkspace(base, await listSentimentCorrections(db, ws2)));
    expect(plain.analyze('new hoodies, so sick').label).not.toBe('positive');
    expect(ws1Model.analyze('new hoodies, so sick').label).toBe('positive');
    expect(ws2Model.analyze('new hoodies, so sick').label).not.toBe('positive');

    expect(await deleteSentimentCorrection(db, ws1, messageKey('The drop is sick'))).toBe(true);
    expect(await deleteSentimentCorrection(db, ws1, messageKey('The drop is sick'))).toBe(false);
    expect((await listSentimentCorrections(db, ws1)).map((r) => r.message_key)).toEqual(['those colours are sick']);
  });

  it('undo removes the relabel of one message by its current text or by the message it relabelled, in one workspace only', async () => {
    const db = t.current.db;
    const messageId = newId();
    await upsertSentimentCorrection(db, { ...row(ws1, 'Edited later', 'negative', '2026-01-02T10:00:00.000Z'), inbox_message_id: messageId });
    await upsertSentimentCorrection(db, row(ws1, 'Same text elsewhere', 'positive', '2026-01-02T10:01:00.000Z'));
    await upsertSentimentCorrection(db, row(ws2, 'Same text elsewhere', 'negative', '2026-01-02T10:02:00.000Z'));
    // The message's text changed since the relabel: found by its id.
    expect(await deleteSentimentCorrectionOfMessage(db, ws1, messageKey('Edited later, now different'), messageId)).toEqual(['negative']);
    // By text, in ws1 only; a second undo finds nothing.
    expect(await deleteSentimentCorrectionOfMessage(db, ws1, messageKey('same text  ELSEWHERE'), newId())).toEqual(['positive']);
    expect(await deleteSentimentCorrectionOfMessage(db, ws1, messageKey('Same text elsewhere'), newId())).toEqual([]);
    expect((await listSentimentCorrections(db, ws1)).map((r) => r.message_key)).toEqual(['those colours are sick']);
    expect((await listSentimentCorrections(db, ws2)).map((r) => r.label)).toEqual(['negative', 'negative']);
  });
});
