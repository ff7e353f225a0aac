"""Group chats: nothing personal is answered there, and no keyboard is sent there.

Everything the bot does is about one person (their schedule, attendance, settings, information) or lists
people (attendance, summaries, case notes), so in a group or supergroup the dispatcher answers only our own
commands and button presses, with one short kind line that points to the private chat: no buttons, no
keyboard, no names. Other talk in the group, and commands meant for other bots, get no answer at all.
"""

from __future__ import annotations

from handlers.router import Router
from handlers.types import HandlerConfig, Incoming, Reply
from locales import _


def private_chat_only(config: HandlerConfig) -> Reply:
    """The one reply a group gets: use this in the private chat with the bot (no keyboard, no buttons)."""
    return Reply(_("To keep your personal information safe, I don't answer in group chats. "
                   "Please use me in a private chat: @{bot}").format(bot=config.bot_username),
                 toast=_("Please use a private chat with me."))


def answer_in_group(incoming: Incoming, router: Router, config: HandlerConfig) -> list[Reply]:
    """What the bot says to ``incoming`` from a group chat: the private-chat line for our commands and buttons,
    nothing for anything else (people talking to each other, commands for other bots)."""
    if incoming.payload is not None:
        return [private_chat_only(config)]
    text = (incoming.text or "").strip()
    if not text.startswith("/"):
        return []
    route, _args = router.match_command(text, config.bot_username)
    return [private_chat_only(config)] if route is not None else []


def keep_out_of_groups(incoming: Incoming, replies: list[Reply], config: HandlerConfig) -> list[Reply]:
    """The last check before replies leave: in a group only the private-chat line goes out, whatever a handler
    or an error path returned (no keyboard, buttons, names or documents ever reach a group)."""
    if incoming.is_private or not replies:
        return replies
    return [private_chat_only(config)]
