"""G1: Hypothesis stateful testing of whole conversations through the real dispatcher, on the demo center.

Each conversation is one run of :class:`Conversation` (a ``RuleBasedStateMachine``): one person — a participant,
a case worker, a manager or a stranger — does up to ``--steps`` things in a row: presses a button of the last
reply, taps the menu keyboard, types text (Hangul, emoji, 5,000 characters, resident-number shapes, dates,
names), sends a command, presses an old (stale) button, or a forged one (another role's payload, made-up ids,
malformed payloads). Every input goes through ``handlers.dispatch.Dispatcher`` exactly as the adapters send it
(as ``tests/support/chat.py`` does), in one shared SQLite database, at a fixed "now" (no clock).

Checked after every step, counted rather than stopped at, so the run ends with figures:
- errors: the dispatcher's last-resort handler fired (an exception escaped a conversation);
- unanswered: a private message got no reply;
- over limits: a reply Telegram would refuse (text > 4096, caption > 1024, callback data > 64 bytes, > 100
  buttons, an empty message);
- forged changes: a forged press changed the center's data (the tables, except bookkeeping: processed updates,
  conversation state, access log).

    .venv/bin/python bench/reliability/g1_conversations.py                      # 10,000 × 50
    .venv/bin/python bench/reliability/g1_conversations.py --conversations 300 --steps 30 --seed 1

Exit 1 when any figure but the counts is not 0.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import itertools
import logging
import random
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import text as sql_text
from sqlmodel import SQLModel

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bot import migrate  # noqa: E402
from handlers.dispatch import Dispatcher  # noqa: E402
from handlers.router import PAYLOAD_RE  # noqa: E402
from handlers.types import CALLBACK_DATA_MAX_BYTES, TEXT_MAX_CHARS, HandlerConfig, Incoming, Reply  # noqa: E402
from models import demo  # noqa: E402
from models.casework.crypto import FieldCipher  # noqa: E402
from models.db import create_engine, session_factory  # noqa: E402

NOW = datetime(2026, 3, 4, 5, 0, tzinfo=UTC)  # a Wednesday afternoon in Seoul, as the tests use
CAPTION_MAX_CHARS = 1024
BUTTONS_MAX = 100
BOOKKEEPING = {"processed_update", "conversation_state", "access_log", "alembic_version", "scheduler_lease"}

MANAGERS = [demo.STAFF_ID_BASE, demo.STAFF_ID_BASE + 1]
WORKERS = [demo.STAFF_ID_BASE + i for i in range(2, len(demo.STAFF))]
PARTICIPANTS = [demo.PARTICIPANT_ID_BASE + i for i in range(len(demo.PARTICIPANTS))]
STRANGERS = [5_000_000_000 + i for i in range(5)]

WORDS = ["일정", "신청", "취소", "메뉴", "그만", "도움말", "내 출석", "알림", "설정", "내 정보", "상담", "공지",
         "출석", "오늘", "희망키우기 출석 김영희 이철수, 결석 최수진", "건강댄스 다 왔어요 빼고 김영희", "김영희",
         "이철수", "3월 20일", "2026-03-20", "다음주 월", "내일", "네", "아니요", "1", "0", "-1", "99999999999",
         "ㅎㅎ", "😀", "schedule", "sign up", "menu", "stop", "help", "hello"]
RRN_LIKE = ["800101-1234567", "800101_1234567", "80.01.01-1234567", "8 0 0 1 0 1 1 2 3 4 5 6 7",
            "800101\u200b-1234567", "주민번호 앞 800101 뒤 2234567", "010-1234-5678"]
LONG = ["가" * 5000, "a" * 4097, ("상담 내용 " * 400)[:3001], "\n".join(["줄"] * 2000), "🙂" * 1500]
FORGED = ["enr:x:999999999", "note:v:999999999", "note:p:1", "att:s:1:999999999", "sum:99999999", "lang:xx",
          "rsvp:999999999:y", "ntc:send:999999999", "exp:tgt", "me:1:2:3:4", "x" * 64, "가나다", "", ":",
          "note:k:1:crisis", "ses:c:999999999", "staff:off:999999999", "a:" + "9" * 20]


@dataclass
class Figures:
    conversations: int = 0
    steps: int = 0
    errors: int = 0
    unanswered: int = 0
    over_limits: int = 0
    forged_presses: int = 0
    forged_changes: int = 0
    kinds: Counter[str] = field(default_factory=Counter)
    examples: list[str] = field(default_factory=list)

    def note(self, kind: str, detail: str) -> None:
        if len(self.examples) < 20:
            self.examples.append(f"{kind}: {detail[:300]}")


class _ErrorCounter(logging.Handler):
    """Counts the dispatcher's last-resort catches (``handler failed for update …``)."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.count = 0
        self.last = ""

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1
        self.last = record.getMessage() + (f" {record.exc_info[1]!r}" if record.exc_info else "")


