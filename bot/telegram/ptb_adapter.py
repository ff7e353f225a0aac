"""The python-telegram-bot 22 transport: Telegram updates in, neutral replies out, nothing else.

PTB's ``Application`` fetches updates (long polling) with ``concurrent_updates=True``; our per-person lock in
``bot.telegram.common`` keeps one person's updates in order. No ``ConversationHandler``, no ``user_data``:
conversation state lives in the database.
"""

from __future__ import annotations

import os

# RetryAfter.retry_after as a timedelta (PTB >= 22.2), without the deprecation warning; set before importing.
os.environ.setdefault("PTB_TIMEDELTA", "true")

import logging  # noqa: E402
from collections.abc import Sequence  # noqa: E402
from datetime import timedelta  # noqa: E402
from typing import Any  # noqa: E402

import telegram  # noqa: E402
import telegram.error as tg_error  # noqa: E402
from telegram.ext import Application, ContextTypes, TypeHandler  # noqa: E402

from bot.app import App  # noqa: E402
from bot.sending.send import Blocked, DeliveryError, Rejected, RetryAfter, Transient  # noqa: E402
from bot.telegram.common import (  # noqa: E402
    ALLOWED_UPDATES,
    Conversations,
    InvalidUpdate,
    JsonDict,
    Outgoing,
    ReplySender,
)
from bot.telegram.polling import Poller  # noqa: E402
from handlers.types import Incoming, Reply  # noqa: E402

log = logging.getLogger(__name__)


def translate_error(exc: tg_error.TelegramError) -> DeliveryError:
    """A PTB exception as one of ``bot.sending.send``'s errors (429, 403, 400, and the retryable rest)."""
    if isinstance(exc, tg_error.RetryAfter):
        wait = exc.retry_after
        seconds = wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
        return RetryAfter(seconds, str(exc))
    if isinstance(exc, tg_error.Forbidden):
        return Blocked(str(exc))
    if isinstance(exc, tg_error.BadRequest | tg_error.ChatMigrated | tg_error.EndPointNotFound):
        return Rejected(str(exc))
    # TimedOut, NetworkError (5xx, connection), Conflict, InvalidToken: worth another try later
    return Transient(f"{type(exc).__name__}: {exc}")


def _markup(data: JsonDict | None) -> telegram.InlineKeyboardMarkup | telegram.ReplyKeyboardMarkup | \
        telegram.ReplyKeyboardRemove | None:
    if data is None:
        return None
    if "inline_keyboard" in data:
        return telegram.InlineKeyboardMarkup(
            [[telegram.InlineKeyboardButton(b["text"], callback_data=b["callback_data"]) for b in row]
             for row in data["inline_keyboard"]])
    if "keyboard" in data:
        return telegram.ReplyKeyboardMarkup(
            [[b["text"] for b in row] for row in data["keyboard"]],
            resize_keyboard=data.get("resize_keyboard"), is_persistent=data.get("is_persistent"))
    return telegram.ReplyKeyboardRemove()


def to_incoming(update: telegram.Update) -> Incoming | None:
    """The neutral ``Incoming`` for a new message or a button press; None for anything else."""
    query = update.callback_query
    if query is not None:
        message = query.message
        chat = message.chat if message is not None else None
        return Incoming(
            user_id=query.from_user.id,
            chat_id=chat.id if chat is not None else query.from_user.id,
            chat_type=chat.type if chat is not None else "private",
            payload=query.data or "",
            update_id=update.update_id,
            message_id=message.message_id if message is not None else None,
            language_code=query.from_user.language_code,
            first_name=query.from_user.first_name,
            callback_id=query.id,
        )
    message = update.message
    if message is None or message.from_user is None:
        return None
    return Incoming(
        user_id=message.from_user.id,
        chat_id=message.chat.id,
        chat_type=message.chat.type,
        text=message.text if message.text is not None else message.caption,
        update_id=update.update_id,
        message_id=message.message_id,
        language_code=message.from_user.language_code,
        first_name=message.from_user.first_name,
        photo_file_id=message.photo[-1].file_id if message.photo else None,
    )


