"""Telegram's parse modes (HTML, MarkdownV2, Markdown): the visible text, its entities, and the
characteristic "can't parse entities" errors."""

from __future__ import annotations

import copy
import re
from typing import Any, Final

from bot.sandbox.values import ApiError, JsonDict


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units, the unit of Telegram's entity offsets."""
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


class _EntityParseError(Exception):
    pass


class _TextBuilder:
    def __init__(self) -> None:
        self.parts: list[str] = []
        self.pos = 0  # in UTF-16 code units

    def add(self, chunk: str) -> None:
        if chunk:
            self.parts.append(chunk)
            self.pos += utf16_len(chunk)

    def text(self) -> str:
        return "".join(self.parts)


_HTML_TAG_RE: Final = re.compile(
    r"<(/?)([A-Za-z][A-Za-z0-9-]*)"
    r"((?:\s+[^\s=>/]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>\"']+))?)*)\s*(/?)>"
)
_HTML_ATTR_RE: Final = re.compile(r"([^\s=>/]+)(?:\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>\"']+))?")
_HTML_ENTITY_RE: Final = re.compile(r"&(lt|gt|amp|quot|#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6});")
_HTML_PLAIN_RE: Final = re.compile(r"[^<&]+")
_HTML_TAGS: Final = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_NAMED_ENTITIES: Final = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


def _html_unescape(value: str) -> str:
    def repl(m: re.Match[str]) -> str:
        name = m.group(1)
        if name in _NAMED_ENTITIES:
            return _NAMED_ENTITIES[name]
        try:
            code = int(name[2:], 16) if name[1:2] in "xX" else int(name[1:])
            return chr(code)
        except (ValueError, OverflowError):
            return m.group(0)

    return _HTML_ENTITY_RE.sub(repl, value)


def _parse_html(text: str) -> tuple[str, list[JsonDict]]:
    out = _TextBuilder()
    entities: list[JsonDict] = []
    stack: list[tuple[str, int, dict[str, str]]] = []
    i, n = 0, len(text)
    while i < n:
        plain = _HTML_PLAIN_RE.match(text, i)
        if plain:
            out.add(plain.group(0))
            i = plain.end()
            continue
        if text[i] == "&":
            ent = _HTML_ENTITY_RE.match(text, i)
            if ent:
                out.add(_html_unescape(ent.group(0)))
                i = ent.end()
            else:
                out.add("&")
                i += 1
            continue
        # text[i] == "<"
        m = _HTML_TAG_RE.match(text, i)
        if m is None:
            raise _EntityParseError(f'Unsupported start tag "" at byte offset {_byte_offset(text, i)}')
        closing, name = m.group(1) == "/", m.group(2).lower()
        if closing:
            if not stack:
                raise _EntityParseError(f"Unexpected end tag at byte offset {_byte_offset(text, i)}")
            top_name, start, attrs = stack[-1]
            if top_name != name:
                raise _EntityParseError(
                    f'Unmatched end tag at byte offset {_byte_offset(text, i)}, expected "</{top_name}>", '
                    f'found "</{name}>"'
                )
            stack.pop()
            _emit_html_entity(entities, stack, top_name, start, out.pos, attrs)
        else:
            if name not in _HTML_TAGS:
                raise _EntityParseError(
                    f'Unsupported start tag "{name}" at byte offset {_byte_offset(text, i)}'
                )
            attrs = {
                a.group(1).lower(): _html_unescape((a.group(2) or "").strip("\"'"))
                for a in _HTML_ATTR_RE.finditer(m.group(3) or "")
            }
            if name == "span" and attrs.get("class") != "tg-spoiler":
                raise _EntityParseError(
                    f'Tag "span" must have class "tg-spoiler" at byte offset {_byte_offset(text, i)}'
                )
            if m.group(4):  # <b/>: an empty element
                _emit_html_entity(entities, stack, name, out.pos, out.pos, attrs)
            else:
                stack.append((name, out.pos, attrs))
        i = m.end()
    if stack:
        raise _EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return out.text(), entities


def _emit_html_entity(
    entities: list[JsonDict],
    stack: list[tuple[str, int, dict[str, str]]],
    name: str,
    start: int,
    end: int,
    attrs: dict[str, str],
) -> None:
    kind = _HTML_TAGS[name]
    if name == "code" and stack and stack[-1][0] == "pre":
        language = attrs.get("class", "")
        if language.startswith("language-"):
            stack[-1][2]["language"] = language.removeprefix("language-")
        return
    length = end - start
    if length <= 0:
        return
    entity: JsonDict = {"type": kind, "offset": start, "length": length}
    if name == "a":
        href = attrs.get("href")
        if not href:
            return
        entity["url"] = href
    elif name == "pre" and attrs.get("language"):
        entity["language"] = attrs["language"]
    elif name == "blockquote" and "expandable" in attrs:
        entity["type"] = "expandable_blockquote"
    elif name == "tg-emoji":
        entity["custom_emoji_id"] = attrs.get("emoji-id", "0")
    entities.append(entity)


