"""Keep the catalogs in step with the code: extract, merge, and fill English where it is the msgid itself.

Usage: ``.venv/bin/python tools/i18n_sync.py``. New msgids get their English msgstr (the msgid itself) in
``en``; Korean is written in ``locales/ko/LC_MESSAGES/messages.po`` itself (the catalogs are the only place
user text lives). Existing translations are kept. Prints what is still missing. Safe to run again at any time.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


CATALOGS = [ROOT / "locales" / "messages.pot"] + [ROOT / "locales" / loc / "LC_MESSAGES" / "messages.po"
                                                 for loc in ("ko", "en")]
# The extraction time changes on every run; keeping the old one spares every branch a merge conflict.
_CREATION_DATE = re.compile(r'^"POT-Creation-Date: .*"$', re.MULTILINE)


def _creation_dates() -> dict[Path, str]:
    dates = {}
    for path in CATALOGS:
        found = _CREATION_DATE.search(path.read_text(encoding="utf-8")) if path.exists() else None
        if found:
            dates[path] = found.group(0)
    return dates


def _restore_creation_dates(dates: dict[Path, str]) -> None:
    for path, line in dates.items():
        text = path.read_text(encoding="utf-8")
        path.write_text(_CREATION_DATE.sub(lambda _m, line=line: line, text, count=1), encoding="utf-8")


def main() -> int:
    dates = _creation_dates()
    subprocess.run([str(BIN / "pybabel"), "-q", "extract", "-F", "locales/babel.cfg", "-k", "_", "-k", "N_",
                    "-k", "gettext", "-k", "ngettext:1,2", "-k", "pgettext:1c,2", "--no-location",
                    "--sort-output", "--project=hamkke", "-o", "locales/messages.pot", "."], cwd=ROOT, check=True)
    subprocess.run([str(BIN / "pybabel"), "-q", "update", "-i", "locales/messages.pot", "-d", "locales",
                    "-D", "messages", "--no-fuzzy-matching", "--ignore-obsolete"], cwd=ROOT, check=True)
    missing_total = 0
    for locale in ("ko", "en"):
        path = ROOT / "locales" / locale / "LC_MESSAGES" / "messages.po"
        with path.open("rb") as fh:
            catalog = read_po(fh, locale=locale)
        missing = []
        for message in catalog:
            if not message.id:
                continue
            message.flags.discard("fuzzy")
            translated = all(message.string) if isinstance(message.string, tuple) else bool(message.string)
            if translated:
                continue
            if locale == "en":
                message.string = message.id
            else:
                missing.append(message.id)
        with path.open("wb") as fh:
            write_po(fh, catalog, width=0, no_location=True, sort_output=True)
        for msgid in missing:
            sys.stdout.write(f"{locale}: missing {msgid!r}\n")
        missing_total += len(missing)
    _restore_creation_dates(dates)
    return 1 if missing_total else 0


if __name__ == "__main__":
    raise SystemExit(main())
