"""Handing updates to the bot: ``getUpdates`` long polling, webhook settings, and webhook delivery with retries."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import json
import re
from typing import Any, Final
from urllib.parse import urlsplit

import aiohttp

from bot.sandbox.params import Params
from bot.sandbox.state import Described, EmulatorCore, PendingUpdate, Webhook, dumps_json, now_unix
from bot.sandbox.values import ApiError, JsonDict, RequestRecord, WebhookDelivery

_SECRET_TOKEN_RE: Final = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_WEBHOOK_ACTIVE: Final = (
    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"
)
_POLL_TERMINATED: Final = (
    "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
)


class UpdateDelivery(EmulatorCore):
    """The bot's side of the update queue: polling, webhook settings and the webhook worker."""

    async def _m_get_updates(self, params: Params, record: RequestRecord) -> list[JsonDict]:
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

    async def _m_set_webhook(self, params: Params, record: RequestRecord) -> Described:
        url = (params.string("url") or "").strip()
        drop = params.flag("drop_pending_updates")
        if not url:
            self._webhook = None
            if drop:
                self._pending.clear()
            self._wake()
            return Described(True, "Webhook was deleted")
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
        self._webhook = Webhook(
            url=url,
            secret_token=secret,
            max_connections=max_connections,
            allowed_updates=allowed if isinstance(allowed, list) else None,
            ip_address=params.string("ip_address"),
        )
        self._wake()
        return Described(True, "Webhook is already set" if unchanged else "Webhook was set")

    async def _m_delete_webhook(self, params: Params, record: RequestRecord) -> Described:
        had = self._webhook is not None
        self._webhook = None
        if params.flag("drop_pending_updates"):
            self._pending.clear()
        self._wake()
        return Described(True, "Webhook was deleted" if had else "Webhook is already deleted")

    async def _m_get_webhook_info(self, params: Params, record: RequestRecord) -> JsonDict:
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

    async def _webhook_worker(self) -> None:
        updates, _, closing = self._signals()
        current: PendingUpdate | None = None
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
            webhook.last_error_date = now_unix()
            webhook.last_error_message = error
            if attempts > len(self.webhook_retry_delays):
                self._remove_pending(item)
                self.webhook_dropped.append(copy.deepcopy(item.update))
                current = None
                continue
            await self._sleep(self.webhook_retry_delays[attempts - 1])

    def _remove_pending(self, item: PendingUpdate) -> None:
        self._pending = [p for p in self._pending if p is not item]
        if self._change_signal is not None:
            self._change_signal.notify()

    async def _post_update(
        self, webhook: Webhook, update: JsonDict
    ) -> tuple[bool, int | None, str | None, Any]:
        client = self._client
        if client is None:
            return False, None, "emulator is not running", None
        headers = {"Content-Type": "application/json"}
        if webhook.secret_token:
            headers["X-Telegram-Bot-Api-Secret-Token"] = webhook.secret_token
        try:
            async with client.post(webhook.url, data=dumps_json(update).encode(), headers=headers) as response:
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
        params = Params({k: v for k, v in body.items() if k != "method"})
        record = RequestRecord(
            seq=next(self._request_seq),
            at=self.clock(),
            method=entry[0],
            chat_id=None,
            source="webhook_answer",
        )
        await self._dispatch(entry[0], params, record)
