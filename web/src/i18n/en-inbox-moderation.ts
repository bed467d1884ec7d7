/**
 * English strings of the inbox's network moderation and direct messages (hide, show again, delete,
 * restore; our replies; the DM conversation). Spread into en.ts under their own key.
 */
export const enInboxModeration = {
  inboxModeration: {
    title: 'On the network',
    badge: { hidden: 'Hidden on the network', deleted: 'Deleted on the network' },
    someone: 'someone',
    hiddenBy: 'Hidden on the network by {{name}}, {{time}}.',
    deletedBy: 'Deleted on the network by {{name}}, {{time}}.',
    action: {
      hide: 'Hide on {{network}}',
      unhide: 'Show again on {{network}}',
      delete: 'Delete on {{network}}',
      restore: 'Restore on {{network}}',
    },
    confirmDelete: 'Delete this message on {{network}}? People will no longer see it there.',
    confirmDeleteButton: 'Yes, delete',
    dmConversation: 'Direct messages',
    thisMessage: 'The message below',
    ourAnswer: 'Our answer ({{name}})',
    ourReplies: 'Our replies',
    deleteReply: 'Delete this reply on the network',
    confirmDeleteReply: 'Delete our reply on the network? People will no longer see it there.',
    replyDeleted: 'Deleted on the network, {{time}}.',
  },
};