_MDV2_RESERVED: Final = frozenset("_*[]()~`>#+-=|{}.!")
_MD_ENTITY_NAMES: Final = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strikethrough": "Strikethrough",
    "spoiler": "Spoiler",
    "text_link": "TextUrl",
    "code": "Code",
    "pre": "Pre",
}


def _find_unescaped(text: str, needle: str, start: int) -> int:
    i = start
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text.startswith(needle, i):
            return i
        i += 1
    return -1


def _unescape_md(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text, flags=re.S)




class _MarkdownV2Parser:
    """One pass over a MarkdownV2 text, collecting the visible text and its entities."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.out = _TextBuilder()
        self.entities: list[JsonDict] = []
        self.stack: list[tuple[str, int, int]] = []  # (type, utf16 start, index of the marker)
        self.quote_start: int | None = None
        self.quote_end: int | None = None
        self.line_start = True

    def parse(self) -> tuple[str, list[JsonDict]]:
        """The visible text and the entities, sorted as Telegram sorts them."""
        i = 0
        while i < len(self.text):
            i = self._step(i)
        if self.stack:
            kind, _, index = self.stack[-1]
            raise _EntityParseError(
                f"Can't find end of {_MD_ENTITY_NAMES.get(kind, kind)} entity at byte offset "
                f"{_byte_offset(self.text, index)}"
            )
        if self.quote_start is not None and self.out.pos > self.quote_start:
            self.entities.append(
                {"type": "blockquote", "offset": self.quote_start, "length": self.out.pos - self.quote_start}
            )
        self.entities.sort(key=lambda e: (e["offset"], -e["length"]))
        return self.out.text(), self.entities

    def _entity(self, kind: str, start: int, **extra: Any) -> None:
        if self.out.pos > start:
            self.entities.append({"type": kind, "offset": start, "length": self.out.pos - start, **extra})

    def _step(self, i: int) -> int:
        """Consume the character or markup at ``i``; return the index after it."""
        text, c = self.text, self.text[i]
        if self.line_start:
            self.line_start = False
            if c == ">":
                if self.quote_start is None:
                    self.quote_start = self.out.pos
                return i + 1
            self._close_quote()
        if c == "\\":
            return self._escaped(i)
        if c == "`":
            return self._pre(i) if text.startswith("```", i) else self._code(i)
        marker = self._marker(i)
        if marker is not None:
            return self._toggle(i, *marker)
        if c == "[":
            self.stack.append(("text_link", self.out.pos, i))
            return i + 1
        if c == "]" and self.stack and self.stack[-1][0] == "text_link" and text.startswith("(", i + 1):
            return self._link_end(i)
        if c in _MDV2_RESERVED:
            raise _EntityParseError(f"Character '{c}' is reserved and must be escaped with the preceding '\\'")
        if c == "\n":
            self.line_start = True
            if self.quote_start is not None:
                self.quote_end = self.out.pos
        self.out.add(c)
        return i + 1

    def _close_quote(self) -> None:
        if self.quote_start is not None and self.quote_end is not None:
            if self.quote_end > self.quote_start:
                self.entities.append(
                    {"type": "blockquote", "offset": self.quote_start, "length": self.quote_end - self.quote_start}
                )
            self.quote_start = self.quote_end = None

    def _escaped(self, i: int) -> int:
        if i + 1 < len(self.text) and 0 < ord(self.text[i + 1]) < 127:
            self.out.add(self.text[i + 1])
            return i + 2
        raise _EntityParseError("Character '\\' is reserved and must be escaped with the preceding '\\'")

    def _pre(self, i: int) -> int:
        end = _find_unescaped(self.text, "```", i + 3)
        if end < 0:
            raise _EntityParseError(f"Can't find end of Pre entity at byte offset {_byte_offset(self.text, i)}")
        body = self.text[i + 3 : end]
        language = ""
        first, sep, rest = body.partition("\n")
        if sep and first and not any(ch.isspace() for ch in first):
            language, body = first, rest
        elif sep and not first:
            body = rest
        start = self.out.pos
        self.out.add(_unescape_md(body))
        if language:
            self._entity("pre", start, language=language)
        else:
            self._entity("pre", start)
        return end + 3

    def _code(self, i: int) -> int:
        end = _find_unescaped(self.text, "`", i + 1)
        if end < 0:
            raise _EntityParseError(f"Can't find end of Code entity at byte offset {_byte_offset(self.text, i)}")
        start = self.out.pos
        self.out.add(_unescape_md(self.text[i + 1 : end]))
        self._entity("code", start)
        return end + 1

    def _marker(self, i: int) -> tuple[str, int] | None:
        """The entity a one- or two-character marker at ``i`` opens or closes, and its width."""
        text, c = self.text, self.text[i]
        if c == "*":
            return "bold", 1
        if c == "~":
            return "strikethrough", 1
        if c == "_":
            return ("underline", 2) if text.startswith("__", i) else ("italic", 1)
        if c == "|" and text.startswith("||", i):
            return "spoiler", 2
        return None

    def _toggle(self, i: int, kind: str, width: int) -> int:
        stack = self.stack
        open_index = next((k for k in range(len(stack) - 1, -1, -1) if stack[k][0] == kind), None)
        if open_index is None:
            stack.append((kind, self.out.pos, i))
        else:
            _, start, _ = stack.pop(open_index)
            self._entity(kind, start)
        return i + width

    def _link_end(self, i: int) -> int:
        end = _find_unescaped(self.text, ")", i + 2)
        if end < 0:
            raise _EntityParseError(f"Can't find end of a URL at byte offset {_byte_offset(self.text, i + 1)}")
        url = _unescape_md(self.text[i + 2 : end])
        _, start, _ = self.stack.pop()
        if url:
            self._entity("text_link", start, url=url)
        return end + 1


def _parse_markdown(text: str) -> tuple[str, list[JsonDict]]:
    out = _TextBuilder()
    entities: list[JsonDict] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "\\" and i + 1 < n and text[i + 1] in "_*`[":
            out.add(text[i + 1])
            i += 2
            continue
        if c in "*_":
            end = text.find(c, i + 1)
            if end < 0:
                raise _EntityParseError(
                    f"Can't find end of the entity starting at byte offset {_byte_offset(text, i)}"
                )
            start = out.pos
            out.add(text[i + 1 : end])
            if out.pos > start:
                entities.append(
                    {"type": "bold" if c == "*" else "italic", "offset": start, "length": out.pos - start}
                )
            i = end + 1
            continue
        if c == "`":
            fence = "```" if text.startswith("```", i) else "`"
            end = text.find(fence, i + len(fence))
            if end < 0:
                raise _EntityParseError(
                    f"Can't find end of the entity starting at byte offset {_byte_offset(text, i)}"
                )
            body = text[i + len(fence) : end]
            extra: JsonDict = {}
            if fence == "```":
                first, sep, rest = body.partition("\n")
                if sep and first and not any(ch.isspace() for ch in first):
                    extra["language"], body = first, rest
            start = out.pos
            out.add(body)
            if out.pos > start:
                entities.append(
                    {
                        "type": "pre" if fence == "```" else "code",
                        "offset": start,
                        "length": out.pos - start,
                        **extra,
                    }
                )
            i = end + len(fence)
            continue
        if c == "[":
            close = text.find("](", i + 1)
            end = text.find(")", close + 2) if close >= 0 else -1
            if close < 0 or end < 0:
                raise _EntityParseError(
                    f"Can't find end of the entity starting at byte offset {_byte_offset(text, i)}"
                )
            start = out.pos
            out.add(text[i + 1 : close])
            url = text[close + 2 : end]
            if out.pos > start and url:
                entities.append({"type": "text_link", "offset": start, "length": out.pos - start, "url": url})
            i = end + 1
            continue
        out.add(c)
        i += 1
    return out.text(), entities


def format_text(text: str, parse_mode: str | None, explicit_entities: Any) -> tuple[str, list[JsonDict]]:
    """Apply ``parse_mode`` like Telegram: return the visible text and its entities."""
    if not parse_mode:
        if explicit_entities is None:
            return text, []
        if not isinstance(explicit_entities, list) or not all(isinstance(e, dict) for e in explicit_entities):
            raise ApiError(400, "Bad Request: can't parse entities JSON object")
        return text, copy.deepcopy(explicit_entities)
    mode = parse_mode.lower()
    try:
        if mode == "html":
            return _parse_html(text)
        if mode == "markdownv2":
            return _MarkdownV2Parser(text).parse()
        if mode == "markdown":
            return _parse_markdown(text)
    except _EntityParseError as exc:
        raise ApiError(400, f"Bad Request: can't parse entities: {exc}") from None
    raise ApiError(400, f"Bad Request: unsupported parse_mode {parse_mode!r}")