class PtbTransport:
    """The bot on python-telegram-bot: polling or fed by our webhook; also the outbox's ``Messenger``."""

    name = "ptb"

    def __init__(self, app: App, *, poll_timeout: float = 10.0) -> None:
        token = app.settings.telegram_token
        if token is None:
            raise ValueError("a Telegram token is required")
        api = app.settings.telegram_api_url
        self.poll_timeout = poll_timeout
        self.poller = Poller(api_url=api, token=token.get_secret_value(), feed=self.feed_webhook,
                             dead_letter=app.keep_aside, timeout=poll_timeout, allowed_updates=ALLOWED_UPDATES)
        self.application: Application[Any, Any, Any, Any, Any, Any] = (
            Application.builder()
            .token(token.get_secret_value())
            .base_url(f"{api}/bot")
            .base_file_url(f"{api}/file/bot")
            .concurrent_updates(True)
            .job_queue(None)  # APScheduler is installed for our scheduler; PTB must not start its own
            .build()
        )
        self.application.add_handler(TypeHandler(telegram.Update, self._on_update))
        self.application.add_error_handler(self._on_error)
        self.sender = ReplySender(self, defer=app.defer_reply, expire=app.expire_message)
        self.conversations = Conversations(app.handle, self.sender)
        self._webhook_failures: dict[int, BaseException | None] = {}  # updates being fed by our webhook
        self._started = False

    # ---------------------------------------------------------------- lifecycle

    async def start(self) -> str | None:
        """Connect (``getMe``) and start processing; returns the bot's username."""
        await self.application.initialize()
        await self.application.start()
        self._started = True
        return self.application.bot.username

    async def stop(self) -> None:
        """Stop polling and processing and close the HTTP connections."""
        if not self._started:
            return
        updater = self.application.updater
        if updater is not None and updater.running:
            await updater.stop()
        if self.application.running:
            await self.application.stop()
        await self.application.shutdown()
        self._started = False

    async def delete_webhook(self) -> None:
        """``deleteWebhook`` (keeping pending updates), so long polling may start."""
        await self.application.bot.delete_webhook(drop_pending_updates=False)

    async def set_webhook(self, url: str, secret: str) -> None:
        """``setWebhook`` with our secret, for the update types the conversations use."""
        await self.application.bot.set_webhook(url, secret_token=secret, allowed_updates=list(ALLOWED_UPDATES))

    async def set_commands(self, commands: Sequence[tuple[str, str]], language_code: str | None,
                           chat_id: int | None = None) -> None:
        """``setMyCommands`` for one language (None: the default list), for everyone or one chat."""
        await self.application.bot.set_my_commands(
            [telegram.BotCommand(name, description) for name, description in commands],
            scope=telegram.BotCommandScopeChat(chat_id) if chat_id is not None else None,
            language_code=language_code)

    async def delete_commands(self, chat_id: int) -> None:
        """``deleteMyCommands`` for one chat's own list."""
        await self.application.bot.delete_my_commands(scope=telegram.BotCommandScopeChat(chat_id))

    async def start_polling(self) -> None:
        """Start long polling in the background (our poller: an update is confirmed only once handled)."""
        self.poller.start()

    async def stop_polling(self) -> None:
        """Stop fetching updates (those being handled finish)."""
        await self.poller.stop()

    async def feed_webhook(self, data: JsonDict) -> None:
        """Handle one update (POSTed to our webhook, or long-polled); raises when it could not be handled."""
        try:
            update = telegram.Update.de_json(data, self.application.bot)
        except Exception as exc:
            raise InvalidUpdate(f"not a Telegram update: {exc}") from exc
        if update is None:
            raise InvalidUpdate("empty update")
        self._webhook_failures[update.update_id] = None
        try:
            await self.application.process_update(update)
        finally:
            failure = self._webhook_failures.pop(update.update_id, None)
        if failure is not None:
            raise failure

    # ---------------------------------------------------------------- updates

    async def _on_update(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Passes a new message or a button press to the conversations."""
        if not isinstance(update, telegram.Update):
            return
        incoming = to_incoming(update)
        if incoming is not None:
            await self.conversations.process(incoming)

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Logs an update that could not be handled; the webhook answers it with an error."""
        error = context.error
        if isinstance(update, telegram.Update) and update.update_id in self._webhook_failures:
            self._webhook_failures[update.update_id] = error
            return  # the feeder (the webhook or the poller) reports it, once, not per retry
        log.error("update %s could not be handled", getattr(update, "update_id", "?"), exc_info=error)

    # ---------------------------------------------------------------- Bot API calls (BotCalls)

    async def send_text(self, chat_id: int, out: Outgoing) -> int:
        """``sendMessage``."""
        try:
            message = await self.application.bot.send_message(
                chat_id, out.text, parse_mode=out.parse_mode, reply_markup=_markup(out.markup))
        except tg_error.TelegramError as exc:
            raise translate_error(exc) from exc
        return message.message_id

    async def send_file(self, chat_id: int, out: Outgoing) -> int:
        """``sendDocument`` / ``sendPhoto``."""
        attachment = out.attachment
        assert attachment is not None
        bot = self.application.bot
        caption = out.text or None
        try:
            if out.kind == "photo":
                message = await bot.send_photo(chat_id, attachment.data, filename=attachment.filename,
                                               caption=caption, parse_mode=out.parse_mode,
                                               reply_markup=_markup(out.markup))
            else:
                message = await bot.send_document(chat_id, attachment.data, filename=attachment.filename,
                                                  caption=caption, parse_mode=out.parse_mode,
                                                  reply_markup=_markup(out.markup))
        except tg_error.TelegramError as exc:
            raise translate_error(exc) from exc
        return message.message_id

    async def edit_text(self, chat_id: int, message_id: int, out: Outgoing) -> None:
        """``editMessageText``."""
        markup = _markup(out.markup)
        try:
            await self.application.bot.edit_message_text(
                out.text, chat_id=chat_id, message_id=message_id, parse_mode=out.parse_mode,
                reply_markup=markup if isinstance(markup, telegram.InlineKeyboardMarkup) else None)
        except tg_error.TelegramError as exc:
            raise translate_error(exc) from exc

    async def delete_message(self, chat_id: int, message_id: int) -> None:
        """``deleteMessage``."""
        try:
            await self.application.bot.delete_message(chat_id, message_id)
        except tg_error.TelegramError as exc:
            raise translate_error(exc) from exc

    async def answer_callback(self, callback_id: str, text: str | None) -> None:
        """``answerCallbackQuery``."""
        try:
            await self.application.bot.answer_callback_query(callback_id, text=text)
        except tg_error.TelegramError as exc:
            raise translate_error(exc) from exc

    # ---------------------------------------------------------------- Messenger (the outbox sender)

    async def send(self, chat_id: int, reply: Reply) -> int:
        """Send one queued message; raises ``RetryAfter`` / ``Blocked`` / ``Transient`` / ``Rejected``."""
        return await self.sender.send(chat_id, reply)
