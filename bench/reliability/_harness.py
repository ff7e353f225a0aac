"""What the reliability scripts share: the real ``BotRunner`` (PTB or aiogram, polling or webhook) on a fresh
migrated database, against the in-process Bot API emulator, with a count of how often each update finished.
Not a script itself (``make reliability`` runs only ``g*.py``)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import tempfile
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

os.environ.setdefault("PTB_TIMEDELTA", "true")  # RetryAfter.retry_after as a timedelta, without a warning

from cryptography.fernet import Fernet  # noqa: E402

from bot import migrate  # noqa: E402
from bot.app import App, open_app  # noqa: E402
from bot.runner import BotRunner  # noqa: E402
from bot.sandbox.emulator import BotApiEmulator, Limits  # noqa: E402
from bot.settings import load_settings  # noqa: E402
from handlers.types import Incoming  # noqa: E402

TOKEN = "123456:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
SECRET = "reliability-webhook-secret_0123"


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Live:
    """The running bot, the emulated Telegram around it, and how often each update was finished."""

    emu: BotApiEmulator
    app: App
    runner: BotRunner
    task: asyncio.Task[int]
    handled: Counter[int] = field(default_factory=Counter)

    def done(self, incoming: Incoming) -> None:
        if incoming.update_id is not None:
            self.handled[incoming.update_id] += 1

    async def until(self, condition, *, within: float, what: str) -> None:  # noqa: ANN001
        """Wait until ``condition()`` holds (a hang guard of ``within`` seconds, never a speed figure)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while not condition():
            if self.task.done():
                self.task.result()
                raise RuntimeError("the bot stopped")
            if loop.time() > deadline:
                raise TimeoutError(f"gave up waiting for {what} after {within:.0f}s")
            await asyncio.sleep(0.05)


@contextlib.asynccontextmanager
async def live_bot(*, mode: str, transport: str, database_url: str | None = None,
                   webhook_retry_delays: tuple[float, ...] = (0.05, 0.2, 1.0)) -> AsyncIterator[Live]:
    """Start the bot as ``hamkke run`` does (``mode``: polling or webhook) on a fresh database."""
    with tempfile.TemporaryDirectory(prefix="hamkke-reliability-") as tmp:
        url = database_url or f"sqlite+aiosqlite:///{Path(tmp) / 'hamkke.db'}"
        await asyncio.to_thread(migrate.upgrade, url)
        emu = BotApiEmulator(TOKEN, limits=Limits(enforce_rates=False), webhook_retry_delays=webhook_retry_delays)
        await emu.start()
        values: dict[str, object] = dict(
            database_url=url, telegram_token=TOKEN, telegram_api_url=emu.url, transport=transport,
            encryption_key=Fernet.generate_key().decode(), webhook_url=None, webhook_secret=None,
            webhook_path=None, default_locale="ko")
        if mode == "webhook":
            port = free_port()
            values.update(webhook_url=f"http://127.0.0.1:{port}/telegram/hook", webhook_secret=SECRET,
                          webhook_listen="127.0.0.1", webhook_port=port)
        try:
            async with open_app(load_settings(**values)) as app:
                runner = BotRunner(app, poll_timeout=1, shutdown_grace=10.0, install_signals=False)
                stop = asyncio.Event()
                task = asyncio.create_task(runner.run(stop))
                live = Live(emu, app, runner, task)
                runner.transport.conversations.listeners.append(live.done)
                ready = asyncio.create_task(runner.ready.wait())
                await asyncio.wait([ready, task], timeout=60, return_when=asyncio.FIRST_COMPLETED)
                if task.done():
                    task.result()
                try:
                    yield live
                finally:
                    stop.set()
                    await asyncio.wait_for(task, 60)
        finally:
            await emu.stop()
