"""The Bot API methods on messages, files, commands and chats, validated as Telegram validates them."""

from __future__ import annotations

import contextlib
import copy
import json
import re
from collections.abc import Callable
from typing import Any, Final

from bot.sandbox.markup import format_text
from bot.sandbox.params import Params, validate_markup
from bot.sandbox.state import EmulatorCore, StoredMessage, inline_markup, now_unix, strip_reply
from bot.sandbox.values import ApiError, CallbackAnswer, EmulatorEvent, JsonDict, RequestRecord, SentMessage

_CHAT_ACTIONS: Final = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
_COMMAND_SCOPES: Final = frozenset(
    {
        "default",
        "all_private_chats",
        "all_group_chats",
        "all_chat_administrators",
        "chat",
        "chat_administrators",
        "chat_member",
    }
)
_COMMAND_RE: Final = re.compile(r"^[a-z0-9_]{1,32}$")
_MSG_NOT_MODIFIED: Final = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
_QUERY_TOO_OLD: Final = "Bad Request: query is too old and response timeout expired or query ID is invalid"
_GIFT_TYPES: Final = {
    "unlimited_gifts": False,
    "limited_gifts": False,
    "unique_gifts": False,
    "premium_subscription": False,
}


def scope_key(scope: JsonDict) -> str:
    """The key under which commands for a ``BotCommandScope`` are kept (ids as numbers)."""
    normalized = dict(scope)
    for key in ("chat_id", "user_id"):
        value = normalized.get(key)
        if isinstance(value, str):
            with contextlib.suppress(ValueError):
                normalized[key] = int(value)
    return json.dumps(normalized, sort_keys=True)


