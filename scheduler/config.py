"""What the scheduler needs to know: when each job runs, how far ahead to plan, how long data is kept."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time, timedelta
from typing import Any

from models.casework.crypto import FieldCipher
from models.enrollment.reminders import PLANNING_HORIZON
from models.platform.retention import RetentionPolicy
from models.platform.scheduler_lock import DEFAULT_TTL

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class SchedulerConfig:
    """The clock's settings (the bot makes one from its ``Settings`` with ``from_settings``)."""

    timezone: str = "Asia/Seoul"
    default_locale: str = "ko"
    weekly_summary_day: str = "mon"
    weekly_summary_time: time = time(8, 30)
    digest_time: time = time(8, 30)
    retention_time: time = time(3, 30)
    reconcile_every: timedelta = timedelta(minutes=10)
    planning_horizon: timedelta = PLANNING_HORIZON
    rearm_every: timedelta = timedelta(seconds=60)  # look for rows queued by other processes this often
    lease_ttl: timedelta = DEFAULT_TTL
    catch_up: timedelta = timedelta(hours=4)  # a summary or digest missed by downtime is still sent this late
    retention: RetentionPolicy = field(default_factory=RetentionPolicy)
    cipher: FieldCipher | None = None

    def __post_init__(self) -> None:
        if self.weekly_summary_day not in WEEKDAYS:
            raise ValueError(f"weekly summary day must be one of {', '.join(WEEKDAYS)}")
        if self.lease_ttl < timedelta(seconds=3):
            raise ValueError("the scheduler lease must last at least 3 seconds")

    @classmethod
    def from_settings(cls, settings: Any, **overrides: Any) -> SchedulerConfig:
        """The configuration from the bot's settings object (read by attribute name; missing ones default)."""
        values: dict[str, Any] = {}
        for name in ("timezone", "default_locale", "weekly_summary_day", "weekly_summary_time", "digest_time"):
            if getattr(settings, name, None) is not None:
                values[name] = getattr(settings, name)
        policy: dict[str, int] = {}
        for name in ("processed_updates_days", "outbox_days", "invite_codes_days", "case_notes_years",
                     "access_log_years"):
            value = getattr(settings, f"retention_{name}", None)
            if value is not None:
                policy[name] = int(value)
        values["retention"] = RetentionPolicy(**policy)
        lease = getattr(settings, "scheduler_lease_seconds", None)
        if lease is not None:
            values["lease_ttl"] = timedelta(seconds=int(lease))
        cipher = getattr(settings, "cipher", None)
        if callable(cipher):
            values["cipher"] = cipher()
        values.update(overrides)
        return cls(**values)
