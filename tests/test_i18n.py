"""Every user-facing string is in both catalogs, and the catalogs compile."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from locales import SUPPORTED

ROOT = Path(__file__).resolve().parent.parent
KEYWORDS = {"_": None, "N_": None, "gettext": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2)}


def _msgids() -> set[tuple[str, str | None]]:
    """Every (msgid, msgctxt) the code and templates ask for."""
    method_map = [("locales/templates/**.j2", "jinja2"), ("**.py", "python")]
    options = {"locales/templates/**.j2": {"extensions": "jinja2.ext.i18n", "trim_blocks": "True",
                                            "lstrip_blocks": "True"}}
    found = set()
    for package in ("bot", "handlers", "models", "scheduler", "locales"):
        for _filename, _lineno, message, _comments, _context in extract_from_dir(
            ROOT / package, method_map=[(p.removeprefix("locales/") if package == "locales" else p, m)
                                        for p, m in method_map],
            options_map={k.removeprefix("locales/") if package == "locales" else k: v for k, v in options.items()},
            keywords=KEYWORDS,
        ):
            found.add((message if isinstance(message, str) else message[0], _context))
    return found


@pytest.mark.parametrize("locale", SUPPORTED)
def test_every_message_is_translated(locale):
    msgids = _msgids()
    assert len(msgids) > 50
    with (ROOT / "locales" / locale / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        catalog = read_po(fh, locale=locale)
    entries = {(msgid, context): catalog.get(msgid, context=context) for msgid, context in msgids}
    missing = sorted(f"{msgid} ({context})" if context else msgid for (msgid, context), entry in entries.items()
                     if entry is None or not entry.string or entry.fuzzy)
    assert not missing, f"{locale}: {len(missing)} untranslated, run `make i18n-extract` and translate:\n" + \
        "\n".join(missing)
    problems = [f"{m.id!r}: {errors}" for m, errors in catalog.check()]  # what `pybabel compile` refuses
    assert not problems, "\n".join(problems)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    assert buffer.getvalue()


def test_korean_placeholders_match_the_english():
    import re

    with (ROOT / "locales" / "ko" / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        catalog = read_po(fh, locale="ko")
    pattern = re.compile(r"\{[a-z_]+\}|%\([a-z_]+\)s")
    for message in catalog:
        if message.id and isinstance(message.id, str):
            assert sorted(pattern.findall(message.id)) == sorted(pattern.findall(message.string)), message.id
