"""Settings from the environment (prefix ``HAMKKE_``) or a ``.env`` file; loaded on demand, never at import."""

from __future__ import annotations

import os
import re
import stat
from datetime import time
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cryptography.fernet import Fernet
from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from models.casework.crypto import FieldCipher

TOKEN_RE = re.compile(r"^\d{5,}:[A-Za-z0-9_-]{30,}$")
PLACEHOLDERS = {"changeme", "change-me", "your-token", "token", "xxx", "secret", ""}


class SettingsError(Exception):
    """A setting is missing or malformed; the message is one line a person can act on."""


class Settings(BaseSettings):
    """Every knob of a hamkke deployment."""

    model_config = SettingsConfigDict(env_prefix="HAMKKE_", env_file=".env", extra="ignore")

    database_url: str = "sqlite+aiosqlite:///./data/hamkke.db"
    telegram_token: SecretStr | None = None
    telegram_api_url: str = "https://api.telegram.org"
    transport: Literal["ptb", "aiogram"] = "ptb"
    timezone: str = "Asia/Seoul"
    default_locale: Literal["ko", "en"] = "ko"
    encryption_key: SecretStr | None = Field(default=None, description="Fernet key(s), comma-separated")
    key_file: Path | None = None  # default: default_key_file(), outside the data directory
    center_slug: str = "seongdong"
    center_name: str = "성동지역자활센터"
    bot_username: str = "hamkke_bot"
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_path: str | None = None  # where the webhook listens locally; default: the path of webhook_url
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = Field(default=8443, ge=1, le=65535)
    sandbox_host: str = "127.0.0.1"
    sandbox_port: int = Field(default=8080, ge=1, le=65535)
    # The scheduler: when the weekly summary and the morning digest go out (Korea time), how long data is kept.
    weekly_summary_day: Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"] = "mon"
    weekly_summary_time: time = time(8, 30)
    digest_time: time = time(8, 30)
    # How long the scheduler's lease lasts without a heartbeat: a restart after a crash waits at most this long.
    scheduler_lease_seconds: int = Field(default=60, ge=3, le=3600)
    # Shown (decrypted) case notes leave the chat after this long, or sooner when the worker moves on.
    note_view_seconds: int = Field(default=600, ge=10, le=86400)
    retention_processed_updates_days: int = Field(default=7, ge=1)
    retention_outbox_days: int = Field(default=90, ge=1)
    retention_case_notes_years: int = Field(default=5, ge=1)
    retention_access_log_years: int = Field(default=2, ge=2, description="the access log is kept at least 2 years")

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        if value.startswith("sqlite:///"):
            value = "sqlite+aiosqlite:///" + value.removeprefix("sqlite:///")
        if value.startswith(("postgres://", "postgresql://")):
            value = "postgresql+asyncpg://" + value.split("://", 1)[1]
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("use sqlite+aiosqlite:///path or postgresql+asyncpg://user@host/db")
        return value

    @field_validator("telegram_token")
    @classmethod
    def _token(cls, value: SecretStr | None) -> SecretStr | None:
        raw = value.get_secret_value().strip() if value is not None else ""
        if not raw:
            return None
        if raw.lower() in PLACEHOLDERS or not TOKEN_RE.match(raw):
            raise ValueError("expected a token from @BotFather, like 123456789:AA… (leave it unset for the sandbox)")
        return SecretStr(raw)

    @field_validator("telegram_api_url")
    @classmethod
    def _api_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL of a Bot API server")
        return value.rstrip("/")

    @field_validator("timezone")
    @classmethod
    def _tz(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError("unknown time zone (e.g. Asia/Seoul)") from exc
        return value

    @field_validator("encryption_key")
    @classmethod
    def _key(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value().strip():
            return None
        for key in value.get_secret_value().split(","):
            try:
                Fernet(key.strip().encode())
            except ValueError as exc:
                raise ValueError("each key must be 32 url-safe base64 bytes (hamkke keygen makes one)") from exc
        return value

    @property
    def sandbox(self) -> bool:
        """No token: run the local sandbox instead of Telegram."""
        return self.telegram_token is None

    def key_location(self) -> Path:
        """Where the key file is, or will be made: ``HAMKKE_KEY_FILE``, else :func:`default_key_file`; an install
        from before keeps its ``./data/hamkke.key`` as long as the new place holds no key."""
        if self.key_file is not None:
            return self.key_file
        default = default_key_file()
        if not default.exists() and LEGACY_KEY_FILE.exists():
            return LEGACY_KEY_FILE
        return default

    def cipher(self) -> FieldCipher:
        """The field cipher: keys from ``HAMKKE_ENCRYPTION_KEY``, else the key file. A missing key file is never
        made here (``bot.keys.open_cipher`` makes one, on a database without encrypted records only)."""
        if self.encryption_key is not None:
            keys = [k.strip().encode() for k in self.encryption_key.get_secret_value().split(",") if k.strip()]
            return FieldCipher(keys)
        return FieldCipher([read_key_file(self.key_location())])


LEGACY_KEY_FILE = Path("./data/hamkke.key")  # the default before issue 16: beside the database


def default_key_file() -> Path:
    """``$XDG_CONFIG_HOME/hamkke/hamkke.key`` (``~/.config/hamkke/hamkke.key``): apart from the data directory, so
    one backup of ``data/`` never holds both the notes and their key."""
    base = os.environ.get("XDG_CONFIG_HOME") or ""
    root = Path(base) if base and Path(base).is_absolute() else Path.home() / ".config"
    return root / "hamkke" / "hamkke.key"


def read_key_file(path: Path) -> bytes:
    """The key in ``path``; ``SettingsError`` when it is missing, readable by others or not a key."""
    if not path.exists():
        raise SettingsError(f"{path}: no key file (restore it from your backup, or set HAMKKE_KEY_FILE)")
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise SettingsError(f"{path}: key file must be readable by its owner only (chmod 600 {path})")
    key = path.read_bytes().strip()
    try:
        Fernet(key)
    except ValueError as exc:
        raise SettingsError(f"{path}: not a valid key file") from exc
    return key


def create_key_file(path: Path) -> bytes:
    """A new random key written to ``path`` (mode 0600, its folder 0700 when made here); never overwrites."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    key = FieldCipher.generate_key()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(key + b"\n")
    return key


def load_settings(**overrides: object) -> Settings:
    """Read the settings; a bad value raises ``SettingsError`` with one clear line (never a traceback)."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        field = str(first["loc"][0]).upper() if first["loc"] else "?"
        message = str(first["msg"]).removeprefix("Value error, ")
        raise SettingsError(f"HAMKKE_{field}: {message}") from None
