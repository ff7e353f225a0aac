"""The web sandbox's HTTP API: the page's view of chats, driven over HTTP against the Bot API emulator.

Two set-ups. ``live``: the whole sandbox as ``hamkke run`` starts it without a token (emulator, the real bot
polling it with the default transport, the web app on a free port) on a migrated database with the demo
loaded. ``web``: the web app alone under aiohttp's test client, with a bot played by raw Bot API calls, to
check what the page receives for files, edits, deletions, HTML and button answers.
"""

from __future__ import annotations

import asyncio
import json
import logging
import socket
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
import pytest
import time_machine
from aiohttp.test_utils import TestClient, TestServer
from cryptography.fernet import Fernet

from bot.app import App, open_app
from bot.sandbox.emulator import BotApiEmulator, Limits
from bot.sandbox.run import RunningSandbox, SandboxError, sandbox_running
from bot.sandbox.web import STATIC_DIR, WebSandbox, make_web_app
from bot.settings import load_settings
from bot.telegram import TRANSPORTS
from models import demo
from models.people import consent, invites
from models.people.directory import list_bound_accounts

FIRST_PARTICIPANT = demo.PARTICIPANT_ID_BASE  # 김영희 (공동일자리)
FIRST_WORKER = demo.STAFF_ID_BASE + 2  # 오지훈 과장
TOKEN = "7000000001:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"

Json = dict[str, Any]


# The sandbox runs the real scheduler, so what reaches a chat depends on the hour: a staff digest on a weekday
# morning, a reminder two hours before a demo session. The wall clock is set (and keeps ticking) to a
# Wednesday afternoon with nothing due, so that each test sees only what it causes; the morning is tested
# on its own below.
QUIET_AFTERNOON = datetime(2026, 11, 25, 16, 0, tzinfo=ZoneInfo("Asia/Seoul"))
WEEKDAY_MORNING = datetime(2026, 11, 26, 9, 51, tzinfo=ZoneInfo("Asia/Seoul"))


@pytest.fixture
def moment() -> datetime:
    return QUIET_AFTERNOON


@pytest.fixture
async def app(request: pytest.FixtureRequest, database_url: str, moment: datetime) -> AsyncIterator[App]:
    """The product's app on a fresh migrated database with the demo center loaded (default transport: ptb)."""
    transport = getattr(request, "param", "ptb")
    settings = load_settings(database_url=database_url, encryption_key=Fernet.generate_key().decode(),
                             telegram_token=None, default_locale="ko", transport=transport)
    with time_machine.travel(moment, tick=True):
        async with open_app(settings) as opened:
            async with opened.sessions() as session:
                await demo.load_demo(session=session, now=datetime.now(UTC))
            yield opened


