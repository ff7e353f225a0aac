"""G4: malformed updates against the real ``hamkke run`` process, long polling the Bot API emulator.

For each transport (python-telegram-bot, aiogram) a fresh SQLite database gets the demo center, ``python -m bot
run`` starts against the emulator (``bot/sandbox/emulator.py``, ``deliver_raw``), and at least 500 malformed
updates are queued: every field of a message or button press given a wrong type or taken away, the update's
body of the wrong type, unknown and unusual update kinds, broken entities, huge texts and arrays, deeply nested
JSON, senders that are channels or bots, and random JSON. After every ``--every`` of them a demo participant
sends ``/menu``: it must be answered within ``--wait`` seconds, else polling has stalled.

Printed per transport: malformed updates sent, how many the bot confirmed (the offset moved past them), how
many were answered (a message to the sender's chat), recorded (their update id in ``processed_update``, or in
any dead-letter table the database has), or neither; good updates answered and the slowest answer; stalls
(where polling stopped, with the shape that stopped it); the process's log size.

    .venv/bin/python bench/reliability/g4_malformed.py                 # both transports, 520+ updates each
    .venv/bin/python bench/reliability/g4_malformed.py --transport ptb --every 20

Exit 1 when a transport stalled, died, or left updates unconfirmed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import copy
import os
import random
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot import migrate
from bot.sandbox.emulator import BotApiEmulator, Limits
from models import demo
from models.casework.crypto import FieldCipher
from models.db import create_engine, session_factory

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "123456:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
GOOD_USER = demo.PARTICIPANT_ID_BASE  # 김영희, a demo participant
STRANGER_BASE = 6_000_000_000  # each malformed update comes from its own chat, so answers can be told apart
WRONG_VALUES: list[Any] = [None, "abc", -1, 1.5, True, [], {}, "x" * 5000, 2**70, {"id": "1"}]
KINDS = ["foo", "edited_message", "channel_post", "edited_channel_post", "inline_query", "chosen_inline_result",
         "shipping_query", "pre_checkout_query", "poll", "poll_answer", "my_chat_member", "chat_member",
         "chat_join_request", "message_reaction", "message_reaction_count", "chat_boost", "removed_chat_boost",
         "business_connection", "business_message", "deleted_business_messages", "purchased_paid_media"]


# ------------------------------------------------------------------------------------------ the updates


def _message(chat: int, text: str = "/menu") -> dict[str, Any]:
    return {"message_id": 1, "date": int(time.time()), "text": text,
            "chat": {"id": chat, "type": "private", "first_name": "홍"},
            "from": {"id": chat, "is_bot": False, "first_name": "홍", "language_code": "ko"}}


def _callback(chat: int) -> dict[str, Any]:
    return {"id": f"q{chat}", "chat_instance": "1", "data": "me",
            "from": {"id": chat, "is_bot": False, "first_name": "홍"},
            "message": {"message_id": 1, "date": int(time.time()), "text": "x",
                        "chat": {"id": chat, "type": "private", "first_name": "홍"},
                        "from": {"id": 1, "is_bot": True, "first_name": "bot"}}}


def _short(value: Any) -> str:
    """A wrong value as a short label: ``None``, ``'abc'``, ``'xxx…'(5000)``, ``(missing)``."""
    if value is ...:
        return "(missing)"
    text = repr(value)
    return text if len(text) <= 24 else f"{text[:12]}…({len(text)})"


def _set(body: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """``body`` with the dotted ``path`` set to ``value`` (``...`` removes it)."""
    body = copy.deepcopy(body)
    *parents, last = path.split(".")
    node = body
    for key in parents:
        node = node[key]
    if value is ...:
        node.pop(last, None)
    else:
        node[last] = value
    return body


def _nested(depth: int) -> Any:
    value: Any = "bottom"
    for level in range(depth):
        value = {"n": value} if level % 2 else [value]
    return value


def _random_json(rng: random.Random, depth: int = 0) -> Any:
    kind = rng.randrange(8 if depth < 4 else 5)
    if kind == 0:
        return None
    if kind == 1:
        return rng.choice([True, False])
    if kind == 2:
        return rng.choice([0, -1, 2**63, rng.randint(-10**12, 10**12), 1e308, -0.0])
    if kind == 3:
        return "".join(chr(rng.choice([rng.randint(32, 126), rng.randint(0xAC00, 0xD7A3), 0x200B, 0x1F600]))
                       for _ in range(rng.randint(0, 40)))
    if kind == 4:
        return rng.choice(["/start", "/menu", "", "\u0000", "💥" * 100])
    if kind in (5, 6):
        return {rng.choice(["message", "text", "chat", "from", "id", "data", "x", "entities"]):
                _random_json(rng, depth + 1) for _ in range(rng.randint(0, 5))}
    return [_random_json(rng, depth + 1) for _ in range(rng.randint(0, 5))]


def malformed_updates(seed: int) -> list[tuple[str, dict[str, Any]]]:
    """(family, update body without ``update_id``): at least 500, each from its own stranger's chat."""
    rng = random.Random(seed)
    chats = iter(range(STRANGER_BASE, STRANGER_BASE + 10_000))
    out: list[tuple[str, dict[str, Any]]] = []
    message_paths = ["message_id", "date", "chat", "chat.id", "chat.type", "from", "from.id", "from.is_bot",
                     "from.first_name", "text"]
    for path in message_paths:
        for value in [*WRONG_VALUES, ...]:
            chat = next(chats)
            out.append((f"message.{path}={_short(value)}", {"message": _set(_message(chat), path, value)}))
    for path in ["id", "from", "from.id", "data", "message", "message.chat", "chat_instance"]:
        for value in [*WRONG_VALUES, ...]:
            chat = next(chats)
            out.append((f"callback_query.{path}={_short(value)}",
                        {"callback_query": _set(_callback(chat), path, value)}))
    for kind in ("message", "callback_query", "edited_message"):
        for value in [None, "text", 5, [], [1, 2], True, 1.5]:
            out.append((f"{kind}={_short(value)}", {kind: value}))
    for kind in KINDS:
        out.append((f"{kind} (empty)", {kind: {}}))
        out.append((f"{kind} (a message in it)", {kind: _message(next(chats))}))
    out.append(("no body at all", {}))
    chat = next(chats)
    out.append(("two kinds at once", {"message": _message(chat), "callback_query": _callback(chat)}))
    entity_cases: list[Any] = [
        [{"type": "bot_command", "offset": 0, "length": 500}], [{"type": "bot_command", "offset": -5, "length": 5}],
        [{"type": "bot_command", "offset": 3, "length": -1}], [{"type": "made_up", "offset": 0, "length": 2}],
        [{"type": "text_link", "offset": 0, "length": 2}], [{"type": "mention"}], [{}], ["entity"], "entities",
        [{"type": "bot_command", "offset": "0", "length": "5"}],
        [{"type": "bot_command", "offset": 0, "length": 5}] * 10_000,
        [{"type": "custom_emoji", "offset": 0, "length": 1, "custom_emoji_id": None}],
    ]
    for entities in entity_cases:
        chat = next(chats)
        out.append(("broken entities", {"message": {**_message(chat), "entities": entities}}))
    for text in ("가" * 100_000, "a" * 1_000_000, "/menu " + "😀" * 20_000, "\u0000\u0001/start", "‮/menu"):
        out.append(("huge or odd text", {"message": _message(next(chats), text)}))
    for depth in (50, 200, 800):
        out.append((f"nested {depth} deep", {"message": {**_message(next(chats)), "x": _nested(depth)}}))
        reply: Any = _message(next(chats))
        for _ in range(min(depth, 200)):
            reply = {**_message(next(chats)), "reply_to_message": reply}
        out.append((f"reply chain {min(depth, 200)} deep", {"message": reply}))
    out.append(("huge array", {"message": {**_message(next(chats)), "photo": [{"file_id": "f"}] * 20_000}}))
    out.append(("huge unknown field", {"message": {**_message(next(chats)), "zzz": list(range(100_000))}}))
    for chat_type in ("channel", "weird", "", None, "group"):
        chat = next(chats)
        body = _set(_message(chat), "chat.type", chat_type)
        out.append((f"chat type {chat_type!r}", {"message": body}))
    for extra in ({"sender_chat": {"id": -100, "type": "channel"}}, {"from": {"id": 1, "is_bot": True,
                                                                         "first_name": "bot"}}):
        out.append(("unusual sender", {"message": {**_message(next(chats)), **extra}}))
    for content in ({"sticker": {"file_id": 5}}, {"photo": "photo"}, {"contact": {"phone_number": 1}},
                    {"location": {"latitude": "north"}}, {"voice": None}, {"document": {}},
                    {"poll": {"id": 1}}, {"dice": {"emoji": 5}}, {"new_chat_members": "all"},
                    {"web_app_data": {"data": None}}):
        message = _message(next(chats))
        message.pop("text")
        out.append(("odd content", {"message": {**message, **content}}))
    while len(out) < 520:
        chat = next(chats)
        body = rng.choice([
            {"message": _random_json(rng)},
            {"message": {**_message(chat), rng.choice(["text", "chat", "from", "date"]): _random_json(rng)}},
            {"callback_query": {**_callback(chat), rng.choice(["data", "from", "message"]): _random_json(rng)}},
            {rng.choice(KINDS): _random_json(rng)},
        ])
        out.append(("random JSON", body))
    return out


