"""Local sandboxes: an in-process Telegram Bot API emulator for end-to-end tests and demos, and the web phones.

The emulator is assembled from one module per concern: ``values`` (what callers see), ``markup`` (parse modes),
``params`` (request parameters), ``faults`` (fault injection and flood limits), ``files``, ``state`` (what the
parts share), ``users`` (the simulated people), ``updates`` (polling and webhooks), ``methods`` (the Bot API
methods), ``server`` (HTTP) and ``emulator`` (the class and its observation helpers); ``web`` serves the phone
page and ``run`` starts the whole sandbox for ``hamkke run``.
"""

from bot.sandbox.emulator import BotApiEmulator
from bot.sandbox.values import (
    ApiError,
    CallbackAnswer,
    EmulatorEvent,
    Limits,
    RequestRecord,
    SentMessage,
    Violation,
    WebhookDelivery,
)
from bot.sandbox.web import WebSandbox, make_web_app

__all__ = [
    "ApiError",
    "BotApiEmulator",
    "CallbackAnswer",
    "EmulatorEvent",
    "Limits",
    "RequestRecord",
    "SentMessage",
    "Violation",
    "WebSandbox",
    "WebhookDelivery",
    "make_web_app",
]
