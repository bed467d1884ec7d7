/** Swedish strings of the inbox's network moderation and direct messages (see en-inbox-moderation.ts). */
export const svInboxModeration = {
  inboxModeration: {
    title: 'På nätverket',
    badge: { hidden: 'Dold på nätverket', deleted: 'Raderad på nätverket' },
    someone: 'någon',
    hiddenBy: 'Dold på nätverket av {{name}}, {{time}}.',
    deletedBy: 'Raderad på nätverket av {{name}}, {{time}}.',
    action: {
      hide: 'Dölj på {{network}}',
      unhide: 'Visa igen på {{network}}',
      delete: 'Radera på {{network}}',
      restore: 'Återställ på {{network}}',
    },
    confirmDelete: 'Radera meddelandet på {{network}}? Ingen kommer att se det där längre.',
    confirmDeleteButton: 'Ja, radera',
    dmConversation: 'Direktmeddelanden',
    thisMessage: 'Meddelandet nedan',
    ourAnswer: 'Vårt svar ({{name}})',
    ourReplies: 'Våra svar',
    deleteReply: 'Radera svaret på nätverket',
    confirmDeleteReply: 'Radera vårt svar på nätverket? Ingen kommer att se det där längre.',
    replyDeleted: 'Raderat på nätverket, {{time}}.',
  },
};
