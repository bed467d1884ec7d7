/** Russian strings of the inbox's network moderation and direct messages (see en-inbox-moderation.ts). */
export const ruInboxModeration = {
  inboxModeration: {
    title: 'В соцсети',
    badge: { hidden: 'Скрыто в соцсети', deleted: 'Удалено в соцсети' },
    someone: 'кто-то',
    hiddenBy: 'Скрыто в соцсети: {{name}}, {{time}}.',
    deletedBy: 'Удалено в соцсети: {{name}}, {{time}}.',
    action: {
      hide: 'Скрыть в {{network}}',
      unhide: 'Показать снова в {{network}}',
      delete: 'Удалить в {{network}}',
      restore: 'Восстановить в {{network}}',
    },
    confirmDelete: 'Удалить это сообщение в {{network}}? Там его больше никто не увидит.',
    confirmDeleteButton: 'Да, удалить',
    dmConversation: 'Личные сообщения',
    thisMessage: 'Сообщение ниже',
    ourAnswer: 'Наш ответ ({{name}})',
    ourReplies: 'Наши ответы',
    deleteReply: 'Удалить этот ответ в соцсети',
    confirmDeleteReply: 'Удалить наш ответ в соцсети? Там его больше никто не увидит.',
    replyDeleted: 'Удалён в соцсети, {{time}}.',
  },
};
