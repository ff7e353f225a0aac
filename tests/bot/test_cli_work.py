"""``hamkke unit schedule|leave-kinds|leader|move`` and ``hamkke export worksheet`` as a real process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

from models.work import month
from tests.support.cli import ROOT, copy_of, prepared_demo

pytestmark = pytest.mark.wall_clock  # the export reads the real clock (its assertions hold on any day)


@pytest.fixture(scope="module")
def demo_directory(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return prepared_demo(tmp_path_factory, "cli-work")


@pytest.fixture
def hamkke(demo_directory: Path, tmp_path: Path):
    return copy_of(demo_directory, tmp_path)


def test_schedules_leader_leave_kinds_move_and_the_worksheet(hamkke, tmp_path):
    out = hamkke("unit", "schedule", "자전거", "--days", "mon-fri", "--hours", "09:00-18:00", "--break", "12:00-13:00")
    assert out.stdout.strip() == "자전거 근무 일정을 저장했어요: mon-fri 09:00-18:00"
    hamkke("unit", "schedule", "자전거", "--person", "윤정호", "--hours", "09:00-13:00")
    assert hamkke.query("select p.name, w.starts, w.ends from work_placement w join participant p "
                        "on p.id = w.participant_id") == [("윤정호", "09:00", "13:00")]
    assert hamkke("unit", "leader", "자전거", "송기철").stdout.strip() == "송기철 님이 이제 자전거 반장이에요."
    assert hamkke("unit", "leave-kinds", "연차", "병가", "공가", "경조사", "포상휴가").stdout.strip() == \
        "휴가 종류: 연차, 병가, 공가, 경조사, 포상휴가"
    moved = hamkke("unit", "move", "박민수", "--to", "자전거", "--on", "2027-01-04")
    assert moved.stdout.strip() == "박민수 님은 2027-01-04부터 자전거 사업단이에요."
    refused = hamkke("unit", "schedule", "자전거", "--days", "mon-fri", "--hours", "18:00-09:00", check=False)
    assert (refused.returncode, refused.stderr.strip()) == (2, "hamkke: 시간은 09:00-18:00처럼 적어 주세요 (끝이 시작보다 뒤).")
    wrote = hamkke("export", "worksheet", "--unit", "자전거", "--month", "2027-01", "--out", str(tmp_path / "out"))
    assert "명)" in wrote.stdout
    book = load_workbook(tmp_path / "out" / "worksheet-2027-01-자전거.xlsx")
    names = [row[1] for row in book.active.iter_rows(min_row=5, values_only=True) if row[0]]
    assert set(names) >= {"이철수", "윤정호", "송기철", "유재석", "민경호", "박민수"}
    rows = month.read_csv((tmp_path / "out" / "worksheet-2027-01-자전거.csv").read_bytes())
    assert {r["mark"] for r in rows} <= {"holiday", "absent", ""} and any(r["date"] == "2027-01-01" for r in rows)


def test_the_work_modules_do_not_load_openpyxl():
    """Starting the bot must not pay for openpyxl because of 자활근로: only the export command loads it."""
    code = ("import sys, models.work, models.work.worksheet, handlers.work, handlers.work_menu, handlers.work_log, "
            "scheduler.runner; "
            "print('openpyxl' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert result.stdout.strip() == "False"
