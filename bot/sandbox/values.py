"""The emulator's public value types: limits, sent messages, requests, events and API errors."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

JsonDict = dict[str, Any]



@dataclass(slots=True)
class Limits:
    """Telegram's limits as enforced by the emulator.

    Rates are sliding windows over successful *sends* (``sendMessage``, ``sendDocument``,
    ``sendPhoto`` and ``editMessage*``). With ``enforce_rates=False`` rate violations are still
    recorded in :attr:`BotApiEmulator.violations` but the requests succeed.
    """

    global_per_second: int = 30
    per_chat_per_second: int = 1
    per_group_per_minute: int = 20
    text_max: int = 4096
    caption_max: int = 1024
    callback_data_max_bytes: int = 64
    enforce_rates: bool = True


@dataclass(frozen=True, slots=True)
class Violation:
    """A flood-limit violation by the bot.

    ``kind`` is one of ``"global_rate"``, ``"chat_rate"`` (private chat, per second),
    ``"group_rate"`` (group chat, per minute) or ``"ignored_retry_after"`` (a send to a chat
    before the ``retry_after`` of an earlier 429 for that chat elapsed).
    """

    kind: str
    chat_id: int
    method: str
    at: float
    retry_after: int


@dataclass(slots=True)
class SentMessage:
    """A message the bot sent to a chat, updated in place when edited or deleted.

    ``text`` is the message text exactly as the bot sent it (markup included), ``plain_text``
    is what the user sees after ``parse_mode`` was applied and ``entities`` the resulting
    entities. For documents and photos the same applies to ``caption``/``plain_caption``.
    ``history`` holds the previous versions (dicts with ``text``, ``caption``,
    ``reply_markup`` and ``at``) when the message was edited.
    """

    chat_id: int
    message_id: int
    kind: str
    method: str
    sent_at: float
    text: str | None = None
    plain_text: str | None = None
    caption: str | None = None
    plain_caption: str | None = None
    parse_mode: str | None = None
    entities: list[JsonDict] = field(default_factory=list)
    reply_markup: JsonDict | None = None
    file_id: str | None = None
    file_unique_id: str | None = None
    file_name: str | None = None
    file_path: str | None = None
    mime_type: str | None = None
    file_bytes: bytes | None = None
    edited: bool = False
    edited_at: float | None = None
    edit_count: int = 0
    deleted: bool = False
    deleted_at: float | None = None
    history: list[JsonDict] = field(default_factory=list)

    @property
    def content(self) -> str | None:
        """The visible text: ``plain_text`` for text messages, ``plain_caption`` otherwise."""
        return self.plain_text if self.kind == "text" else self.plain_caption

    @property
    def buttons(self) -> list[JsonDict]:
        """The inline keyboard buttons (flattened), or an empty list."""
        if not self.reply_markup:
            return []
        rows = self.reply_markup.get("inline_keyboard") or []
        return [b for row in rows if isinstance(row, list) for b in row if isinstance(b, dict)]

    def to_dict(self) -> JsonDict:
        """A JSON-serialisable view (without file bytes) for web UIs."""
        return {
            "chat_id": self.chat_id,
            "message_id": self.message_id,
            "kind": self.kind,
            "method": self.method,
            "sent_at": self.sent_at,
            "text": self.text,
            "plain_text": self.plain_text,
            "caption": self.caption,
            "plain_caption": self.plain_caption,
            "parse_mode": self.parse_mode,
            "entities": copy.deepcopy(self.entities),
            "reply_markup": copy.deepcopy(self.reply_markup),
            "file_id": self.file_id,
            "file_name": self.file_name,
            "file_path": self.file_path,
            "mime_type": self.mime_type,
            "file_size": None if self.file_bytes is None else len(self.file_bytes),
            "edited": self.edited,
            "edit_count": self.edit_count,
            "deleted": self.deleted,
        }


@dataclass(frozen=True, slots=True)
class CallbackAnswer:
    """An ``answerCallbackQuery`` call for a query produced by :meth:`BotApiEmulator.user_presses`."""

    callback_query_id: str
    user_id: int | None
    chat_id: int | None
    message_id: int | None
    data: str | None
    text: str | None
    show_alert: bool
    url: str | None
    cache_time: int
    at: float


@dataclass(slots=True)
class RequestRecord:
    """One Bot API request as seen by the emulator.

    ``at`` is the emulator clock when the request arrived; ``status`` is filled in when the
    answer is ready (``None`` while it is still pending, e.g. a long poll or a hung request).
    """

    seq: int
    at: float
    method: str
    chat_id: int | None
    source: str = "http"
    status: int | None = None
    ok: bool | None = None
    description: str | None = None
    retry_after: int | None = None
    finished_at: float | None = None


@dataclass(frozen=True, slots=True)
class EmulatorEvent:
    """Something observable happened: ``kind`` is ``"message_sent"``, ``"message_edited"``,
    ``"message_deleted"``, ``"callback_answered"``, ``"chat_action"`` or ``"update"`` (an
    update was queued for the bot)."""

    kind: str
    at: float
    chat_id: int | None = None
    message_id: int | None = None
    message: SentMessage | None = None
    data: JsonDict = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class WebhookDelivery:
    """One attempt to POST an update to the webhook."""

    update_id: int
    attempt: int
    url: str
    ok: bool
    status: int | None
    error: str | None
    at: float


class ApiError(Exception):
    """A Bot API error answer (``ok: false``)."""

    def __init__(self, status: int, description: str, *, parameters: JsonDict | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def body(self) -> JsonDict:
        """The JSON body Telegram would answer with."""
        payload: JsonDict = {"ok": False, "error_code": self.status, "description": self.description}
        if self.parameters:
            payload["parameters"] = self.parameters
        return payload
