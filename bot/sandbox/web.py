"""The web sandbox: phone-like chat panes in a browser that talk to the bot through the Bot API emulator.

The page (``static/``) is plain HTML, CSS and JavaScript. It plays Telegram's part for the people it shows:
what a person types or taps becomes an update in the emulator (``user_sends_text``, ``user_presses``), the bot
answers over the real Bot API, and everything the bot does to a chat (send, edit, delete, answer a button) is
pushed to the page live as server-sent events from :meth:`BotApiEmulator.subscribe`.

JSON API (all under ``/api``)::

    GET  /api/personas                   demo people who can chat (a service query) and the bot's name
    POST /api/newcomer                   a fresh Telegram user id for someone not invited yet
    POST /api/invites {name, role}       a one-time invite code for a new participant (or staff member)
    GET  /api/chats/{user_id}            the chat so far: messages and the current reply keyboard
    POST /api/chats/{user_id}/text       {text, first_name}: the person sends a message
    POST /api/chats/{user_id}/press      {message_id, data}: the person taps an inline button
    GET  /api/events                     server-sent events: message / edited / deleted / toast / typing
    GET  /files/{file_id}                a document or photo the bot sent
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final
from urllib.parse import quote

from aiohttp import web
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.sandbox.emulator import BotApiEmulator, EmulatorEvent, SentMessage
from models.people import invites
from models.people.directory import list_bound_accounts
from models.platform.errors import DomainError
from models.tables import Role

__all__ = ["STATIC_DIR", "WebSandbox", "event_payload", "is_sandbox_chat", "make_web_app"]

log = logging.getLogger(__name__)

STATIC_DIR: Final = Path(__file__).resolve().parent / "static"
NEWCOMER_ID_BASE: Final = 8_000_000_000  # made-up ids for people not invited yet (as in ``hamkke chat``)
NEWCOMER_ID_SPAN: Final = 100_000_000
# The page acts only as made-up Telegram ids: newcomers (8.0e9…) and the demo people (9.1e9…, 9.2e9…), far above
# the ids Telegram hands out to real people today. Someone connected from a real Telegram account can never be
# picked or impersonated here, even when the sandbox is pointed at a database with real people in it.
SANDBOX_MIN_USER_ID: Final = NEWCOMER_ID_BASE
SANDBOX_MAX_USER_ID: Final = 2**53 - 1  # what a browser's numbers hold exactly
TEXT_MAX: Final = 4096  # what a Telegram app lets a person send in one message
NAME_MAX: Final = 60
HEARTBEAT_SECONDS: Final = 15.0
EVENT_QUEUE_SIZE: Final = 5000
_CLOSING: Final = "sandbox_closing"

JsonDict = dict[str, Any]
_dumps: Final = functools.partial(json.dumps, ensure_ascii=False)


def _json(data: Any, status: int = 200) -> web.Response:
    return web.json_response(data, status=status, dumps=_dumps)


@dataclass
class WebSandbox:
    """What the page needs: the emulator playing Telegram, and the database for the persona list and invites."""

    emulator: BotApiEmulator
    sessions: async_sessionmaker[AsyncSession]
    center_id: int
    bot_username: str = "hamkke_bot"
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    streams: set[asyncio.Queue[EmulatorEvent]] = field(default_factory=set)


SANDBOX: Final = web.AppKey("sandbox", WebSandbox)


def make_web_app(sandbox: WebSandbox) -> web.Application:
    """The aiohttp application serving the page, its JSON API and the live event stream."""
    app = web.Application(client_max_size=64 * 1024)
    app[SANDBOX] = sandbox
    app.router.add_get("/", _index)
    app.router.add_static("/static/", STATIC_DIR, append_version=False)
    app.router.add_get("/api/personas", _personas)
    app.router.add_post("/api/newcomer", _newcomer)
    app.router.add_post("/api/invites", _invite)
    app.router.add_get(r"/api/chats/{user_id:\d{1,16}}", _history)
    app.router.add_post(r"/api/chats/{user_id:\d{1,16}}/text", _send_text)
    app.router.add_post(r"/api/chats/{user_id:\d{1,16}}/press", _press)
    app.router.add_get("/api/events", _events)
    app.router.add_get(r"/files/{file_id:[A-Za-z0-9_-]{1,128}}", _file)
    app.on_shutdown.append(_close_streams)
    return app


# ------------------------------------------------------------------------------------------- page


async def _index(request: web.Request) -> web.StreamResponse:
    return web.FileResponse(STATIC_DIR / "index.html", headers={"Cache-Control": "no-store"})


def _bad_request(reason: str) -> web.HTTPBadRequest:
    return web.HTTPBadRequest(text=_dumps({"error": reason}), content_type="application/json")


async def _json_body(request: web.Request) -> JsonDict:
    try:
        body = await request.json()
    except (ValueError, UnicodeDecodeError):
        raise _bad_request("body must be a JSON object") from None
    if not isinstance(body, dict):
        raise _bad_request("body must be a JSON object")
    return body


def is_sandbox_chat(chat_id: int | None) -> bool:
    """Whether the page may show or act in this private chat (a made-up person's, never a real one's)."""
    return chat_id is not None and SANDBOX_MIN_USER_ID <= chat_id <= SANDBOX_MAX_USER_ID


def _user_id(request: web.Request) -> int:
    user_id = int(request.match_info["user_id"])
    if not is_sandbox_chat(user_id):
        raise web.HTTPForbidden(text=_dumps({"error": "not a sandbox person"}), content_type="application/json")
    return user_id


# ------------------------------------------------------------------------------------------- people


async def _personas(request: web.Request) -> web.Response:
    """The people one can be in the sandbox (bound demo accounts) and the bot's own name."""
    sandbox = request.app[SANDBOX]
    async with sandbox.sessions() as session:
        accounts = await list_bound_accounts(session=session, center_id=sandbox.center_id,
                                             min_telegram_user_id=SANDBOX_MIN_USER_ID)
    people = [
        {"user_id": a.telegram_user_id, "name": a.name, "kind": a.kind, "title": a.title} for a in accounts
    ]
    bot = {"username": sandbox.emulator.username, "name": sandbox.emulator.first_name}
    return _json({"bot": bot, "people": people})


