"""The aiogram 3 transport: Telegram updates in, neutral replies out, nothing else.

aiogram handles each polled update in its own task (concurrently); our per-person lock in
``bot.telegram.common`` keeps one person's updates in order. The FSM is switched off: conversation state lives
in the database.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    AiogramError,
    TelegramBadRequest,
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNotFound,
    TelegramRetryAfter,
)
from aiogram.types import (
    BotCommand,
    BotCommandScopeChat,
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardMarkup,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from pydantic import ValidationError

from bot.app import App
from bot.sending.send import Blocked, DeliveryError, Rejected, RetryAfter, Transient
from bot.telegram.common import ALLOWED_UPDATES, Conversations, InvalidUpdate, JsonDict, Outgoing, ReplySender
from bot.telegram.polling import Poller
from handlers.types import Incoming, Reply

log = logging.getLogger(__name__)


def translate_error(exc: AiogramError) -> DeliveryError:
    """An aiogram exception as one of ``bot.sending.send``'s errors (429, 403, 400, and the retryable rest)."""
    if isinstance(exc, TelegramRetryAfter):
        return RetryAfter(float(exc.retry_after), str(exc))
    if isinstance(exc, TelegramForbiddenError):
        return Blocked(str(exc))
    if isinstance(exc, TelegramBadRequest | TelegramNotFound | TelegramEntityTooLarge | TelegramMigrateToChat):
        return Rejected(str(exc))
    # TelegramServerError (5xx), TelegramNetworkError (time-outs, connections), conflicts, unreadable answers
    return Transient(f"{type(exc).__name__}: {exc}")


def _markup(data: JsonDict | None) -> InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | None:
    if data is None:
        return None
    if "inline_keyboard" in data:
        return InlineKeyboardMarkup.model_validate(data)
    if "keyboard" in data:
        return ReplyKeyboardMarkup.model_validate(data)
    return ReplyKeyboardRemove.model_validate(data)


def message_incoming(message: Message, update_id: int) -> Incoming | None:
    """The neutral ``Incoming`` for a message a person sent."""
    if message.from_user is None:
        return None
    return Incoming(
        user_id=message.from_user.id,
        chat_id=message.chat.id,
        chat_type=str(message.chat.type),
        text=message.text if message.text is not None else message.caption,
        update_id=update_id,
        message_id=message.message_id,
        language_code=message.from_user.language_code,
        first_name=message.from_user.first_name,
        photo_file_id=message.photo[-1].file_id if message.photo else None,
    )


def callback_incoming(query: CallbackQuery, update_id: int) -> Incoming:
    """The neutral ``Incoming`` for a pressed button (``message_id`` is the message carrying it)."""
    message = query.message
    chat = message.chat if message is not None else None
    return Incoming(
        user_id=query.from_user.id,
        chat_id=chat.id if chat is not None else query.from_user.id,
        chat_type=str(chat.type) if chat is not None else "private",
        payload=query.data or "",
        update_id=update_id,
        message_id=message.message_id if message is not None else None,
        language_code=query.from_user.language_code,
        first_name=query.from_user.first_name,
        callback_id=query.id,
    )


