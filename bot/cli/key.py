"""``hamkke key check``: does the configured encryption key open the encrypted records the database holds?

Exit 0 when it opens every one (or there are none yet), 1 when it opens only some or none, or when the key file
is missing while records exist. Nothing is created or changed, and no note is shown.
"""

from __future__ import annotations

import argparse
import asyncio

from bot.cli.console import SubParsers, out
from bot.keys import key_source, warn_about_legacy_place
from bot.settings import Settings
from locales import _
from models.casework.key_check import check_key, count_encrypted
from models.db import create_engine, session_factory


def add_parser(sub: SubParsers) -> None:
    """``hamkke key …`` on the main parser."""
    key = sub.add_parser("key", help="the encryption key of the counselling notes") \
        .add_subparsers(dest="key_command", required=True)
    key.add_parser("check", help="does the key open the stored encrypted records? (exit 1 when not)")


def command(args: argparse.Namespace, settings: Settings) -> int:
    """``hamkke key check``: say whether the key opens the stored records (exit 1 when it doesn't)."""
    return asyncio.run(_check(settings))


async def _check(settings: Settings) -> int:
    warn_about_legacy_place(settings)
    engine = create_engine(settings.database_url)
    try:
        sessions = session_factory(engine)
        out(_("Key: {source}").format(source=key_source(settings)))
        if settings.encryption_key is None and not settings.key_location().exists():
            async with sessions() as session:
                stored = await count_encrypted(session=session)
            if stored:
                out(_("❌ There is no key file, but the database holds {count} encrypted records. "
                       "Restore the key file from your backup.").format(count=stored))
                return 1
            out(_("There is no key file yet and nothing is encrypted: the next start makes a new key."))
            return 0
        cipher = settings.cipher()
        async with sessions() as session:
            result = await check_key(session=session, cipher=cipher)
    finally:
        await engine.dispose()
    if result.total == 0:
        out(_("✅ Nothing is encrypted yet. Keep a copy of this key apart from the database backups."))
        return 0
    if result.all_open:
        out(_("✅ The key opens all {total} encrypted records.").format(total=result.total))
        return 0
    if result.opened:
        out(_("⚠️ The key opens {opened} of {total} encrypted records. The others need an older key: add it to "
               "HAMKKE_ENCRYPTION_KEY after the current one, separated by a comma.").format(
            opened=result.opened, total=result.total))
        return 1
    out(_("❌ The key opens none of the {total} encrypted records. Restore the right key file from your "
           "backup (or set HAMKKE_KEY_FILE or HAMKKE_ENCRYPTION_KEY).").format(total=result.total))
    return 1
