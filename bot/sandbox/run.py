"""``hamkke run`` without a token: the Bot API emulator, the real bot polling it, and the web page, in one process.

Nothing is faked on the bot's side: the adapter chosen by ``HAMKKE_TRANSPORT`` (python-telegram-bot by default)
long-polls the emulator over HTTP exactly as it would poll Telegram, and the outbox sender delivers notices and
reminders through it. The page at ``http://{sandbox_host}:{sandbox_port}`` plays Telegram's app for as many
people as you open phones for.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import secrets
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

from aiohttp import web
from pydantic import SecretStr

from bot.app import App
from bot.runner import BotRunner, StartupError, start_scheduler
from bot.sandbox.emulator import BotApiEmulator, Limits
from bot.sandbox.web import WebSandbox, make_web_app
from scheduler.runner import HamkkeScheduler

__all__ = ["RunningSandbox", "SandboxError", "sandbox_running", "serve_sandbox"]

log = logging.getLogger(__name__)

SANDBOX_BOT_ID = 7_000_000_001
BOT_START_TIMEOUT = 30.0


class SandboxError(Exception):
    """The sandbox could not start; the message is one line for the person running it."""


@dataclass(frozen=True)
class RunningSandbox:
    """A started sandbox: where the page is, and its parts (tests look at the emulator)."""

    url: str
    api_url: str
    emulator: BotApiEmulator
    runner: BotRunner
    bot_task: asyncio.Task[int]


def sandbox_token() -> str:
    """A fresh, well-formed bot token that only this process's emulator knows."""
    return f"{SANDBOX_BOT_ID}:{secrets.token_urlsafe(33)}"


def first_update_id() -> int:
    """An update id above every id an earlier sandbox run can have used: milliseconds since 1970."""
    return int(time.time() * 1000)


def _shown_host(host: str) -> str:
    if host in ("0.0.0.0", "::", ""):
        return "127.0.0.1"
    return f"[{host}]" if ":" in host else host


@contextlib.asynccontextmanager
async def sandbox_running(app: App, *, host: str | None = None, port: int | None = None,
                          install_signals: bool = False, stop: asyncio.Event | None = None,
                          poll_timeout: int = 10) -> AsyncIterator[RunningSandbox]:
    """Start the emulator, the bot (polling it) and the web page; stop all three when the block ends.

    ``host``/``port`` default to the settings (``HAMKKE_SANDBOX_HOST`` / ``HAMKKE_SANDBOX_PORT``); port 0 picks a
    free one. The bot stops when ``stop`` is set (or on SIGINT/SIGTERM with ``install_signals``).
    """
    settings = app.settings
    host = settings.sandbox_host if host is None else host
    port = settings.sandbox_port if port is None else port
    token = sandbox_token()
    # Telegram tolerates short bursts in a private chat; the emulator records them but does not refuse them here,
    # so the page answers as fast as the real app would. The outbox sender paces itself either way.
    emulator = BotApiEmulator(token, username=settings.bot_username, bot_id=SANDBOX_BOT_ID,
                              limits=Limits(enforce_rates=False))
    # The database remembers handled update ids (a redelivered update has no second effect), but a new emulator
    # would count from 1 again and every update after a restart would look like a redelivery. Like Telegram's,
    # our update ids only ever grow: start from the clock (in ms), above anything an earlier run handed out.
    emulator._last_update_id = first_update_id() - 1
    api_url = await emulator.start("127.0.0.1", 0)
    web_runner: web.AppRunner | None = None
    bot_task: asyncio.Task[int] | None = None
    scheduler: HamkkeScheduler | None = None
    stop = stop or asyncio.Event()
    try:
        bot_settings = settings.model_copy(update={"telegram_token": SecretStr(token), "telegram_api_url": api_url,
                                                   "webhook_url": None})
        bot_app = dataclasses.replace(app, settings=bot_settings)
        runner = BotRunner(bot_app, install_signals=install_signals, poll_timeout=poll_timeout,
                           shutdown_grace=5.0)
        bot_task = asyncio.create_task(runner.run(stop), name="sandbox-bot")
        ready = asyncio.create_task(runner.ready.wait())
        done, _ = await asyncio.wait({bot_task, ready}, timeout=BOT_START_TIMEOUT,
                                     return_when=asyncio.FIRST_COMPLETED)
        ready.cancel()
        if bot_task in done:
            bot_task.result()  # raises the start-up error
            raise SandboxError("the bot stopped while starting")
        if not done:
            raise SandboxError(f"the bot did not start within {BOT_START_TIMEOUT:.0f}s")
        # The clock: reminders, digests and summaries arrive in the sandbox as they would on Telegram.
        scheduler = await start_scheduler(bot_app, runner)

        sandbox = WebSandbox(emulator=emulator, sessions=app.sessions, center_id=app.center_id,
                             bot_username=settings.bot_username)
        web_runner = web.AppRunner(make_web_app(sandbox), access_log=None, shutdown_timeout=2.0)
        await web_runner.setup()
        try:
            await web.TCPSite(web_runner, host, port).start()
        except OSError as exc:
            raise SandboxError(f"could not listen on {host}:{port} ({exc.strerror or exc}); "
                               "set HAMKKE_SANDBOX_PORT to a free port") from None
        bound_port = web_runner.addresses[0][1]
        url = f"http://{_shown_host(host)}:{bound_port}"
        yield RunningSandbox(url=url, api_url=api_url, emulator=emulator, runner=runner, bot_task=bot_task)
    except StartupError as exc:
        raise SandboxError(str(exc)) from None
    finally:
        if scheduler is not None:
            await scheduler.stop()
        stop.set()
        if bot_task is not None:
            try:
                await asyncio.wait_for(bot_task, 15.0)
            except Exception:  # already reported (start-up error) or logged by the runner
                log.debug("the sandbox bot ended with an error", exc_info=True)
        if web_runner is not None:
            await web_runner.cleanup()
        await emulator.stop()


async def serve_sandbox(app: App, *, announce: Callable[[str], None]) -> int:
    """Run the web sandbox until Ctrl+C; ``announce`` is told the page's address once it is up."""
    stop = asyncio.Event()
    async with sandbox_running(app, install_signals=True, stop=stop) as running:
        announce(running.url)
        try:
            status = await asyncio.shield(running.bot_task)  # ends when Ctrl+C (SIGINT/SIGTERM) sets ``stop``
        except Exception:
            log.exception("the bot stopped unexpectedly")
            return 1
        if not stop.is_set():
            log.error("the bot stopped unexpectedly")
            return 1
    return status
