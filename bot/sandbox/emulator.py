"""An in-process emulator of the Telegram Bot API, served over HTTP by aiohttp.

It speaks enough of the Bot API that python-telegram-bot (``base_url=f"{url}/bot"``,
``base_file_url=f"{url}/file/bot"``) and aiogram (``TelegramAPIServer.from_base(url)``) run
unmodified against it, both in polling mode (``getUpdates``) and with webhooks.

The emulator has two sides:

* the **bot side** is the HTTP API (``/bot{token}/{method}`` and ``/file/bot{token}/{path}``);
* the **user side** is a Python API (:meth:`BotApiEmulator.user_sends_text`,
  :meth:`BotApiEmulator.user_presses`, :meth:`BotApiEmulator.deliver_raw`) that produces
  updates, plus observation helpers (:meth:`BotApiEmulator.outbox`,
  :meth:`BotApiEmulator.wait_for_messages`, :meth:`BotApiEmulator.subscribe`, :attr:`log`,
  :attr:`violations`).

Telegram's documented limits are enforced (message length, caption length, callback data size,
flood limits with ``429 retry_after``) and faults can be injected per chat (blocked user,
5xx answers, hanging requests, forced ``retry_after``).

All user-side methods must be called from the event loop thread that serves the emulator.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import hashlib
import itertools
import json
import logging
import math
import mimetypes
import re
import secrets
import struct
import time
from collections import Counter, deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http import HTTPStatus
from pathlib import PurePosixPath
from typing import Any, Final
from urllib.parse import urlsplit

import aiohttp
from aiohttp import web

__all__ = [
    "ApiError",
    "BotApiEmulator",
    "CallbackAnswer",
    "EmulatorEvent",
    "Limits",
    "RequestRecord",
    "SentMessage",
    "Violation",
    "WebhookDelivery",
]

logger = logging.getLogger(__name__)

JsonDict = dict[str, Any]

# --------------------------------------------------------------------------------------------
# Public value types
# --------------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------------
# Constants
# --------------------------------------------------------------------------------------------

_RATE_LIMITED: Final = frozenset(
    {
        "sendMessage",
        "sendDocument",
        "sendPhoto",
        "editMessageText",
        "editMessageReplyMarkup",
        "editMessageCaption",
    }
)
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
_INLINE_BUTTON_ACTIONS: Final = frozenset(
    {
        "url",
        "callback_data",
        "web_app",
        "login_url",
        "switch_inline_query",
        "switch_inline_query_current_chat",
        "switch_inline_query_chosen_chat",
        "copy_text",
        "callback_game",
        "pay",
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
_SECRET_TOKEN_RE: Final = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_COMMAND_RE: Final = re.compile(r"^[a-z0-9_]{1,32}$")
_LEADING_COMMAND_RE: Final = re.compile(r"^/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{1,64})?(?![A-Za-z0-9_@])")
_DOCUMENT_MAX: Final = 50 * 1024 * 1024
_PHOTO_MAX: Final = 10 * 1024 * 1024
_BODY_MAX: Final = 64 * 1024 * 1024

_MSG_NOT_MODIFIED: Final = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
_QUERY_TOO_OLD: Final = "Bad Request: query is too old and response timeout expired or query ID is invalid"
_WEBHOOK_ACTIVE: Final = "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"
_POLL_TERMINATED: Final = (
    "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
)


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def _now_unix() -> int:
    return int(datetime.now(tz=UTC).timestamp())


# --------------------------------------------------------------------------------------------
# Formatting (parse_mode) — enough of Telegram's parsers to compute plain text, entities and
# the characteristic "can't parse entities" errors.
# --------------------------------------------------------------------------------------------


class _EntityParseError(Exception):
    pass


class _TextBuilder:
    def __init__(self) -> None:
        self.parts: list[str] = []
        self.pos = 0  # in UTF-16 code units

    def add(self, chunk: str) -> None:
        if chunk:
            self.parts.append(chunk)
            self.pos += _utf16_len(chunk)

    def text(self) -> str:
        return "".join(self.parts)


_HTML_TAG_RE: Final = re.compile(
    r"<(/?)([A-Za-z][A-Za-z0-9-]*)"
    r"((?:\s+[^\s=>/]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>\"']+))?)*)\s*(/?)>"
)
_HTML_ATTR_RE: Final = re.compile(r"([^\s=>/]+)(?:\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>\"']+))?")
_HTML_ENTITY_RE: Final = re.compile(r"&(lt|gt|amp|quot|#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6});")
_HTML_PLAIN_RE: Final = re.compile(r"[^<&]+")
_HTML_TAGS: Final = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_NAMED_ENTITIES: Final = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


def _html_unescape(value: str) -> str:
    def repl(m: re.Match[str]) -> str:
        name = m.group(1)
        if name in _NAMED_ENTITIES:
            return _NAMED_ENTITIES[name]
        try:
            code = int(name[2:], 16) if name[1:2] in "xX" else int(name[1:])
            return chr(code)
        except (ValueError, OverflowError):
            return m.group(0)

    return _HTML_ENTITY_RE.sub(repl, value)


def _parse_html(text: str) -> tuple[str, list[JsonDict]]:
    out = _TextBuilder()
    entities: list[JsonDict] = []
    stack: list[tuple[str, int, dict[str, str]]] = []
    i, n = 0, len(text)
    while i < n:
        plain = _HTML_PLAIN_RE.match(text, i)
        if plain:
            out.add(plain.group(0))
            i = plain.end()
            continue
        if text[i] == "&":
            ent = _HTML_ENTITY_RE.match(text, i)
            if ent:
                out.add(_html_unescape(ent.group(0)))
                i = ent.end()
            else:
                out.add("&")
                i += 1
            continue
        # text[i] == "<"
        m = _HTML_TAG_RE.match(text, i)
        if m is None:
            raise _EntityParseError(f'Unsupported start tag "" at byte offset {_byte_offset(text, i)}')
        closing, name = m.group(1) == "/", m.group(2).lower()
        if closing:
            if not stack:
                raise _EntityParseError(f"Unexpected end tag at byte offset {_byte_offset(text, i)}")
            top_name, start, attrs = stack[-1]
            if top_name != name:
                raise _EntityParseError(
                    f'Unmatched end tag at byte offset {_byte_offset(text, i)}, expected "</{top_name}>", '
                    f'found "</{name}>"'
                )
            stack.pop()
            _emit_html_entity(entities, stack, top_name, start, out.pos, attrs)
        else:
            if name not in _HTML_TAGS:
                raise _EntityParseError(
                    f'Unsupported start tag "{name}" at byte offset {_byte_offset(text, i)}'
                )
            attrs = {
                a.group(1).lower(): _html_unescape((a.group(2) or "").strip("\"'"))
                for a in _HTML_ATTR_RE.finditer(m.group(3) or "")
            }
            if name == "span" and attrs.get("class") != "tg-spoiler":
                raise _EntityParseError(
                    f'Tag "span" must have class "tg-spoiler" at byte offset {_byte_offset(text, i)}'
                )
            if m.group(4):  # <b/>: an empty element
                _emit_html_entity(entities, stack, name, out.pos, out.pos, attrs)
            else:
                stack.append((name, out.pos, attrs))
        i = m.end()
    if stack:
        raise _EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return out.text(), entities


def _emit_html_entity(
    entities: list[JsonDict],
    stack: list[tuple[str, int, dict[str, str]]],
    name: str,
    start: int,
    end: int,
    attrs: dict[str, str],
) -> None:
    kind = _HTML_TAGS[name]
    if name == "code" and stack and stack[-1][0] == "pre":
        language = attrs.get("class", "")
        if language.startswith("language-"):
            stack[-1][2]["language"] = language.removeprefix("language-")
        return
    length = end - start
    if length <= 0:
        return
    entity: JsonDict = {"type": kind, "offset": start, "length": length}
    if name == "a":
        href = attrs.get("href")
        if not href:
            return
        entity["url"] = href
    elif name == "pre" and attrs.get("language"):
        entity["language"] = attrs["language"]
    elif name == "blockquote" and "expandable" in attrs:
        entity["type"] = "expandable_blockquote"
    elif name == "tg-emoji":
        entity["custom_emoji_id"] = attrs.get("emoji-id", "0")
    entities.append(entity)


_MDV2_RESERVED: Final = frozenset("_*[]()~`>#+-=|{}.!")
_MD_ENTITY_NAMES: Final = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strikethrough": "Strikethrough",
    "spoiler": "Spoiler",
    "text_link": "TextUrl",
    "code": "Code",
    "pre": "Pre",
}


def _find_unescaped(text: str, needle: str, start: int) -> int:
    i = start
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text.startswith(needle, i):
            return i
        i += 1
    return -1


def _unescape_md(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text, flags=re.S)


def _parse_markdown_v2(text: str) -> tuple[str, list[JsonDict]]:
    out = _TextBuilder()
    entities: list[JsonDict] = []
    stack: list[tuple[str, int, int]] = []  # (type, utf16 start, index of the marker)
    quote_start: int | None = None
    quote_end: int | None = None
    line_start = True
    i, n = 0, len(text)

    def entity(kind: str, start: int, **extra: Any) -> None:
        if out.pos > start:
            entities.append({"type": kind, "offset": start, "length": out.pos - start, **extra})

    while i < n:
        c = text[i]
        if line_start:
            line_start = False
            if c == ">":
                if quote_start is None:
                    quote_start = out.pos
                i += 1
                continue
            if quote_start is not None and quote_end is not None:
                if quote_end > quote_start:
                    entities.append(
                        {"type": "blockquote", "offset": quote_start, "length": quote_end - quote_start}
                    )
                quote_start = quote_end = None
        if c == "\\":
            if i + 1 < n and 0 < ord(text[i + 1]) < 127:
                out.add(text[i + 1])
                i += 2
                continue
            raise _EntityParseError("Character '\\' is reserved and must be escaped with the preceding '\\'")
        if c == "`":
            if text.startswith("```", i):
                end = _find_unescaped(text, "```", i + 3)
                if end < 0:
                    raise _EntityParseError(
                        f"Can't find end of Pre entity at byte offset {_byte_offset(text, i)}"
                    )
                body = text[i + 3 : end]
                language = ""
                first, sep, rest = body.partition("\n")
                if sep and first and not any(ch.isspace() for ch in first):
                    language, body = first, rest
                elif sep and not first:
                    body = rest
                start = out.pos
                out.add(_unescape_md(body))
                if language:
                    entity("pre", start, language=language)
                else:
                    entity("pre", start)
                i = end + 3
                continue
            end = _find_unescaped(text, "`", i + 1)
            if end < 0:
                raise _EntityParseError(
                    f"Can't find end of Code entity at byte offset {_byte_offset(text, i)}"
                )
            start = out.pos
            out.add(_unescape_md(text[i + 1 : end]))
            entity("code", start)
            i = end + 1
            continue
        marker_kind: str | None = None
        width = 1
        if c == "*":
            marker_kind = "bold"
        elif c == "~":
            marker_kind = "strikethrough"
        elif c == "_":
            if text.startswith("__", i):
                marker_kind, width = "underline", 2
            else:
                marker_kind = "italic"
        elif c == "|" and text.startswith("||", i):
            marker_kind, width = "spoiler", 2
        if marker_kind is not None:
            open_index = next((k for k in range(len(stack) - 1, -1, -1) if stack[k][0] == marker_kind), None)
            if open_index is None:
                stack.append((marker_kind, out.pos, i))
            else:
                _, start, _ = stack.pop(open_index)
                entity(marker_kind, start)
            i += width
            continue
        if c == "[":
            stack.append(("text_link", out.pos, i))
            i += 1
            continue
        if c == "]" and stack and stack[-1][0] == "text_link" and text.startswith("(", i + 1):
            end = _find_unescaped(text, ")", i + 2)
            if end < 0:
                raise _EntityParseError(f"Can't find end of a URL at byte offset {_byte_offset(text, i + 1)}")
            url = _unescape_md(text[i + 2 : end])
            _, start, _ = stack.pop()
            if url:
                entity("text_link", start, url=url)
            i = end + 1
            continue
        if c in _MDV2_RESERVED:
            raise _EntityParseError(
                f"Character '{c}' is reserved and must be escaped with the preceding '\\'"
            )
        if c == "\n":
            line_start = True
            if quote_start is not None:
                quote_end = out.pos
        out.add(c)
        i += 1
    if stack:
        kind, _, index = stack[-1]
        raise _EntityParseError(
            f"Can't find end of {_MD_ENTITY_NAMES.get(kind, kind)} entity at byte offset {_byte_offset(text, index)}"
        )
    if quote_start is not None and out.pos > quote_start:
        entities.append({"type": "blockquote", "offset": quote_start, "length": out.pos - quote_start})
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return out.text(), entities


def _parse_markdown(text: str) -> tuple[str, list[JsonDict]]:
    out = _TextBuilder()
    entities: list[JsonDict] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "\\" and i + 1 < n and text[i + 1] in "_*`[":
            out.add(text[i + 1])
            i += 2
            continue
        if c in "*_":
            end = text.find(c, i + 1)
            if end < 0:
                raise _EntityParseError(
                    f"Can't find end of the entity starting at byte offset {_byte_offset(text, i)}"
                )
            start = out.pos
            out.add(text[i + 1 : end])
            if out.pos > start:
                entities.append(
                    {"type": "bold" if c == "*" else "italic", "offset": start, "length": out.pos - start}
                )
            i = end + 1
            continue
        if c == "`":
            fence = "```" if text.startswith("```", i) else "`"
            end = text.find(fence, i + len(fence))
            if end < 0:
                raise _EntityParseError(
                    f"Can't find end of the entity starting at byte offset {_byte_offset(text, i)}"
                )
            body = text[i + len(fence) : end]
            extra: JsonDict = {}
            if fence == "```":
                first, sep, rest = body.partition("\n")
                if sep and first and not any(ch.isspace() for ch in first):
                    extra["language"], body = first, rest
            start = out.pos
            out.add(body)
            if out.pos > start:
                entities.append(
                    {
                        "type": "pre" if fence == "```" else "code",
                        "offset": start,
                        "length": out.pos - start,
                        **extra,
                    }
                )
            i = end + len(fence)
            continue
        if c == "[":
            close = text.find("](", i + 1)
            end = text.find(")", close + 2) if close >= 0 else -1
            if close < 0 or end < 0:
                raise _EntityParseError(
                    f"Can't find end of the entity starting at byte offset {_byte_offset(text, i)}"
                )
            start = out.pos
            out.add(text[i + 1 : close])
            url = text[close + 2 : end]
            if out.pos > start and url:
                entities.append({"type": "text_link", "offset": start, "length": out.pos - start, "url": url})
            i = end + 1
            continue
        out.add(c)
        i += 1
    return out.text(), entities


def _format(text: str, parse_mode: str | None, explicit_entities: Any) -> tuple[str, list[JsonDict]]:
    """Apply ``parse_mode`` like Telegram: return the visible text and its entities."""
    if not parse_mode:
        if explicit_entities is None:
            return text, []
        if not isinstance(explicit_entities, list) or not all(isinstance(e, dict) for e in explicit_entities):
            raise ApiError(400, "Bad Request: can't parse entities JSON object")
        return text, copy.deepcopy(explicit_entities)
    mode = parse_mode.lower()
    try:
        if mode == "html":
            return _parse_html(text)
        if mode == "markdownv2":
            return _parse_markdown_v2(text)
        if mode == "markdown":
            return _parse_markdown(text)
    except _EntityParseError as exc:
        raise ApiError(400, f"Bad Request: can't parse entities: {exc}") from None
    raise ApiError(400, f"Bad Request: unsupported parse_mode {parse_mode!r}")


# --------------------------------------------------------------------------------------------
# Request parameters
# --------------------------------------------------------------------------------------------


_JSON_ERRORS: Final = {
    "reply_markup": "Bad Request: can't parse reply keyboard markup JSON object",
    "entities": "Bad Request: can't parse entities JSON object",
    "caption_entities": "Bad Request: can't parse entities JSON object",
}


@dataclass(slots=True)
class _Upload:
    filename: str | None
    content_type: str | None
    data: bytes


class _Params:
    """Typed access to a request's parameters, whatever encoding they arrived in."""

    def __init__(self, values: Mapping[str, Any], files: Mapping[str, _Upload] | None = None) -> None:
        self.values: dict[str, Any] = dict(values)
        self.files: dict[str, _Upload] = dict(files or {})

    def has(self, name: str) -> bool:
        return self.values.get(name) is not None or name in self.files

    def raw(self, name: str) -> Any:
        return self.values.get(name)

    def string(self, name: str, default: str | None = None) -> str | None:
        value = self.values.get(name)
        if value is None:
            return default
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int | float):
            return str(value)
        if isinstance(value, str):
            return value
        raise ApiError(400, f'Bad Request: field "{name}" must be of type String')

    def integer(self, name: str, default: int | None = None) -> int | None:
        value = self.values.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str):
            with contextlib.suppress(ValueError):
                return int(value.strip())
        raise ApiError(400, f'Bad Request: field "{name}" must be of type Integer')

    def number(self, name: str, default: float | None = None) -> float | None:
        value = self.values.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return float(value)
        if isinstance(value, int | float):
            return float(value)
        if isinstance(value, str):
            with contextlib.suppress(ValueError):
                result = float(value.strip())
                if math.isfinite(result):
                    return result
        raise ApiError(400, f'Bad Request: field "{name}" must be a Number')

    def flag(self, name: str, default: bool = False) -> bool:
        value = self.values.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return value
        if isinstance(value, int | float):
            return bool(value)
        if isinstance(value, str):
            lowered = value.strip().lower()
            if lowered in {"true", "1", "yes", "on"}:
                return True
            if lowered in {"false", "0", "no", "off"}:
                return False
        raise ApiError(400, f'Bad Request: field "{name}" must be of type Boolean')

    def json(self, name: str, error: str | None = None) -> Any:
        value = self.values.get(name)
        if value is None:
            return None
        if isinstance(value, str):
            if value == "":
                return None
            try:
                return json.loads(value)
            except ValueError:
                message = error or _JSON_ERRORS.get(name, f"Bad Request: can't parse {name} JSON object")
                raise ApiError(400, message) from None
        return value