class World:
    """The shared database, dispatcher and event loop of one run."""

    def __init__(self, directory: Path) -> None:
        url = f"sqlite+aiosqlite:///{directory / 'g1.db'}"
        migrate.upgrade(url)
        self.loop = asyncio.new_event_loop()
        self.engine = create_engine(url)
        self.sessions = session_factory(self.engine)
        result = self.run(self._load())
        self.dispatcher = Dispatcher(HandlerConfig(center_id=result.center_id, bot_username="hamkke_bot",
                                                   cipher=FieldCipher([FieldCipher.generate_key()])))
        self.figures = Figures()
        self.errors = _ErrorCounter()
        logging.getLogger("handlers.dispatch").addHandler(self.errors)
        logging.getLogger("handlers.dispatch").propagate = False
        self.update_ids = itertools.count(1)
        self.message_ids = itertools.count(1)
        self.payload_pool: dict[str, set[str]] = {"participant": set(), "staff": set(), "manager": set()}
        self.tables = [t.name for t in SQLModel.metadata.sorted_tables if t.name not in BOOKKEEPING]

    def run(self, coroutine: Any) -> Any:
        return self.loop.run_until_complete(coroutine)

    async def _load(self) -> demo.DemoResult:
        async with self.sessions() as session:
            return await demo.load_demo(session=session, now=NOW)

    async def fingerprint(self) -> str:
        digest = hashlib.sha256()
        async with self.sessions() as session:
            for table in self.tables:
                rows = (await session.exec(sql_text(f'SELECT * FROM "{table}" ORDER BY 1'))).all()  # type: ignore[call-overload]
                digest.update(f"{table}:{rows!r}".encode())
        return digest.hexdigest()

    async def handle(self, incoming: Incoming) -> list[Reply]:
        async with self.sessions() as session:
            return await self.dispatcher.handle(incoming, session=session, now=NOW)

    def close(self) -> None:
        self.run(self.engine.dispose())
        self.loop.close()


WORLD: World | None = None


def _problems(reply: Reply) -> list[str]:
    """Why Telegram would refuse this reply (empty when it would take it)."""
    problems = []
    if len(reply.text) > TEXT_MAX_CHARS:
        problems.append(f"text of {len(reply.text)} characters")
    if (reply.document or reply.photo) and len(reply.text) > TEXT_MAX_CHARS:
        problems.append("caption too long")
    buttons = [button for row in reply.buttons for button in row]
    if len(buttons) > BUTTONS_MAX:
        problems.append(f"{len(buttons)} buttons")
    for button in buttons:
        if len(button.payload.encode()) > CALLBACK_DATA_MAX_BYTES or not button.label:
            problems.append(f"button {button.label!r} {button.payload!r}")
    if not (reply.text.strip() or reply.document or reply.photo or reply.delete_message_id is not None):
        problems.append("an empty message")
    return problems


