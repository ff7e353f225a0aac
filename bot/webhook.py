"""The webhook: one aiohttp endpoint Telegram POSTs updates to (behind a reverse proxy in production).

The ``X-Telegram-Bot-Api-Secret-Token`` header is compared in constant time before the body is even read: a
request without it gets 401, a wrong one 403, and nothing changes. A connection that sends no complete request
within ``HEADER_TIMEOUT`` seconds is closed, a body that takes longer than ``BODY_TIMEOUT`` gets 408, and JSON
nested deeper than any update (``MAX_JSON_DEPTH``) gets 400 before any parser recurses into it. An update that could not be handled (the
database was unreachable, say) is answered 500 so Telegram delivers it again; the update id recorded by the
dispatcher makes sure a delivered-again update has at most one effect.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from bot.telegram.common import InvalidUpdate, JsonDict, too_deep
from bot.telegram.polling import Throttled
from models.platform.errors import database_unavailable

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY = 1024 * 1024  # an update is a few kilobytes; anything bigger is not from Telegram
HEADER_TIMEOUT = 10.0  # seconds for a new (or idle kept-alive) connection to send a whole request head
BODY_TIMEOUT = 10.0  # seconds to receive the body once the head is in

Feed = Callable[[JsonDict], Awaitable[None]]


def _matches(given: str, secret: bytes) -> bool:
    return hmac.compare_digest(given.encode("utf-8", "surrogateescape"), secret)


def make_webhook_app(*, path: str, secret: str, feed: Feed, body_timeout: float = BODY_TIMEOUT) -> web.Application:
    """An aiohttp application with the one endpoint at ``path`` handing each good update to ``feed``."""
    outage = Throttled()  # one line a minute while the database is down, not one per delivery
    expected = secret.encode("utf-8")
    if not expected:
        raise ValueError("the webhook needs a secret token")

    async def receive(request: web.Request) -> web.Response:
        """Checks the secret, reads the update and has it handled; the status tells Telegram whether to retry."""
        given = request.headers.get(SECRET_HEADER)
        if given is None:
            return web.Response(status=401, text="missing secret token")
        if not _matches(given, expected):
            return web.Response(status=403, text="wrong secret token")
        try:
            async with asyncio.timeout(body_timeout):
                raw = await request.read()
        except TimeoutError:
            slow = web.Response(status=408, text="too slow")
            slow.force_close()
            return slow
        try:
            data = json.loads(raw)
        except (ValueError, UnicodeDecodeError, RecursionError):
            return web.Response(status=400, text="not JSON")
        if too_deep(data):
            return web.Response(status=400, text="not a Telegram update")
        if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
            return web.Response(status=400, text="not a Telegram update")
        try:
            await feed(data)
        except InvalidUpdate as exc:
            log.warning("webhook: update %s rejected: %s", data.get("update_id"), exc)
            return web.Response(status=400, text="not a Telegram update")
        except Exception as exc:
            if database_unavailable(exc):
                outage.trouble("webhook: the database is unavailable; update %s is answered 500 so Telegram "
                               "delivers it again (%s: %s)", data.get("update_id"), type(exc).__name__, exc)
            else:
                log.exception("webhook: update %s could not be handled; Telegram will deliver it again",
                              data.get("update_id"))
            return web.Response(status=500, text="try again later")
        outage.recovered("webhook: updates are handled again")
        return web.Response(status=200)

    app = web.Application(client_max_size=MAX_BODY)
    app.router.add_post(path, receive)
    return app


class WebhookServer:
    """Serves the webhook endpoint on ``host:port`` until stopped."""

    def __init__(self, *, host: str, port: int, path: str, secret: str, feed: Feed,
                 header_timeout: float = HEADER_TIMEOUT, body_timeout: float = BODY_TIMEOUT) -> None:
        self.host = host
        self.port = port
        self.header_timeout = header_timeout
        self.app = make_webhook_app(path=path, secret=secret, feed=feed, body_timeout=body_timeout)
        self._runner: web.AppRunner | None = None

    async def start(self) -> int:
        """Start listening; returns the bound port (useful when ``port`` was 0)."""
        # aiohttp closes a connection whose request head has not fully arrived when its keep-alive timer runs
        # out, from the moment it is made: that is the timeout for half-open and slow (slowloris) clients.
        runner = web.AppRunner(self.app, access_log=None, shutdown_timeout=5.0,
                               keepalive_timeout=self.header_timeout)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port)
        await site.start()
        self._runner = runner
        address = runner.addresses[0]
        self.port = int(address[1])
        return self.port

    async def stop(self) -> None:
        """Stop listening; requests being handled get a few seconds to finish."""
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()