async def _newcomer(request: web.Request) -> web.Response:
    """A made-up Telegram user id for a person the center has not invited yet."""
    return _json({"user_id": NEWCOMER_ID_BASE + secrets.randbelow(NEWCOMER_ID_SPAN)})


async def _invite(request: web.Request) -> web.Response:
    """Register a new person and return their one-time invite code, as a worker would hand it out."""
    sandbox = request.app[SANDBOX]
    body = await _json_body(request)
    name = body.get("name")
    role = body.get("role", "participant")
    if not isinstance(name, str) or not name.strip() or len(name.strip()) > NAME_MAX:
        raise _bad_request(f"name must be 1 to {NAME_MAX} characters")
    if role not in ("participant", "staff", "manager"):
        raise _bad_request("role must be participant, staff or manager")
    async with sandbox.sessions() as session:
        try:
            if role == "participant":
                invitation = await invites.invite_participant(
                    session=session, center_id=sandbox.center_id, name=name, now=sandbox.clock())
            else:
                invitation = await invites.invite_staff(
                    session=session, center_id=sandbox.center_id, name=name, role=Role(role), now=sandbox.clock())
        except DomainError as exc:
            raise _bad_request(exc.code) from None
    link = f"https://t.me/{sandbox.bot_username}?start={invitation.code}"
    return _json({"code": invitation.code, "name": invitation.name, "role": role, "link": link})


# ------------------------------------------------------------------------------------------- chats


def _bot_message(message: SentMessage) -> JsonDict:
    data = message.to_dict()
    data["from"] = "bot"
    data["file_url"] = f"/files/{message.file_id}" if message.file_id else None
    return data


def _user_message(emulator: BotApiEmulator, message: JsonDict) -> JsonDict:
    chat_id = message["chat"]["id"]
    message_id = message["message_id"]
    return {
        "from": "user",
        "chat_id": chat_id,
        "message_id": message_id,
        "kind": "text",
        "plain_text": message.get("text") or message.get("caption") or "",
        "entities": [],
        "reply_markup": None,
        "edited": False,
        "edit_count": 0,
        "deleted": emulator.message(chat_id, message_id) is None,
    }


def _keyboard_after(messages: list[SentMessage]) -> JsonDict | None:
    """The reply keyboard a Telegram app shows after these bot messages (the latest one set or removed)."""
    for message in reversed(messages):
        markup = message.reply_markup or {}
        if "keyboard" in markup:
            return markup
        if markup.get("remove_keyboard"):
            return None
    return None


async def _history(request: web.Request) -> web.Response:
    """The private chat with this person so far, oldest first, without deleted messages."""
    emulator = request.app[SANDBOX].emulator
    chat_id = _user_id(request)
    sent = emulator.outbox(chat_id)
    messages = [_bot_message(m) for m in sent if not m.deleted]
    messages += [
        _user_message(emulator, m) for m in emulator.inbox
        if m.get("chat", {}).get("id") == chat_id and "text" in m
    ]
    messages = sorted((m for m in messages if not m["deleted"]), key=lambda m: m["message_id"])
    return _json({"chat_id": chat_id, "messages": messages, "keyboard": _keyboard_after(sent)})


async def _send_text(request: web.Request) -> web.Response:
    """The person writes a message (a command, a menu label or free text)."""
    emulator = request.app[SANDBOX].emulator
    user_id = _user_id(request)
    body = await _json_body(request)
    text = body.get("text")
    first_name = body.get("first_name")
    if not isinstance(text, str) or not text.strip():
        raise _bad_request("text must be a non-empty string")
    if len(text) > TEXT_MAX:
        raise _bad_request(f"text must be at most {TEXT_MAX} characters")
    if first_name is not None and (not isinstance(first_name, str) or not 0 < len(first_name) <= 64):
        raise _bad_request("first_name must be 1 to 64 characters")
    update = emulator.user_sends_text(user_id, text, first_name=first_name, language_code="ko")
    return _json({"update_id": update["update_id"],
                              "message": _user_message(emulator, update["message"])})


