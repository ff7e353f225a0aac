"""The encryption key at start-up: made on a fresh install only, and refused when it can't open what is stored.

A lost key file used to be replaced by a new key on the next start, after which every old note read "(이 기록을
열 수 없어요)". Now a process that finds encrypted records in the database and no key, or a key that opens none
of them, stops with one line and a non-zero exit before it changes anything.
"""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.settings import LEGACY_KEY_FILE, Settings, SettingsError, create_key_file, default_key_file
from locales import _
from models.casework.crypto import FieldCipher
from models.casework.key_check import check_key, count_encrypted

log = logging.getLogger(__name__)

STARTUP_SAMPLE = 20  # the newest values of each encrypted column tried at every start


class KeyRefused(SettingsError):
    """The configured key can't open the stored records (or there is none): the process must not start."""


def key_source(settings: Settings) -> str:
    """Where the key comes from, for people: the variable or the file's path."""
    if settings.encryption_key is not None:
        return "HAMKKE_ENCRYPTION_KEY"
    return str(settings.key_location())


def warn_about_legacy_place(settings: Settings) -> None:
    """One log line when the key still sits in the data directory (the old default)."""
    if settings.encryption_key is None and settings.key_file is None and settings.key_location() == LEGACY_KEY_FILE:
        log.warning("the encryption key is in %s, beside the database: one backup of data/ holds both. "
                    "Move it to %s (or set HAMKKE_KEY_FILE) and keep a copy apart from the data backups",
                    LEGACY_KEY_FILE, default_key_file())


async def open_cipher(settings: Settings, sessions: async_sessionmaker[AsyncSession]) -> FieldCipher:
    """The cipher for this process. No key yet and nothing encrypted: a new key file (0600). Otherwise the key
    must open the newest stored records, else ``KeyRefused`` (nothing is created or changed)."""
    warn_about_legacy_place(settings)
    if settings.encryption_key is None and not settings.key_location().exists():
        path = settings.key_location()
        async with sessions() as session:
            stored = await count_encrypted(session=session)
        if stored:
            raise KeyRefused(_("There is no key file at {path}, but the database holds {count} encrypted records. "
                               "Restore the key file from your backup (or set HAMKKE_KEY_FILE or "
                               "HAMKKE_ENCRYPTION_KEY); nothing was changed.").format(path=path, count=stored))
        create_key_file(path)
        log.info("made a new encryption key in %s (mode 0600); back it up apart from the database", path)
    cipher = settings.cipher()
    async with sessions() as session:
        result = await check_key(session=session, cipher=cipher, newest=STARTUP_SAMPLE)
    if result.total and not result.opened:
        raise KeyRefused(_("The encryption key ({source}) opens none of the encrypted records in the database. "
                           "Restore the right key file (or add the old key to HAMKKE_ENCRYPTION_KEY); nothing was "
                           "changed. Check with: hamkke key check").format(source=key_source(settings)))
    if not result.all_open:
        log.warning("the encryption key opens %d of the newest %d encrypted records; run hamkke key check",
                    result.opened, result.total)
    return cipher
