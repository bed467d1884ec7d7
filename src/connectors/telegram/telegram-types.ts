/**
 * The parts of the Bot API's types (https://core.telegram.org/bots/api#available-types) this
 * connector reads. Fields are optional where the docs mark them "Optional".
 */

/** https://core.telegram.org/bots/api#user */
export interface TgUser {
  id: number;
  is_bot: boolean;
  first_name: string;
  last_name?: string;
  username?: string;
}

/** https://core.telegram.org/bots/api#chat */
export interface TgChat {
  id: number;
  type: 'private' | 'group' | 'supergroup' | 'channel';
  title?: string;
  username?: string;
  first_name?: string;
  last_name?: string;
}

/** https://core.telegram.org/bots/api#chatpermissions (the part needed here). */
export interface TgChatPermissions {
  can_send_messages?: boolean;
  can_pin_messages?: boolean;
}

/** https://core.telegram.org/bots/api#chatfullinfo (getChat). */
export interface TgChatFullInfo extends TgChat {
  linked_chat_id?: number;
  permissions?: TgChatPermissions;
}

/** https://core.telegram.org/bots/api#chatmember (getChatMember): the union, flattened. */
export interface TgChatMember {
  status: 'creator' | 'administrator' | 'member' | 'restricted' | 'left' | 'kicked';
  user: TgUser;
  can_post_messages?: boolean;
  can_edit_messages?: boolean;
  can_pin_messages?: boolean;
  can_send_messages?: boolean;
  is_member?: boolean;
}

/** https://core.telegram.org/bots/api#messageorigin */
export interface TgMessageOrigin {
  type: 'user' | 'hidden_user' | 'chat' | 'channel';
  date: number;
  chat?: TgChat;
  message_id?: number;
}

/** https://core.telegram.org/bots/api#message (the part needed here). */
export interface TgMessage {
  message_id: number;
  message_thread_id?: number;
  from?: TgUser;
  sender_chat?: TgChat;
  date: number;
  chat: TgChat;
  forward_origin?: TgMessageOrigin;
  /** Removed from the docs in Bot API 7.0 (replaced by forward_origin); older servers still send it. */
  forward_from_chat?: TgChat;
  forward_from_message_id?: number;
  is_automatic_forward?: boolean;
  reply_to_message?: TgMessage;
  edit_date?: number;
  text?: string;
  caption?: string;
  media_group_id?: string;
}

/** https://core.telegram.org/bots/api#update */
export interface TgUpdate {
  update_id: number;
  message?: TgMessage;
  edited_message?: TgMessage;
}
