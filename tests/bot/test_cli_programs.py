"""``hamkke program …`` run as a real process: add → list → set → sessions, and bad input refused in one line."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from locales import format_when, use_locale
from models.platform.holidays import holiday_name
from tests.support.cli import copy_of, prepared_demo

NAME = '주민기초교육 "희망키우기" 4기'
SEOUL = ZoneInfo("Asia/Seoul")

# The child process reads the real clock: so do these tests (dates are picked relative to today).
pytestmark = pytest.mark.wall_clock


@pytest.fixture(scope="module")
def demo_directory(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated database with the demo center (it has the work units, 사업단), made once and copied per test."""
    return prepared_demo(tmp_path_factory, "cli-programs")


@pytest.fixture
def hamkke(demo_directory: Path, tmp_path: Path):
    return copy_of(demo_directory, tmp_path)


def _today() -> date:
    return datetime.now(UTC).astimezone(SEOUL).date()


def _snapshot(hamkke) -> tuple[list[tuple], list[tuple]]:
    return (hamkke.query("select * from program order by id"),
            hamkke.query("select * from program_session order by id"))


def _add(hamkke, *extra: str, check: bool = True):
    return hamkke("program", "add", "--kind", "education", "--name", NAME, "--short", "희망키우기4", *extra,
                  check=check)


def test_add_list_set_and_weekly_sessions(hamkke):
    deadline = (_today() + timedelta(days=20)).isoformat()
    out = _add(hamkke, "--unit", "공동일자리", "--capacity", "20", "--hours", "40", "--place", "2층 프로그램실",
               "--instructor", "김은주 강사", "--category", "basic_education", "--deadline", deadline).stdout
    assert f"15번 프로그램을 만들었어요: {NAME}" in out and "hamkke program sessions 15" in out
    assert hamkke.query("select kind, short_name, capacity, completion_hours, target_category, default_place "
                        "from program where id = 15") == [
        ("education", "희망키우기4", 20, 40.0, "basic_education", "2층 프로그램실")]

    listing = hamkke("program", "list").stdout.splitlines()
    assert listing[0].split() == ["번호", "종류", "짧은", "이름", "사업단", "정원", "신청", "다음", "회기"]
    assert listing[-1].split() == ["15", "교육", "희망키우기4", "공동일자리", "20", "0", "-"]
    computer = next(line for line in listing if "컴퓨터교육" in line)
    assert "5 (대기 2)" in computer and "전체" in computer
    assert "제한 없음" in next(line for line in listing if "과별회의" in line)

    out = hamkke("program", "set", "15", "--capacity", "25", "--percent", "80", "--no-deadline").stdout
    assert out.strip() == f"15번 프로그램을 고쳤어요: {NAME}"
    assert hamkke.query("select capacity, completion_hours, completion_percent, enrollment_deadline "
                        "from program where id = 15") == [(25, None, 80, None)]
    out = hamkke("program", "set", "5", "--capacity", "6").stdout  # 컴퓨터교육: the first one waiting gets a seat
    assert "대기에서 새 자리로 옮겨진 분: 1명" in out

    first = _today() + timedelta(days=7)
    first += timedelta(days=(0 - first.weekday()) % 7)  # a Monday at least a week ahead
    out = hamkke("program", "sessions", "15", "--weekly", "mon,wed", "--time", "14:00", "--hours", "2",
                 "--from", first.isoformat(), "--until", (first + timedelta(days=13)).isoformat(),
                 "--place", "3층 교육장").stdout
    days = [first + timedelta(days=d) for d in (0, 2, 7, 9)]
    made = [d for d in days if holiday_name(d, "ko") is None]
    assert f"만든 회기: {len(made)}개" in out
    rows = hamkke.query("select starts_at, ends_at, hours, place from program_session where program_id = 15 "
                        "order by starts_at")
    assert len(rows) == len(made) and all(r[2] == 2.0 and r[3] == "3층 교육장" for r in rows)
    again = hamkke("program", "sessions", "15", "--weekly", "월,수", "--time", "14:00", "--from", first.isoformat(),
                   "--until", (first + timedelta(days=13)).isoformat()).stdout
    assert "만든 회기: 0개" in again and f"이미 있어서 그대로 둔 회기: {len(made)}개" in again
    assert len(hamkke.query("select id from program_session where program_id = 15")) == len(made)
    with use_locale("ko"):
        next_session = format_when(datetime.combine(made[0], time(14), tzinfo=SEOUL))
    assert hamkke("program", "list").stdout.splitlines()[-1].endswith(next_session)  # e.g. 12월 7일 (월) 오후 2:00


