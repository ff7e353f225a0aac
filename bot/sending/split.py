"""The one splitter of outgoing messages: a reply as the parts that are one Bot API send each.

Direct replies (``bot.telegram.common.plan``) and the outbox sender (``bot.sending.sender.message_parts``) both
split with it, so a long notice and a long answer break at the same places.
"""

from __future__ import annotations

from handlers.types import TEXT_MAX_CHARS, Reply

CAPTION_MAX_CHARS = 1024  # Telegram's limit on a document's or photo's caption


def split(reply: Reply) -> list[Reply]:
    """The parts of ``reply`` that are one send each, in order; the markup rides on the last part.

    Long text is split under 4096 characters; a document or photo carries the text as its caption when it
    fits in 1024 characters, otherwise the text goes first as its own message(s). An empty reply has no parts.
    """
    files: list[Reply] = []
    if reply.document is not None:
        files.append(Reply(document=reply.document))
    if reply.photo is not None:
        files.append(Reply(photo=reply.photo))
    parts: list[Reply] = []
    if files and len(reply.text) <= CAPTION_MAX_CHARS:
        files[0].text, files[0].html = reply.text, reply.html
    elif reply.text:
        parts.extend(Reply(text=reply.text, html=reply.html, expires_in=reply.expires_in).chunks(TEXT_MAX_CHARS))
    parts.extend(files)
    if parts:
        last = parts[-1]
        last.buttons, last.keyboard, last.remove_keyboard = reply.buttons, reply.keyboard, reply.remove_keyboard
    return parts
