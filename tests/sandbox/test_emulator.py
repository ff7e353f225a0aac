"""The Bot API emulator, driven by real clients: raw aiohttp, python-telegram-bot and aiogram."""

from __future__ import annotations

import asyncio
import datetime as dtm
import socket
import struct
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
import pytest
import telegram
import telegram.error
from aiogram import Bot as AiogramBot
from aiogram import Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError, TelegramRetryAfter
from aiogram.filters import CommandStart
from aiogram.types import BufferedInputFile
from aiogram.types import InlineKeyboardButton as AgButton
from aiogram.types import InlineKeyboardMarkup as AgMarkup
from aiogram.types import Message as AgMessage
from aiohttp import web
from telegram.ext import Application, CommandHandler, ContextTypes

from bot.sandbox.emulator import BotApiEmulator, EmulatorEvent, Limits, SentMessage, Violation

TOKEN = "123456:TEST-token_abc"


class FakeClock:
    """A monotonic clock the test moves by hand."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class SteppingClock:
    """Every reading is ``step`` seconds after the previous one: a bot that is never too fast."""

    def __init__(self, step: float = 2.0) -> None:
        self.now = 0.0
        self.step = step

    def __call__(self) -> float:
        self.now += self.step
        return self.now


EmuFactory = Callable[..., Awaitable[BotApiEmulator]]


@pytest.fixture
async def make_emu() -> AsyncIterator[EmuFactory]:
    created: list[BotApiEmulator] = []

    async def factory(**kwargs: Any) -> BotApiEmulator:
        emu = BotApiEmulator(TOKEN, **kwargs)
        await emu.start()
        created.append(emu)
        return emu

    yield factory
    for emu in created:
        await emu.stop()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def call(
    http: aiohttp.ClientSession,
    emu: BotApiEmulator,
    method: str,
    *,
    token: str = TOKEN,
    json: Any = None,
    data: Any = None,
    params: dict[str, str] | None = None,
    http_method: str = "POST",
) -> tuple[int, dict[str, Any]]:
    async with http.request(
        http_method, f"{emu.url}/bot{token}/{method}", json=json, data=data, params=params
    ) as response:
        return response.status, await response.json()


def ptb_bot(emu: BotApiEmulator) -> telegram.Bot:
    return telegram.Bot(TOKEN, base_url=f"{emu.url}/bot", base_file_url=f"{emu.url}/file/bot")


def aiogram_bot(emu: BotApiEmulator) -> AiogramBot:
    assert emu.url is not None
    return AiogramBot(TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(emu.url)))


def tiny_png(width: int = 3, height: int = 2) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    raw = b"".join(b"\x00" + b"\x00\x00\x00" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


# ------------------------------------------------------------------ raw HTTP: protocol and limits


@pytest.mark.asyncio
async def test_auth_unknown_method_and_encodings(make_emu: EmuFactory, http: aiohttp.ClientSession) -> None:
    emu = await make_emu(limits=Limits(enforce_rates=False))

    assert await call(http, emu, "getMe", token="999:wrong") == (
        401,
        {"ok": False, "error_code": 401, "description": "Unauthorized"},
    )
    assert await call(http, emu, "noSuchMethod") == (
        404,
        {"ok": False, "error_code": 404, "description": "Not Found"},
    )
    status, body = await call(http, emu, "GETME", http_method="GET")
    assert status == 200 and body["result"]["username"] == "hamkke_bot" and body["result"]["is_bot"] is True
    assert body["result"]["id"] == 123456

    # query string
    status, body = await call(
        http, emu, "sendMessage", params={"chat_id": "5", "text": "hi"}, http_method="GET"
    )
    assert status == 200 and body["result"]["text"] == "hi" and body["result"]["chat"]["type"] == "private"
    # urlencoded with a JSON-encoded reply_markup, the way PTB sends it
    markup = '{"inline_keyboard": [[{"text": "예", "callback_data": "yes"}]]}'
    status, body = await call(
        http, emu, "sendMessage", data={"chat_id": "5", "text": "q", "reply_markup": markup}
    )
    assert status == 200
    assert body["result"]["reply_markup"] == {"inline_keyboard": [[{"text": "예", "callback_data": "yes"}]]}
    assert body["result"]["message_id"] == 2
    # multipart, the way aiogram sends it
    form = aiohttp.FormData()
    form.add_field("chat_id", "-100777")
    form.add_field("text", "그룹")
    form.add_field("reply_markup", '{"keyboard": [["A"], [{"text": "B"}]], "resize_keyboard": true}')
    status, body = await call(http, emu, "sendMessage", data=form)
    assert status == 200 and body["result"]["chat"]["type"] == "supergroup"
    assert "reply_markup" not in body["result"]  # only inline keyboards are echoed by Telegram
    assert emu.outbox(-100777)[0].reply_markup == {
        "keyboard": [["A"], [{"text": "B"}]],
        "resize_keyboard": True,
    }
    # JSON with a nested object and with a JSON-in-JSON string
    status, body = await call(
        http, emu, "sendMessage", json={"chat_id": 5, "text": "j", "reply_markup": {"remove_keyboard": True}}
    )
    assert status == 200
    status, body = await call(
        http, emu, "sendMessage", json={"chat_id": 5, "text": "j2", "reply_markup": markup}
    )
    assert body["result"]["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "yes"


@pytest.mark.asyncio
async def test_garbage_never_crashes(make_emu: EmuFactory, http: aiohttp.ClientSession) -> None:
    emu = await make_emu(limits=Limits(enforce_rates=False))
    url = f"{emu.url}/bot{TOKEN}/sendMessage"

    async with http.post(url, data=b"{not json", headers={"Content-Type": "application/json"}) as response:
        assert response.status == 400
        assert (await response.json())["description"] == "Bad Request: can't parse JSON object"
    async with http.post(url, data=b"[1, 2]", headers={"Content-Type": "application/json"}) as response:
        assert response.status == 400
    async with http.post(
        url, data=b"--xx\r\ngarbage", headers={"Content-Type": "multipart/form-data; boundary=zz"}
    ) as response:
        assert response.status == 400
    status, body = await call(
        http, emu, "sendMessage", data={"chat_id": "5", "text": "x", "reply_markup": "{oops"}
    )
    assert status == 400 and "reply keyboard markup" in body["description"]
    status, body = await call(http, emu, "sendMessage", json={"chat_id": "abc", "text": "x"})
    assert (status, body["description"]) == (400, "Bad Request: chat not found")
    status, body = await call(http, emu, "sendMessage", json={"chat_id": 5, "text": {"a": 1}})
    assert status == 400
    status, body = await call(http, emu, "getUpdates", json={"offset": "soon"})
    assert status == 400
    status, body = await call(http, emu, "sendMessage", json={"chat_id": 5, "text": "x", "reply_markup": [1]})
    assert status == 400
    status, body = await call(http, emu, "getMe")
    assert status == 200  # still alive


@pytest.mark.asyncio
async def test_message_limits(make_emu: EmuFactory, http: aiohttp.ClientSession) -> None:
    emu = await make_emu(limits=Limits(enforce_rates=False))

    assert (await call(http, emu, "sendMessage", json={"chat_id": 1, "text": "가" * 4096}))[0] == 200
    status, body = await call(http, emu, "sendMessage", json={"chat_id": 1, "text": "x" * 4097})
    assert (status, body) == (
        400,
        {"ok": False, "error_code": 400, "description": "Bad Request: message is too long"},
    )
    status, body = await call(http, emu, "sendMessage", json={"chat_id": 1, "text": ""})
    assert (status, body["description"]) == (400, "Bad Request: message text is empty")
    status, body = await call(
        http, emu, "sendMessage", json={"chat_id": 1, "text": "<b> </b>", "parse_mode": "HTML"}
    )
    assert (status, body["description"]) == (400, "Bad Request: message text is empty")

    # callback_data is limited in UTF-8 bytes: 21 Hangul syllables (63 bytes) + 2 ASCII = 65 bytes
    too_long = "가" * 21 + "ab"
    assert len(too_long) == 23 and len(too_long.encode()) == 65
    keyboard = {"inline_keyboard": [[{"text": "t", "callback_data": too_long}]]}
    status, body = await call(
        http, emu, "sendMessage", json={"chat_id": 1, "text": "k", "reply_markup": keyboard}
    )
    assert (status, body["description"]) == (400, "Bad Request: BUTTON_DATA_INVALID")
    keyboard = {"inline_keyboard": [[{"text": "t", "callback_data": too_long[:-1]}]]}
    assert (await call(http, emu, "sendMessage", json={"chat_id": 1, "text": "k", "reply_markup": keyboard}))[
        0
    ] == 200

    form = aiohttp.FormData()
    form.add_field("chat_id", "1")
    form.add_field("caption", "c" * 1025)
    form.add_field("document", b"data", filename="a.txt")
    status, body = await call(http, emu, "sendDocument", data=form)
    assert (status, body["description"]) == (400, "Bad Request: message caption is too long")
    assert len(emu.outbox(1)) == 2  # nothing was sent by the rejected requests


@pytest.mark.asyncio
async def test_edit_and_delete_errors(make_emu: EmuFactory, http: aiohttp.ClientSession) -> None:
    emu = await make_emu(limits=Limits(enforce_rates=False))
    keyboard = {"inline_keyboard": [[{"text": "t", "callback_data": "d"}]]}
    _, body = await call(
        http, emu, "sendMessage", json={"chat_id": 9, "text": "원본", "reply_markup": keyboard}
    )
    mid = body["result"]["message_id"]

    status, body = await call(
        http, emu, "editMessageText", json={"chat_id": 9, "message_id": 99, "text": "x"}
    )
    assert (status, body["description"]) == (400, "Bad Request: message to edit not found")
    status, body = await call(
        http,
        emu,
        "editMessageText",
        json={"chat_id": 9, "message_id": mid, "text": "원본", "reply_markup": keyboard},
    )
    assert status == 400 and body["description"].startswith("Bad Request: message is not modified: ")
    status, body = await call(
        http, emu, "editMessageReplyMarkup", json={"chat_id": 9, "message_id": mid, "reply_markup": keyboard}
    )
    assert status == 400 and body["description"].startswith("Bad Request: message is not modified")
    # same text without reply_markup removes the keyboard: that is a modification
    status, body = await call(
        http, emu, "editMessageText", json={"chat_id": 9, "message_id": mid, "text": "원본"}
    )
    assert status == 200 and "reply_markup" not in body["result"] and "edit_date" in body["result"]
    sent = emu.outbox(9)[0]
    assert sent.edited and sent.reply_markup is None and sent.history[0]["reply_markup"] == keyboard

    status, body = await call(http, emu, "deleteMessage", json={"chat_id": 9, "message_id": 42})
    assert (status, body["description"]) == (400, "Bad Request: message to delete not found")
    assert (await call(http, emu, "deleteMessage", json={"chat_id": 9, "message_id": mid}))[1][
        "result"
    ] is True
    assert emu.outbox(9)[0].deleted
    status, body = await call(
        http, emu, "editMessageText", json={"chat_id": 9, "message_id": mid, "text": "y"}
    )
    assert (status, body["description"]) == (400, "Bad Request: message to edit not found")
    with pytest.raises(LookupError):
        emu.user_presses(9, mid, "d")


@pytest.mark.asyncio
async def test_global_rate_limit(make_emu: EmuFactory, http: aiohttp.ClientSession) -> None:
    clock = FakeClock()
    emu = await make_emu(clock=clock)

    statuses = []
    for chat_id in range(1, 32):
        status, body = await call(http, emu, "sendMessage", json={"chat_id": chat_id, "text": "공지"})
        statuses.append(status)
    assert statuses == [200] * 30 + [429]
    assert body == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 1",
        "parameters": {"retry_after": 1},
    }
    assert emu.violations == [
        Violation(kind="global_rate", chat_id=31, method="sendMessage", at=1000.0, retry_after=1)
    ]
    assert emu.sent_counts.get(31) is None

    clock.advance(1.0)
    assert (await call(http, emu, "sendMessage", json={"chat_id": 31, "text": "공지"}))[0] == 200
    assert len(emu.violations) == 1
    records = emu.requests("sendMessage", chat_id=31)
    assert [(r.at, r.status, r.retry_after) for r in records] == [(1000.0, 429, 1), (1001.0, 200, None)]


@pytest.mark.asyncio
async def test_private_and_group_rate_limits(make_emu: EmuFactory, http: aiohttp.ClientSession) -> None:
    clock = FakeClock()
    emu = await make_emu(clock=clock)

    assert (await call(http, emu, "sendMessage", json={"chat_id": 7, "text": "1"}))[0] == 200
    clock.advance(0.3)
    status, body = await call(http, emu, "editMessageText", json={"chat_id": 7, "message_id": 1, "text": "2"})
    assert status == 429 and body["parameters"] == {"retry_after": 1}
    clock.advance(0.3)  # the bot ignores retry_after
    status, body = await call(http, emu, "sendMessage", json={"chat_id": 7, "text": "3"})
    assert status == 429
    assert [v.kind for v in emu.violations] == ["chat_rate", "ignored_retry_after"]
    assert emu.violations[1].retry_after == 1  # 0.7 s of the 1 s given at t=0.3 are left
    clock.advance(0.8)  # t=1.4: the retry_after given at t=0.3 has elapsed
    assert (await call(http, emu, "sendMessage", json={"chat_id": 7, "text": "4"}))[0] == 200

    group = -100123
    for _ in range(20):
        assert (await call(http, emu, "sendMessage", json={"chat_id": group, "text": "g"}))[0] == 200
        clock.advance(1.0)
    status, body = await call(http, emu, "sendMessage", json={"chat_id": group, "text": "g"})
    assert status == 429 and body["parameters"]["retry_after"] == 40
    assert emu.violations[-1].kind == "group_rate"


@pytest.mark.asyncio
async def test_recording_without_enforcing(make_emu: EmuFactory, http: aiohttp.ClientSession) -> None:
    clock = FakeClock()
    emu = await make_emu(clock=clock, limits=Limits(enforce_rates=False))
    for text in ("a", "b"):
        assert (await call(http, emu, "sendMessage", json={"chat_id": 3, "text": text}))[0] == 200
    assert [v.kind for v in emu.violations] == ["chat_rate"]
    assert [m.text for m in emu.outbox(3)] == ["a", "b"]


@pytest.mark.asyncio
async def test_formatting(make_emu: EmuFactory, http: aiohttp.ClientSession) -> None:
    emu = await make_emu(limits=Limits(enforce_rates=False))

    async def send(text: str, mode: str) -> tuple[int, dict[str, Any]]:
        return await call(http, emu, "sendMessage", json={"chat_id": 2, "text": text, "parse_mode": mode})

    status, body = await send('😀 <b>굵게</b> &lt;3 <a href="https://x.kr/?a=1&amp;b=2">링크</a>', "HTML")
    assert status == 200
    assert body["result"]["text"] == "😀 굵게 <3 링크"
    assert body["result"]["entities"] == [
        {"type": "bold", "offset": 3, "length": 2},
        {"type": "text_link", "offset": 9, "length": 2, "url": "https://x.kr/?a=1&b=2"},
    ]
    assert (emu.outbox(2)[0].text or "").startswith("😀 <b>")  # raw text kept for assertions
    status, body = await send("<b>열림", "HTML")
    assert status == 400 and body["description"].startswith("Bad Request: can't parse entities: ")
    assert (await send("줄<br>바꿈", "HTML"))[0] == 400
    status, body = await send("1.5배", "MarkdownV2")
    assert status == 400 and "Character '.' is reserved" in body["description"]
    status, body = await send("1\\.5배 *굵게* _기울임_", "MarkdownV2")
    assert status == 200 and body["result"]["text"] == "1.5배 굵게 기울임"
    assert [e["type"] for e in body["result"]["entities"]] == ["bold", "italic"]
    assert (await send("*legacy*", "Markdown"))[1]["result"]["entities"][0]["type"] == "bold"


# ------------------------------------------------------------------ python-telegram-bot


@pytest.mark.asyncio
async def test_ptb_bot_round_trip(make_emu: EmuFactory) -> None:
    emu = await make_emu(clock=SteppingClock())
    async with ptb_bot(emu) as bot:
        assert bot.username == "hamkke_bot"
        keyboard = telegram.InlineKeyboardMarkup(
            [[telegram.InlineKeyboardButton("신청", callback_data="apply:1")]]
        )
        msg = await bot.send_message(42, "<b>안녕하세요</b>", parse_mode="HTML", reply_markup=keyboard)
        assert msg.text == "안녕하세요" and msg.entities[0].type == "bold"
        assert msg.reply_markup is not None
        assert msg.reply_markup.inline_keyboard[0][0].callback_data == "apply:1"
        assert msg.from_user is not None and msg.from_user.is_bot

        edited = await bot.edit_message_text("변경됨", chat_id=42, message_id=msg.message_id)
        assert (
            isinstance(edited, telegram.Message) and edited.text == "변경됨" and edited.edit_date is not None
        )
        with pytest.raises(telegram.error.BadRequest, match="Message is not modified"):
            await bot.edit_message_text("변경됨", chat_id=42, message_id=msg.message_id)

        doc = await bot.send_document(42, document=b"hello", filename="report.txt", caption="보고서")
        assert doc.document is not None and doc.document.file_name == "report.txt" and doc.caption == "보고서"
        file = await bot.get_file(doc.document.file_id)
        assert bytes(await file.download_as_bytearray()) == b"hello"
        photo = await bot.send_photo(42, photo=tiny_png())
        assert (photo.photo[-1].width, photo.photo[-1].height) == (3, 2)

        sent = emu.outbox(42)
        assert [m.kind for m in sent] == ["text", "document", "photo"]
        assert sent[1].file_name == "report.txt" and sent[1].file_bytes == b"hello"
        assert sent[0].edited and sent[0].text == "변경됨"

        emu.user_sends_text(42, "/start ref", first_name="민수", username="minsu")
        updates = await bot.get_updates(timeout=1)
        assert len(updates) == 1 and updates[0].message is not None
        assert updates[0].message.text == "/start ref"
        assert (
            updates[0].message.entities[0].type == "bot_command"
            and updates[0].message.entities[0].length == 6
        )
        assert updates[0].effective_user is not None and updates[0].effective_user.language_code == "ko"

        emu.user_presses(42, msg.message_id, "apply:1")
        updates = await bot.get_updates(offset=updates[-1].update_id + 1, timeout=1)
        query = updates[0].callback_query
        assert query is not None and query.data == "apply:1" and query.message is not None
        assert query.message.message_id == msg.message_id
        assert await bot.answer_callback_query(query.id, text="접수되었습니다")
        assert emu.callback_answers[0].text == "접수되었습니다" and emu.callback_answers[0].data == "apply:1"
        with pytest.raises(telegram.error.BadRequest, match="[Qq]uery is too old"):
            await bot.answer_callback_query(query.id)

        commands = [telegram.BotCommand("start", "시작"), telegram.BotCommand("help", "도움말")]
        assert await bot.set_my_commands(commands, language_code="ko")
        assert await bot.set_my_commands(commands[:1], scope=telegram.BotCommandScopeChat(42))
        assert [c.command for c in await bot.get_my_commands(language_code="ko")] == ["start", "help"]
        assert [c.command for c in await bot.get_my_commands(scope=telegram.BotCommandScopeChat(42))] == [
            "start"
        ]
        assert await bot.get_my_commands() == ()
        assert emu.my_commands(language_code="ko")[1] == {"command": "help", "description": "도움말"}

        assert await bot.send_chat_action(42, "typing")
        assert await bot.delete_message(42, msg.message_id)
        assert emu.outbox(42)[0].deleted
    assert emu.violations == []


@pytest.mark.asyncio
async def test_ptb_faults(make_emu: EmuFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    # PTB >= 22.2 warns (an error under our filterwarnings) when RetryAfter.retry_after is an int
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    emu = await make_emu(clock=SteppingClock())
    async with ptb_bot(emu) as bot:
        emu.block_chat(10)
        with pytest.raises(telegram.error.Forbidden, match="Forbidden: bot was blocked by the user"):
            await bot.send_message(10, "hi")

        emu.force_retry_after(11, 3)
        with pytest.raises(telegram.error.RetryAfter) as caught:
            await bot.send_message(11, "hi")
        assert caught.value.retry_after == dtm.timedelta(seconds=3)

        emu.fail_chat(12, status=502, times=1)
        with pytest.raises(telegram.error.NetworkError, match="Bad Gateway"):
            await bot.send_message(12, "hi")
        assert (await bot.send_message(12, "again")).text == "again"

        emu.hang_chat(13, 0.6)
        with pytest.raises(telegram.error.TimedOut):  # raised only if the client gave up before the answer
            await bot.send_message(13, "slow", read_timeout=0.2)
        # the hung request is still carried out, like a slow Telegram: a "ghost" message
        ghost = await emu.wait_for_messages(13, 1, timeout=2.0)
        assert ghost[0].text == "slow"

        emu.clear_faults()
        assert (await bot.send_message(10, "unblocked")).chat.id == 10
    assert emu.outbox(11) == [] and [m.text for m in emu.outbox(12)] == ["again"]
    statuses = [(r.chat_id, r.status) for r in emu.requests("sendMessage")]
    assert statuses[:4] == [(10, 403), (11, 429), (12, 502), (12, 200)]


@pytest.mark.asyncio
async def test_ptb_application_polling(make_emu: EmuFactory) -> None:
    emu = await make_emu(clock=SteppingClock())
    application = (
        Application.builder()
        .token(TOKEN)
        .base_url(f"{emu.url}/bot")
        .base_file_url(f"{emu.url}/file/bot")
        .build()
    )

    async def start(update: telegram.Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None and update.effective_user is not None
        await update.effective_message.reply_text(f"{update.effective_user.first_name}님 환영합니다")

    application.add_handler(CommandHandler("start", start))
    async with application:
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(poll_interval=0.0, timeout=dtm.timedelta(seconds=1))
        emu.user_sends_text(501, "/start", first_name="지영")
        messages = await emu.wait_for_messages(501, 1, timeout=5)
        await application.updater.stop()
        await application.stop()
    assert messages[0].text == "지영님 환영합니다"
    assert emu.pending_updates == []


# ------------------------------------------------------------------ aiogram


@pytest.mark.asyncio
async def test_aiogram_bot_round_trip(make_emu: EmuFactory) -> None:
    emu = await make_emu(clock=SteppingClock())
    bot = aiogram_bot(emu)
    try:
        me = await bot.get_me()
        assert me.username == "hamkke_bot" and me.id == bot.id
        keyboard = AgMarkup(
            inline_keyboard=[
                [AgButton(text="예", callback_data="yes"), AgButton(text="웹", url="https://x.kr")]
            ]
        )
        msg = await bot.send_message(chat_id=55, text="확인하시겠습니까?", reply_markup=keyboard)
        assert msg.reply_markup is not None and msg.chat.type == "private"
        assert msg.reply_markup.model_dump() == keyboard.model_dump()
        edited = await bot.edit_message_text(text="완료", chat_id=55, message_id=msg.message_id)
        assert isinstance(edited, AgMessage) and edited.text == "완료" and edited.reply_markup is None
        markup_only = await bot.edit_message_reply_markup(
            chat_id=55, message_id=msg.message_id, reply_markup=keyboard
        )
        assert isinstance(markup_only, AgMessage) and markup_only.reply_markup is not None
        assert markup_only.reply_markup.model_dump() == keyboard.model_dump()

        doc = await bot.send_document(
            chat_id=55, document=BufferedInputFile(b"a,b\n1,2\n", filename="명단.csv"), caption="명단"
        )
        assert doc.document is not None and doc.document.file_name == "명단.csv"
        assert doc.document.mime_type == "text/csv"
        downloaded = await bot.download(doc.document.file_id)
        assert downloaded is not None and downloaded.read() == b"a,b\n1,2\n"
        again = await bot.send_document(chat_id=56, document=doc.document.file_id)
        assert again.document is not None and again.document.file_unique_id == doc.document.file_unique_id

        with pytest.raises(TelegramBadRequest, match="message is too long"):
            await bot.send_message(chat_id=55, text="x" * 4097)
        too_big = AgMarkup(inline_keyboard=[[AgButton(text="x", callback_data="y" * 65)]])
        with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
            await bot.send_message(chat_id=55, text="x", reply_markup=too_big)
        emu.force_retry_after(55, 2)
        with pytest.raises(TelegramRetryAfter) as caught:
            await bot.send_message(chat_id=55, text="x")
        assert caught.value.retry_after == 2
        emu.block_chat(57)
        with pytest.raises(TelegramForbiddenError, match="blocked by the user"):
            await bot.send_message(chat_id=57, text="x")

        emu.user_sends_text(55, "안녕하세요")
        updates = await bot.get_updates(timeout=1)
        assert updates[0].message is not None and updates[0].message.text == "안녕하세요"
        assert updates[0].message.entities is None
    finally:
        await bot.session.close()


@pytest.mark.asyncio
async def test_aiogram_dispatcher_polling(make_emu: EmuFactory) -> None:
    emu = await make_emu(clock=SteppingClock())
    bot = aiogram_bot(emu)
    dispatcher = Dispatcher()

    @dispatcher.message(CommandStart())
    async def on_start(message: AgMessage) -> None:
        assert message.from_user is not None
        await message.answer(f"{message.from_user.first_name}님, 함께에 오신 것을 환영합니다")

    polling = asyncio.create_task(dispatcher.start_polling(bot, handle_signals=False, polling_timeout=1))
    try:
        emu.user_sends_text(601, "/start", first_name="수진")
        messages = await emu.wait_for_messages(601, 1, timeout=5)
        assert messages[0].text == "수진님, 함께에 오신 것을 환영합니다"
        await emu.wait_until_consumed(timeout=5)
    finally:
        await dispatcher.stop_polling()
        await asyncio.wait_for(polling, 5)


# ------------------------------------------------------------------ updates: long polling, offsets, webhooks


@pytest.mark.asyncio
async def test_long_poll_returns_as_soon_as_a_user_sends(
    make_emu: EmuFactory, http: aiohttp.ClientSession
) -> None:
    emu = await make_emu()
    # The poll would hold for ten minutes: that it answers at all within the guard means the message woke it.
    poll = asyncio.create_task(call(http, emu, "getUpdates", json={"timeout": 600}))
    await asyncio.sleep(0.1)
    assert not poll.done()
    emu.user_sends_text(8, "저요")
    status, body = await asyncio.wait_for(poll, 60)
    assert status == 200 and body["result"][0]["message"]["text"] == "저요"

    # an empty long poll waits for its timeout (a lower bound: load can only make it longer)
    loop = asyncio.get_running_loop()
    started = loop.time()
    status, body = await call(
        http, emu, "getUpdates", json={"timeout": 0.3, "offset": body["result"][0]["update_id"] + 1}
    )
    assert body["result"] == [] and loop.time() - started >= 0.25

    # a second poller terminates the first one, like Telegram
    first = asyncio.create_task(call(http, emu, "getUpdates", json={"timeout": 5}))
    await asyncio.sleep(0.1)
    second = asyncio.create_task(call(http, emu, "getUpdates", json={"timeout": 0.2}))
    status, body = await asyncio.wait_for(first, 2)
    assert status == 409 and body["description"].startswith(
        "Conflict: terminated by other getUpdates request"
    )
    assert (await second)[0] == 200


@pytest.mark.asyncio
async def test_offset_confirms_and_duplicates(make_emu: EmuFactory, http: aiohttp.ClientSession) -> None:
    emu = await make_emu()
    first = emu.user_sends_text(1, "하나")
    second = emu.user_sends_text(1, "둘")
    third = emu.user_sends_text(2, "셋")
    assert first["update_id"] < second["update_id"] < third["update_id"]

    _, body = await call(http, emu, "getUpdates", json={"limit": 2})
    assert [u["update_id"] for u in body["result"]] == [first["update_id"], second["update_id"]]
    _, body = await call(http, emu, "getUpdates", json={"offset": second["update_id"] + 1})
    assert [u["update_id"] for u in body["result"]] == [third["update_id"]]
    assert len(emu.pending_updates) == 1
    _, body = await call(http, emu, "getUpdates", json={"offset": third["update_id"] + 1})
    assert body["result"] == [] and emu.pending_updates == []

    # the same update delivered twice (a redelivery after a crash) reaches the bot again
    emu.deliver_raw(first)
    _, body = await call(http, emu, "getUpdates", json={"offset": third["update_id"] + 1})
    assert body["result"] == [first]
    _, body = await call(http, emu, "getUpdates", json={"offset": third["update_id"] + 1})
    assert body["result"] == []
    custom = emu.deliver_raw({"my_chat_member": {"note": "custom"}})
    assert custom["update_id"] == third["update_id"] + 1
    _, body = await call(http, emu, "getUpdates", json={"offset": -1})
    assert body["result"] == [custom]


@pytest.mark.asyncio
async def test_webhook_delivery_retries_and_answers(make_emu: EmuFactory) -> None:
    received: list[tuple[str | None, dict[str, Any]]] = []
    failures_left = 2

    async def hook(request: web.Request) -> web.Response:
        nonlocal failures_left
        body = await request.json()
        received.append((request.headers.get("X-Telegram-Bot-Api-Secret-Token"), body))
        if failures_left:
            failures_left -= 1
            return web.Response(status=500)
        if "message" in body and body["message"]["text"] == "/ping":
            return web.json_response(
                {"method": "sendMessage", "chat_id": body["message"]["chat"]["id"], "text": "pong"}
            )
        return web.json_response({})

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    hook_url = f"http://127.0.0.1:{runner.addresses[0][1]}/hook"
    try:
        emu = await make_emu(clock=SteppingClock(), webhook_retry_delays=(0.01, 0.02, 0.05))
        async with ptb_bot(emu) as bot:
            assert await bot.set_webhook(hook_url, secret_token="s3cr3t-token_1")
            with pytest.raises(telegram.error.Conflict, match="webhook is active"):
                await bot.get_updates()
            update = emu.user_sends_text(70, "첫 메시지")
            await emu.wait_until_consumed(timeout=3)
            assert [secret for secret, _ in received] == ["s3cr3t-token_1"] * 3
            assert [body for _, body in received] == [update] * 3
            assert emu.webhook_redeliveries == 2
            assert [d.attempt for d in emu.webhook_deliveries] == [1, 2, 3]
            info = await bot.get_webhook_info()
            assert info.url == hook_url and info.pending_update_count == 0
            assert info.last_error_message is not None and "500" in info.last_error_message

            emu.user_sends_text(70, "/ping")
            answered = await emu.wait_for_messages(70, 1, timeout=3)
            assert answered[0].text == "pong"

            assert await bot.delete_webhook()
            emu.user_sends_text(70, "다시 폴링")
            updates = await bot.get_updates()
            assert updates[0].message is not None and updates[0].message.text == "다시 폴링"
    finally:
        await runner.cleanup()


@pytest.mark.asyncio
async def test_webhook_gives_up_on_a_dead_endpoint(make_emu: EmuFactory, http: aiohttp.ClientSession) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        dead_port = probe.getsockname()[1]
    emu = await make_emu(webhook_retry_delays=(0.01, 0.01))
    status, _ = await call(http, emu, "setWebhook", json={"url": f"http://127.0.0.1:{dead_port}/hook"})
    assert status == 200
    update = emu.user_sends_text(3, "아무도 없나요")
    await emu.wait_until_consumed(timeout=3)
    assert emu.webhook_dropped == [update]
    assert len(emu.webhook_deliveries) == 3 and not any(d.ok for d in emu.webhook_deliveries)
    _, body = await call(http, emu, "getWebhookInfo")
    assert body["result"]["last_error_message"].startswith("Connection failed")


# ------------------------------------------------------------------ observation helpers


@pytest.mark.asyncio
async def test_events_and_waiting(make_emu: EmuFactory, http: aiohttp.ClientSession) -> None:
    emu = await make_emu(limits=Limits(enforce_rates=False))
    events = emu.subscribe()
    keyboard = {"inline_keyboard": [[{"text": "확인", "callback_data": "ok"}]]}
    _, body = await call(
        http, emu, "sendMessage", json={"chat_id": 4, "text": "질문", "reply_markup": keyboard}
    )
    mid = body["result"]["message_id"]
    update = emu.user_presses(4, mid, "ok")
    query = update["callback_query"]
    assert (
        query["message"]["reply_markup"] == keyboard and query["from"]["id"] == 4 and query["chat_instance"]
    )
    await call(http, emu, "answerCallbackQuery", json={"callback_query_id": query["id"], "text": "네"})
    await call(http, emu, "editMessageText", json={"chat_id": 4, "message_id": mid, "text": "답변 완료"})
    await call(http, emu, "deleteMessage", json={"chat_id": 4, "message_id": mid})

    kinds = []
    while not events.empty():
        event: EmulatorEvent = events.get_nowait()
        kinds.append(event.kind)
    assert kinds == ["message_sent", "update", "callback_answered", "message_edited", "message_deleted"]
    emu.unsubscribe(events)

    message: SentMessage = (await emu.wait_for_messages(4, 1, timeout=0.1))[0]
    assert message.deleted and message.edited and message.to_dict()["text"] == "답변 완료"
    with pytest.raises(TimeoutError, match=r"expected 2 bot message\(s\) in chat 4 .* got 1: #1 text"):
        await emu.wait_for_messages(4, 2, timeout=0.2)

    waiter = asyncio.create_task(emu.wait_for_messages(5, 1, timeout=2))
    await asyncio.sleep(0.05)
    await call(http, emu, "sendMessage", json={"chat_id": 5, "text": "늦게"})
    assert (await waiter)[0].text == "늦게"
