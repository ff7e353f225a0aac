"""Long polling that never loses an update and never stalls on one: both adapters use it.

The frameworks' own pollers confirm an update (the next ``getUpdates`` offset) before it is handled and parse a
whole batch before handing any of it out. So while the database is down updates were confirmed and lost, and
one update the framework cannot parse froze polling (python-telegram-bot retries the batch forever, aiogram
stalls). This poller asks the Bot API for raw JSON (``getUpdates``, documented), hands each update to the
adapter's ``feed`` (the same path as a webhook delivery: parse, handle, answer), and moves the offset past an
update only once it was handled, or recorded as unreadable:

* handled → confirmed;
* the framework cannot read it (``InvalidUpdate``) → kept raw in the dead-letter table, skipped, confirmed;
* the database is unavailable → held: nothing from that update on is confirmed, polling pauses with back-off
  (1 s doubling to 30 s) and asks again; one log line per minute, not per try, and one when it recovers;
* any other failure → tried again the same way, and after ``max_failures`` tries kept aside like an
  unreadable one (recording it needs the database, so nothing is skipped while the database is down).

Updates of one person are fed one after another, in order; different people's at the same time. An update
handled before a held one is delivered again later: the dispatcher recognises it and does nothing.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from bot.telegram.common import InvalidUpdate, JsonDict, too_deep
from models.platform.errors import database_unavailable

log = logging.getLogger(__name__)

Feed = Callable[[JsonDict], Awaitable[None]]
DeadLetter = Callable[[int | None, Any, str], Awaitable[None]]  # (update id, raw update, reason)

BACKOFF_FIRST = 1.0
BACKOFF_CAP = 30.0
LOG_EVERY = 60.0  # seconds between two "still held" lines
MAX_FAILURES = 3  # tries of an update failing for another reason before it is kept aside


class _Held(Exception):
    """An update could not be handled now; polling must not move past it."""

    def __init__(self, update_id: int, cause: BaseException) -> None:
        super().__init__(f"update {update_id}: {type(cause).__name__}: {cause}")
        self.update_id = update_id
        self.cause = cause


def person_of(update: Any) -> Hashable:
    """Whose update this is (the sender's user id), for keeping one person's updates in order."""
    if isinstance(update, dict):
        for kind in ("message", "callback_query", "edited_message"):
            part = update.get(kind)
            who = part.get("from") if isinstance(part, dict) else None
            if isinstance(who, dict) and isinstance(who.get("id"), int) and not isinstance(who.get("id"), bool):
                return who["id"]
        return ("update", update.get("update_id"))
    return ("update", id(update))


def update_id_of(update: Any) -> int | None:
    """The update's id, when it has a readable one."""
    value = update.get("update_id") if isinstance(update, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


@dataclass
class PollStats:
    """What the poller did (for logs, tests and the reliability benchmarks)."""

    fed: int = 0
    dead_letters: int = 0
    held: int = 0  # times polling paused because an update could not be handled
    fetch_errors: int = 0
    failures: dict[int, int] = field(default_factory=dict)  # update id -> failed tries so far


class Throttled:
    """Logs a repeated trouble once, then at most once per ``every`` seconds."""

    def __init__(self, every: float = LOG_EVERY, clock: Callable[[], float] = time.monotonic) -> None:
        self.every = every
        self.clock = clock
        self.since: float | None = None
        self._last = 0.0
        self._quiet = 0

    def trouble(self, message: str, *args: object) -> None:
        now = self.clock()
        if self.since is None:
            self.since = now
        elif now - self._last < self.every:
            self._quiet += 1
            return
        self._last = now
        held = now - self.since
        log.warning(message + " (for %.0fs, %d more tries not logged)", *args, held, self._quiet)
        self._quiet = 0

    def recovered(self, message: str) -> None:
        if self.since is not None:
            log.warning("%s after %.0fs", message, self.clock() - self.since)
        self.since = None
        self._quiet = 0


class Poller:
    """``getUpdates`` in a loop against ``{api_url}/bot{token}``, feeding each raw update to ``feed``."""

    def __init__(self, *, api_url: str, token: str, feed: Feed, dead_letter: DeadLetter, timeout: float = 10.0,
                 allowed_updates: Sequence[str] = (), limit: int = 100, max_failures: int = MAX_FAILURES,
                 backoff_first: float = BACKOFF_FIRST, backoff_cap: float = BACKOFF_CAP) -> None:
        self.endpoint = f"{api_url.rstrip('/')}/bot{token}/getUpdates"
        self.feed = feed
        self.dead_letter = dead_letter
        self.timeout = timeout
        self.allowed_updates = list(allowed_updates)
        self.limit = limit
        self.max_failures = max_failures
        self.backoff_first = backoff_first
        self.backoff_cap = backoff_cap
        self.offset: int | None = None
        self.stats = PollStats()
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._held_log = Throttled()
        self._fetch_log = Throttled()

    # ---------------------------------------------------------------- life cycle

    def start(self) -> None:
        """Start polling in the background."""
        self._stop.clear()
        self._task = asyncio.create_task(self._run(), name="long-polling")

    async def stop(self) -> None:
        """Stop asking for updates; the batch being handled is finished first, its offset confirmed."""
        self._stop.set()
        task, self._task = self._task, None
        if task is not None:
            try:
                await task
            except Exception:
                log.exception("long polling ended with an error")

    # ---------------------------------------------------------------- the loop

    async def _run(self) -> None:
        backoff = self.backoff_first
        async with aiohttp.ClientSession() as http:
            while not self._stop.is_set():
                updates = await self._fetch(http)
                if updates is None:  # the Bot API could not be asked: try again a little later
                    await self._pause(backoff)
                    backoff = min(self.backoff_cap, backoff * 2)
                    continue
                held = await self._handle_batch(updates)
                if held is None:
                    self._held_log.recovered("the updates held back are being handled again")
                    backoff = self.backoff_first
                    continue
                self.stats.held += 1
                cause = held.cause
                if database_unavailable(cause):
                    self._held_log.trouble("the database is unavailable: holding the updates from %s on, not "
                                           "confirming them to Telegram (%s: %s)", held.update_id,
                                           type(cause).__name__, cause)
                else:
                    self._held_log.trouble("update %s could not be handled; trying again (%s: %s)",
                                           held.update_id, type(cause).__name__, cause)
                await self._pause(backoff)
                backoff = min(self.backoff_cap, backoff * 2)
            if self.offset is not None:
                await self._confirm(http)

    async def _pause(self, seconds: float) -> None:
        try:
            await asyncio.wait_for(self._stop.wait(), seconds)
        except TimeoutError:
            pass

    async def _fetch(self, http: aiohttp.ClientSession) -> list[Any] | None:
        """One long poll; the raw updates (maybe none), or None when the Bot API could not be asked."""
        params: JsonDict = {"timeout": int(self.timeout), "limit": self.limit,
                            "allowed_updates": self.allowed_updates}
        if self.offset is not None:
            params["offset"] = self.offset
        request = asyncio.ensure_future(self._post(http, params))
        stopping = asyncio.ensure_future(self._stop.wait())
        try:
            await asyncio.wait({request, stopping}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopping.cancel()
        if not request.done():  # stopping: abandon the long poll, nothing it returns is lost (not confirmed)
            request.cancel()
            await asyncio.gather(request, return_exceptions=True)
            return []
        try:
            result = request.result()
        except (aiohttp.ClientError, TimeoutError, ValueError, RecursionError) as exc:
            self.stats.fetch_errors += 1
            self._fetch_log.trouble("getUpdates failed: %s: %s", type(exc).__name__, exc)
            return None
        self._fetch_log.recovered("getUpdates works again")
        return result

    async def _post(self, http: aiohttp.ClientSession, params: JsonDict) -> list[Any]:
        wait = aiohttp.ClientTimeout(total=float(params.get("timeout", 0)) + 15.0)
        async with http.post(self.endpoint, json=params, timeout=wait) as response:
            body = await response.read()
        answer = json.loads(body)
        if not isinstance(answer, dict) or not answer.get("ok"):
            description = answer.get("description") if isinstance(answer, dict) else None
            raise ValueError(f"HTTP {response.status}: {description or 'not a Bot API answer'}")
        result = answer.get("result")
        if not isinstance(result, list):
            raise ValueError("getUpdates answered something other than a list")
        return result

    async def _confirm(self, http: aiohttp.ClientSession) -> None:
        """Tell the Bot API which updates were handled (at shutdown: nothing handled is delivered again)."""
        try:
            await asyncio.wait_for(self._post(http, {"offset": self.offset, "timeout": 0, "limit": 1,
                                                     "allowed_updates": self.allowed_updates}), 10.0)
        except Exception as exc:  # the next start gets them again; the dispatcher skips what was handled
            log.info("could not confirm the last updates at shutdown: %s", exc)

    # ---------------------------------------------------------------- one batch

    async def _handle_batch(self, updates: list[Any]) -> _Held | None:
        """Feed a batch, each person's in order; move the offset past all that is done, stop at a held one."""
        ids = [update_id_of(u) for u in updates]
        known = [i for i in ids if i is not None]
        if not known:
            if updates:
                log.error("getUpdates returned %d update(s) without an update_id; they are ignored", len(updates))
            return None
        people: dict[Hashable, list[Any]] = {}
        for update in updates:
            people.setdefault(person_of(update), []).append(update)
        results = await asyncio.gather(*(self._feed_in_order(queue) for queue in people.values()))
        held = [r for r in results if r is not None]
        if not held:
            self.offset = max(known) + 1
            return None
        first = min(held, key=lambda h: h.update_id)
        # Everything before it is done; from it on, Telegram keeps them (an update without an id: the batch).
        self.offset = first.update_id if first.update_id >= 0 else min(known)
        return first

    async def _feed_in_order(self, queue: list[Any]) -> _Held | None:
        for update in queue:
            update_id = update_id_of(update)
            try:
                await self._feed_one(update, update_id)
            except _Held as held:
                return held
        return None

    async def _feed_one(self, update: Any, update_id: int | None) -> None:
        if update_id is None:
            await self._keep_aside(update, None, "no update_id")
            return
        try:
            if not isinstance(update, dict):
                raise InvalidUpdate("not a JSON object")
            if too_deep(update):
                raise InvalidUpdate("nested too deeply")
            await self.feed(update)
        except InvalidUpdate as exc:
            await self._keep_aside(update, update_id, f"unreadable: {exc}")
            return
        except Exception as exc:
            if database_unavailable(exc):
                raise _Held(update_id, exc) from exc
            tries = self.stats.failures.get(update_id, 0) + 1
            self.stats.failures[update_id] = tries
            if tries < self.max_failures:
                raise _Held(update_id, exc) from exc
            log.error("update %s failed %d times; kept aside and skipped", update_id, tries, exc_info=exc)
            await self._keep_aside(update, update_id, f"failed {tries}x: {type(exc).__name__}: {exc}")
            return
        self.stats.failures.pop(update_id, None)
        self.stats.fed += 1

    async def _keep_aside(self, update: Any, update_id: int | None, reason: str) -> None:
        try:
            await self.dead_letter(update_id, update, reason)
        except Exception as exc:  # the database is needed to keep it: hold instead of losing it
            raise _Held(update_id if update_id is not None else -1, exc) from exc
        self.stats.failures.pop(update_id or -1, None)
        self.stats.dead_letters += 1
        log.warning("update %s kept aside and skipped: %s", update_id, reason)
