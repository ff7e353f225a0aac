"""Fault injection per chat (blocked, 5xx, hanging, forced 429) and Telegram's flood limits, recorded as violations."""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Final

from bot.sandbox.values import ApiError, Limits, Violation

# The methods Telegram's flood limits count.
RATE_LIMITED: Final = frozenset(
    {
        "sendMessage",
        "sendDocument",
        "sendPhoto",
        "editMessageText",
        "editMessageReplyMarkup",
        "editMessageCaption",
    }
)


@dataclass(slots=True)
class _Faults:
    blocked: bool = False
    fail_status: int = 502
    fail_times: int = 0
    hang_seconds: float = 0.0
    hang_times: int = 0
    hang_then_process: bool = True
    retry_after_seconds: int = 0
    retry_after_times: int = 0


class FloodGate:
    """The faults injected per chat and the sliding windows of Telegram's flood limits."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.violations: list[Violation] = []
        self._faults: dict[int, _Faults] = {}
        self._global_sends: deque[float] = deque()
        self._chat_sends: dict[int, deque[float]] = {}
        self._retry_until: dict[int, float] = {}

    def _fault(self, chat_id: int) -> _Faults:
        return self._faults.setdefault(chat_id, _Faults())

    def block(self, chat_id: int, blocked: bool = True) -> None:
        """Every request to this chat answers 403 (or no longer does, with ``blocked=False``)."""
        self._fault(chat_id).blocked = blocked

    def fail(self, chat_id: int, status: int, times: int) -> None:
        """The next ``times`` requests to this chat answer ``status``."""
        faults = self._fault(chat_id)
        faults.fail_status = status
        faults.fail_times = times

    def hang(self, chat_id: int, seconds: float, *, times: int, then_process: bool) -> None:
        """The next ``times`` requests to this chat hang for ``seconds``."""
        faults = self._fault(chat_id)
        faults.hang_seconds = seconds
        faults.hang_times = times
        faults.hang_then_process = then_process

    def force_retry_after(self, chat_id: int, seconds: int, times: int) -> None:
        """The next ``times`` sends to this chat answer 429 with ``retry_after=seconds``."""
        faults = self._fault(chat_id)
        faults.retry_after_seconds = max(1, int(seconds))
        faults.retry_after_times = times

    def clear(self) -> None:
        """Remove every injected fault and pending retry_after window."""
        self._faults.clear()
        self._retry_until.clear()

    async def maybe_hang(self, chat_id: int, sleep: Callable[[float], Awaitable[None]]) -> None:
        """Pause a request to a hanging chat; answer 504 when it must not be carried out."""
        faults = self._faults.get(chat_id)
        if faults is None or faults.hang_times <= 0:
            return
        faults.hang_times -= 1
        then_process = faults.hang_then_process
        await sleep(faults.hang_seconds)
        if not then_process:
            raise ApiError(504, "Gateway Timeout")

    def check(self, method: str, chat_id: int, chat_type: str, at: float) -> None:
        """Injected faults and flood control, checked after validation and before any effect."""
        rate_limited = method in RATE_LIMITED
        faults = self._faults.get(chat_id)
        if faults is not None:
            if faults.blocked:
                if chat_type == "private":
                    raise ApiError(403, "Forbidden: bot was blocked by the user")
                raise ApiError(403, f"Forbidden: bot was kicked from the {chat_type} chat")
            if faults.fail_times > 0:
                faults.fail_times -= 1
                try:
                    phrase = HTTPStatus(faults.fail_status).phrase
                except ValueError:
                    phrase = "Server Error"
                raise ApiError(faults.fail_status, phrase)
            if rate_limited and faults.retry_after_times > 0:
                faults.retry_after_times -= 1
                seconds = faults.retry_after_seconds
                self._retry_until[chat_id] = max(self._retry_until.get(chat_id, at), at + seconds)
                raise _too_many(seconds)
        if rate_limited:
            self._check_rates(method, chat_id, at)

    def _check_rates(self, method: str, chat_id: int, at: float) -> None:
        limits = self.limits
        until = self._retry_until.get(chat_id)
        if until is not None:
            if at < until:
                self._violate("ignored_retry_after", chat_id, method, at, until)
            else:
                del self._retry_until[chat_id]
        if chat_id < 0:
            window, allowed, kind = 60.0, limits.per_group_per_minute, "group_rate"
        else:
            window, allowed, kind = 1.0, limits.per_chat_per_second, "chat_rate"
        sends = self._chat_sends.setdefault(chat_id, deque())
        _prune(sends, at - window)
        if len(sends) >= allowed:
            self._violate(kind, chat_id, method, at, sends[0] + window)
        _prune(self._global_sends, at - 1.0)
        if len(self._global_sends) >= limits.global_per_second:
            self._violate("global_rate", chat_id, method, at, self._global_sends[0] + 1.0)
        sends.append(at)
        self._global_sends.append(at)

    def _violate(self, kind: str, chat_id: int, method: str, at: float, free_at: float) -> None:
        retry_after = max(1, math.ceil(free_at - at - 1e-9))
        self.violations.append(
            Violation(kind=kind, chat_id=chat_id, method=method, at=at, retry_after=retry_after)
        )
        if self.limits.enforce_rates:
            if kind != "ignored_retry_after":
                self._retry_until[chat_id] = max(self._retry_until.get(chat_id, at), at + retry_after)
            raise _too_many(retry_after)


def _prune(window: deque[float], older_than: float) -> None:
    while window and window[0] <= older_than:
        window.popleft()


def _too_many(seconds: int) -> ApiError:
    return ApiError(429, f"Too Many Requests: retry after {seconds}", parameters={"retry_after": seconds})