@dataclass
class Live:
    """The running sandbox and an HTTP client for its page."""

    sandbox: RunningSandbox
    http: aiohttp.ClientSession

    async def get(self, path: str) -> Json:
        async with self.http.get(self.sandbox.url + path) as response:
            assert response.status == 200, await response.text()
            return await response.json()

    async def post(self, path: str, body: Any, status: int = 200) -> Json:
        async with self.http.post(self.sandbox.url + path, json=body) as response:
            assert response.status == status, await response.text()
            return await response.json()

    async def says(self, user_id: int, text: str, name: str = "김영희") -> Json:
        return await self.post(f"/api/chats/{user_id}/text", {"text": text, "first_name": name})

    async def chat_until(self, user_id: int, done: Callable[[Json], bool], timeout: float = 15.0) -> Json:  # noqa: ASYNC109
        """Poll the page's view of the chat until ``done(chat)``."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            chat = await self.get(f"/api/chats/{user_id}")
            if done(chat):
                return chat
            if self.sandbox.bot_task.done():
                raise AssertionError(f"the bot stopped: {self.sandbox.bot_task.exception()!r}")
            if loop.time() > deadline:
                raise TimeoutError(f"chat {user_id} never got there: {texts(chat)}")
            await asyncio.sleep(0.05)


def texts(chat: Json) -> list[str]:
    """What the page shows, one line per bubble: who, then the text."""
    return [f"{m['from']}: {m['plain_text'] or m['plain_caption'] or ''}" for m in chat["messages"]]


def bot_messages(chat: Json) -> list[Json]:
    return [m for m in chat["messages"] if m["from"] == "bot"]


def button(message: Json, label: str) -> str:
    """The callback data of the inline button showing ``label`` (the page sends exactly this)."""
    for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
        for b in row:
            if label in b["text"]:
                return str(b["callback_data"])
    raise LookupError(f"no button {label!r} under {message['plain_text']!r}")


def keyboard_labels(chat: Json) -> list[str]:
    board = chat["keyboard"] or {"keyboard": []}
    return [b["text"] if isinstance(b, dict) else b for row in board["keyboard"] for b in row]


class EventStream:
    """The page's live feed (``/api/events``), read the way a browser's EventSource reads it."""

    def __init__(self, response: aiohttp.ClientResponse) -> None:
        self.response = response
        self.seen: list[Json] = []

    async def until(self, wanted: Callable[[Json], bool], timeout: float = 15.0) -> Json:  # noqa: ASYNC109
        async def read() -> Json:
            data: list[str] = []
            while True:
                raw = await self.response.content.readline()
                if not raw:
                    raise AssertionError(f"the event stream ended; seen: {self.seen}")
                line = raw.decode().rstrip("\n")
                if line.startswith("data: "):
                    data.append(line.removeprefix("data: "))
                elif not line and data:
                    event = json.loads("\n".join(data))
                    self.seen.append(event)
                    data = []
                    if wanted(event):
                        return event

        return await asyncio.wait_for(read(), timeout)


@pytest.fixture
async def live(app: App) -> AsyncIterator[Live]:
    async with sandbox_running(app, host="127.0.0.1", port=0, poll_timeout=1) as running:
        async with aiohttp.ClientSession() as http:
            yield Live(running, http)


async def open_events(http: aiohttp.ClientSession, base: str) -> EventStream:
    response = await http.get(base + "/api/events", timeout=aiohttp.ClientTimeout(total=None, sock_read=30))
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/event-stream")
    return EventStream(response)


# --------------------------------------------------------------------------------------------- live bot


@pytest.mark.parametrize("app", TRANSPORTS, indirect=True)
async def test_a_demo_participant_says_start_and_gets_the_korean_menu(live: Live) -> None:
    events = await open_events(live.http, live.sandbox.url)
    sent = await live.says(FIRST_PARTICIPANT, "/start")
    assert sent["message"] == {**sent["message"], "from": "user", "plain_text": "/start"}

    chat = await live.chat_until(FIRST_PARTICIPANT, lambda c: bool(bot_messages(c)))
    assert texts(chat) == ["user: /start", "bot: 김영희님, 다시 오셨네요. 무엇을 도와드릴까요?"]
    assert keyboard_labels(chat) == ["📅 일정", "✋ 신청", "✅ 내 출석", "🔔 알림", "☎️ 연락", "⚙️ 설정", "❓ 도움말"]
    # the same reply reached the page live, after the person's own bubble
    reply = await events.until(lambda e: e["type"] == "message" and e["message"]["from"] == "bot"
                               and e["message"]["chat_id"] == FIRST_PARTICIPANT)
    assert reply["message"]["plain_text"].startswith("김영희님, 다시 오셨네요")
    assert {"type": "message", "message": chat["messages"][0]} in events.seen
    # another person's chat is untouched
    assert (await live.get(f"/api/chats/{FIRST_PARTICIPANT + 1}"))["messages"] == []


@pytest.mark.parametrize("moment", [WEEKDAY_MORNING])
async def test_started_on_a_weekday_morning_the_staff_get_their_digest_and_participants_only_their_replies(
    live: Live,
) -> None:
    """The 08:30 digest was missed while the sandbox was off; it arrives at start-up, in staff chats only."""
    digest = await live.chat_until(FIRST_WORKER, lambda c: bool(bot_messages(c)))
    assert [m["plain_text"].splitlines()[0] for m in bot_messages(digest)] == [
        "☀️ 오지훈님, 좋은 아침이에요 · 11월 26일 (목)"]
    await live.says(FIRST_PARTICIPANT, "/start")
    chat = await live.chat_until(FIRST_PARTICIPANT, lambda c: bool(bot_messages(c)))
    assert texts(chat) == ["user: /start", "bot: 김영희님, 다시 오셨네요. 무엇을 도와드릴까요?"]


@pytest.mark.parametrize("app", TRANSPORTS, indirect=True)
async def test_a_counselling_note_through_the_real_bot_leaves_no_trace_in_the_chat_or_the_logs(
    live: Live, caplog: pytest.LogCaptureFixture,
) -> None:
    """The whole note flow through the real adapter: the typed note is deleted from the chat once saved, and
    nothing the product or the libraries log at the product's level (ours at DEBUG) holds a word of it."""
    caplog.set_level(logging.INFO)
    for ours in ("bot", "handlers", "models", "scheduler"):
        caplog.set_level(logging.DEBUG, logger=ours)
    secret = "MARKER-5e1f 남편 폭력 의심, 쉼터 연계 상의함"

    async def latest(done: Callable[[Json], bool]) -> Json:
        chat = await live.chat_until(FIRST_WORKER, lambda c: bool(bot_messages(c)) and done(bot_messages(c)[-1]))
        return bot_messages(chat)[-1]

    async def tap(message: Json, label: str) -> None:
        await live.post(f"/api/chats/{FIRST_WORKER}/press",
                        {"message_id": message["message_id"], "data": button(message, label)})

    await live.says(FIRST_WORKER, "📝 상담 기록", name="오지훈")
    await tap(await latest(lambda m: "누구의 상담 기록" in m["plain_text"]), "김영희")
    await tap(await latest(lambda m: "어떤 상담" in m["plain_text"]), "사례관리상담")
    await tap(await latest(lambda m: "어떤 방법으로" in m["plain_text"]), "전화")
    await tap(await latest(lambda m: "상담일은 언제" in m["plain_text"]), "오늘")
    await latest(lambda m: "메시지 하나로" in m["plain_text"])
    typed = await live.says(FIRST_WORKER, secret, name="오지훈")
    await tap(await latest(lambda m: "위기등급" in m["plain_text"]), "C 안정")
    await tap(await latest(lambda m: "다음 상담은 언제" in m["plain_text"]), "아직 안 정했어요")
    saved = await latest(lambda m: "저장했어요" in m["plain_text"])
    assert "지웠어요" in saved["plain_text"]

    chat = await live.chat_until(FIRST_WORKER, lambda c: all(m["message_id"] != typed["message"]["message_id"]
                                                             for m in c["messages"]))
    assert all("MARKER" not in (m["plain_text"] or "") for m in chat["messages"])  # deleted, and never echoed
    logged = [record.getMessage() + (record.exc_text or "") for record in caplog.records]
    assert logged, "nothing was logged at all: the check below would prove nothing"
    assert not [line for line in logged if "MARKER" in line or "쉼터" in line]