async def _press(request: web.Request) -> web.Response:
    """The person taps an inline button under one of the bot's messages."""
    emulator = request.app[SANDBOX].emulator
    user_id = _user_id(request)
    body = await _json_body(request)
    message_id, data = body.get("message_id"), body.get("data")
    if not isinstance(message_id, int) or isinstance(message_id, bool) or message_id <= 0:
        raise _bad_request("message_id must be a positive integer")
    if not isinstance(data, str) or not 0 < len(data.encode("utf-8")) <= 64:
        raise _bad_request("data must be 1 to 64 bytes")
    try:
        update = emulator.user_presses(user_id, message_id, data, language_code="ko")
    except LookupError:
        raise web.HTTPNotFound(text=_dumps({"error": "message is gone"}),
                               content_type="application/json") from None
    return _json({"update_id": update["update_id"]})


async def _file(request: web.Request) -> web.StreamResponse:
    """A document or photo the bot sent, with its name (photos open in the browser, documents download)."""
    emulator = request.app[SANDBOX].emulator
    file_id = request.match_info["file_id"]
    data = emulator.file_bytes(file_id)
    sent = next((m for m in reversed(emulator.all_sent()) if m.file_id == file_id), None)
    if data is None or sent is None or not is_sandbox_chat(sent.chat_id):
        raise web.HTTPNotFound()
    name = sent.file_name or ("photo.jpg" if sent.kind == "photo" else "file")
    disposition = "inline" if sent.kind == "photo" else "attachment"
    ascii_name = name.encode("ascii", "replace").decode().replace('"', "_").replace("?", "_")
    headers = {
        "Content-Disposition": f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}",
        "Cache-Control": "private, max-age=3600",
        "X-Content-Type-Options": "nosniff",
    }
    return web.Response(body=data, content_type=sent.mime_type or "application/octet-stream", headers=headers)


# ------------------------------------------------------------------------------------------- live events


def event_payload(emulator: BotApiEmulator, event: EmulatorEvent) -> JsonDict | None:
    """What the page needs to know about an emulator event (None for events it does not show)."""
    if event.kind != "update" and not is_sandbox_chat(event.chat_id):
        return None
    if event.kind == "message_sent" and event.message is not None:
        return {"type": "message", "message": _bot_message(event.message)}
    if event.kind == "message_edited" and event.message is not None:
        return {"type": "edited", "message": _bot_message(event.message)}
    if event.kind == "message_deleted":
        return {"type": "deleted", "chat_id": event.chat_id, "message_id": event.message_id}
    if event.kind == "callback_answered":
        text = event.data.get("text")
        if not text:
            return None
        return {"type": "toast", "chat_id": event.chat_id, "text": text,
                "alert": bool(event.data.get("show_alert"))}
    if event.kind == "chat_action":
        return {"type": "typing", "chat_id": event.chat_id, "action": event.data.get("action")}
    if event.kind == "update":
        message = event.data.get("update", {}).get("message")
        chat = message.get("chat", {}) if isinstance(message, dict) else {}
        if isinstance(message, dict) and "text" in message and chat.get("type") == "private" \
                and is_sandbox_chat(chat.get("id")):
            return {"type": "message", "message": _user_message(emulator, message)}
    return None


async def _events(request: web.Request) -> web.StreamResponse:
    """Server-sent events: everything that happens in any chat, as it happens."""
    sandbox = request.app[SANDBOX]
    response = web.StreamResponse(headers={
        "Content-Type": "text/event-stream; charset=utf-8",
        "Cache-Control": "no-cache, no-store",
        "X-Accel-Buffering": "no",
    })
    queue = sandbox.emulator.subscribe(maxsize=EVENT_QUEUE_SIZE)
    sandbox.streams.add(queue)
    try:
        await response.prepare(request)
        await response.write(b"retry: 1500\n\n")
        while True:
            try:
                event = await asyncio.wait_for(queue.get(), HEARTBEAT_SECONDS)
            except TimeoutError:
                await response.write(b": ping\n\n")
                continue
            if event.kind == _CLOSING:
                break
            payload = event_payload(sandbox.emulator, event)
            if payload is not None:
                data = _dumps(payload)
                await response.write(f"data: {data}\n\n".encode())
    except (ConnectionResetError, ConnectionError):
        pass  # the browser went away
    finally:
        sandbox.emulator.unsubscribe(queue)
        sandbox.streams.discard(queue)
    return response


async def _close_streams(app: web.Application) -> None:
    """On shutdown, end every open event stream so the server can stop at once."""
    for queue in list(app[SANDBOX].streams):
        with contextlib.suppress(asyncio.QueueFull):
            queue.put_nowait(EmulatorEvent(kind=_CLOSING, at=0.0))
