"""The emulator over HTTP: the aiohttp application, its lifecycle, and the Bot API and file routes."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Final, Self

import aiohttp
from aiohttp import web

from bot.sandbox.params import read_params
from bot.sandbox.state import Signal, dumps_json
from bot.sandbox.updates import UpdateDelivery
from bot.sandbox.values import ApiError, RequestRecord

_BODY_MAX: Final = 64 * 1024 * 1024


class ApiServer(UpdateDelivery):
    """Serves the Bot API at ``/bot{token}/{method}`` and files at ``/file/bot{token}/{path}``."""

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

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def _on_startup(self, _app: web.Application | None) -> None:
        if self._webhook_task is None or self._webhook_task.done():
            # fresh primitives: a restarted emulator may run on another event loop
            self._update_signal, self._change_signal, self._closing = Signal(), Signal(), asyncio.Event()
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
            params = await read_params(request)
        except ApiError as exc:
            self._finish(record, exc.status, exc.description, exc.parameters)
            self.log.append(record)
            return web.json_response(exc.body(), status=exc.status)
        status, body = await self._dispatch(entry[0], params, record)
        return web.json_response(body, status=status, dumps=dumps_json)

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        if request.match_info.get("token") != self.token:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        stored = self._files.at_path(request.match_info.get("path", ""))
        if stored is None:
            return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"}, status=404)
        return web.Response(body=stored.data, content_type=stored.mime_type or "application/octet-stream")