async def test_tapping_a_menu_key_and_an_inline_button_edits_the_bubble_in_place(live: Live) -> None:
    await live.says(FIRST_PARTICIPANT, "/start")
    await live.chat_until(FIRST_PARTICIPANT, lambda c: bool(keyboard_labels(c)))
    events = await open_events(live.http, live.sandbox.url)

    await live.says(FIRST_PARTICIPANT, "⚙️ 설정")  # a reply-keyboard key sends its label as text
    chat = await live.chat_until(FIRST_PARTICIPANT, lambda c: len(bot_messages(c)) == 2)
    settings_message = bot_messages(chat)[-1]
    assert settings_message["plain_text"].startswith("설정이에요. 무엇을 바꿀까요?")

    await live.post(f"/api/chats/{FIRST_PARTICIPANT}/press",
                    {"message_id": settings_message["message_id"], "data": button(settings_message, "언어")})
    edited = await events.until(lambda e: e["type"] == "edited")
    assert edited["message"]["message_id"] == settings_message["message_id"]
    assert edited["message"]["plain_text"].startswith("어떤 언어로 볼까요?")
    chat = await live.chat_until(FIRST_PARTICIPANT, lambda c: bot_messages(c)[-1]["edited"])
    assert len(bot_messages(chat)) == 2  # edited in place, not a new bubble
    assert [b["text"] for row in bot_messages(chat)[-1]["reply_markup"]["inline_keyboard"] for b in row] == [
        "한국어", "English"]


