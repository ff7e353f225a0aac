"""The user side of the emulator: simulated people writing, pressing buttons and sending raw updates."""

from __future__ import annotations

import copy
import hashlib
import json
import re
import secrets
from collections.abc import Mapping
from typing import Any, Final

from bot.sandbox.markup import utf16_len
from bot.sandbox.state import CallbackQuery, EmulatorCore, StoredMessage, now_unix, strip_reply
from bot.sandbox.values import JsonDict

_LEADING_COMMAND_RE: Final = re.compile(r"^/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{1,64})?(?![A-Za-z0-9_@])")


def copy_json(value: Any) -> Any:
    """A deep copy that is also plain JSON (what a real update could carry)."""
    return json.loads(json.dumps(value))


class UserSide(EmulatorCore):
    """Simulated users: each call queues the update Telegram would deliver to the bot."""

    def set_user(
        self,
        user_id: int,
        *,
        first_name: str | None = None,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = None,
    ) -> JsonDict:
        """Create or update a simulated user and return its ``User`` object."""
        user = self._users.get(user_id)
        if user is None:
            user = {"id": user_id, "is_bot": False, "first_name": first_name or f"User{user_id}"}
            self._users[user_id] = user
        if first_name is not None:
            user["first_name"] = first_name
        if last_name is not None:
            user["last_name"] = last_name
        if username is not None:
            user["username"] = username
        if language_code is not None:
            user["language_code"] = language_code
        if user_id in self._chats and self._chats[user_id]["type"] == "private":
            chat = self._chats[user_id]
            for key in ("first_name", "last_name", "username"):
                if key in user:
                    chat[key] = user[key]
        return dict(user)

    def user_sends_text(
        self,
        user_id: int,
        text: str,
        *,
        first_name: str | None = None,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "ko",
        chat_id: int | None = None,
        chat_type: str = "private",
        chat_title: str | None = None,
        reply_to_message_id: int | None = None,
    ) -> JsonDict:
        """A user writes ``text``; returns the queued ``message`` update.

        A leading ``/command`` (optionally ``/command@bot``) gets a ``bot_command`` entity.
        ``chat_id`` defaults to the user's private chat; pass a negative id and
        ``chat_type="group"``/``"supergroup"`` for group chats.
        """
        content: JsonDict = {"text": text}
        match = _LEADING_COMMAND_RE.match(text)
        if match:
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": utf16_len(match.group(0))}]
        return self.user_sends_message(
            user_id,
            content,
            first_name=first_name,
            last_name=last_name,
            username=username,
            language_code=language_code,
            chat_id=chat_id,
            chat_type=chat_type,
            chat_title=chat_title,
            reply_to_message_id=reply_to_message_id,
        )

    def user_sends_message(
        self,
        user_id: int,
        content: Mapping[str, Any],
        *,
        first_name: str | None = None,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "ko",
        chat_id: int | None = None,
        chat_type: str = "private",
        chat_title: str | None = None,
        reply_to_message_id: int | None = None,
    ) -> JsonDict:
        """A user sends a message with arbitrary ``content`` (e.g. ``{"contact": {...}}``)."""
        user = self.set_user(
            user_id,
            first_name=first_name,
            last_name=last_name,
            username=username,
            language_code=language_code,
        )
        chat = self._user_chat(user_id, chat_id, chat_type, chat_title)
        message_id = self._allocate_message_id(chat["id"])
        message: JsonDict = {
            "message_id": message_id,
            "from": user,
            "chat": dict(chat),
            "date": now_unix(),
            **copy_json(dict(content)),
        }
        if reply_to_message_id is not None:
            replied = self._messages.get((chat["id"], reply_to_message_id))
            if replied is not None:
                message["reply_to_message"] = strip_reply(replied.message)
        self._messages[(chat["id"], message_id)] = StoredMessage(message=message, from_bot=False)
        self.inbox.append(message)
        return self._enqueue({"message": copy.deepcopy(message)})

    def user_presses(
        self,
        user_id: int,
        message_id: int,
        data: str,
        *,
        chat_id: int | None = None,
        first_name: str | None = None,
        language_code: str | None = None,
    ) -> JsonDict:
        """A user presses an inline button with ``data`` under the bot's message ``message_id``.

        Returns the queued ``callback_query`` update. Raises :class:`LookupError` when the bot
        has no such (undeleted) message in the chat.
        """
        chat_id = user_id if chat_id is None else chat_id
        stored = self._messages.get((chat_id, message_id))
        if stored is None or not stored.from_bot:
            raise LookupError(f"no bot message {message_id} in chat {chat_id}")
        user = self.set_user(user_id, first_name=first_name, language_code=language_code)
        query_id = f"{self.bot_id % 10**6}{next(self._callback_counter):06d}{secrets.randbelow(10**6):06d}"
        self._callbacks[query_id] = CallbackQuery(query_id, user_id, chat_id, message_id, data)
        instance = int(hashlib.sha256(f"{self.bot_id}:{chat_id}".encode()).hexdigest()[:15], 16)
        query: JsonDict = {
            "id": query_id,
            "from": user,
            "message": copy.deepcopy(stored.message),
            "chat_instance": str(instance),
            "data": data,
        }
        return self._enqueue({"callback_query": query})

    def deliver_raw(self, update: Mapping[str, Any]) -> JsonDict:
        """Queue an arbitrary update. Without ``update_id`` the next one is assigned; an explicit
        (even already delivered) ``update_id`` is kept, so duplicates can be simulated."""
        payload = copy_json(dict(update))
        if "update_id" in payload:
            update_id = int(payload["update_id"])
            replay = update_id <= self._last_update_id
            self._last_update_id = max(self._last_update_id, update_id)
            return self._enqueue(payload, update_id=update_id, replay=replay)
        return self._enqueue(payload)

    def _user_chat(self, user_id: int, chat_id: int | None, chat_type: str, title: str | None) -> JsonDict:
        if chat_type == "private" and chat_id is None:
            chat_id = user_id
        if chat_id is None:
            raise ValueError("chat_id is required for group chats")
        chat = self._chats.get(chat_id)
        if chat is None:
            if chat_type == "private":
                user = self._users[user_id]
                chat = {"id": chat_id, "type": "private"}
                for key in ("first_name", "last_name", "username"):
                    if key in user:
                        chat[key] = user[key]
            else:
                chat = {"id": chat_id, "type": chat_type, "title": title or f"Group {chat_id}"}
            self._chats[chat_id] = chat
        elif title is not None and chat["type"] != "private":
            chat["title"] = title
        return chat
