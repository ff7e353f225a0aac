"""The outgoing path for everything that is not a direct reply, in the order a message takes it:
enqueue (``models.outbox.outbox``) → claim (``models.outbox.delivery``) → pace (``pace``) → send (``send``),
driven by :class:`OutboxSender` (``sender``); ``split`` is the one splitter, shared with the direct replies."""

from bot.sending.pace import ChatPacer, SendLimits
from bot.sending.send import Blocked, DeliveryError, Messenger, Rejected, RetryAfter, Transient
from bot.sending.sender import OutboxSender, SenderStats, message_parts
from bot.sending.split import split

__all__ = [
    "Blocked",
    "ChatPacer",
    "DeliveryError",
    "Messenger",
    "OutboxSender",
    "Rejected",
    "RetryAfter",
    "SendLimits",
    "SenderStats",
    "Transient",
    "message_parts",
    "split",
]
