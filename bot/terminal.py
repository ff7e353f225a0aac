"""The terminal sandbox: talk to the bot as a demo person through the same handlers as Telegram.

Buttons are shown as numbered choices; type the number to press one.
"""

from __future__ import annotations

import asyncio
import html
import itertools
import re
import sys
from dataclasses import dataclass, field
from typing import TextIO

from bot.app import App
from handlers.types import Button, Incoming, Reply

TAG_RE = re.compile(r"<[^>]+>")


def plain(reply: Reply) -> str:
    """The reply's text as a terminal shows it (HTML tags removed)."""
    return html.unescape(TAG_RE.sub("", reply.text)) if reply.html else reply.text


@dataclass
class TerminalChat:
    """One person's chat with the bot, printed to ``out``."""

    app: App
    user_id: int
    out: TextIO
    language_code: str = "ko"
    first_name: str = ""
    choices: list[Button | str] = field(default_factory=list)
    _message_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _last_bot_message: int = 0

    async def say(self, line: str) -> None:
        """Send what the person typed; a number picks one of the shown choices."""
        line = line.strip()
        if not line:
            return
        if line.isdigit() and 1 <= int(line) <= len(self.choices):
            choice = self.choices[int(line) - 1]
            if isinstance(choice, Button):
                incoming = self._incoming(payload=choice.payload, message_id=self._last_bot_message)
            else:
                incoming = self._incoming(text=choice, message_id=next(self._message_ids))
        else:
            incoming = self._incoming(text=line, message_id=next(self._message_ids))
        self.show(await self.app.handle(incoming))

    def _incoming(self, **kwargs: object) -> Incoming:
        return Incoming(user_id=self.user_id, chat_id=self.user_id, language_code=self.language_code,
                        first_name=self.first_name, **kwargs)  # type: ignore[arg-type]

    def show(self, replies: list[Reply]) -> None:
        """Print replies; the last one's buttons (and the menu) become the numbered choices."""
        write = self.out.write
        for reply in replies:
            if reply.toast:
                write(f"   ({reply.toast})\n")
            if reply.delete_message_id is not None:
                write("   🗑\n")
            if not (reply.text or reply.document or reply.photo):
                continue
            self._last_bot_message = next(self._message_ids)
            marker = "✏️ " if reply.edit else "🤖 "
            for i, line in enumerate(plain(reply).splitlines() or [""]):
                write((marker if i == 0 else "   ") + line + "\n")
            for attachment in (reply.document, reply.photo):
                if attachment is not None:
                    write(f"   📎 {attachment.filename} ({len(attachment.data):,} bytes)\n")
            if reply.buttons or reply.keyboard:
                self.choices = [b for row in reply.buttons for b in row]
                self.choices += [label for row in (reply.keyboard or []) for label in row]
            elif reply.remove_keyboard:
                self.choices = []
        for number, choice in enumerate(self.choices, start=1):
            label = choice.label if isinstance(choice, Button) else choice
            write(f"   [{number}] {label}\n")
        self.out.flush()


async def run_terminal(chat: TerminalChat, source: TextIO = sys.stdin) -> None:
    """Read lines until end of input and answer each."""
    interactive = source.isatty()
    while True:
        if interactive:
            chat.out.write("> ")
            chat.out.flush()
        line = await asyncio.to_thread(source.readline)
        if not line:
            break
        await chat.say(line)
