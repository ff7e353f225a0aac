"""Keep the catalogs in step with the code: extract, merge, and fill Korean from pending translation files.

Usage: ``.venv/bin/python tools/i18n_sync.py``. New msgids get their English msgstr (the msgid itself) in
``en``; Korean comes from any ``locales/pending/*.py`` file defining ``KO = {msgid: 한국어, ...}``. Existing
translations are kept. Prints what is still missing. Safe to run again at any time.
"""

from __future__ import annotations

import runpy
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def main() -> int:
    subprocess.run([str(BIN / "pybabel"), "-q", "extract", "-F", "locales/babel.cfg", "-k", "_", "-k", "N_",
                    "-k", "gettext", "-k", "ngettext:1,2", "-k", "pgettext:1c,2", "--no-location",
                    "--sort-output", "--project=hamkke", "-o", "locales/messages.pot", "."], cwd=ROOT, check=True)
    subprocess.run([str(BIN / "pybabel"), "-q", "update", "-i", "locales/messages.pot", "-d", "locales",
                    "-D", "messages", "--no-fuzzy-matching", "--ignore-obsolete"], cwd=ROOT, check=True)
    korean: dict[str, str] = {}
    for pending in sorted((ROOT / "locales" / "pending").glob("*.py")):
        korean.update(runpy.run_path(str(pending)).get("KO", {}))
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
                if locale == "ko" and message.id in korean:
                    message.string = korean[message.id]  # a pending file may correct a translation
                continue
            if locale == "en":
                message.string = message.id
            elif message.id in korean:
                message.string = korean[message.id]
            else:
                missing.append(message.id)
        with path.open("wb") as fh:
            write_po(fh, catalog, width=0, no_location=True, sort_output=True)
        for msgid in missing:
            sys.stdout.write(f"{locale}: missing {msgid!r}\n")
        missing_total += len(missing)
    return 1 if missing_total else 0


if __name__ == "__main__":
    raise SystemExit(main())