class MessageMethods(EmulatorCore):
    """``getMe``, the command lists, sending, editing and deleting messages, callbacks, files and chats."""

    def _validate_markup(self, markup: Any, *, inline_only: bool = False) -> JsonDict | None:
        return validate_markup(
            markup, callback_data_max_bytes=self.limits.callback_data_max_bytes, inline_only=inline_only
        )

    def _reply_to(self, params: Params, chat_id: int) -> JsonDict | None:
        reply_id = params.integer("reply_to_message_id")
        allow_without = params.flag("allow_sending_without_reply")
        reply_parameters = params.json("reply_parameters")
        if isinstance(reply_parameters, dict):
            raw_id = reply_parameters.get("message_id")
            if isinstance(raw_id, int | str):
                with contextlib.suppress(ValueError):
                    reply_id = int(raw_id)
            allow_without = bool(reply_parameters.get("allow_sending_without_reply", allow_without))
        if reply_id is None:
            return None
        stored = self._messages.get((chat_id, reply_id))
        if stored is None:
            if allow_without:
                return None
            raise ApiError(400, "Bad Request: message to be replied not found")
        return strip_reply(stored.message)

    def _store_sent(
        self, chat: JsonDict, content: JsonDict, sent: SentMessage, reply_to: JsonDict | None
    ) -> JsonDict:
        message: JsonDict = {
            "message_id": sent.message_id,
            "from": self._bot_user(),
            "chat": dict(chat),
            "date": now_unix(),
        }
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        message.update(content)
        inline = inline_markup(sent.reply_markup)
        if inline is not None:
            message["reply_markup"] = inline
        self._messages[(chat["id"], sent.message_id)] = StoredMessage(
            message=message, from_bot=True, sent=sent
        )
        self._outbox.setdefault(chat["id"], []).append(sent)
        self._all_sent.append(sent)
        self._emit(
            EmulatorEvent(
                "message_sent", at=sent.sent_at, chat_id=chat["id"], message_id=sent.message_id, message=sent
            )
        )
        return copy.deepcopy(message)

    def _caption(self, params: Params) -> tuple[str | None, str, list[JsonDict]]:
        caption = params.string("caption")
        if caption is None:
            return None, "", []
        plain, entities = format_text(caption, params.string("parse_mode"), params.json("caption_entities"))
        if len(plain) > self.limits.caption_max:
            raise ApiError(400, "Bad Request: message caption is too long")
        return caption, plain, entities

    async def _m_get_me(self, params: Params, record: RequestRecord) -> JsonDict:
        return {
            **self._bot_user(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _commands_key(self, params: Params) -> tuple[str, str]:
        scope = params.json("scope") or {"type": "default"}
        if not isinstance(scope, dict) or scope.get("type") not in _COMMAND_SCOPES:
            raise ApiError(400, "Bad Request: can't parse BotCommandScope JSON object")
        language = params.string("language_code") or ""
        if language and not re.fullmatch(r"[a-z]{2,3}", language):
            raise ApiError(400, "Bad Request: invalid language code specified")
        return scope_key(scope), language

    async def _m_set_my_commands(self, params: Params, record: RequestRecord) -> bool:
        commands = params.json("commands")
        if not isinstance(commands, list):
            raise ApiError(400, "Bad Request: can't parse commands JSON object")
        if len(commands) > 100:
            raise ApiError(400, "Bad Request: too many commands specified")
        cleaned: list[JsonDict] = []
        for item in commands:
            if not isinstance(item, dict):
                raise ApiError(400, "Bad Request: can't parse BotCommand JSON object")
            command = str(item.get("command", "")).removeprefix("/")
            description = item.get("description")
            if not _COMMAND_RE.match(command):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not isinstance(description, str) or not description.strip() or len(description) > 256:
                raise ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
            cleaned.append({"command": command, "description": description})
        self.commands[self._commands_key(params)] = cleaned
        return True

    async def _m_get_my_commands(self, params: Params, record: RequestRecord) -> list[JsonDict]:
        return copy.deepcopy(self.commands.get(self._commands_key(params), []))

    async def _m_delete_my_commands(self, params: Params, record: RequestRecord) -> bool:
        self.commands.pop(self._commands_key(params), None)
        return True

    async def _m_send_message(self, params: Params, record: RequestRecord) -> JsonDict:
        chat = self._require_chat(params)
        text = params.string("text")
        if text is None:
            raise ApiError(400, "Bad Request: message text is empty")
        parse_mode = params.string("parse_mode")
        plain, entities = format_text(text, parse_mode, params.json("entities"))
        if not plain.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if len(plain) > self.limits.text_max:
            raise ApiError(400, "Bad Request: message is too long")
        markup = self._validate_markup(params.json("reply_markup"))
        params.json("link_preview_options")
        reply_to = self._reply_to(params, chat["id"])
        self._gate("sendMessage", chat["id"], record)
        sent = SentMessage(
            chat_id=chat["id"],
            message_id=self._allocate_message_id(chat["id"]),
            kind="text",
            method="sendMessage",
            sent_at=record.at,
            text=text,
            plain_text=plain,
            parse_mode=parse_mode,
            entities=entities,
            reply_markup=copy.deepcopy(markup),
        )
        content: JsonDict = {"text": plain}
        if entities:
            content["entities"] = copy.deepcopy(entities)
        return self._store_sent(chat, content, sent, reply_to)

    async def _send_file(self, params: Params, record: RequestRecord, *, kind: str) -> JsonDict:
        method = "sendPhoto" if kind == "photo" else "sendDocument"
        chat = self._require_chat(params)
        caption, plain_caption, caption_entities = self._caption(params)
        markup = self._validate_markup(params.json("reply_markup"))
        stored = self._files.input_file(params, kind, kind=kind)
        reply_to = self._reply_to(params, chat["id"])
        self._gate(method, chat["id"], record)
        content: JsonDict
        if kind == "photo":
            content = {
                "photo": [
                    {
                        "file_id": stored.file_id,
                        "file_unique_id": stored.file_unique_id,
                        "width": stored.width or 320,
                        "height": stored.height or 320,
                        "file_size": len(stored.data),
                    }
                ]
            }
        else:
            document: JsonDict = {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "file_size": len(stored.data),
            }
            if stored.file_name:
                document["file_name"] = stored.file_name
            if stored.mime_type:
                document["mime_type"] = stored.mime_type
            content = {"document": document}
        if caption is not None and plain_caption:
            content["caption"] = plain_caption
            if caption_entities:
                content["caption_entities"] = copy.deepcopy(caption_entities)
        sent = SentMessage(
            chat_id=chat["id"],
            message_id=self._allocate_message_id(chat["id"]),
            kind=kind,
            method=method,
            sent_at=record.at,
            caption=caption,
            plain_caption=plain_caption if caption is not None else None,
            parse_mode=params.string("parse_mode"),
            entities=caption_entities,
            reply_markup=copy.deepcopy(markup),
            file_id=stored.file_id,
            file_unique_id=stored.file_unique_id,
            file_name=stored.file_name,
            file_path=stored.file_path,
            mime_type=stored.mime_type,
            file_bytes=stored.data,
        )
        return self._store_sent(chat, content, sent, reply_to)

    async def _m_send_document(self, params: Params, record: RequestRecord) -> JsonDict:
        return await self._send_file(params, record, kind="document")

    async def _m_send_photo(self, params: Params, record: RequestRecord) -> JsonDict:
        return await self._send_file(params, record, kind="photo")

    def _editable(self, params: Params) -> tuple[JsonDict, StoredMessage]:
        if params.has("inline_message_id") and not params.has("chat_id"):
            raise ApiError(400, "Bad Request: MESSAGE_ID_INVALID")
        chat = self._require_chat(params)
        message_id = params.integer("message_id")
        if message_id is None:
            raise ApiError(400, "Bad Request: message identifier is not specified")
        stored = self._messages.get((chat["id"], message_id))
        if stored is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        if not stored.from_bot or stored.sent is None:
            raise ApiError(400, "Bad Request: message can't be edited")
        return chat, stored

    def _apply_edit(
        self,
        method: str,
        record: RequestRecord,
        chat: JsonDict,
        stored: StoredMessage,
        new_content: JsonDict,
        new_markup: JsonDict | None,
        update_sent: Callable[[SentMessage], None],
    ) -> JsonDict:
        message = stored.message
        new_inline = inline_markup(new_markup)
        keys = ("text", "entities", "caption", "caption_entities")
        current = {key: message.get(key) for key in keys}
        proposed = dict(current)
        proposed.update(new_content)
        proposed = {key: (value or None) for key, value in proposed.items()}
        current = {key: (value or None) for key, value in current.items()}
        if proposed == current and new_inline == message.get("reply_markup"):
            raise ApiError(400, _MSG_NOT_MODIFIED)
        self._gate(method, chat["id"], record)
        sent = stored.sent
        assert sent is not None
        sent.history.append(
            {
                "text": sent.text,
                "caption": sent.caption,
                "reply_markup": copy.deepcopy(sent.reply_markup),
                "at": record.at,
            }
        )
        for key, value in new_content.items():
            if value:
                message[key] = value
            else:
                message.pop(key, None)
        if new_inline is None:
            message.pop("reply_markup", None)
        else:
            message["reply_markup"] = new_inline
        message["edit_date"] = now_unix()
        update_sent(sent)
        sent.reply_markup = copy.deepcopy(new_markup)
        sent.edited = True
        sent.edited_at = record.at
        sent.edit_count += 1
        self._emit(
            EmulatorEvent(
                "message_edited", at=record.at, chat_id=chat["id"], message_id=sent.message_id, message=sent
            )
        )
        return copy.deepcopy(message)

    async def _m_edit_message_text(self, params: Params, record: RequestRecord) -> JsonDict:
        chat, stored = self._editable(params)
        text = params.string("text")
        if text is None:
            raise ApiError(400, "Bad Request: text must be non-empty")
        parse_mode = params.string("parse_mode")
        plain, entities = format_text(text, parse_mode, params.json("entities"))
        if not plain.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if len(plain) > self.limits.text_max:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        markup = self._validate_markup(params.json("reply_markup"), inline_only=True)
        if "text" not in stored.message:
            raise ApiError(400, "Bad Request: there is no text in the message to edit")

        def update(sent: SentMessage) -> None:
            sent.text, sent.plain_text, sent.parse_mode, sent.entities = text, plain, parse_mode, entities

        return self._apply_edit(
            "editMessageText",
            record,
            chat,
            stored,
            {"text": plain, "entities": entities or None},
            markup,
            update,
        )

    async def _m_edit_message_caption(self, params: Params, record: RequestRecord) -> JsonDict:
        chat, stored = self._editable(params)
        caption, plain, entities = self._caption(params)
        markup = self._validate_markup(params.json("reply_markup"), inline_only=True)
        if "text" in stored.message:
            raise ApiError(400, "Bad Request: there is no caption in the message to edit")

        def update(sent: SentMessage) -> None:
            sent.caption, sent.plain_caption, sent.entities = (
                caption,
                plain if caption is not None else None,
                entities,
            )

        return self._apply_edit(
            "editMessageCaption",
            record,
            chat,
            stored,
            {"caption": plain or None, "caption_entities": entities or None},
            markup,
            update,
        )

    async def _m_edit_message_reply_markup(self, params: Params, record: RequestRecord) -> JsonDict:
        chat, stored = self._editable(params)
        markup = self._validate_markup(params.json("reply_markup"), inline_only=True)
        return self._apply_edit("editMessageReplyMarkup", record, chat, stored, {}, markup, lambda sent: None)

    async def _m_delete_message(self, params: Params, record: RequestRecord) -> bool:
        chat = self._require_chat(params)
        message_id = params.integer("message_id")
        if message_id is None:
            raise ApiError(400, "Bad Request: message identifier is not specified")
        if (chat["id"], message_id) not in self._messages:
            raise ApiError(400, "Bad Request: message to delete not found")
        self._gate("deleteMessage", chat["id"], record)
        self._delete(chat["id"], message_id, record.at)
        return True

    async def _m_delete_messages(self, params: Params, record: RequestRecord) -> bool:
        chat = self._require_chat(params)
        ids = params.json("message_ids")
        if not isinstance(ids, list) or not ids or len(ids) > 100:
            raise ApiError(400, "Bad Request: message_ids must be a non-empty Array of at most 100 Integers")
        self._gate("deleteMessages", chat["id"], record)
        for message_id in ids:
            if isinstance(message_id, int) and (chat["id"], message_id) in self._messages:
                self._delete(chat["id"], message_id, record.at)
        return True

    def _delete(self, chat_id: int, message_id: int, at: float) -> None:
        stored = self._messages.pop((chat_id, message_id))
        if stored.sent is not None:
            stored.sent.deleted = True
            stored.sent.deleted_at = at
        self._emit(
            EmulatorEvent(
                "message_deleted", at=at, chat_id=chat_id, message_id=message_id, message=stored.sent
            )
        )

    async def _m_answer_callback_query(self, params: Params, record: RequestRecord) -> bool:
        query_id = params.string("callback_query_id")
        query = self._callbacks.get(query_id or "")
        if query is None or query.answered:
            raise ApiError(400, _QUERY_TOO_OLD)
        text = params.string("text")
        if text is not None and len(text) > 200:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        query.answered = True
        answer = CallbackAnswer(
            callback_query_id=query.query_id,
            user_id=query.user_id,
            chat_id=query.chat_id,
            message_id=query.message_id,
            data=query.data,
            text=text,
            show_alert=params.flag("show_alert"),
            url=params.string("url"),
            cache_time=params.integer("cache_time", 0) or 0,
            at=record.at,
        )
        record.chat_id = query.chat_id
        self.callback_answers.append(answer)
        self._emit(
            EmulatorEvent(
                "callback_answered",
                at=record.at,
                chat_id=query.chat_id,
                message_id=query.message_id,
                data={"callback_query_id": query.query_id, "text": text, "show_alert": answer.show_alert},
            )
        )
        return True

    async def _m_get_file(self, params: Params, record: RequestRecord) -> JsonDict:
        stored = self._files.get(params.string("file_id") or "")
        if stored is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        if len(stored.data) > 20 * 1024 * 1024:
            raise ApiError(400, "Bad Request: file is too big")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.data),
            "file_path": stored.file_path,
        }

    async def _m_send_chat_action(self, params: Params, record: RequestRecord) -> bool:
        chat = self._require_chat(params)
        action = params.string("action")
        if action not in _CHAT_ACTIONS:
            raise ApiError(400, "Bad Request: wrong parameter action in request")
        self._gate("sendChatAction", chat["id"], record)
        self.chat_actions.append((chat["id"], action, record.at))
        self._emit(EmulatorEvent("chat_action", at=record.at, chat_id=chat["id"], data={"action": action}))
        return True

    async def _m_get_chat(self, params: Params, record: RequestRecord) -> JsonDict:
        chat_id = self._peek_chat_id(params)
        chat = self._chats.get(chat_id) if chat_id is not None else None
        if chat is None:
            raise ApiError(400, "Bad Request: chat not found")
        return {**chat, "accent_color_id": 0, "max_reaction_count": 11, "accepted_gift_types": _GIFT_TYPES}

    async def _m_close(self, params: Params, record: RequestRecord) -> bool:
        return True

    async def _m_log_out(self, params: Params, record: RequestRecord) -> bool:
        return True

    async def _m_set_my_description(self, params: Params, record: RequestRecord) -> bool:
        return True

    async def _m_set_my_short_description(self, params: Params, record: RequestRecord) -> bool:
        return True

    async def _m_set_my_name(self, params: Params, record: RequestRecord) -> bool:
        return True

    async def _m_set_chat_menu_button(self, params: Params, record: RequestRecord) -> bool:
        params.json("menu_button")
        return True
