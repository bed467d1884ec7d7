/**
 * Which moderation actions the inbox offers on a message: exactly what the message's connector declares
 * (`moderation.hide|unhide|delete|restore`, each for some message kinds, some only under the account's
 * own posts), given what Herald already did to it on the network. Generic: no network is named here.
 */
import type { AnyConnector, ModerationAction, ModeratedMessage } from '../connectors/connector';
import type { InboxMessageRow } from '../db/schema';

/** Moderation verbs on other people's messages. */
export const moderationVerbs = ['hide', 'unhide', 'delete', 'restore'] as const;
export type ModerationVerb = (typeof moderationVerbs)[number];

/** What a moderation action needs to know about a stored message. */
export type ModerationSubject = Pick<InboxMessageRow, 'external_id' | 'kind' | 'parent_external_id' | 'root_external_id' | 'author_external_id' | 'target_id' | 'deleted_at' | 'network_hidden_at' | 'network_deleted_at'>;

/** The message as the connector's action sees it. */
export function moderatedMessage(m: ModerationSubject): ModeratedMessage {
  return { externalId: m.external_id, kind: m.kind, parentExternalId: m.parent_external_id, rootExternalId: m.root_external_id, authorExternalId: m.author_external_id, underOwnPost: m.target_id !== null };
}

/** The connector's action for `verb`, when it applies to this message at all. */
export function moderationActionFor(connector: AnyConnector | null, verb: ModerationVerb, m: ModerationSubject): ModerationAction | null {
  const action = connector?.moderation?.[verb];
  if (!action) return null;
  if (!action.kinds.includes(m.kind)) return null;
  if (action.ownPostsOnly && m.target_id === null) return null;
  return action;
}

/** Whether the message's state allows `verb` now (a message gone from the network cannot be hidden). */
export function stateAllows(verb: ModerationVerb, m: ModerationSubject): boolean {
  const gone = m.deleted_at !== null || m.network_deleted_at !== null;
  switch (verb) {
    case 'hide':
      return !gone && m.network_hidden_at === null;
    case 'unhide':
      return !gone && m.network_hidden_at !== null;
    case 'delete':
      return !gone;
    case 'restore':
      return m.network_deleted_at !== null;
  }
}

/** The actions to offer on a message now. */
export function availableModeration(connector: AnyConnector | null, m: ModerationSubject): ModerationVerb[] {
  return moderationVerbs.filter((v) => moderationActionFor(connector, v, m) !== null && stateAllows(v, m));
}
