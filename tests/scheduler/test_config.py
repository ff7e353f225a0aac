"""The scheduler's configuration from the bot's settings: summary day and time, retention, the key."""

from __future__ import annotations

from datetime import time

import pytest

from bot.settings import SettingsError, load_settings
from models.casework.crypto import FieldCipher
from scheduler.config import SchedulerConfig


def test_settings_reach_the_scheduler(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # no stray .env
    monkeypatch.setenv("HAMKKE_WEEKLY_SUMMARY_DAY", "fri")
    monkeypatch.setenv("HAMKKE_WEEKLY_SUMMARY_TIME", "17:30")
    monkeypatch.setenv("HAMKKE_DIGEST_TIME", "09:00")
    monkeypatch.setenv("HAMKKE_RETENTION_OUTBOX_DAYS", "30")
    monkeypatch.setenv("HAMKKE_RETENTION_ACCESS_LOG_YEARS", "3")
    monkeypatch.setenv("HAMKKE_ENCRYPTION_KEY", FieldCipher.generate_key().decode())
    config = SchedulerConfig.from_settings(load_settings())
    assert (config.weekly_summary_day, config.weekly_summary_time, config.digest_time) == ("fri", time(17, 30),
                                                                                          time(9))
    assert (config.retention.outbox_days, config.retention.access_log_years) == (30, 3)
    assert config.retention.case_notes_years == 5 and config.cipher is not None
    assert config.timezone == "Asia/Seoul"


def test_defaults_are_monday_0830(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HAMKKE_ENCRYPTION_KEY", FieldCipher.generate_key().decode())
    config = SchedulerConfig.from_settings(load_settings())
    assert (config.weekly_summary_day, config.weekly_summary_time, config.digest_time) == ("mon", time(8, 30),
                                                                                          time(8, 30))


@pytest.mark.parametrize(("name", "value"), [("HAMKKE_RETENTION_ACCESS_LOG_YEARS", "1"),
                                             ("HAMKKE_WEEKLY_SUMMARY_DAY", "someday"),
                                             ("HAMKKE_WEEKLY_SUMMARY_TIME", "25:00")])
def test_bad_values_stop_with_one_line(monkeypatch, tmp_path, name, value):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as refused:
        load_settings()
    assert str(refused.value).startswith(name + ":") and "\n" not in str(refused.value)