# ------------------------------------------------------------------------------------------ one run


@dataclass
class Result:
    transport: str
    malformed: int = 0
    confirmed: int = 0
    answered: int = 0
    recorded: int = 0
    neither: int = 0
    good: int = 0
    good_answered: int = 0
    slowest: float = 0.0
    stalls: list[str] = field(default_factory=list)
    died: int | None = None
    log_bytes: int = 0
    log_lines: int = 0
    neither_families: Counter[str] = field(default_factory=Counter)


def _prepare(directory: Path) -> str:
    url = f"sqlite+aiosqlite:///{directory / 'g4.db'}"
    migrate.upgrade(url)

    async def load() -> None:
        engine = create_engine(url)
        async with session_factory(engine)() as session:
            await demo.load_demo(session=session, now=datetime.now(UTC))
        await engine.dispose()

    asyncio.run(load())
    return url


def _recorded_ids(db: Path) -> set[int]:
    """Update ids the database knows: processed ones, and any dead-letter table's (when the branch has one)."""
    ids: set[int] = set()
    with sqlite3.connect(db) as conn:
        ids.update(row[0] for row in conn.execute("select update_id from processed_update"))
        tables = [row[0] for row in conn.execute("select name from sqlite_master where type='table'")]
        for table in tables:
            if any(word in table for word in ("dead", "poison", "rejected_update", "bad_update")):
                columns = [row[1] for row in conn.execute(f'pragma table_info("{table}")')]
                if "update_id" in columns:
                    ids.update(row[0] for row in conn.execute(f'select update_id from "{table}"')
                               if row[0] is not None)
    return ids


