"""One update in, replies out: dedupe, identify, pick the language, route, and turn errors into kind words."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from handlers import work_menu
from handlers.casenotes import FLOW as NOTE_FLOW
from handlers.common import kind_error, main_menu, unknown_reply
from handlers.drafts import drop_abandoned_draft, drop_left_views, held_draft
from handlers.privacy import answer_in_group, keep_out_of_groups
from handlers.registry import build_router
from handlers.router import Ctx, Route, Router
from handlers.types import HandlerConfig, Incoming, Reply
from locales import _, normalize, use_locale
from models.enrollment.reachable import mark_reachable
from models.people.conversation import get_state
from models.people.people import Identity, find_identity
from models.platform.errors import DomainError, database_unavailable
from models.platform.updates import already_handled, finish_update, receive_update

log = logging.getLogger(__name__)

MAX_INPUT_CHARS = 1000  # longer typed input is refused kindly (Telegram allows 4096)


def _audience_of(identity: Identity | None) -> str:
    if identity is None or not identity.active:
        return "unknown"
    if identity.is_staff:
        return "manager" if identity.is_manager else "staff"
    return "participant"


def _allowed(route: Route, audience: str) -> bool:
    if audience in route.audience:
        return True
    # Managers may do everything staff may do.
    return audience == "manager" and "staff" in route.audience


class Dispatcher:
    """Routes incoming updates; one instance serves every adapter (PTB, aiogram, the sandboxes)."""

    def __init__(self, config: HandlerConfig, router: Router | None = None) -> None:
        self.config = config
        self.router = router or build_router()

    async def handle(self, incoming: Incoming, *, session: AsyncSession, now: datetime | None = None) -> list[Reply]:
        """Everything the bot answers to ``incoming``; a redelivered update gets no answer and no effect."""
        now = now or datetime.now(UTC)
        center_id = self.config.center_id
        if incoming.update_id is None:
            return await self._handle(incoming, session=session, now=now)
        if await already_handled(session=session, center_id=center_id, update_id=incoming.update_id):
            return []
        # The update id is written by the handler's own commit (or alone below): a crash before the effect
        # is committed leaves it unrecorded, so Telegram's redelivery is handled, once.
        receipt = receive_update(session=session, center_id=center_id, update_id=incoming.update_id, now=now)
        try:
            replies = await self._handle(incoming, session=session, now=now)
        except BaseException:
            receipt.close()
            raise
        if not await finish_update(session=session, receipt=receipt):
            return []  # another delivery of this update was handled first
        return replies

    async def _handle(self, incoming: Incoming, *, session: AsyncSession, now: datetime) -> list[Reply]:
        center_id = self.config.center_id
        identity = await find_identity(session=session, center_id=center_id, telegram_user_id=incoming.user_id)
        if identity is not None and identity.unreachable_since is not None and incoming.is_private:
            # Someone who blocked the bot can't write to it: they unblocked it, so reminders start again.
            await mark_reachable(session=session, participant_id=identity.id, now=now,
                                 default_locale=self.config.default_locale)
        locale = (identity.locale if identity else None) or normalize(
            incoming.language_code, self.config.default_locale
        )
        work_row = await work_menu.row_for(session=session, identity=identity, now=now)
        with use_locale(locale), work_menu.showing(work_row):
            try:
                draft = await held_draft(session=session, center_id=center_id, incoming=incoming, now=now)
                replies = await self._route(incoming, session=session, identity=identity, now=now)
                replies = await drop_abandoned_draft(draft, replies, session=session, center_id=center_id,
                                                     incoming=incoming, now=now)
                await drop_left_views(replies, session=session, center_id=center_id, incoming=incoming, now=now,
                                      flows=(NOTE_FLOW,))
            except DomainError as exc:
                await session.rollback()
                replies = [kind_error(exc, identity)]
            except Exception as exc:
                if database_unavailable(exc):
                    raise  # not the person's fault nor a bug: the adapter holds the update and tries again
                await session.rollback()
                log.exception("handler failed for update %s", incoming.update_id)
                replies = [Reply(_("Sorry, something went wrong on our side. Please try again in a moment."))]
            replies = keep_out_of_groups(incoming, replies, self.config)
            return [part for reply in replies for part in reply.chunks()]

    async def _route(
        self, incoming: Incoming, *, session: AsyncSession, identity: Identity | None, now: datetime
    ) -> list[Reply]:
        audience = _audience_of(identity)
        state = await get_state(session=session, center_id=self.config.center_id,
                                telegram_user_id=incoming.user_id, now=now)
        ctx = Ctx(incoming, session, self.config, now, identity, state)
        text = (incoming.text or "").strip()

        if not incoming.is_private:
            return answer_in_group(incoming, self.router, self.config)  # nothing personal in groups
        if incoming.payload is not None:
            route, args = self.router.match_button(incoming.payload)
            if route is None or not _allowed(route, audience):
                return [Reply(_("That button no longer works. Please choose from the menu below."),
                              keyboard=main_menu(identity), toast=_("This button has expired."))]
            ctx.args = args
            return await route.handler(ctx)
        flow = self.router.flows.get(state.flow) if state is not None else None
        limit = flow.max_chars if flow is not None and flow.max_chars else MAX_INPUT_CHARS
        if len(text) > limit:
            if flow is not None and flow.private_input:
                return [Reply(_("That message is longer than {limit} characters, so I didn't keep it. To keep it "
                                "private, I deleted it from this chat. Please send it in a shorter form.")
                              .format(limit=f"{limit:,}"), delete_message_id=incoming.message_id)]
            return [Reply(_("That message is too long for me. Please write it in a few short sentences."),
                          keyboard=main_menu(identity))]
        takes_photo = flow is not None and flow.takes_photos
        if (not text and not (takes_photo and incoming.photo_file_id)) or (incoming.photo_file_id and not takes_photo):
            return [unknown_reply(identity)]  # a photo (even with a caption) only where a flow asks for one
        if text.startswith("/"):
            route, args = self.router.match_command(text, self.config.bot_username)
            if route is not None and _allowed(route, audience):
                ctx.args = args
                return await route.handler(ctx)
            return [unknown_reply(identity)]
        if flow is not None:
            return await flow.handler(ctx)
        route = self.router.match_words(text)
        if route is not None and _allowed(route, audience):
            return await route.handler(ctx)
        for fallback in self.router.fallbacks:
            if _allowed(fallback, audience):
                replies = await fallback.handler(ctx)
                if replies:
                    return replies
        return [unknown_reply(identity)]