async def test_a_newcomer_joins_with_an_invite_code_made_on_the_page(live: Live) -> None:
    newcomer = (await live.post("/api/newcomer", {}))["user_id"]
    assert newcomer not in {p["user_id"] for p in (await live.get("/api/personas"))["people"]}
    await live.says(newcomer, "/start", name="새 사용자")
    chat = await live.chat_until(newcomer, lambda c: bool(bot_messages(c)))
    assert "초대 링크" in bot_messages(chat)[0]["plain_text"] and chat["keyboard"] is None

    invite = await live.post("/api/invites", {"name": "홍길동", "role": "participant"})
    assert invite["link"] == f"https://t.me/hamkke_bot?start={invite['code']}"
    await live.says(newcomer, f"/start {invite['code']}", name="새 사용자")
    chat = await live.chat_until(newcomer, lambda c: bot_messages(c)[-1]["reply_markup"] is not None
                                 and "inline_keyboard" in bot_messages(c)[-1]["reply_markup"])
    consent = bot_messages(chat)[-1]
    assert consent["entities"][0]["type"] == "bold"  # Telegram HTML arrives as plain text + entities
    assert "<b>" not in consent["plain_text"]

    await live.post(f"/api/chats/{newcomer}/press", {"message_id": consent["message_id"],
                                                      "data": button(consent, "동의해요")})
    chat = await live.chat_until(newcomer, lambda c: bot_messages(c)[-1]["edit_count"] == 1)
    sensitive = bot_messages(chat)[-1]
    await live.post(f"/api/chats/{newcomer}/press", {"message_id": sensitive["message_id"],
                                                      "data": button(sensitive, "동의해요")})
    chat = await live.chat_until(newcomer, lambda c: bool(keyboard_labels(c)))
    assert "📅 일정" in keyboard_labels(chat)
    people = (await live.get("/api/personas"))["people"]
    assert {"user_id": newcomer, "name": "홍길동", "kind": "participant", "title": None} in people


async def test_the_page_refuses_bad_input_and_nothing_reaches_the_bot(live: Live) -> None:
    emulator = live.sandbox.emulator
    before = len(emulator.inbox)
    chats = f"/api/chats/{FIRST_PARTICIPANT}"
    for body in ({}, {"text": ""}, {"text": "   "}, {"text": 5}, {"text": "가" * 4097},
                 {"text": "hi", "first_name": ""}, [1, 2]):
        await live.post(chats + "/text", body, status=400)
    async with live.http.post(live.sandbox.url + chats + "/text", data=b"not json",
                              headers={"Content-Type": "application/json"}) as response:
        assert response.status == 400
    for body in ({"message_id": "1", "data": "me"}, {"message_id": True, "data": "me"},
                 {"message_id": 1, "data": ""}, {"message_id": 1, "data": "x" * 65}, {"message_id": -3, "data": "me"}):
        await live.post(chats + "/press", body, status=400)
    await live.post(chats + "/press", {"message_id": 999, "data": "me"}, status=404)  # no such bot message
    for body in ({"name": ""}, {"name": "가" * 61}, {"name": "홍길동", "role": "admin"}, {"name": 3}):
        await live.post("/api/invites", body, status=400)
    async with live.http.get(live.sandbox.url + "/api/chats/abc") as response:
        assert response.status == 404
    async with live.http.get(live.sandbox.url + "/files/..%2F..%2Fetc%2Fpasswd") as response:
        assert response.status == 404
    assert len(emulator.inbox) == before and emulator.pending_updates == []
    people = (await live.get("/api/personas"))["people"]
    assert all(p["name"] != "홍길동" for p in people)


async def test_the_sandbox_says_clearly_when_its_port_is_taken(app: App) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(SandboxError, match="HAMKKE_SANDBOX_PORT"):
            async with sandbox_running(app, host="127.0.0.1", port=port, poll_timeout=1):
                pass


# --------------------------------------------------------------------------------------------- page + raw bot


@dataclass
class Web:
    """The web app under aiohttp's test client, and a bot played by raw Bot API calls to the emulator."""

    client: TestClient
    emulator: BotApiEmulator
    http: aiohttp.ClientSession

    async def bot(self, method: str, **params: Any) -> Json:
        async with self.http.post(f"{self.emulator.url}/bot{TOKEN}/{method}", **params) as response:
            body = await response.json()
            assert body["ok"], body
            return body["result"]


@pytest.fixture
async def web_page(app: App) -> AsyncIterator[Web]:
    emulator = BotApiEmulator(TOKEN, limits=Limits(enforce_rates=False))
    await emulator.start()
    sandbox = WebSandbox(emulator=emulator, sessions=app.sessions, center_id=app.center_id)
    client = TestClient(TestServer(make_web_app(sandbox)))
    await client.start_server()
    try:
        async with aiohttp.ClientSession() as http:
            yield Web(client, emulator, http)
    finally:
        await client.close()
        await emulator.stop()