# --------------------------------------------------------------------------------------------
# Internal state
# --------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _StoredMessage:
    message: JsonDict
    from_bot: bool
    sent: SentMessage | None = None


@dataclass(slots=True)
class _StoredFile:
    file_id: str
    file_unique_id: str
    file_path: str
    data: bytes
    file_name: str | None
    mime_type: str | None
    width: int | None = None
    height: int | None = None
    remote_url: str | None = None


@dataclass(slots=True)
class _PendingUpdate:
    update: JsonDict
    update_id: int
    replay: bool = False
    handed_out: bool = False


@dataclass(slots=True)
class _Faults:
    blocked: bool = False
    fail_status: int = 502
    fail_times: int = 0
    hang_seconds: float = 0.0
    hang_times: int = 0
    hang_then_process: bool = True
    retry_after_seconds: int = 0
    retry_after_times: int = 0


@dataclass(slots=True)
class _Webhook:
    url: str
    secret_token: str | None
    max_connections: int
    allowed_updates: list[str] | None
    ip_address: str | None
    last_error_date: int | None = None
    last_error_message: str | None = None


@dataclass(slots=True)
class _CallbackQuery:
    query_id: str
    user_id: int
    chat_id: int
    message_id: int
    data: str
    answered: bool = False


class _Signal:
    """A broadcast "something changed" notification for coroutines on one loop."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        self._event.set()
        self._event = asyncio.Event()

    async def wait(self, seconds: float | None) -> None:
        event = self._event
        if seconds is not None and seconds <= 0:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), seconds)


def _image_size(data: bytes) -> tuple[int, int] | None:
    """Width and height of a PNG, GIF or JPEG image, if recognisable."""
    try:
        if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
            width, height = struct.unpack(">II", data[16:24])
            return int(width), int(height)
        if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
            width, height = struct.unpack("<HH", data[6:10])
            return int(width), int(height)
        if data[:2] == b"\xff\xd8":
            i = 2
            while i + 9 < len(data):
                if data[i] != 0xFF:
                    i += 1
                    continue
                marker = data[i + 1]
                if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
                    i += 2
                    continue
                (seg_len,) = struct.unpack(">H", data[i + 2 : i + 4])
                if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                    height, width = struct.unpack(">HH", data[i + 5 : i + 9])
                    return int(width), int(height)
                i += 2 + seg_len
    except struct.error:
        return None
    return None


def _copy_json(value: Any) -> Any:
    return json.loads(json.dumps(value))


# --------------------------------------------------------------------------------------------
# The emulator
# --------------------------------------------------------------------------------------------


class BotApiEmulator:
    """A Telegram Bot API server for one bot, with simulated users and fault injection.

    Args:
        token: the bot token the clients must use.
        username: the bot's username (without ``@``).
        bot_id: the bot's user id; defaults to the numeric prefix of ``token``.
        clock: a monotonic clock (seconds) used for flood limits and all recorded times.
        limits: Telegram's limits; see :class:`Limits`.
        first_name: the bot's display name.
        webhook_retry_delays: pauses before the 2nd, 3rd, ... attempt to deliver an update to a
            failing webhook; after the last one the update is dropped.
        webhook_timeout: seconds to wait for the webhook to answer.
    """

    def __init__(
        self,
        token: str,
        *,
        username: str = "hamkke_bot",
        bot_id: int | None = None,
        clock: Callable[[], float] = time.monotonic,
        limits: Limits | None = None,
        first_name: str = "함께",
        webhook_retry_delays: tuple[float, ...] = (0.05, 0.2, 1.0),
        webhook_timeout: float = 10.0,
    ) -> None:
        if not token:
            raise ValueError("token must not be empty")
        self.token = token
        self.username = username
        if bot_id is None:
            prefix = token.split(":", 1)[0]
            bot_id = int(prefix) if prefix.isdigit() else 7_000_000_001
        self.bot_id = bot_id
        self.first_name = first_name
        self.clock = clock
        self.limits = limits or Limits()
        self.webhook_retry_delays = tuple(webhook_retry_delays)
        self.webhook_timeout = webhook_timeout

        # observation
        self.violations: list[Violation] = []
        self.callback_answers: list[CallbackAnswer] = []
        self.log: list[RequestRecord] = []
        self.events: list[EmulatorEvent] = []
        self.method_counts: Counter[str] = Counter()
        self.chat_actions: list[tuple[int, str, float]] = []
        self.inbox: list[JsonDict] = []
        self.webhook_deliveries: list[WebhookDelivery] = []
        self.webhook_redeliveries = 0
        self.webhook_dropped: list[JsonDict] = []
        self.commands: dict[tuple[str, str], list[JsonDict]] = {}
        self.url: str | None = None

        # state
        self._users: dict[int, JsonDict] = {}
        self._chats: dict[int, JsonDict] = {}
        self._messages: dict[tuple[int, int], _StoredMessage] = {}
        self._next_message_id: dict[int, int] = {}
        self._outbox: dict[int, list[SentMessage]] = {}
        self._all_sent: list[SentMessage] = []
        self._files: dict[str, _StoredFile] = {}
        self._files_by_path: dict[str, _StoredFile] = {}
        self._file_counter = itertools.count(1)
        self._callbacks: dict[str, _CallbackQuery] = {}
        self._callback_counter = itertools.count(1)
        self._pending: list[_PendingUpdate] = []
        self._last_update_id = 0
        self._poll_generation = 0
        self._webhook: _Webhook | None = None
        self._faults: dict[int, _Faults] = {}
        self._global_sends: deque[float] = deque()
        self._chat_sends: dict[int, deque[float]] = {}
        self._retry_until: dict[int, float] = {}
        self._request_seq = itertools.count(1)
        self._subscribers: list[asyncio.Queue[EmulatorEvent]] = []
        self._methods: dict[str, tuple[str, Callable[[_Params, RequestRecord], Any]]] = {}
        for name in (
            "getMe",
            "getUpdates",
            "setWebhook",
            "deleteWebhook",
            "getWebhookInfo",
            "setMyCommands",
            "getMyCommands",
            "deleteMyCommands",
            "sendMessage",
            "editMessageText",
            "editMessageReplyMarkup",
            "editMessageCaption",
            "answerCallbackQuery",
            "sendDocument",
            "sendPhoto",
            "getFile",
            "deleteMessage",
            "deleteMessages",
            "sendChatAction",
            "getChat",
            "close",
            "logOut",
            "setMyDescription",
            "setMyShortDescription",
            "setMyName",
            "setChatMenuButton",
        ):
            self._methods[name.lower()] = (name, getattr(self, "_m_" + _snake(name)))

        # runtime (created lazily on the serving loop)
        self._update_signal: _Signal | None = None
        self._change_signal: _Signal | None = None
        self._closing: asyncio.Event | None = None
        self._runner: web.AppRunner | None = None
        self._client: aiohttp.ClientSession | None = None
        self._webhook_task: asyncio.Task[None] | None = None
        self._background: set[asyncio.Task[Any]] = set()

    # ---------------------------------------------------------------- lifecycle

    def make_app(self) -> web.Application:
        """Build an aiohttp application serving this emulator (it may be mounted elsewhere)."""
        app = web.Application(client_max_size=_BODY_MAX)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_route("GET", "/file/bot{token}/{path:.+}", self._handle_file)
        app.on_startup.append(self._on_startup)
        app.on_shutdown.append(self._on_shutdown)
        app.on_cleanup.append(self._on_cleanup)
        return app

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Serve on ``host:port`` (0 picks a free port) and return the base URL."""
        if self._runner is not None:
            raise RuntimeError("emulator already started")
        runner = web.AppRunner(self.make_app(), access_log=None, shutdown_timeout=2.0)
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        await site.start()
        self._runner = runner
        bound = runner.addresses[0]
        shown_host = f"[{host}]" if ":" in host else host
        self.url = f"http://{shown_host}:{bound[1]}"
        return self.url

    async def stop(self) -> None:
        """Stop serving; pending long polls and hung requests are released first."""
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()
        else:
            await self._on_shutdown(None)
            await self._on_cleanup(None)

    async def __aenter__(self) -> BotApiEmulator:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def _signals(self) -> tuple[_Signal, _Signal, asyncio.Event]:
        if self._update_signal is None or self._change_signal is None or self._closing is None:
            self._update_signal = _Signal()
            self._change_signal = _Signal()
            self._closing = asyncio.Event()
        return self._update_signal, self._change_signal, self._closing

    async def _on_startup(self, _app: web.Application | None) -> None:
        if self._webhook_task is None or self._webhook_task.done():
            # fresh primitives: a restarted emulator may run on another event loop
            self._update_signal, self._change_signal, self._closing = _Signal(), _Signal(), asyncio.Event()
            self._webhook_task = asyncio.create_task(self._webhook_worker(), name="bot-api-emulator-webhook")
        if self._client is None:
            self._client = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.webhook_timeout))

    async def _on_shutdown(self, _app: web.Application | None) -> None:
        updates, changes, closing = self._signals()
        closing.set()
        updates.notify()
        changes.notify()

    async def _on_cleanup(self, _app: web.Application | None) -> None:
        task, self._webhook_task = self._webhook_task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for bg in list(self._background):
            bg.cancel()
        for bg in list(self._background):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await bg
        client, self._client = self._client, None
        if client is not None:
            await client.close()

    async def _sleep(self, seconds: float) -> None:
        """Sleep, but wake up early when the emulator shuts down."""
        _, _, closing = self._signals()
        if seconds <= 0:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(closing.wait(), seconds)

    # ---------------------------------------------------------------- fault injection

    def _fault(self, chat_id: int) -> _Faults:
        return self._faults.setdefault(chat_id, _Faults())

    def block_chat(self, chat_id: int) -> None:
        """Every request to this chat answers 403 (the user blocked the bot / kicked it)."""
        self._fault(chat_id).blocked = True

    def unblock_chat(self, chat_id: int) -> None:
        """Undo :meth:`block_chat`."""
        self._fault(chat_id).blocked = False

    def fail_chat(self, chat_id: int, status: int = 502, times: int = 1) -> None:
        """The next ``times`` requests to this chat answer ``status`` (like Telegram's Bad Gateway)."""
        faults = self._fault(chat_id)
        faults.fail_status = status
        faults.fail_times = times

    def hang_chat(self, chat_id: int, seconds: float, *, times: int = 1, then_process: bool = True) -> None:
        """The next ``times`` requests to this chat hang for ``seconds`` before being answered.

        With ``then_process`` (the default) the request is carried out after the pause, like a
        slow Telegram whose answer the client may no longer be waiting for; otherwise it is
        answered ``504 Gateway Timeout`` without effect.
        """
        faults = self._fault(chat_id)
        faults.hang_seconds = seconds
        faults.hang_times = times
        faults.hang_then_process = then_process

    def force_retry_after(self, chat_id: int, seconds: int, times: int = 1) -> None:
        """The next ``times`` sends to this chat answer 429 with ``retry_after=seconds``."""
        faults = self._fault(chat_id)
        faults.retry_after_seconds = max(1, int(seconds))
        faults.retry_after_times = times

    def clear_faults(self) -> None:
        """Remove every injected fault (blocked chats included) and pending retry_after windows."""
        self._faults.clear()
        self._retry_until.clear()

    # ---------------------------------------------------------------- user side

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
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": _utf16_len(match.group(0))}]
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
            "date": _now_unix(),
            **_copy_json(dict(content)),
        }
        if reply_to_message_id is not None:
            replied = self._messages.get((chat["id"], reply_to_message_id))
            if replied is not None:
                message["reply_to_message"] = _strip_reply(replied.message)
        self._messages[(chat["id"], message_id)] = _StoredMessage(message=message, from_bot=False)
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
        self._callbacks[query_id] = _CallbackQuery(query_id, user_id, chat_id, message_id, data)
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
        payload = _copy_json(dict(update))
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

    def _enqueue(self, update: JsonDict, *, update_id: int | None = None, replay: bool = False) -> JsonDict:
        if update_id is None:
            self._last_update_id += 1
            update_id = self._last_update_id
        update = {"update_id": update_id, **{k: v for k, v in update.items() if k != "update_id"}}
        self._pending.append(_PendingUpdate(update=update, update_id=update_id, replay=replay))
        self._emit(EmulatorEvent(kind="update", at=self.clock(), data={"update": copy.deepcopy(update)}))
        updates, _, _ = self._signals()
        updates.notify()
        return copy.deepcopy(update)

    # ---------------------------------------------------------------- observation

    def outbox(self, chat_id: int, *, include_deleted: bool = True) -> list[SentMessage]:
        """Messages the bot sent to ``chat_id``, in order (edits update the entries in place)."""
        messages = self._outbox.get(chat_id, [])
        return [m for m in messages if include_deleted or not m.deleted]

    def all_sent(self) -> list[SentMessage]:
        """Every message the bot sent, across chats, in order."""
        return list(self._all_sent)

    @property
    def sent_counts(self) -> dict[int, int]:
        """Number of messages the bot sent per chat (edits not counted)."""
        return {chat_id: len(messages) for chat_id, messages in self._outbox.items()}

    @property
    def pending_updates(self) -> list[JsonDict]:
        """Updates queued and not yet confirmed by the bot."""
        return [copy.deepcopy(p.update) for p in self._pending]

    def chat(self, chat_id: int) -> JsonDict | None:
        """The ``Chat`` object the emulator knows for ``chat_id``."""
        chat = self._chats.get(chat_id)
        return dict(chat) if chat else None

    def message(self, chat_id: int, message_id: int) -> JsonDict | None:
        """The current ``Message`` object (bot or user), or ``None`` if unknown or deleted."""
        stored = self._messages.get((chat_id, message_id))
        return copy.deepcopy(stored.message) if stored else None

    def file_bytes(self, file_id: str) -> bytes | None:
        """The stored bytes of a file the bot uploaded."""
        stored = self._files.get(file_id)
        return stored.data if stored else None

    def my_commands(self, scope: Mapping[str, Any] | None = None, language_code: str = "") -> list[JsonDict]:
        """The commands set with ``setMyCommands`` for ``scope`` (default scope) and language."""
        return copy.deepcopy(
            self.commands.get((_scope_key(dict(scope or {"type": "default"})), language_code), [])
        )

    def requests(self, method: str | None = None, chat_id: int | None = None) -> list[RequestRecord]:
        """Entries of :attr:`log` filtered by method (case-insensitive) and/or chat."""
        return [
            r
            for r in self.log
            if (method is None or r.method.lower() == method.lower())
            and (chat_id is None or r.chat_id == chat_id)
        ]

    def subscribe(self, maxsize: int = 0) -> asyncio.Queue[EmulatorEvent]:
        """A queue receiving every subsequent :class:`EmulatorEvent` (for a web UI)."""
        queue: asyncio.Queue[EmulatorEvent] = asyncio.Queue(maxsize)
        self._subscribers.append(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue[EmulatorEvent]) -> None:
        """Stop feeding a queue returned by :meth:`subscribe`."""
        with contextlib.suppress(ValueError):
            self._subscribers.remove(queue)

    async def wait_for(
        self,
        predicate: Callable[[], bool],
        timeout: float = 5.0,  # noqa: ASYNC109 - a seconds budget is the friendlier test API
        *,
        what: str = "condition",
    ) -> None:
        """Wait until ``predicate()`` is true (re-checked after every event and request)."""
        _, changes, _ = self._signals()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not predicate():
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"timed out after {timeout}s waiting for {what}")
            await changes.wait(min(remaining, 0.25))

    async def wait_for_messages(
        self,
        chat_id: int,
        count: int,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> list[SentMessage]:
        """Wait until the bot has sent at least ``count`` messages to ``chat_id``; return them."""
        try:
            await self.wait_for(lambda: len(self._outbox.get(chat_id, [])) >= count, timeout)
        except TimeoutError:
            arrived = self._outbox.get(chat_id, [])
            summary = "; ".join(f"#{m.message_id} {m.kind}: {m.content!r}" for m in arrived) or "nothing"
            raise TimeoutError(
                f"expected {count} bot message(s) in chat {chat_id} within {timeout}s, "
                f"got {len(arrived)}: {summary}"
            ) from None
        return list(self._outbox[chat_id])

    async def wait_until_consumed(self, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Wait until the bot confirmed (or the webhook accepted) every queued update."""
        await self.wait_for(lambda: not self._pending, timeout, what="the bot to consume all updates")

    def _emit(self, event: EmulatorEvent) -> None:
        self.events.append(event)
        for queue in list(self._subscribers):
            with contextlib.suppress(asyncio.QueueFull):
                queue.put_nowait(event)
        _, changes, _ = self._signals()
        changes.notify()

    # ---------------------------------------------------------------- HTTP plumbing

    async def _handle_api(self, request: web.Request) -> web.StreamResponse:
        at = self.clock()
        method_name = request.match_info.get("method", "")
        record = RequestRecord(seq=next(self._request_seq), at=at, method=method_name, chat_id=None)
        try:
            if request.match_info.get("token") != self.token:
                raise ApiError(401, "Unauthorized")
            entry = self._methods.get(method_name.lower())
            if entry is None:
                raise ApiError(404, "Not Found")
            record.method = entry[0]
            params = await self._read_params(request)
        except ApiError as exc:
            self._finish(record, exc.status, exc.description, exc.parameters)
            self.log.append(record)
            return web.json_response(exc.body(), status=exc.status)
        status, body = await self._dispatch(entry[0], params, record)
        return web.json_response(body, status=status, dumps=_dumps)

    async def _dispatch(self, method: str, params: _Params, record: RequestRecord) -> tuple[int, JsonDict]:
        """Run one API method; log it and return the HTTP status and JSON body."""
        self.log.append(record)
        try:
            record.chat_id = self._peek_chat_id(params)
            if record.chat_id is not None:
                await self._maybe_hang(record.chat_id)
            _, handler = self._methods[method.lower()]
            result = await handler(params, record)
        except ApiError as exc:
            self._finish(record, exc.status, exc.description, exc.parameters)
            return exc.status, exc.body()
        except Exception:
            logger.exception("bot api emulator: %s failed", method)
            self._finish(record, 500, "Internal Server Error", None)
            return 500, {"ok": False, "error_code": 500, "description": "Internal Server Error"}
        self.method_counts[method] += 1
        self._finish(record, 200, None, None)
        if isinstance(result, _Described):
            return 200, {"ok": True, "result": result.result, "description": result.description}
        return 200, {"ok": True, "result": result}

    def _finish(
        self, record: RequestRecord, status: int, description: str | None, parameters: JsonDict | None
    ) -> None:
        record.status = status
        record.ok = status == 200
        record.description = description
        record.finished_at = self.clock()
        if parameters and "retry_after" in parameters:
            record.retry_after = int(parameters["retry_after"])
        if self._change_signal is not None:
            self._change_signal.notify()

    async def _read_params(self, request: web.Request) -> _Params:
        values: dict[str, Any] = {key: value for key, value in request.query.items()}
        files: dict[str, _Upload] = {}
        if not request.body_exists:
            return _Params(values, files)
        content_type = request.content_type.lower()
        try:
            if content_type == "application/json":
                raw = await request.read()
                if raw.strip():
                    try:
                        data = json.loads(raw)
                    except (ValueError, UnicodeDecodeError):
                        raise ApiError(400, "Bad Request: can't parse JSON object") from None
                    if not isinstance(data, dict):
                        raise ApiError(400, "Bad Request: can't parse JSON object")
                    values.update(data)
            elif content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
                form = await request.post()
                for key, value in form.items():
                    if isinstance(value, web.FileField):
                        try:
                            files[key] = _Upload(value.filename, value.content_type, value.file.read())
                        finally:
                            value.file.close()
                    elif isinstance(value, bytes | bytearray):
                        values[key] = bytes(value).decode("utf-8", errors="replace")
                    else:
                        values[key] = value
            else:
                await request.read()
        except ApiError:
            raise
        except web.HTTPRequestEntityTooLarge:
            raise ApiError(413, "Request Entity Too Large") from None
        except Exception as exc:  # garbage bodies must never crash the server
            logger.debug("bot api emulator: unreadable body: %r", exc)
            raise ApiError(400, "Bad Request: can't parse request body") from None
        return _Params(values, files)

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        if request.match_info.get("token") != self.token:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        stored = self._files_by_path.get(request.match_info.get("path", ""))
        if stored is None:
            return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"}, status=404)
        return web.Response(body=stored.data, content_type=stored.mime_type or "application/octet-stream")

    # ---------------------------------------------------------------- chats, faults, rates

    def _peek_chat_id(self, params: _Params) -> int | None:
        value = params.raw("chat_id")
        if isinstance(value, bool):
            return None
        if isinstance(value, int):
            return value
        if isinstance(value, str):
            value = value.strip()
            with contextlib.suppress(ValueError):
                return int(value)
            if value.startswith("@"):
                for chat in self._chats.values():
                    if str(chat.get("username", "")).lower() == value[1:].lower():
                        return int(chat["id"])
        return None

    def _require_chat(self, params: _Params) -> JsonDict:
        if params.raw("chat_id") in (None, ""):
            raise ApiError(400, "Bad Request: chat_id is empty")
        chat_id = self._peek_chat_id(params)
        if chat_id is None or chat_id == 0:
            raise ApiError(400, "Bad Request: chat not found")
        chat = self._chats.get(chat_id)
        if chat is None:
            if chat_id > 0:
                chat = {"id": chat_id, "type": "private", "first_name": f"User{chat_id}"}
            else:
                kind = "supergroup" if str(chat_id).startswith("-100") else "group"
                chat = {"id": chat_id, "type": kind, "title": f"Group {chat_id}"}
            self._chats[chat_id] = chat
        return chat

    async def _maybe_hang(self, chat_id: int) -> None:
        faults = self._faults.get(chat_id)
        if faults is None or faults.hang_times <= 0:
            return
        faults.hang_times -= 1
        then_process = faults.hang_then_process
        await self._sleep(faults.hang_seconds)
        if not then_process:
            raise ApiError(504, "Gateway Timeout")

    def _gate(self, method: str, chat_id: int, record: RequestRecord) -> None:
        """Injected faults and flood control, checked after validation and before any effect."""
        at = record.at
        rate_limited = method in _RATE_LIMITED
        faults = self._faults.get(chat_id)
        if faults is not None:
            if faults.blocked:
                chat = self._chats.get(chat_id, {})
                if chat.get("type", "private") == "private":
                    raise ApiError(403, "Forbidden: bot was blocked by the user")
                raise ApiError(403, f"Forbidden: bot was kicked from the {chat.get('type', 'group')} chat")
            if faults.fail_times > 0:
                faults.fail_times -= 1
                try:
                    phrase = HTTPStatus(faults.fail_status).phrase
                except ValueError:
                    phrase = "Server Error"
                raise ApiError(faults.fail_status, phrase)
            if rate_limited and faults.retry_after_times > 0:
                faults.retry_after_times -= 1
                seconds = faults.retry_after_seconds
                self._retry_until[chat_id] = max(self._retry_until.get(chat_id, at), at + seconds)
                raise _too_many(seconds)
        if rate_limited:
            self._check_rates(method, chat_id, at)

    def _check_rates(self, method: str, chat_id: int, at: float) -> None:
        limits = self.limits
        until = self._retry_until.get(chat_id)
        if until is not None:
            if at < until:
                self._violate("ignored_retry_after", chat_id, method, at, until)
            else:
                del self._retry_until[chat_id]
        if chat_id < 0:
            window, allowed, kind = 60.0, limits.per_group_per_minute, "group_rate"
        else:
            window, allowed, kind = 1.0, limits.per_chat_per_second, "chat_rate"
        sends = self._chat_sends.setdefault(chat_id, deque())
        _prune(sends, at - window)
        if len(sends) >= allowed:
            self._violate(kind, chat_id, method, at, sends[0] + window)
        _prune(self._global_sends, at - 1.0)
        if len(self._global_sends) >= limits.global_per_second:
            self._violate("global_rate", chat_id, method, at, self._global_sends[0] + 1.0)
        sends.append(at)
        self._global_sends.append(at)

    def _violate(self, kind: str, chat_id: int, method: str, at: float, free_at: float) -> None:
        retry_after = max(1, math.ceil(free_at - at - 1e-9))
        self.violations.append(
            Violation(kind=kind, chat_id=chat_id, method=method, at=at, retry_after=retry_after)
        )
        if self.limits.enforce_rates:
            if kind != "ignored_retry_after":
                self._retry_until[chat_id] = max(self._retry_until.get(chat_id, at), at + retry_after)
            raise _too_many(retry_after)

    # ---------------------------------------------------------------- messages & files

    def _allocate_message_id(self, chat_id: int) -> int:
        message_id = self._next_message_id.get(chat_id, 1)
        self._next_message_id[chat_id] = message_id + 1
        return message_id

    def _bot_user(self) -> JsonDict:
        return {"id": self.bot_id, "is_bot": True, "first_name": self.first_name, "username": self.username}

    def _validate_markup(self, markup: Any, *, inline_only: bool = False) -> JsonDict | None:
        if markup is None:
            return None
        bad_markup = "Bad Request: can't parse reply keyboard markup JSON object"
        if not isinstance(markup, dict):
            raise ApiError(400, bad_markup)
        if "inline_keyboard" in markup:
            rows = markup["inline_keyboard"]
            if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
                raise ApiError(
                    400,
                    'Bad Request: field "inline_keyboard" of the InlineKeyboardMarkup should be an Array of Arrays',
                )
            for row in rows:
                for button in row:
                    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                        raise ApiError(
                            400, "Bad Request: can't parse inline keyboard button: Text must be a String"
                        )
                    actions = [key for key in _INLINE_BUTTON_ACTIONS if key in button]
                    if not actions:
                        raise ApiError(
                            400,
                            "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard",
                        )
                    if "callback_data" in button:
                        data = button["callback_data"]
                        if not isinstance(data, str):
                            raise ApiError(
                                400,
                                'Bad Request: can\'t parse inline keyboard button: Field "callback_data" must be of type String',
                            )
                        size = len(data.encode("utf-8"))
                        if size < 1 or size > self.limits.callback_data_max_bytes:
                            raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
                    if "url" in button and (not isinstance(button["url"], str) or not button["url"].strip()):
                        raise ApiError(400, "Bad Request: BUTTON_URL_INVALID")
            return markup
        if inline_only:
            raise ApiError(400, "Bad Request: inline keyboard expected")
        if "keyboard" in markup:
            rows = markup["keyboard"]
            if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
                raise ApiError(
                    400,
                    'Bad Request: field "keyboard" of the ReplyKeyboardMarkup should be an Array of Arrays',
                )
            for row in rows:
                for button in row:
                    if not (
                        isinstance(button, str)
                        or (isinstance(button, dict) and isinstance(button.get("text"), str))
                    ):
                        raise ApiError(400, "Bad Request: can't parse keyboard button: Text must be a String")
            return markup
        if "remove_keyboard" in markup or "force_reply" in markup:
            return markup
        raise ApiError(400, bad_markup)

    def _reply_to(self, params: _Params, chat_id: int) -> JsonDict | None:
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
        return _strip_reply(stored.message)

    def _store_sent(
        self, chat: JsonDict, content: JsonDict, sent: SentMessage, reply_to: JsonDict | None
    ) -> JsonDict:
        message: JsonDict = {
            "message_id": sent.message_id,
            "from": self._bot_user(),
            "chat": dict(chat),
            "date": _now_unix(),
        }
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        message.update(content)
        inline = _inline_markup(sent.reply_markup)
        if inline is not None:
            message["reply_markup"] = inline
        self._messages[(chat["id"], sent.message_id)] = _StoredMessage(
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

    def _caption(self, params: _Params) -> tuple[str | None, str, list[JsonDict]]:
        caption = params.string("caption")
        if caption is None:
            return None, "", []
        plain, entities = _format(caption, params.string("parse_mode"), params.json("caption_entities"))
        if len(plain) > self.limits.caption_max:
            raise ApiError(400, "Bad Request: message caption is too long")
        return caption, plain, entities

    def _input_file(self, params: _Params, name: str, *, kind: str) -> _StoredFile:
        upload = params.files.get(name)
        value = params.raw(name)
        if upload is None and isinstance(value, str) and value.startswith("attach://"):
            upload = params.files.get(value.removeprefix("attach://"))
            if upload is None:
                raise ApiError(400, f"Bad Request: file attach://{value.removeprefix('attach://')} not found")
        if upload is not None:
            limit = _PHOTO_MAX if kind == "photo" else _DOCUMENT_MAX
            if len(upload.data) > limit:
                raise ApiError(413, "Request Entity Too Large")
            if not upload.data:
                raise ApiError(400, "Bad Request: file must be non-empty")
            return self._store_file(upload.data, upload.filename, upload.content_type, kind=kind)
        if not isinstance(value, str) or not value.strip():
            raise ApiError(400, f"Bad Request: there is no {kind} in the request")
        value = value.strip()
        existing = self._files.get(value)
        if existing is not None:
            return existing
        if value.startswith(("http://", "https://")):
            name_from_url = PurePosixPath(urlsplit(value).path).name or "file"
            stored = self._store_file(b"", name_from_url, None, kind=kind)
            stored.remote_url = value
            return stored
        raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")

    def _store_file(
        self, data: bytes, filename: str | None, content_type: str | None, *, kind: str
    ) -> _StoredFile:
        number = next(self._file_counter)
        mime = content_type if content_type and content_type != "application/octet-stream" else None
        if mime is None and filename:
            mime = mimetypes.guess_type(filename)[0]
        if kind == "photo":
            extension = ".jpg"
            folder = "photos"
        else:
            extension = PurePosixPath(filename or "").suffix or (mimetypes.guess_extension(mime or "") or "")
            folder = "documents"
        prefix = "AgACAgIAAxkDAAI" if kind == "photo" else "BQACAgIAAxkDAAI"
        file_id = f"{prefix}{number:06d}{secrets.token_urlsafe(18)}"
        unique = "AQAD" + hashlib.sha256(data or file_id.encode()).hexdigest()[:12]
        stored = _StoredFile(
            file_id=file_id,
            file_unique_id=unique,
            file_path=f"{folder}/file_{number}{extension}",
            data=data,
            file_name=filename,
            mime_type=mime or ("image/jpeg" if kind == "photo" else "application/octet-stream"),
        )
        if kind == "photo":
            size = _image_size(data)
            stored.width, stored.height = size if size else (320, 320)
        self._files[file_id] = stored
        self._files_by_path[stored.file_path] = stored
        return stored

    # ---------------------------------------------------------------- Bot API methods

    async def _m_get_me(self, params: _Params, record: RequestRecord) -> JsonDict:
        return {
            **self._bot_user(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _m_get_updates(self, params: _Params, record: RequestRecord) -> list[JsonDict]:
        if self._webhook is not None:
            raise ApiError(409, _WEBHOOK_ACTIVE)
        offset = params.integer("offset", 0) or 0
        limit = min(100, max(1, params.integer("limit", 100) or 100))
        timeout = max(0.0, params.number("timeout", 0.0) or 0.0)
        params.json("allowed_updates")  # tolerated; validates the JSON
        updates, _, closing = self._signals()
        self._poll_generation += 1
        generation = self._poll_generation
        updates.notify()  # an older long poll, if any, is terminated with 409
        self._confirm(offset)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if generation != self._poll_generation:
                raise ApiError(409, _POLL_TERMINATED)
            if self._webhook is not None:
                raise ApiError(409, _WEBHOOK_ACTIVE)
            batch = self._take_batch(limit)
            if batch:
                return batch
            remaining = deadline - loop.time()
            if remaining <= 0 or closing.is_set():
                return []
            await updates.wait(remaining)

    def _confirm(self, offset: int) -> None:
        if offset < 0:
            keep = -offset
            self._pending = self._pending[-keep:] if keep else []
            return
        if offset == 0:
            return
        before = len(self._pending)
        self._pending = [
            p for p in self._pending if not (p.update_id < offset and (p.handed_out or not p.replay))
        ]
        if len(self._pending) != before and self._change_signal is not None:
            self._change_signal.notify()

    def _take_batch(self, limit: int) -> list[JsonDict]:
        batch: list[JsonDict] = []
        last = -1
        for pending in self._pending:
            if len(batch) >= limit or (batch and pending.update_id <= last):
                break
            pending.handed_out = True
            batch.append(copy.deepcopy(pending.update))
            last = pending.update_id
        return batch

    async def _m_set_webhook(self, params: _Params, record: RequestRecord) -> _Described:
        url = (params.string("url") or "").strip()
        drop = params.flag("drop_pending_updates")
        if not url:
            self._webhook = None
            if drop:
                self._pending.clear()
            self._wake()
            return _Described(True, "Webhook was deleted")
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ApiError(400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
        secret = params.string("secret_token")
        if secret is not None and not _SECRET_TOKEN_RE.match(secret):
            raise ApiError(400, "Bad Request: secret token contains unallowed characters")
        allowed = params.json("allowed_updates")
        max_connections = params.integer("max_connections", 40) or 40
        if drop:
            self._pending.clear()
        unchanged = self._webhook is not None and self._webhook.url == url
        self._webhook = _Webhook(
            url=url,
            secret_token=secret,
            max_connections=max_connections,
            allowed_updates=allowed if isinstance(allowed, list) else None,
            ip_address=params.string("ip_address"),
        )
        self._wake()
        return _Described(True, "Webhook is already set" if unchanged else "Webhook was set")

    async def _m_delete_webhook(self, params: _Params, record: RequestRecord) -> _Described:
        had = self._webhook is not None
        self._webhook = None
        if params.flag("drop_pending_updates"):
            self._pending.clear()
        self._wake()
        return _Described(True, "Webhook was deleted" if had else "Webhook is already deleted")

    async def _m_get_webhook_info(self, params: _Params, record: RequestRecord) -> JsonDict:
        webhook = self._webhook
        info: JsonDict = {
            "url": webhook.url if webhook else "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._pending),
        }
        if webhook is not None:
            info["max_connections"] = webhook.max_connections
            if webhook.ip_address:
                info["ip_address"] = webhook.ip_address
            if webhook.allowed_updates is not None:
                info["allowed_updates"] = webhook.allowed_updates
            if webhook.last_error_date is not None:
                info["last_error_date"] = webhook.last_error_date
                info["last_error_message"] = webhook.last_error_message or ""
        return info

    def _wake(self) -> None:
        updates, changes, _ = self._signals()
        updates.notify()
        changes.notify()

    def _commands_key(self, params: _Params) -> tuple[str, str]:
        scope = params.json("scope") or {"type": "default"}
        if not isinstance(scope, dict) or scope.get("type") not in _COMMAND_SCOPES:
            raise ApiError(400, "Bad Request: can't parse BotCommandScope JSON object")
        language = params.string("language_code") or ""
        if language and not re.fullmatch(r"[a-z]{2,3}", language):
            raise ApiError(400, "Bad Request: invalid language code specified")
        return _scope_key(scope), language

    async def _m_set_my_commands(self, params: _Params, record: RequestRecord) -> bool:
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

    async def _m_get_my_commands(self, params: _Params, record: RequestRecord) -> list[JsonDict]:
        return copy.deepcopy(self.commands.get(self._commands_key(params), []))

    async def _m_delete_my_commands(self, params: _Params, record: RequestRecord) -> bool:
        self.commands.pop(self._commands_key(params), None)
        return True

    async def _m_send_message(self, params: _Params, record: RequestRecord) -> JsonDict:
        chat = self._require_chat(params)
        text = params.string("text")
        if text is None:
            raise ApiError(400, "Bad Request: message text is empty")
        parse_mode = params.string("parse_mode")
        plain, entities = _format(text, parse_mode, params.json("entities"))
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

    async def _send_file(self, params: _Params, record: RequestRecord, *, kind: str) -> JsonDict:
        method = "sendPhoto" if kind == "photo" else "sendDocument"
        chat = self._require_chat(params)
        caption, plain_caption, caption_entities = self._caption(params)
        markup = self._validate_markup(params.json("reply_markup"))
        stored = self._input_file(params, kind, kind=kind)
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

    async def _m_send_document(self, params: _Params, record: RequestRecord) -> JsonDict:
        return await self._send_file(params, record, kind="document")

    async def _m_send_photo(self, params: _Params, record: RequestRecord) -> JsonDict:
        return await self._send_file(params, record, kind="photo")

    def _editable(self, params: _Params) -> tuple[JsonDict, _StoredMessage]:
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
        stored: _StoredMessage,
        new_content: JsonDict,
        new_markup: JsonDict | None,
        update_sent: Callable[[SentMessage], None],
    ) -> JsonDict:
        message = stored.message
        new_inline = _inline_markup(new_markup)
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
        message["edit_date"] = _now_unix()
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

    async def _m_edit_message_text(self, params: _Params, record: RequestRecord) -> JsonDict:
        chat, stored = self._editable(params)
        text = params.string("text")
        if text is None:
            raise ApiError(400, "Bad Request: text must be non-empty")
        parse_mode = params.string("parse_mode")
        plain, entities = _format(text, parse_mode, params.json("entities"))
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

    async def _m_edit_message_caption(self, params: _Params, record: RequestRecord) -> JsonDict:
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

    async def _m_edit_message_reply_markup(self, params: _Params, record: RequestRecord) -> JsonDict:
        chat, stored = self._editable(params)
        markup = self._validate_markup(params.json("reply_markup"), inline_only=True)
        return self._apply_edit("editMessageReplyMarkup", record, chat, stored, {}, markup, lambda sent: None)

    async def _m_delete_message(self, params: _Params, record: RequestRecord) -> bool:
        chat = self._require_chat(params)
        message_id = params.integer("message_id")
        if message_id is None:
            raise ApiError(400, "Bad Request: message identifier is not specified")
        if (chat["id"], message_id) not in self._messages:
            raise ApiError(400, "Bad Request: message to delete not found")
        self._gate("deleteMessage", chat["id"], record)
        self._delete(chat["id"], message_id, record.at)
        return True

    async def _m_delete_messages(self, params: _Params, record: RequestRecord) -> bool:
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

    async def _m_answer_callback_query(self, params: _Params, record: RequestRecord) -> bool:
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

    async def _m_get_file(self, params: _Params, record: RequestRecord) -> JsonDict:
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

    async def _m_send_chat_action(self, params: _Params, record: RequestRecord) -> bool:
        chat = self._require_chat(params)
        action = params.string("action")
        if action not in _CHAT_ACTIONS:
            raise ApiError(400, "Bad Request: wrong parameter action in request")
        self._gate("sendChatAction", chat["id"], record)
        self.chat_actions.append((chat["id"], action, record.at))
        self._emit(EmulatorEvent("chat_action", at=record.at, chat_id=chat["id"], data={"action": action}))
        return True

    async def _m_get_chat(self, params: _Params, record: RequestRecord) -> JsonDict:
        chat_id = self._peek_chat_id(params)
        chat = self._chats.get(chat_id) if chat_id is not None else None
        if chat is None:
            raise ApiError(400, "Bad Request: chat not found")
        return {**chat, "accent_color_id": 0, "max_reaction_count": 11, "accepted_gift_types": _GIFT_TYPES}

    async def _m_close(self, params: _Params, record: RequestRecord) -> bool:
        return True

    async def _m_log_out(self, params: _Params, record: RequestRecord) -> bool:
        return True

    async def _m_set_my_description(self, params: _Params, record: RequestRecord) -> bool:
        return True

    async def _m_set_my_short_description(self, params: _Params, record: RequestRecord) -> bool:
        return True

    async def _m_set_my_name(self, params: _Params, record: RequestRecord) -> bool:
        return True

    async def _m_set_chat_menu_button(self, params: _Params, record: RequestRecord) -> bool:
        params.json("menu_button")
        return True

    # ---------------------------------------------------------------- webhook delivery

    async def _webhook_worker(self) -> None:
        updates, _, closing = self._signals()
        current: _PendingUpdate | None = None
        attempts = 0
        while not closing.is_set():
            webhook = self._webhook
            if webhook is None or not self._pending:
                await updates.wait(1.0)
                continue
            item = self._pending[0]
            if item is not current:
                current, attempts = item, 0
            attempts += 1
            ok, status, error, body = await self._post_update(webhook, item.update)
            self.webhook_deliveries.append(
                WebhookDelivery(
                    update_id=item.update_id,
                    attempt=attempts,
                    url=webhook.url,
                    ok=ok,
                    status=status,
                    error=error,
                    at=self.clock(),
                )
            )
            if attempts > 1:
                self.webhook_redeliveries += 1
            if ok:
                self._remove_pending(item)
                current = None
                if body is not None:
                    await self._run_webhook_answer(body)
                continue
            webhook.last_error_date = _now_unix()
            webhook.last_error_message = error
            if attempts > len(self.webhook_retry_delays):
                self._remove_pending(item)
                self.webhook_dropped.append(copy.deepcopy(item.update))
                current = None
                continue
            await self._sleep(self.webhook_retry_delays[attempts - 1])

    def _remove_pending(self, item: _PendingUpdate) -> None:
        self._pending = [p for p in self._pending if p is not item]
        if self._change_signal is not None:
            self._change_signal.notify()

    async def _post_update(
        self, webhook: _Webhook, update: JsonDict
    ) -> tuple[bool, int | None, str | None, Any]:
        client = self._client
        if client is None:
            return False, None, "emulator is not running", None
        headers = {"Content-Type": "application/json"}
        if webhook.secret_token:
            headers["X-Telegram-Bot-Api-Secret-Token"] = webhook.secret_token
        try:
            async with client.post(webhook.url, data=_dumps(update).encode(), headers=headers) as response:
                raw = await response.read()
                status = response.status
                reason = response.reason or ""
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            return False, None, f"Connection failed: {type(exc).__name__}: {exc}", None
        if not 200 <= status < 300:
            return False, status, f"Wrong response from the webhook: {status} {reason}".rstrip(), None
        body: Any = None
        with contextlib.suppress(ValueError, UnicodeDecodeError):
            body = json.loads(raw) if raw.strip() else None
        return True, status, None, body

    async def _run_webhook_answer(self, body: Any) -> None:
        """Telegram executes a method call given in the webhook's answer; so do we."""
        if not isinstance(body, dict) or not isinstance(body.get("method"), str):
            return
        entry = self._methods.get(body["method"].lower())
        if entry is None:
            return
        params = _Params({k: v for k, v in body.items() if k != "method"})
        record = RequestRecord(
            seq=next(self._request_seq),
            at=self.clock(),
            method=entry[0],
            chat_id=None,
            source="webhook_answer",
        )
        await self._dispatch(entry[0], params, record)


@dataclass(frozen=True, slots=True)
class _Described:
    result: Any
    description: str


_GIFT_TYPES: Final = {
    "unlimited_gifts": False,
    "limited_gifts": False,
    "unique_gifts": False,
    "premium_subscription": False,
}


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _scope_key(scope: JsonDict) -> str:
    normalized = dict(scope)
    for key in ("chat_id", "user_id"):
        value = normalized.get(key)
        if isinstance(value, str):
            with contextlib.suppress(ValueError):
                normalized[key] = int(value)
    return json.dumps(normalized, sort_keys=True)


def _prune(window: deque[float], older_than: float) -> None:
    while window and window[0] <= older_than:
        window.popleft()


def _too_many(seconds: int) -> ApiError:
    return ApiError(429, f"Too Many Requests: retry after {seconds}", parameters={"retry_after": seconds})


def _inline_markup(markup: JsonDict | None) -> JsonDict | None:
    if markup and "inline_keyboard" in markup:
        return {"inline_keyboard": copy.deepcopy(markup["inline_keyboard"])}
    return None


def _strip_reply(message: JsonDict) -> JsonDict:
    return {k: copy.deepcopy(v) for k, v in message.items() if k != "reply_to_message"}


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)