async def _answered(emu: BotApiEmulator, chat: int, before: int, wait: float) -> float | None:
    started = time.perf_counter()
    while time.perf_counter() - started < wait:
        if len(emu.outbox(chat)) > before:
            return time.perf_counter() - started
        await asyncio.sleep(0.02)
    return None


async def run_one(transport: str, url: str, directory: Path, *, every: int, wait: float, seed: int,
                  only: str | None = None) -> Result:
    result = Result(transport)
    emu = BotApiEmulator(TOKEN, limits=Limits(enforce_rates=False))
    api_url = await emu.start("127.0.0.1", 0)
    log_path = directory / f"{transport}.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("HAMKKE_")}
    env.update(HAMKKE_DATABASE_URL=url, HAMKKE_TELEGRAM_TOKEN=TOKEN, HAMKKE_TELEGRAM_API_URL=api_url,
               HAMKKE_TRANSPORT=transport, HAMKKE_ENCRYPTION_KEY=FieldCipher.generate_key().decode(),
               HAMKKE_WEBHOOK_URL="", PYTHONPATH=str(ROOT))
    with log_path.open("wb") as log:
        process = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", "run", cwd=directory, env=env,
                                                       stdout=log, stderr=log)
    try:
        deadline = time.perf_counter() + 60
        while not emu.requests("getUpdates"):
            if process.returncode is not None or time.perf_counter() > deadline:
                raise RuntimeError(f"{transport}: the bot did not start polling; see {log_path}")
            await asyncio.sleep(0.05)
        updates = [(family, body) for family, body in malformed_updates(seed) if only is None or only in family]
        sent: list[tuple[int, str, dict[str, Any]]] = []
        consecutive_stalls = 0
        for index, (family, body) in enumerate(updates, start=1):
            queued = emu.deliver_raw(body)
            sent.append((int(queued["update_id"]), family, body))
            result.malformed += 1
            if index % every and index != len(updates):
                continue
            before = len(emu.outbox(GOOD_USER))
            emu.user_sends_text(GOOD_USER, "/menu")
            result.good += 1
            took = await _answered(emu, GOOD_USER, before, wait)
            if took is None:
                pending = {int(update["update_id"]) for update in emu.pending_updates}
                stuck = [family for uid, family, _b in sent if uid in pending][:every]
                # The framework fetches a batch and fails on it as a whole: the culprit is one of these.
                result.stalls.append(f"after update #{index}: {len(pending)} waiting; the oldest batch: "
                                     + "; ".join(stuck))
                consecutive_stalls += 1
                if consecutive_stalls >= 2 or process.returncode is not None:
                    break
            else:
                consecutive_stalls = 0
                result.good_answered += 1
                result.slowest = max(result.slowest, took)
        # let the last ones through, then count
        deadline = time.perf_counter() + wait
        while emu.pending_updates and time.perf_counter() < deadline and process.returncode is None:  # noqa: ASYNC110
            await asyncio.sleep(0.1)
        await asyncio.sleep(1.0)
        pending_ids = {int(update["update_id"]) for update in emu.pending_updates}
        recorded = _recorded_ids(directory / "g4.db")
        for update_id, family, body in sent:
            if update_id in pending_ids:
                continue
            result.confirmed += 1
            chats = {STRANGER_BASE <= chat < STRANGER_BASE + 10_000 and chat for chat in _chat_ids(body)} - {False}
            if any(emu.outbox(int(chat)) for chat in chats):
                result.answered += 1
            elif update_id in recorded:
                result.recorded += 1
            else:
                result.neither += 1
                result.neither_families[family] += 1
        result.died = process.returncode
    finally:
        if process.returncode is None:
            process.terminate()
            try:
                await asyncio.wait_for(process.wait(), 20)
            except TimeoutError:
                process.kill()
                await process.wait()
        with contextlib.suppress(Exception):
            await emu.stop()
    data = log_path.read_bytes()
    result.log_bytes, result.log_lines = len(data), data.count(b"\n")
    return result


