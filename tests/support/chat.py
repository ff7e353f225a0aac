"""A scripted person talking to the real dispatcher (no network): the transcript-recording test client."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import datetime

from handlers.dispatch import Dispatcher
from handlers.types import Button, Incoming, Reply

_update_ids = itertools.count(1_000)


@dataclass
class Person:
    """One Telegram user in a private chat with the bot."""

    dispatcher: Dispatcher
    sessions: object
    user_id: int
    now: datetime
    language_code: str = "ko"
    transcript: list[Reply] = field(default_factory=list)

    async def _send(self, **kwargs: object) -> list[Reply]:
        incoming = Incoming(user_id=self.user_id, chat_id=self.user_id, update_id=next(_update_ids),
                            language_code=self.language_code, **kwargs)  # type: ignore[arg-type]
        return await self.deliver(incoming)

    async def deliver(self, incoming: Incoming) -> list[Reply]:
        async with self.sessions() as session:  # type: ignore[operator]
            replies = await self.dispatcher.handle(incoming, session=session, now=self.now)
        self.transcript.extend(replies)
        return replies

    async def says(self, text: str) -> list[Reply]:
        return await self._send(text=text)

    async def presses(self, label_or_payload: str) -> list[Reply]:
        """Press a button of the last reply that has buttons, by its label (or a raw payload)."""
        button = self.find_button(label_or_payload)
        payload = button.payload if button else label_or_payload
        return await self._send(payload=payload)

    def find_button(self, label: str) -> Button | None:
        for reply in reversed(self.transcript):
            if reply.buttons:
                for row in reply.buttons:
                    for button in row:
                        if button.label == label:
                            return button
                return None
        return None

    @property
    def last(self) -> Reply:
        return self.transcript[-1]

    def keyboard(self) -> list[str]:
        """The labels of the newest reply keyboard (the main menu)."""
        for reply in reversed(self.transcript):
            if reply.keyboard:
                return [label for row in reply.keyboard for label in row]
            if reply.remove_keyboard:
                return []
        return []
