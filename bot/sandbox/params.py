"""Bot API request parameters: reading them from any encoding, typed access, and markup validation."""

from __future__ import annotations

import contextlib
import json
import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from aiohttp import web

from bot.sandbox.values import ApiError, JsonDict

logger = logging.getLogger(__name__)

_INLINE_BUTTON_ACTIONS: Final = frozenset(
    {
        "url",
        "callback_data",
        "web_app",
        "login_url",
        "switch_inline_query",
        "switch_inline_query_current_chat",
        "switch_inline_query_chosen_chat",
        "copy_text",
        "callback_game",
        "pay",
    }
)
_JSON_ERRORS: Final = {
    "reply_markup": "Bad Request: can't parse reply keyboard markup JSON object",
    "entities": "Bad Request: can't parse entities JSON object",
    "caption_entities": "Bad Request: can't parse entities JSON object",
}


@dataclass(slots=True)
class Upload:
    """A file sent in a multipart request."""

    filename: str | None
    content_type: str | None
    data: bytes


class Params:
    """Typed access to a request's parameters, whatever encoding they arrived in."""

    def __init__(self, values: Mapping[str, Any], files: Mapping[str, Upload] | None = None) -> None:
        self.values: dict[str, Any] = dict(values)
        self.files: dict[str, Upload] = dict(files or {})

    def has(self, name: str) -> bool:
        """Whether the parameter was given (as a value or a file)."""
        return self.values.get(name) is not None or name in self.files

    def raw(self, name: str) -> Any:
        """The value as it arrived, or ``None``."""
        return self.values.get(name)

    def string(self, name: str, default: str | None = None) -> str | None:
        """The value as a string, like Telegram coerces it."""
        value = self.values.get(name)
        if value is None:
            return default
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int | float):
            return str(value)
        if isinstance(value, str):
            return value
        raise ApiError(400, f'Bad Request: field "{name}" must be of type String')

    def integer(self, name: str, default: int | None = None) -> int | None:
        """The value as an integer, like Telegram coerces it."""
        value = self.values.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str):
            with contextlib.suppress(ValueError):
                return int(value.strip())
        raise ApiError(400, f'Bad Request: field "{name}" must be of type Integer')

    def number(self, name: str, default: float | None = None) -> float | None:
        """The value as a finite float, like Telegram coerces it."""
        value = self.values.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return float(value)
        if isinstance(value, int | float):
            return float(value)
        if isinstance(value, str):
            with contextlib.suppress(ValueError):
                result = float(value.strip())
                if math.isfinite(result):
                    return result
        raise ApiError(400, f'Bad Request: field "{name}" must be a Number')

    def flag(self, name: str, default: bool = False) -> bool:
        """The value as a boolean, like Telegram coerces it."""
        value = self.values.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return value
        if isinstance(value, int | float):
            return bool(value)
        if isinstance(value, str):
            lowered = value.strip().lower()
            if lowered in {"true", "1", "yes", "on"}:
                return True
            if lowered in {"false", "0", "no", "off"}:
                return False
        raise ApiError(400, f'Bad Request: field "{name}" must be of type Boolean')

    def json(self, name: str, error: str | None = None) -> Any:
        """The value decoded from JSON (objects sent in a form arrive as strings)."""
        value = self.values.get(name)
        if value is None:
            return None
        if isinstance(value, str):
            if value == "":
                return None
            try:
                return json.loads(value)
            except ValueError:
                message = error or _JSON_ERRORS.get(name, f"Bad Request: can't parse {name} JSON object")
                raise ApiError(400, message) from None
        return value


async def read_params(request: web.Request) -> Params:
    """The query string and body of a Bot API request, whatever its content type."""
    values: dict[str, Any] = {key: value for key, value in request.query.items()}
    files: dict[str, Upload] = {}
    if not request.body_exists:
        return Params(values, files)
    content_type = request.content_type.lower()
    try:
        if content_type == "application/json":
            raw = await request.read()
            if raw.strip():
                try:
                    data = json.loads(raw)
                except (ValueError, UnicodeDecodeError):
                    raise ApiError(400, "Bad Request: can't parse JSON object") from None
                if not isinstance(data, dict):
                    raise ApiError(400, "Bad Request: can't parse JSON object")
                values.update(data)
        elif content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    try:
                        files[key] = Upload(value.filename, value.content_type, value.file.read())
                    finally:
                        value.file.close()
                elif isinstance(value, bytes | bytearray):
                    values[key] = bytes(value).decode("utf-8", errors="replace")
                else:
                    values[key] = value
        else:
            await request.read()
    except ApiError:
        raise
    except web.HTTPRequestEntityTooLarge:
        raise ApiError(413, "Request Entity Too Large") from None
    except Exception as exc:  # garbage bodies must never crash the server
        logger.debug("bot api emulator: unreadable body: %r", exc)
        raise ApiError(400, "Bad Request: can't parse request body") from None
    return Params(values, files)


def validate_markup(markup: Any, *, callback_data_max_bytes: int, inline_only: bool = False) -> JsonDict | None:
    """The reply markup if Telegram would accept it, else the ApiError Telegram answers."""
    if markup is None:
        return None
    bad_markup = "Bad Request: can't parse reply keyboard markup JSON object"
    if not isinstance(markup, dict):
        raise ApiError(400, bad_markup)
    if "inline_keyboard" in markup:
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise ApiError(
                400,
                'Bad Request: field "inline_keyboard" of the InlineKeyboardMarkup should be an Array of Arrays',
            )
        for row in rows:
            for button in row:
                if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                    raise ApiError(
                        400, "Bad Request: can't parse inline keyboard button: Text must be a String"
                    )
                actions = [key for key in _INLINE_BUTTON_ACTIONS if key in button]
                if not actions:
                    raise ApiError(
                        400,
                        "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard",
                    )
                if "callback_data" in button:
                    data = button["callback_data"]
                    if not isinstance(data, str):
                        raise ApiError(
                            400,
                            'Bad Request: can\'t parse inline keyboard button: Field "callback_data" must be of type String',
                        )
                    size = len(data.encode("utf-8"))
                    if size < 1 or size > callback_data_max_bytes:
                        raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
                if "url" in button and (not isinstance(button["url"], str) or not button["url"].strip()):
                    raise ApiError(400, "Bad Request: BUTTON_URL_INVALID")
        return markup
    if inline_only:
        raise ApiError(400, "Bad Request: inline keyboard expected")
    if "keyboard" in markup:
        rows = markup["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise ApiError(
                400,
                'Bad Request: field "keyboard" of the ReplyKeyboardMarkup should be an Array of Arrays',
            )
        for row in rows:
            for button in row:
                if not (
                    isinstance(button, str)
                    or (isinstance(button, dict) and isinstance(button.get("text"), str))
                ):
                    raise ApiError(400, "Bad Request: can't parse keyboard button: Text must be a String")
        return markup
    if "remove_keyboard" in markup or "force_reply" in markup:
        return markup
    raise ApiError(400, bad_markup)