def _chat_ids(value: Any) -> set[Any]:
    """Every ``chat.id`` / ``from.id``-like number in an update (where an answer could go)."""
    found: set[Any] = set()
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if isinstance(node.get("id"), int) and not isinstance(node.get("id"), bool):
                found.add(node["id"])
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node[:50])
    return found


def main(argv: list[str] | None = None) -> int:
    # The emulator lives in this process and deep-copies each queued update (``_enqueue``): the 800-deep one
    # needs about two frames per level, more than Python's default limit of 1,000.
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transport", choices=["ptb", "aiogram", "both"], default="both")
    parser.add_argument("--every", type=int, default=10, help="a good update after this many malformed ones")
    parser.add_argument("--wait", type=float, default=20.0, help="seconds a good update may take to be answered")
    parser.add_argument("--seed", type=int, default=4)
    parser.add_argument("--only", metavar="TEXT", help="only the updates whose shape names contain TEXT")
    parser.add_argument("--logs", type=Path, metavar="DIR", help="keep each process's log (the first 5 MB) here")
    args = parser.parse_args(argv)
    transports = ["ptb", "aiogram"] if args.transport == "both" else [args.transport]
    failed = False
    out = sys.stdout.write
    for transport in transports:
        started = time.perf_counter()
        with tempfile.TemporaryDirectory(prefix=f"hamkke-g4-{transport}-") as name:
            directory = Path(name)
            url = _prepare(directory)
            result = asyncio.run(run_one(transport, url, directory, every=args.every, wait=args.wait,
                                         seed=args.seed, only=args.only))
            if args.logs is not None:
                args.logs.mkdir(parents=True, exist_ok=True)
                with (directory / f"{transport}.log").open("rb") as log:
                    (args.logs / f"g4-{transport}.log").write_bytes(log.read(5_000_000))
        elapsed = time.perf_counter() - started
        out(f"G4 {transport}: malformed updates sent {result.malformed}, confirmed by the bot {result.confirmed}; "
            f"answered {result.answered}, recorded {result.recorded}, neither {result.neither}\n")
        out(f"  good updates answered: {result.good_answered}/{result.good} (slowest {result.slowest:.2f} s); "
            f"stalls: {len(result.stalls)}; process {'running' if result.died is None else f'exited {result.died}'}"
            f"; log {result.log_lines} lines / {result.log_bytes / 1e6:.1f} MB; wall time {elapsed:.0f} s\n")
        for stall in result.stalls:
            out(f"  stalled {stall}\n")
        if result.neither_families:
            out("  neither answered nor recorded: " + ", ".join(
                f"{family} {count}" for family, count in result.neither_families.most_common()) + "\n")
        failed = failed or bool(result.stalls) or result.died is not None or result.confirmed < result.malformed
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
