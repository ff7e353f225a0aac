"""Translations (gettext catalogs compiled by ``make i18n``), the current locale and Korean date formats.

The current locale lives in a ``ContextVar``: each update is handled in the reader's language.
"""

from __future__ import annotations

import contextlib
import gettext as _gettext
from collections.abc import Iterator
from contextvars import ContextVar
from datetime import date, datetime
from functools import cache
from io import BytesIO
from pathlib import Path
from zoneinfo import ZoneInfo

import jinja2
from babel import Locale
from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LOCALES_DIR = Path(__file__).resolve().parent
TEMPLATES_DIR = LOCALES_DIR / "templates"
DOMAIN = "messages"
SUPPORTED = ("ko", "en")
DEFAULT = "ko"

_current: ContextVar[str] = ContextVar("hamkke_locale", default=DEFAULT)


def normalize(code: str | None, default: str = DEFAULT) -> str:
    """A supported locale for a Telegram ``language_code`` such as ``en-US`` (else ``default``)."""
    if not code:
        return default
    base = code.replace("_", "-").split("-")[0].lower()
    return base if base in SUPPORTED else default


@cache
def translations(locale: str) -> _gettext.NullTranslations:
    """The catalog for ``locale``: the compiled ``.mo``, or the ``.po`` compiled in memory if it is newer."""
    po = LOCALES_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"
    mo = po.with_suffix(".mo")
    if mo.exists() and (not po.exists() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as fh:
            return Translations(fh, domain=DOMAIN)
    if po.exists():
        with po.open("rb") as fh:
            catalog = read_po(fh, locale=locale)
        buffer = BytesIO()
        write_mo(buffer, catalog)
        buffer.seek(0)
        return Translations(buffer, domain=DOMAIN)
    return _gettext.NullTranslations()


def current_locale() -> str:
    """The locale of the person being answered."""
    return _current.get()


@contextlib.contextmanager
def use_locale(locale: str | None) -> Iterator[str]:
    """Answer in ``locale`` inside the block."""
    token = _current.set(normalize(locale))
    try:
        yield _current.get()
    finally:
        _current.reset(token)


def gettext(message: str) -> str:
    """Translate ``message`` into the current locale."""
    return translations(_current.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """Translate with a plural form for ``n``."""
    return translations(_current.get()).ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """Translate ``message`` in ``context`` (for short words that mean different things)."""
    return translations(_current.get()).pgettext(context, message)


_ = gettext


def N_(message: str) -> str:  # noqa: N802 - the gettext convention
    """Mark ``message`` for extraction; it is translated later, when shown."""
    return message


# Korean as people write it: 3월 5일 (목) 오후 2:30. CLDR's day periods are not stable across Babel releases
# (Korean "wide" 오전/오후 on 2.18, empty on 2.19, where the stock pattern then prints "AM 2:30" or "오후 2:30"),
# so the period words and their place come from our own catalogs and the clock is written out here. Babel only
# names the weekday and the month, with explicit patterns.
_DATE_PATTERNS = {"ko": "M월 d일 (E)", "en": "EEE, MMM d"}


def format_time(moment: datetime, tz: str = "Asia/Seoul") -> str:
    """A time for people: ``오후 2:30`` in Korean, ``2:30 PM`` in English."""
    local = moment.astimezone(ZoneInfo(tz))
    clock = f"{local.hour % 12 or 12}:{local.minute:02d}"
    period = pgettext("time of day", "AM") if local.hour < 12 else pgettext("time of day", "PM")
    return pgettext("time of day", "{clock} {period}").format(clock=clock, period=period)


def format_day(day: date) -> str:
    """A date for people: ``3월 5일 (목)`` in Korean, ``Thu, Mar 5`` in English."""
    locale = _current.get()
    return format_date(day, _DATE_PATTERNS[locale], locale=Locale.parse(locale))


def format_when(moment: datetime, tz: str = "Asia/Seoul") -> str:
    """A date and time for people: ``3월 5일 (목) 오후 2:30`` / ``Thu, Mar 5, 2:30 PM``."""
    local = moment.astimezone(ZoneInfo(tz))
    return pgettext("date and time", "{day}, {time}").format(day=format_day(local.date()), time=format_time(local, tz))


@cache
def _jinja_env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
        undefined=jinja2.StrictUndefined,
    )
    env.install_gettext_callables(gettext, ngettext, newstyle=True, pgettext=pgettext)  # type: ignore[attr-defined]
    env.filters["when"] = format_when
    env.filters["day"] = format_day
    return env


def render(template: str, **context: object) -> str:
    """Render ``locales/templates/<template>`` in the current locale (plain text, HTML-escaped values)."""
    return _jinja_env().get_template(template).render(**context).strip()
