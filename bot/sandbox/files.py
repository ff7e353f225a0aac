"""Files the bot uploads or refers to: stored bytes, Telegram-like file ids and paths, image sizes."""

from __future__ import annotations

import hashlib
import itertools
import mimetypes
import secrets
import struct
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Final
from urllib.parse import urlsplit

from bot.sandbox.params import Params
from bot.sandbox.values import ApiError

_DOCUMENT_MAX: Final = 50 * 1024 * 1024
_PHOTO_MAX: Final = 10 * 1024 * 1024


@dataclass(slots=True)
class StoredFile:
    """A file the emulator holds, as ``getFile`` and the file download route see it."""

    file_id: str
    file_unique_id: str
    file_path: str
    data: bytes
    file_name: str | None
    mime_type: str | None
    width: int | None = None
    height: int | None = None
    remote_url: str | None = None


def _image_size(data: bytes) -> tuple[int, int] | None:
    """Width and height of a PNG, GIF or JPEG image, if recognisable."""
    try:
        if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
            width, height = struct.unpack(">II", data[16:24])
            return int(width), int(height)
        if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
            width, height = struct.unpack("<HH", data[6:10])
            return int(width), int(height)
        if data[:2] == b"\xff\xd8":
            i = 2
            while i + 9 < len(data):
                if data[i] != 0xFF:
                    i += 1
                    continue
                marker = data[i + 1]
                if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
                    i += 2
                    continue
                (seg_len,) = struct.unpack(">H", data[i + 2 : i + 4])
                if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                    height, width = struct.unpack(">HH", data[i + 5 : i + 9])
                    return int(width), int(height)
                i += 2 + seg_len
    except struct.error:
        return None
    return None


class FileStore:
    """Every file the bot sent, by file id and by download path."""

    def __init__(self) -> None:
        self._files: dict[str, StoredFile] = {}
        self._by_path: dict[str, StoredFile] = {}
        self._counter = itertools.count(1)

    def get(self, file_id: str) -> StoredFile | None:
        """The file with this id, if any."""
        return self._files.get(file_id)

    def at_path(self, path: str) -> StoredFile | None:
        """The file served at this download path, if any."""
        return self._by_path.get(path)

    def input_file(self, params: Params, name: str, *, kind: str) -> StoredFile:
        """The file a send method names: an upload, an earlier file id or a URL."""
        upload = params.files.get(name)
        value = params.raw(name)
        if upload is None and isinstance(value, str) and value.startswith("attach://"):
            upload = params.files.get(value.removeprefix("attach://"))
            if upload is None:
                raise ApiError(400, f"Bad Request: file attach://{value.removeprefix('attach://')} not found")
        if upload is not None:
            limit = _PHOTO_MAX if kind == "photo" else _DOCUMENT_MAX
            if len(upload.data) > limit:
                raise ApiError(413, "Request Entity Too Large")
            if not upload.data:
                raise ApiError(400, "Bad Request: file must be non-empty")
            return self.store(upload.data, upload.filename, upload.content_type, kind=kind)
        if not isinstance(value, str) or not value.strip():
            raise ApiError(400, f"Bad Request: there is no {kind} in the request")
        value = value.strip()
        existing = self._files.get(value)
        if existing is not None:
            return existing
        if value.startswith(("http://", "https://")):
            name_from_url = PurePosixPath(urlsplit(value).path).name or "file"
            stored = self.store(b"", name_from_url, None, kind=kind)
            stored.remote_url = value
            return stored
        raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")

    def store(
        self, data: bytes, filename: str | None, content_type: str | None, *, kind: str
    ) -> StoredFile:
        """Keep ``data`` under a new file id and path."""
        number = next(self._counter)
        mime = content_type if content_type and content_type != "application/octet-stream" else None
        if mime is None and filename:
            mime = mimetypes.guess_type(filename)[0]
        if kind == "photo":
            extension = ".jpg"
            folder = "photos"
        else:
            extension = PurePosixPath(filename or "").suffix or (mimetypes.guess_extension(mime or "") or "")
            folder = "documents"
        prefix = "AgACAgIAAxkDAAI" if kind == "photo" else "BQACAgIAAxkDAAI"
        file_id = f"{prefix}{number:06d}{secrets.token_urlsafe(18)}"
        unique = "AQAD" + hashlib.sha256(data or file_id.encode()).hexdigest()[:12]
        stored = StoredFile(
            file_id=file_id,
            file_unique_id=unique,
            file_path=f"{folder}/file_{number}{extension}",
            data=data,
            file_name=filename,
            mime_type=mime or ("image/jpeg" if kind == "photo" else "application/octet-stream"),
        )
        if kind == "photo":
            size = _image_size(data)
            stored.width, stored.height = size if size else (320, 320)
        self._files[file_id] = stored
        self._by_path[stored.file_path] = stored
        return stored