async def test_personas_come_from_the_database_by_role(web_page: Web, app: App) -> None:
    response = await web_page.client.get("/api/personas")
    body = await response.json()
    people = body["people"]
    assert body["bot"] == {"username": "hamkke_bot", "name": "함께"}
    assert [p["kind"] for p in people[:6]] == ["manager", "manager", "staff", "staff", "staff", "staff"]
    assert people[0] == {"user_id": demo.STAFF_ID_BASE, "name": "강민호", "kind": "manager", "title": "센터장"}
    participants = [p for p in people if p["kind"] == "participant"]
    assert len(participants) == len(demo.PARTICIPANTS)
    # the two 김영희 are told apart by their work unit
    assert [p["title"] for p in participants if p["name"] == "김영희"] == ["공동일자리", "주거복지"]
    # someone invited but not joined yet cannot be picked
    async with app.sessions() as session:
        await invites.invite_participant(session=session, center_id=app.center_id, name="대기중",
                                         now=datetime.now(UTC))
        listed = await list_bound_accounts(session=session, center_id=app.center_id)
    assert len(listed) == len(people) and all(a.name != "대기중" for a in listed)


async def test_people_on_real_telegram_accounts_are_never_shown_or_played(web_page: Web, app: App) -> None:
    real = 123_456_789  # a real person's Telegram id, should the sandbox run on a database with real people
    now = datetime.now(UTC)
    async with app.sessions() as session:
        invitation = await invites.invite_participant(session=session, center_id=app.center_id, name="실제사람",
                                                      now=now)
        preview = await invites.peek_invite(session=session, center_id=app.center_id, code=invitation.code, now=now)
        await consent.join_with_consent(session=session, center_id=app.center_id, invite_id=preview.invite_id,
                                        telegram_user_id=real, sensitive=True, now=now)
        assert "실제사람" in {a.name for a in await list_bound_accounts(session=session, center_id=app.center_id)}
    client = web_page.client
    people = (await (await client.get("/api/personas")).json())["people"]
    assert all(p["name"] != "실제사람" for p in people) and len(people) == 46
    events = EventStream(await client.get("/api/events"))  # type: ignore[arg-type]
    assert (await client.get(f"/api/chats/{real}")).status == 403
    assert (await client.post(f"/api/chats/{real}/text", json={"text": "/start"})).status == 403
    assert (await client.post(f"/api/chats/{real}/press", json={"message_id": 1, "data": "me"})).status == 403
    assert web_page.emulator.inbox == []
    # what the bot sends that person (a notice through the emulator) does not reach the page, nor its files
    await web_page.bot("sendMessage", json={"chat_id": real, "text": "개인 안내"})
    form = aiohttp.FormData()
    form.add_field("chat_id", str(real))
    form.add_field("document", b"private", filename="private.txt")
    private = await web_page.bot("sendDocument", data=form)
    await web_page.bot("sendMessage", json={"chat_id": FIRST_PARTICIPANT, "text": "모두에게 공지"})
    shown = await events.until(lambda e: e["type"] == "message")
    assert shown["message"]["chat_id"] == FIRST_PARTICIPANT and len(events.seen) == 1
    assert (await client.get(f"/files/{private['document']['file_id']}")).status == 404
    events.response.close()


