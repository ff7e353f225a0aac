"""The routing table: commands, button payloads, conversation states and typed words, each to a handler."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.types import HandlerConfig, Incoming, Reply
from locales import SUPPORTED, translations
from models.people.conversation import State
from models.people.people import Identity

PAYLOAD_RE = re.compile(r"^[a-z]{1,8}(?::[A-Za-z0-9_.-]{1,20}){0,4}$")


@dataclass
class Ctx:
    """Everything a handler may use for one incoming update. The session is lent; handlers call services."""

    incoming: Incoming
    session: AsyncSession
    config: HandlerConfig
    now: datetime
    identity: Identity | None
    state: State | None
    args: list[str] = field(default_factory=list)

    @property
    def center_id(self) -> int:
        return self.config.center_id

    @property
    def user_id(self) -> int:
        return self.incoming.user_id


Handler = Callable[[Ctx], Awaitable[list[Reply]]]


def normalize_words(text: str) -> str:
    """Typed text reduced for matching: NFC, no emoji or punctuation, single spaces, lower case."""
    text = unicodedata.normalize("NFC", text)
    kept = "".join(ch if (ch.isalnum() or ch.isspace()) else " " for ch in text)
    return " ".join(kept.split()).lower()


@dataclass
class Route:
    handler: Handler
    audience: frozenset[str]  # who may use it: "unknown", "participant", "staff", "manager"
    max_chars: int | None = None  # a flow's own limit for typed text (else the dispatcher's)
    private_input: bool = False  # a flow whose typed text may be confidential: refused text is deleted too
    takes_photos: bool = False  # a flow that takes a photo without a caption (the work log)


class Router:
    """Maps what came in to a handler. Button payloads look like ``prefix:arg:arg`` (short, ASCII)."""

    def __init__(self) -> None:
        self.commands: dict[str, Route] = {}
        self.buttons: dict[str, Route] = {}
        self.flows: dict[str, Route] = {}
        self.words: dict[str, Route] = {}
        self.fallbacks: list[Route] = []  # tried in order for typed text nothing else matched

    @staticmethod
    def _audience(who: Iterable[str]) -> frozenset[str]:
        return frozenset(who)

    def command(self, *names: str, who: Iterable[str] = ("unknown", "participant", "staff", "manager")):
        """Register a command handler: ``/start``, ``/help``, also Korean shortcuts like ``/일정``."""

        def register(handler: Handler) -> Handler:
            for name in names:
                self.commands[name.lower()] = Route(handler, self._audience(who))
            return handler

        return register

    def button(self, prefix: str, *, who: Iterable[str] = ("participant", "staff", "manager")):
        """Register the handler for button payloads starting with ``prefix:``."""

        def register(handler: Handler) -> Handler:
            self.buttons[prefix] = Route(handler, self._audience(who))
            return handler

        return register

    def flow(self, name: str, *, max_chars: int | None = None, private_input: bool = False,
             takes_photos: bool = False):
        """Register the handler for typed text while a person is in flow ``name``.

        ``max_chars`` lets a flow take longer text than the usual limit (a counselling note); with
        ``private_input`` a message refused as too long is deleted from the chat as well, since it may hold
        exactly what the flow keeps confidential."""

        def register(handler: Handler) -> Handler:
            self.flows[name] = Route(handler, frozenset({"unknown", "participant", "staff", "manager"}),
                                     max_chars=max_chars, private_input=private_input, takes_photos=takes_photos)
            return handler

        return register

    def typed(self, *msgids: str, extra: Iterable[str] = (), who: Iterable[str] = ("participant", "staff", "manager")):
        """Register typed words: each msgid (a menu label) in every language, plus ``extra`` plain words."""

        def register(handler: Handler) -> Handler:
            route = Route(handler, self._audience(who))
            for msgid in msgids:
                for locale in SUPPORTED:
                    self.words[normalize_words(translations(locale).gettext(msgid))] = route
                self.words[normalize_words(msgid)] = route
            for word in extra:
                self.words[normalize_words(word)] = route
            return handler

        return register

    def fallback(self, *, who: Iterable[str] = ("participant", "staff", "manager")):
        """Register a handler for typed text no command, flow or word matched; it returns [] to pass it on."""

        def register(handler: Handler) -> Handler:
            self.fallbacks.append(Route(handler, self._audience(who)))
            return handler

        return register

    def match_command(self, text: str, bot_username: str) -> tuple[Route | None, list[str]]:
        """The route for ``/cmd@bot args`` (None if unknown) and its arguments."""
        head, _, rest = text.strip().partition(" ")
        name, _, target = head[1:].partition("@")
        if target and target.lower() != bot_username.lower():
            return None, []
        return self.commands.get(name.lower()), rest.split()

    def match_button(self, payload: str) -> tuple[Route | None, list[str]]:
        """The route for a payload; None for anything malformed (the client controls payloads)."""
        if not PAYLOAD_RE.match(payload):
            return None, []
        prefix, *args = payload.split(":")
        return self.buttons.get(prefix), args

    def match_words(self, text: str) -> Route | None:
        """The route for typed words such as a menu label or ``일정``."""
        return self.words.get(normalize_words(text))