def test_weekly_sessions_skip_public_holidays(hamkke):
    hamkke("program", "add", "--kind", "교육", "--name", "자활 첫걸음 과정", "--short", "첫걸음")  # kinds in Korean too
    assert hamkke.query("select kind, target_category from program where id = 15") == [("education", None)]
    # the next public holiday on a weekday, a week or more ahead, and the same weekday the weeks around it
    day = _today() + timedelta(days=8)
    while holiday_name(day, "ko") is None or day.weekday() > 4:
        day += timedelta(days=1)
    weekday = ("mon", "tue", "wed", "thu", "fri")[day.weekday()]
    out = hamkke("program", "sessions", "15", "--weekly", weekday, "--time", "10:00", "--from",
                 (day - timedelta(days=7)).isoformat(), "--until", (day + timedelta(days=7)).isoformat()).stdout
    skipped = [d for d in (day - timedelta(days=7), day, day + timedelta(days=7)) if holiday_name(d, "ko")]
    assert f"만든 회기: {3 - len(skipped)}개" in out and "공휴일이라 건너뛴 날:" in out
    assert holiday_name(day, "ko") in out and f"{day.month}월 {day.day}일" in out
    on_holidays = hamkke("program", "sessions", "15", "--weekly", weekday, "--time", "10:00", "--from",
                         day.isoformat(), "--until", day.isoformat(), "--on-holidays").stdout
    assert "만든 회기: 1개" in on_holidays
    assert hamkke.query("select holiday_ok from program_session where program_id = 15 and holiday_ok = 1") == [(1,)]


@pytest.mark.parametrize(("args", "expected"), [
    (("program", "add", "--kind", "education", "--name", NAME, "--short", "희망", "--unit", "없는사업단"),
     "“없는사업단” 사업단이 없어요."),
    (("program", "add", "--kind", "education", "--name", NAME, "--short", "희망", "--capacity", "0"),
     "정원은 1명 이상이어야 해요"),
    (("program", "add", "--kind", "sport", "--name", NAME, "--short", "희망"), "모르는 종류예요."),
    (("program", "add", "--kind", "education", "--name", NAME, "--short", "희망", "--percent", "120"),
     "수료 출석률은 1~100 사이여야 해요."),
    (("program", "add", "--kind", "education", "--name", NAME, "--short", "희망", "--category", "vip"),
     "모르는 구분이에요."),
    (("program", "add", "--kind", "meeting", "--name", "운영회의", "--short", "운영", "--category", "leader_training"),
     "맞지 않는 구분이에요."),
    (("program", "add", "--kind", "education", "--name", NAME, "--short", "희망", "--deadline", "2020-01-01"),
     "신청 마감은 앞으로의 날짜여야 해요."),
    (("program", "add", "--kind", "education", "--name", NAME, "--short", "희망", "--deadline", "내일"),
     "마감은 2026-12-10 또는"),
    (("program", "add", "--kind", "class", "--name", "주민문화강좌 한땀한땀", "--short", "새강좌"),
     "같은 이름의 프로그램이 이미 있어요."),
    (("program", "add", "--kind", "education", "--name", NAME, "--short", "희망", "--capacity", "many"),
     "invalid int value"),
    (("program", "set", "99", "--capacity", "5"), "99번 프로그램이 없어요."),
    (("program", "set", "1", "--capacity", "0"), "정원은 1명 이상이어야 해요"),
    (("program", "set", "1", "--unit", "자전거", "--everyone"), "not allowed with argument"),
    (("program", "set", "1"), "바꿀 내용이 없어요."),
    (("program", "sessions", "1", "--weekly", "funday", "--time", "14:00", "--from", "2030-01-01", "--until",
      "2030-02-01"), "요일은 mon,wed(또는 월,수)처럼"),
    (("program", "sessions", "1", "--weekly", "mon", "--time", "2pm", "--from", "2030-01-01", "--until",
      "2030-02-01"), "시간은 14:00처럼"),
    (("program", "sessions", "1", "--weekly", "mon", "--time", "14:00", "--from", "2030-02-01", "--until",
      "2030-01-01"), "마지막 날이 첫날보다 빠를 수 없고"),
    (("program", "sessions", "1", "--weekly", "mon", "--time", "14:00", "--from", "2020-01-01", "--until",
      "2020-03-01"), "마지막 날이 이미 지났어요."),
    (("program", "sessions", "1", "--weekly", "mon", "--time", "14:00", "--hours", "0", "--from", "2030-01-01",
      "--until", "2030-02-01"), "회기 시간은 0보다 크고 24시간 이하여야 해요."),
    (("program", "sessions", "1", "--weekly", "mon", "--time", "14:00", "--from", "2030/01/01", "--until",
      "2030-02-01"), "날짜는 2026-12-01처럼"),
])
def test_bad_input_is_one_line_exit_2_and_changes_nothing(hamkke, args, expected):
    before = _snapshot(hamkke)
    result = hamkke(*args, check=False)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0] and "Traceback" not in result.stderr, result.stderr
    assert result.stdout == ""
    assert _snapshot(hamkke) == before