async def test_files_edits_deletions_html_and_toasts_reach_the_page(web_page: Web) -> None:
    user = 8_050_000_111
    emulator, client = web_page.emulator, web_page.client
    events_response = await client.get("/api/events")
    events = EventStream(events_response)  # type: ignore[arg-type]
    update = (await (await client.post(f"/api/chats/{user}/text", json={"text": "/start"})).json())
    assert update["message"]["message_id"] == 1

    html = await web_page.bot("sendMessage", json={
        "chat_id": user, "parse_mode": "HTML", "text": "<b>굵게</b> &lt;script&gt;alert(1)&lt;/script&gt;",
        "reply_markup": {"inline_keyboard": [[{"text": "확인", "callback_data": "ok:1"}]]}})
    shown = await events.until(lambda e: e["type"] == "message" and e["message"]["from"] == "bot")
    assert shown["message"]["plain_text"] == "굵게 <script>alert(1)</script>"  # the page renders it as text
    assert shown["message"]["entities"] == [{"type": "bold", "offset": 0, "length": 2}]

    form = aiohttp.FormData(quote_fields=False)  # a UTF-8 file name, as the frameworks send it
    form.add_field("chat_id", str(user))
    form.add_field("caption", "이번 달 출석표예요")
    form.add_field("document", b"PK\x03\x04 xlsx bytes", filename="출석표 3월.xlsx",
                   content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    document = await web_page.bot("sendDocument", data=form)
    message = (await events.until(lambda e: e["type"] == "message" and e["message"]["kind"] == "document"))["message"]
    assert message["plain_caption"] == "이번 달 출석표예요" and message["file_name"] == "출석표 3월.xlsx"
    download = await client.get(message["file_url"])
    assert download.status == 200 and await download.read() == b"PK\x03\x04 xlsx bytes"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert "filename*=UTF-8''%EC%B6%9C%EC%84%9D%ED%91%9C%203%EC%9B%94.xlsx" in download.headers["Content-Disposition"]

    await client.post(f"/api/chats/{user}/press", json={"message_id": html["message_id"], "data": "ok:1"})
    query = emulator.pending_updates[-1]["callback_query"]
    await web_page.bot("answerCallbackQuery", json={"callback_query_id": query["id"], "text": "확인했어요"})
    assert (await events.until(lambda e: e["type"] == "toast")) == {
        "type": "toast", "chat_id": user, "text": "확인했어요", "alert": False}

    await web_page.bot("editMessageText", json={"chat_id": user, "message_id": html["message_id"], "text": "고쳤어요"})
    edited = await events.until(lambda e: e["type"] == "edited")
    assert edited["message"]["plain_text"] == "고쳤어요" and edited["message"]["reply_markup"] is None
    await web_page.bot("deleteMessage", json={"chat_id": user, "message_id": document["message_id"]})
    assert (await events.until(lambda e: e["type"] == "deleted")) == {
        "type": "deleted", "chat_id": user, "message_id": document["message_id"]}

    chat = await (await client.get(f"/api/chats/{user}")).json()
    assert texts(chat) == ["user: /start", "bot: 고쳤어요"]
    assert chat["messages"][1]["edited"] is True
    assert (await client.get("/files/BQACunknownfileid")).status == 404
    events_response.close()


async def test_reply_keyboards_follow_the_latest_message_that_sets_or_removes_one(web_page: Web) -> None:
    user = 8_050_000_222
    client = web_page.client
    await client.post(f"/api/chats/{user}/text", json={"text": "안녕하세요"})
    menu = {"keyboard": [[{"text": "📅 일정"}, {"text": "❓ 도움말"}]], "resize_keyboard": True}
    await web_page.bot("sendMessage", json={"chat_id": user, "text": "메뉴예요", "reply_markup": menu})
    await web_page.bot("sendMessage", json={"chat_id": user, "text": "그냥 글"})
    chat = await (await client.get(f"/api/chats/{user}")).json()
    assert keyboard_labels(chat) == ["📅 일정", "❓ 도움말"]
    await web_page.bot("sendMessage", json={"chat_id": user, "text": "닫아요",
                                            "reply_markup": {"remove_keyboard": True}})
    chat = await (await client.get(f"/api/chats/{user}")).json()
    assert chat["keyboard"] is None
    assert texts(chat) == ["user: 안녕하세요", "bot: 메뉴예요", "bot: 그냥 글", "bot: 닫아요"]


async def test_the_page_is_korean_and_needs_nothing_from_the_internet(web_page: Web) -> None:
    page = await web_page.client.get("/")
    html = await page.text()
    assert page.status == 200 and '<html lang="ko">' in html and "휴대폰 추가" in html
    for name in ("app.js", "style.css"):
        response = await web_page.client.get(f"/static/{name}")
        assert response.status == 200


def test_the_static_files_load_nothing_from_elsewhere_and_never_parse_bot_text_as_html() -> None:
    names = sorted(path.name for path in Path(STATIC_DIR).iterdir())
    assert names == ["app.js", "index.html", "style.css"]
    for name in names:
        source = (Path(STATIC_DIR) / name).read_text(encoding="utf-8")
        assert "http://" not in source and "https://" not in source and "//cdn" not in source, name
    script = (Path(STATIC_DIR) / "app.js").read_text(encoding="utf-8")
    assert "innerHTML" not in script and "insertAdjacentHTML" not in script and "eval(" not in script


async def test_a_restarted_sandbox_answers_on_the_same_database(app: App) -> None:
    """The database remembers handled update ids; a second run must not look like a redelivery of the first."""
    for run in range(2):
        async with sandbox_running(app, host="127.0.0.1", port=0, poll_timeout=1) as running:
            async with aiohttp.ClientSession() as http:
                live = Live(running, http)
                await live.says(FIRST_WORKER, "/start", name="오지훈")
                chat = await live.chat_until(FIRST_WORKER, lambda c: bool(bot_messages(c)))
                assert texts(chat) == ["user: /start", "bot: 오지훈님, 다시 오셨네요. 무엇을 도와드릴까요?"], run
