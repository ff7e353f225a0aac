"""The neutral vocabulary between the adapters and the conversations: ``Incoming`` in, ``Reply`` out."""

from __future__ import annotations

from dataclasses import dataclass, field

from models.casework.crypto import FieldCipher

CALLBACK_DATA_MAX_BYTES = 64  # Telegram's limit on callback data
TEXT_MAX_CHARS = 4096  # Telegram's limit on one message


@dataclass(frozen=True)
class Incoming:
    """One thing a person did: typed text, a command, or a pressed button (``payload``)."""

    user_id: int
    chat_id: int
    chat_type: str = "private"
    text: str | None = None
    payload: str | None = None
    update_id: int | None = None
    message_id: int | None = None  # the person's message, or the bot message whose button was pressed
    language_code: str | None = None
    first_name: str | None = None
    callback_id: str | None = None
    photo_file_id: str | None = None  # a photo sent (its largest size's Telegram file id); its caption is ``text``

    @property
    def is_private(self) -> bool:
        return self.chat_type == "private"


@dataclass(frozen=True)
class Button:
    """An inline button: what it says and the short opaque payload it sends back."""

    label: str
    payload: str

    def __post_init__(self) -> None:
        if len(self.payload.encode("utf-8")) > CALLBACK_DATA_MAX_BYTES:
            raise ValueError(f"button payload over {CALLBACK_DATA_MAX_BYTES} bytes: {self.payload!r}")


@dataclass(frozen=True)
class Attachment:
    """A file to send: a document (XLSX export) or a photo (a chart)."""

    filename: str
    data: bytes
    mime_type: str = "application/octet-stream"


@dataclass
class Reply:
    """One message to send back (or one change to the message whose button was pressed)."""

    text: str = ""
    html: bool = False  # text is Telegram HTML (rendered from an autoescaped template)
    buttons: list[list[Button]] = field(default_factory=list)  # inline keyboard
    keyboard: list[list[str]] | None = None  # reply keyboard (the main menu)
    remove_keyboard: bool = False
    edit: bool = False  # edit the pressed message in place instead of sending a new one
    document: Attachment | None = None
    photo: Attachment | None = None
    delete_message_id: int | None = None  # delete this message in the chat (e.g. a case note just stored)
    toast: str | None = None  # short text shown when answering a button press
    # Delete the sent message(s) after this many seconds (decrypted case notes); never queued in the outbox.
    expires_in: int | None = None

    def chunks(self, limit: int = TEXT_MAX_CHARS) -> list[Reply]:
        """This reply split under Telegram's text limit at line breaks; buttons go with the last part."""
        if len(self.text) <= limit:
            return [self]
        parts: list[str] = []
        current = ""
        for line in self.text.splitlines(keepends=True):
            while len(line) > limit:
                if current:
                    parts.append(current)
                    current = ""
                parts.append(line[:limit])
                line = line[limit:]
            if len(current) + len(line) > limit:
                parts.append(current)
                current = ""
            current += line
        if current:
            parts.append(current)
        replies = [Reply(text=part.rstrip("\n") or part, html=self.html, expires_in=self.expires_in) for part in parts]
        last = replies[-1]
        last.buttons, last.keyboard, last.remove_keyboard = self.buttons, self.keyboard, self.remove_keyboard
        replies[0].edit = self.edit
        replies[0].delete_message_id = self.delete_message_id
        replies[0].toast = self.toast
        return replies


@dataclass(frozen=True)
class HandlerConfig:
    """What the conversations need to know about this deployment."""

    center_id: int
    bot_username: str = "hamkke_bot"
    timezone: str = "Asia/Seoul"
    default_locale: str = "ko"
    cipher: FieldCipher | None = None  # for case notes; the key comes from the settings, never the database
    note_view_seconds: int = 600  # how long shown case notes stay in the chat (``HAMKKE_NOTE_VIEW_SECONDS``)
