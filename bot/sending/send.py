"""Send, the last step of the outgoing path: the one client the sender talks to (each Telegram adapter
implements it, tests may replace it) and the errors a send ends in.

Adapters translate their framework's errors into these, so the sender never sees ``telegram`` or ``aiogram``.
"""

from __future__ import annotations

from typing import Protocol

from handlers.types import Reply


class DeliveryError(Exception):
    """Sending failed."""


class RetryAfter(DeliveryError):
    """Telegram said 429: wait ``retry_after`` seconds before the next send (to this chat, or at all)."""

    def __init__(self, retry_after: float, message: str = "") -> None:
        super().__init__(message or f"retry after {retry_after}s")
        self.retry_after = retry_after


class Blocked(DeliveryError):
    """Telegram said 403: the person blocked the bot (or the chat is gone). Never retry."""


class Transient(DeliveryError):
    """A 5xx, a time-out or a network error: worth retrying later with back-off."""


class Rejected(DeliveryError):
    """Telegram said 400: the message itself is wrong; retrying will not help."""


class Messenger(Protocol):
    """Sends one neutral reply to a chat and returns Telegram's message id."""

    async def send(self, chat_id: int, reply: Reply) -> int: ...
