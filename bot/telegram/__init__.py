"""The Telegram transports: python-telegram-bot or aiogram (``HAMKKE_TRANSPORT``), both behind one interface.

Each adapter only translates Telegram updates into ``Incoming`` and ``Reply`` objects into Bot API calls; the
shared behaviour (ordering, edits, callback answers, errors) is in ``bot.telegram.common``. The frameworks are
imported only when the chosen adapter is built, so a deployment loads just one of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

from bot.telegram.common import Conversations, InvalidUpdate, JsonDict
from handlers.types import Reply

if TYPE_CHECKING:
    from bot.app import App

TRANSPORTS = ("ptb", "aiogram")


class Transport(Protocol):
    """A running Telegram bot: lifecycle, polling or webhook feeding, and the outbox's ``Messenger``."""

    name: str
    conversations: Conversations

    async def start(self) -> str | None:
        """Connect to the Bot API; returns the bot's username."""
        ...

    async def stop(self) -> None:
        """Stop everything and close the connections."""
        ...

    async def delete_webhook(self) -> None:
        """Remove a webhook so long polling may start."""
        ...

    async def set_webhook(self, url: str, secret: str) -> None:
        """Ask Telegram to POST updates to ``url`` with ``secret`` in the secret-token header."""
        ...

    async def set_commands(self, commands: Sequence[tuple[str, str]], language_code: str | None,
                           chat_id: int | None = None) -> None:
        """Set the command list shown for ``language_code`` (None: every language), to everyone or, with
        ``chat_id``, in that one chat only."""
        ...

    async def delete_commands(self, chat_id: int) -> None:
        """Remove the command list set for chat ``chat_id``: the chat shows the everyone list again."""
        ...

    async def start_polling(self) -> None:
        """Start fetching updates by long polling, in the background."""
        ...

    async def stop_polling(self) -> None:
        """Stop fetching updates."""
        ...

    async def feed_webhook(self, data: JsonDict) -> None:
        """Handle one update from the webhook; raises ``InvalidUpdate`` or whatever made handling fail."""
        ...

    async def send(self, chat_id: int, reply: Reply) -> int:
        """Send one message for the outbox; raises the errors of ``bot.sending.send``."""
        ...


def make_transport(app: App, *, poll_timeout: int = 10) -> Transport:
    """The adapter chosen by the settings (``HAMKKE_TRANSPORT``), wired to ``app``."""
    if app.settings.transport == "aiogram":
        from bot.telegram.aiogram_adapter import AiogramTransport

        return AiogramTransport(app, poll_timeout=poll_timeout)
    from bot.telegram.ptb_adapter import PtbTransport

    return PtbTransport(app, poll_timeout=poll_timeout)


__all__ = ["TRANSPORTS", "Conversations", "InvalidUpdate", "Transport", "make_transport"]
