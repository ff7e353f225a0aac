"""Pace, the step between claim and send: Telegram's limits as intervals, and one leaky bucket per chat."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from aiolimiter import AsyncLimiter


@dataclass(frozen=True)
class SendLimits:
    """How fast and how stubbornly the sender delivers. The defaults are Telegram's published limits."""

    per_second: float = 30.0  # all chats together
    private_interval: float = 1.0  # seconds between two messages to one private chat
    group_per_minute: float = 20.0  # messages per minute to one group chat (negative chat id)
    margin: float = 0.05  # extra spacing (a fraction) so request jitter never crosses Telegram's line
    max_attempts: int = 4  # transient failures (5xx, time-outs) before a row is given up
    backoff_base: float = 2.0  # seconds before the first retry; doubles each time, with jitter
    backoff_cap: float = 300.0
    send_timeout: float = 20.0  # one request to Telegram, at most
    batch_size: int = 100  # due rows read at once
    max_idle: float = 5.0  # the longest sleep between looks at the outbox when nothing is due
    stale_after: float = 600.0  # a row ``sending`` this long is a crashed peer's (swept while running)

    @property
    def global_interval(self) -> float:
        """Seconds between two sends over all chats."""
        return (1.0 / self.per_second) * (1.0 + self.margin)

    def chat_interval(self, chat_id: int) -> float:
        """Seconds between two sends to one chat (groups have negative ids)."""
        base = 60.0 / self.group_per_minute if chat_id < 0 else self.private_interval
        return base * (1.0 + self.margin)


class ChatPacer:
    """Per-chat leaky buckets (one message per interval), created on use and dropped once drained."""

    def __init__(self, limits: SendLimits, *, evict_above: int = 256) -> None:
        self._limits = limits
        self._buckets: dict[int, AsyncLimiter] = {}
        self._last: dict[int, float] = {}
        self._elsewhere: dict[int, float] = {}  # chat -> loop time until which a direct reply keeps it busy
        self._sent: dict[int, float] = {}  # chat -> loop time of the last request actually started
        self._evict_above = evict_above

    def __len__(self) -> int:
        return len(self._buckets)

    def _bucket(self, chat_id: int) -> AsyncLimiter:
        bucket = self._buckets.get(chat_id)
        if bucket is None:
            bucket = self._buckets[chat_id] = AsyncLimiter(1, self._limits.chat_interval(chat_id))
        return bucket

    def note_elsewhere(self, chat_id: int, now: float) -> None:
        """Count a message sent to this chat by someone else (a direct reply) against its pace."""
        self._elsewhere[chat_id] = now + self._limits.chat_interval(chat_id)
        if len(self._elsewhere) > self._evict_above:
            for stale in [c for c, until in self._elsewhere.items() if until <= now]:
                del self._elsewhere[stale]

    def wait_for(self, chat_id: int, now: float) -> float:
        """Seconds until this chat may get its next message (0 when it may now)."""
        elsewhere = self._elsewhere.get(chat_id, 0.0) - now
        if elsewhere <= 0:
            self._elsewhere.pop(chat_id, None)
        bucket = self._buckets.get(chat_id)
        if bucket is None or bucket.has_capacity():
            return max(elsewhere, 0.0)
        free_at = self._last.get(chat_id, now) + self._limits.chat_interval(chat_id)
        return max(free_at - now, elsewhere, 0.001)  # not drained yet: at least a moment

    async def take(self, chat_id: int, now: float) -> None:
        """Use this chat's slot, waiting for it if needed."""
        busy = self._elsewhere.get(chat_id, 0.0) - asyncio.get_running_loop().time()
        if busy > 0:
            await asyncio.sleep(busy)
        await self._bucket(chat_id).acquire()
        self._last[chat_id] = max(now, asyncio.get_running_loop().time())
        if len(self._buckets) > self._evict_above:
            self.evict_idle()

    def _free_at(self, chat_id: int) -> float:
        interval = self._limits.chat_interval(chat_id)
        return max(self._sent.get(chat_id, -interval) + interval, self._elsewhere.get(chat_id, 0.0))

    async def keep_gap(self, chat_id: int) -> None:
        """Right before a request: wait out what is left of the interval since the last request to this chat.

        ``take`` paces the moment a row is taken; the claim's commit lies between that and the request, and
        under load it can take long enough for two requests to the same chat to come closer than the interval.
        This guard counts from the requests themselves.
        """
        loop = asyncio.get_running_loop()
        while (left := self._free_at(chat_id) - loop.time()) > 0:  # noqa: ASYNC110 - a deadline, not an event
            await asyncio.sleep(left)
        now = self._sent[chat_id] = loop.time()
        if len(self._sent) > self._evict_above:
            for stale in [c for c, at in self._sent.items() if at + self._limits.chat_interval(c) <= now]:
                del self._sent[stale]

    def evict_idle(self) -> int:
        """Drop drained buckets (a drained bucket is the same as a new one); returns how many."""
        idle = [chat_id for chat_id, bucket in self._buckets.items() if bucket.has_capacity()]
        for chat_id in idle:
            del self._buckets[chat_id]
            self._last.pop(chat_id, None)
        return len(idle)