class AiogramTransport:
    """The bot on aiogram: polling or fed by our webhook; also the outbox's ``Messenger``."""

    name = "aiogram"

    def __init__(self, app: App, *, poll_timeout: int = 10) -> None:
        token = app.settings.telegram_token
        if token is None:
            raise ValueError("a Telegram token is required")
        self.poll_timeout = poll_timeout
        session = AiohttpSession(api=TelegramAPIServer.from_base(app.settings.telegram_api_url))
        self.bot = Bot(token.get_secret_value(), session=session)
        self.dispatcher = Dispatcher(disable_fsm=True)
        self.dispatcher.message.register(self._on_message)
        self.dispatcher.callback_query.register(self._on_callback)
        self.sender = ReplySender(self, defer=app.defer_reply, expire=app.expire_message)
        self.conversations = Conversations(app.handle, self.sender)
        self.poller = Poller(api_url=app.settings.telegram_api_url, token=token.get_secret_value(),
                             feed=self.feed_webhook, dead_letter=app.keep_aside, timeout=poll_timeout,
                             allowed_updates=ALLOWED_UPDATES)

    # ---------------------------------------------------------------- lifecycle

    async def start(self) -> str | None:
        """Connect (``getMe``); returns the bot's username."""
        me = await self.bot.get_me()
        return me.username

    async def stop(self) -> None:
        """Stop polling and close the HTTP session."""
        await self.stop_polling()
        await self.bot.session.close()

    async def delete_webhook(self) -> None:
        """``deleteWebhook`` (keeping pending updates): aiogram does not do it before polling."""
        await self.bot.delete_webhook(drop_pending_updates=False)

    async def set_webhook(self, url: str, secret: str) -> None:
        """``setWebhook`` with our secret, for the update types the conversations use."""
        await self.bot.set_webhook(url, secret_token=secret, allowed_updates=list(ALLOWED_UPDATES))

    async def set_commands(self, commands: Sequence[tuple[str, str]], language_code: str | None,
                           chat_id: int | None = None) -> None:
        """``setMyCommands`` for one language (None: the default list), for everyone or one chat."""
        await self.bot.set_my_commands([BotCommand(command=name, description=text) for name, text in commands],
                                       scope=BotCommandScopeChat(chat_id=chat_id) if chat_id is not None else None,
                                       language_code=language_code)

    async def delete_commands(self, chat_id: int) -> None:
        """``deleteMyCommands`` for one chat's own list."""
        await self.bot.delete_my_commands(scope=BotCommandScopeChat(chat_id=chat_id))

    async def start_polling(self) -> None:
        """Start long polling in the background (our poller: an update is confirmed only once handled)."""
        self.poller.start()

    async def stop_polling(self) -> None:
        """Stop fetching updates (those being handled finish)."""
        await self.poller.stop()

    async def feed_webhook(self, data: JsonDict) -> None:
        """Handle one update (POSTed to our webhook, or long-polled); raises when it could not be handled."""
        try:
            update = Update.model_validate(data, context={"bot": self.bot})
        except ValidationError as exc:
            raise InvalidUpdate(f"not a Telegram update: {exc.error_count()} problem(s)") from exc
        await self.dispatcher.feed_update(self.bot, update)

    # ---------------------------------------------------------------- updates

    async def _on_message(self, message: Message, event_update: Update) -> None:
        """Passes a message a person sent to the conversations."""
        incoming = message_incoming(message, event_update.update_id)
        if incoming is not None:
            await self.conversations.process(incoming)

    async def _on_callback(self, callback_query: CallbackQuery, event_update: Update) -> None:
        """Passes a pressed button to the conversations."""
        await self.conversations.process(callback_incoming(callback_query, event_update.update_id))

    # ---------------------------------------------------------------- Bot API calls (BotCalls)

    async def send_text(self, chat_id: int, out: Outgoing) -> int:
        """``sendMessage``."""
        try:
            message = await self.bot.send_message(chat_id=chat_id, text=out.text, parse_mode=out.parse_mode,
                                                  reply_markup=_markup(out.markup))
        except AiogramError as exc:
            raise translate_error(exc) from exc
        return message.message_id

    async def send_file(self, chat_id: int, out: Outgoing) -> int:
        """``sendDocument`` / ``sendPhoto``."""
        attachment = out.attachment
        assert attachment is not None
        upload = BufferedInputFile(attachment.data, filename=attachment.filename)
        caption = out.text or None
        try:
            if out.kind == "photo":
                message = await self.bot.send_photo(chat_id=chat_id, photo=upload, caption=caption,
                                                    parse_mode=out.parse_mode, reply_markup=_markup(out.markup))
            else:
                message = await self.bot.send_document(chat_id=chat_id, document=upload, caption=caption,
                                                       parse_mode=out.parse_mode, reply_markup=_markup(out.markup))
        except AiogramError as exc:
            raise translate_error(exc) from exc
        return message.message_id

    async def edit_text(self, chat_id: int, message_id: int, out: Outgoing) -> None:
        """``editMessageText``."""
        markup = _markup(out.markup)
        try:
            await self.bot.edit_message_text(
                text=out.text, chat_id=chat_id, message_id=message_id, parse_mode=out.parse_mode,
                reply_markup=markup if isinstance(markup, InlineKeyboardMarkup) else None)
        except AiogramError as exc:
            raise translate_error(exc) from exc

    async def delete_message(self, chat_id: int, message_id: int) -> None:
        """``deleteMessage``."""
        try:
            await self.bot.delete_message(chat_id=chat_id, message_id=message_id)
        except AiogramError as exc:
            raise translate_error(exc) from exc

    async def answer_callback(self, callback_id: str, text: str | None) -> None:
        """``answerCallbackQuery``."""
        try:
            await self.bot.answer_callback_query(callback_query_id=callback_id, text=text)
        except AiogramError as exc:
            raise translate_error(exc) from exc

    # ---------------------------------------------------------------- Messenger (the outbox sender)

    async def send(self, chat_id: int, reply: Reply) -> int:
        """Send one queued message; raises ``RetryAfter`` / ``Blocked`` / ``Transient`` / ``Rejected``."""
        return await self.sender.send(chat_id, reply)