class Conversation(RuleBasedStateMachine):
    """One person talking to the bot for up to ``--steps`` inputs."""

    def __init__(self) -> None:
        super().__init__()
        assert WORLD is not None
        self.world = WORLD
        self.user_id = 0
        self.role = "unknown"
        self.replies: list[Reply] = []
        self.seen_payloads: list[str] = []
        self.world.figures.conversations += 1

    @initialize(who=st.sampled_from(["participant"] * 5 + ["staff"] * 3 + ["manager"] * 2 + ["unknown"]),
                index=st.integers(min_value=0, max_value=1000))
    def pick_person(self, who: str, index: int) -> None:
        pools = {"participant": PARTICIPANTS, "staff": WORKERS, "manager": MANAGERS, "unknown": STRANGERS}
        pool = pools[who]
        self.user_id, self.role = pool[index % len(pool)], who

    # ---------------------------------------------------------------- one input, checked

    def _send(self, *, kind: str, text: str | None = None, payload: str | None = None,
              message_id: int | None = None) -> list[Reply]:
        world, figures = self.world, self.world.figures
        incoming = Incoming(user_id=self.user_id, chat_id=self.user_id, text=text, payload=payload,
                            update_id=next(world.update_ids),
                            message_id=message_id if message_id is not None else next(world.message_ids),
                            language_code=random.choice(["ko", "ko", "en", None]), first_name="홍길동",
                            callback_id="cb" if payload is not None else None)
        before = world.errors.count
        replies = world.run(world.handle(incoming))
        figures.steps += 1
        figures.kinds[kind] += 1
        if world.errors.count != before:
            figures.errors += 1
            figures.note("error", f"{self.role} {kind} {text or payload!r}: {world.errors.last}")
        if not replies:
            figures.unanswered += 1
            figures.note("unanswered", f"{self.role} {kind} {(text or payload)!r}")
        for reply in replies:
            for problem in _problems(reply):
                figures.over_limits += 1
                figures.note("over limit", f"{self.role} {kind} {(text or payload)!r}: {problem}")
            for row in reply.buttons:
                for button in row:
                    self.seen_payloads.append(button.payload)
                    if self.role in world.payload_pool:
                        world.payload_pool[self.role].add(button.payload)
        self.replies.extend(replies)
        return replies

    def _last_buttons(self) -> list[str]:
        for reply in reversed(self.replies):
            if reply.buttons:
                return [button.payload for row in reply.buttons for button in row]
        return []

    def _keyboard(self) -> list[str]:
        for reply in reversed(self.replies):
            if reply.keyboard:
                return [label for row in reply.keyboard for label in row]
            if reply.remove_keyboard:
                return []
        return []

    # ---------------------------------------------------------------- what a person does

    # Every rule draws the same shapes whatever the database holds (Hypothesis replays choice sequences), so
    # the options come from the conversation but the draws are plain indexes into them.

    @rule(index=st.integers(min_value=0, max_value=99))
    def press_a_button(self, index: int) -> None:
        buttons = self._last_buttons()
        if buttons:
            self._send(kind="button", payload=buttons[index % len(buttons)])
        else:
            self._send(kind="no button: /menu", text="/menu")

    @rule(index=st.integers(min_value=0, max_value=99))
    def tap_the_menu(self, index: int) -> None:
        keyboard = self._keyboard()
        if keyboard:
            self._send(kind="menu", text=keyboard[index % len(keyboard)])
        else:
            self._send(kind="no keyboard: /start", text="/start")

    @rule(text=st.one_of(st.sampled_from(WORDS), st.text(max_size=60),
                         st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=200)))
    def type_text(self, text: str) -> None:
        self._send(kind="text", text=text)

    @rule(text=st.sampled_from(RRN_LIKE + LONG))
    def type_something_hard(self, text: str) -> None:
        self._send(kind="hard text", text=text)

    @rule(name=st.sampled_from(["start", "menu", "help", "cancel", "me", "settings", "schedule", "일정", "enroll",
                                "취소", "attendance", "reminders", "call", "상담", "note", "공지", "출석", "회기",
                                "today", "목표", "요약", "내보내기", "직원", "language", "nope"]),
          args=st.sampled_from(["", " 김영희", " 희망키우기", " 1", " abc", " " + "가" * 300, " 800101-1234567"]),
          addressed=st.booleans())
    def send_a_command(self, name: str, args: str, addressed: bool) -> None:
        self._send(kind="command", text=f"/{name}{'@hamkke_bot' if addressed else ''}{args}")

    @rule(index=st.integers(min_value=0, max_value=10**6))
    def press_an_old_button(self, index: int) -> None:
        if self.seen_payloads:
            self._send(kind="stale button", payload=self.seen_payloads[index % len(self.seen_payloads)])
        else:
            self._send(kind="no old button: /help", text="/help")

    @rule(source=st.integers(min_value=0, max_value=2), index=st.integers(min_value=0, max_value=10**6),
          made_up=st.from_regex(PAYLOAD_RE, fullmatch=True))
    def press_a_forged_button(self, source: int, index: int, made_up: str) -> None:
        """Another role's payload, a made-up id or a malformed payload: must change nothing."""
        world = self.world
        others = sorted(p for role, pool in world.payload_pool.items() if role != self.role
                        and not (self.role == "manager" and role == "staff") for p in pool)
        if source == 1:
            payload = made_up
        elif source == 2 and others:
            payload = others[index % len(others)]
        else:
            payload = FORGED[index % len(FORGED)]
        route, _args = world.dispatcher.router.match_button(payload) if payload else (None, [])
        may_act = route is not None and (self.role in route.audience
                                         or (self.role == "manager" and "staff" in route.audience))
        if may_act and payload in others:
            self._send(kind="foreign button", payload=payload)  # a route this person may use: not forged
            return
        before = world.run(world.fingerprint())
        self._send(kind="forged button", payload=payload)
        world.figures.forged_presses += 1
        if world.run(world.fingerprint()) != before:
            world.figures.forged_changes += 1
            world.figures.note("forged change", f"{self.role} {payload!r}")


def main(argv: list[str] | None = None) -> int:
    global WORLD
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=10_000)
    parser.add_argument("--steps", type=int, default=50, help="at most this many inputs per conversation")
    parser.add_argument("--seed", type=int, default=None, help="the same seed runs the same conversations")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    logging.getLogger("hamkke").setLevel(logging.WARNING)
    random.seed(args.seed)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="hamkke-g1-") as directory:
        WORLD = World(Path(directory))
        try:
            run_state_machine_as_test(Conversation, settings=settings(
                max_examples=args.conversations, stateful_step_count=args.steps, deadline=None, database=None,
                phases=[Phase.generate], suppress_health_check=list(HealthCheck), derandomize=args.seed is not None,
            ))
        finally:
            figures = WORLD.figures
            WORLD.close()
    elapsed = time.perf_counter() - started
    out = sys.stdout.write
    out(f"G1 conversations: {figures.conversations} (≤ {args.steps} steps each), steps: {figures.steps}\n")
    out("inputs: " + ", ".join(f"{kind} {count}" for kind, count in figures.kinds.most_common()) + "\n")
    out(f"unhandled errors: {figures.errors}\n")
    out(f"unanswered inputs: {figures.unanswered}\n")
    out(f"replies over Telegram's limits: {figures.over_limits}\n")
    out(f"forged presses: {figures.forged_presses}, that changed data: {figures.forged_changes}\n")
    out(f"wall time: {elapsed:.1f} s ({figures.steps / elapsed:.0f} steps/s)\n")
    for example in figures.examples:
        out(f"  {example}\n")
    return 1 if figures.errors or figures.unanswered or figures.over_limits or figures.forged_changes else 0


if __name__ == "__main__":
    sys.exit(main())
