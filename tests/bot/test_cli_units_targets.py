"""``hamkke unit …`` and ``hamkke target …`` run as a real process, and bad input refused in one line."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.support.cli import copy_of, prepared_demo

SEOUL = ZoneInfo("Asia/Seoul")

# The demo's targets are for the current year (Korea time), and the commands default to it: real clock.
pytestmark = pytest.mark.wall_clock


@pytest.fixture(scope="module")
def demo_directory(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated database with the demo center (work units and this year's targets), copied per test."""
    return prepared_demo(tmp_path_factory, "cli-units-targets")


@pytest.fixture
def hamkke(demo_directory: Path, tmp_path: Path):
    return copy_of(demo_directory, tmp_path)


def _year() -> int:
    return datetime.now(UTC).astimezone(SEOUL).year


def _snapshot(hamkke) -> tuple[list[tuple], list[tuple], list[tuple]]:
    return (hamkke.query("select * from work_unit order by id"), hamkke.query("select * from target order by id"),
            hamkke.query("select * from program order by id"))


def test_units_add_list_rename_and_switch_off(hamkke):
    assert hamkke("unit", "add", "도시락", "--kind", "사회서비스형").stdout.strip() == "사업단을 만들었어요: 도시락"
    listing = hamkke("unit", "list").stdout.splitlines()
    assert listing[0].split() == ["사업단", "종류", "상태", "참여주민", "프로그램"]
    assert listing[1].split() == ["자전거", "시장형", "운영", "중", "5", "1"]  # 자전거정비 is for its members
    assert listing[-1].split() == ["도시락", "사회서비스형", "운영", "중", "0", "0"]
    out = hamkke("unit", "rename", "도시락", "행복도시락").stdout
    assert out.strip() == "사업단 이름을 바꿨어요: 도시락 → 행복도시락"
    assert "중단했어요" in hamkke("unit", "off", "행복도시락").stdout
    assert "이미 중단되어 있어요" in hamkke("unit", "off", "행복도시락").stdout
    assert hamkke("unit", "list").stdout.splitlines()[-1].split() == ["행복도시락", "사회서비스형", "운영", "중단", "0",
                                                                      "0"]
    refused = hamkke("program", "add", "--kind", "education", "--name", "도시락 위생교육", "--short", "위생교육",
                     "--unit", "행복도시락", check=False)
    assert refused.returncode == 2 and "“행복도시락” 사업단은 중단되어 있어요" in refused.stderr
    assert "다시 운영해요" in hamkke("unit", "on", "행복도시락").stdout
    hamkke("program", "add", "--kind", "education", "--name", "도시락 위생교육", "--short", "위생교육",
           "--unit", "행복도시락")
    assert hamkke.query("select active from work_unit where name = '행복도시락'") == [(1,)]


def test_targets_list_metrics_set_copy_and_remove(hamkke):
    year = _year()
    listing = hamkke("target", "list").stdout.splitlines()
    assert listing[0].startswith(f"{year}년 목표량 (")
    assert listing[1].split() == ["구분", "세부목표", "지표", "목표량", "성과", "달성율"]
    participants = listing[2].split()
    assert participants[:4] == ["사업성과", "참여인원", "participants", "130명"]
    assert participants[4] == "40명" and participants[5] == "30.8%"  # the report's own figures: 40 of 130
    assert len(listing) == 2 + 13

    metrics = hamkke("target", "metrics").stdout
    assert "case_consultations     건    올해 쓴 사례관리상담 기록 건수" in metrics
    assert "hamkke target set" in metrics

    out = hamkke("target", "set", "participants", "140").stdout
    assert out.strip() == f"{year}년 목표를 고쳤어요: 참여인원 140명 (participants)"
    next_year = str(year + 1)
    out = hamkke("target", "set", "participants", "150", "--year", next_year, "--section", "사업성과",
                 "--label", "참여인원(확대)").stdout
    assert out.strip() == f"{next_year}년 목표를 추가했어요: 참여인원(확대) 150명 (participants)"
    out = hamkke("target", "copy", str(year), next_year).stdout.splitlines()
    assert out == [f"{year}년 목표를 {next_year}년으로 옮겨 적었어요: 12개",
                   f"{next_year}년에 이미 있어서 그대로 둔 목표: 1개"]
    assert hamkke.query(f"select target_value, label from target where year = {next_year} "
                        "and metric = 'participants'") == [(150, "참여인원(확대)")]
    out = hamkke("target", "remove", "clubs", "--year", next_year).stdout
    assert out.strip() == f"{next_year}년 목표에서 뺐어요: 주민동아리 (clubs)"
    assert hamkke.query(f"select count(*) from target where year = {next_year}") == [(12,)]
    empty = hamkke("target", "list", "--year", str(year + 2)).stdout
    assert f"아직 {year + 2}년 목표가 없어요." in empty and f"hamkke target copy {year + 1} {year + 2}" in empty


@pytest.mark.parametrize(("args", "expected"), [
    (("target", "set", "happiness", "10"), "“happiness”은(는) 모르는 지표예요. 쓸 수 있는 지표는 hamkke target metrics"),
    (("target", "set", "participants", "-5"), "목표량은 0부터 1000000까지의 정수로 써 주세요."),
    (("target", "set", "clubs", "20", "--year", "2031", "--section", " "), "구분을 한 줄로 1~100자 써 주세요(--section …)."),
    (("target", "remove", "participants", "--year", "2031"), "2031년 목표에 “participants” 지표가 없어요."),
    (("unit", "add", "자전거"), "“자전거” 사업단이 이미 있어요."),
    (("unit", "rename", "자전거", "맞춤조리"), "“맞춤조리” 사업단이 이미 있어요."),
    (("unit", "off", "없는사업단"), "“없는사업단” 사업단이 없어요."),
])
def test_bad_input_is_one_line_exit_2_and_changes_nothing(hamkke, args, expected):
    before = _snapshot(hamkke)
    result = hamkke(*args, check=False)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0] and "Traceback" not in result.stderr, result.stderr
    assert result.stdout == ""
    assert _snapshot(hamkke) == before


def test_a_participant_is_invited_into_a_work_unit_with_a_case_worker(hamkke):
    out = hamkke("invite", "participant", "도민정", "--unit", "자전거", "--worker", "오지훈").stdout
    assert "도민정" in out and "start=" in out
    assert hamkke.query(
        "select w.name, s.name from participant p join work_unit w on w.id = p.work_unit_id "
        "join staff s on s.id = p.case_worker_id where p.name = '도민정'") == [("자전거", "오지훈")]
    before = _snapshot(hamkke), hamkke.query("select count(*) from participant")
    for args, expected in ((("--unit", "없는사업단"), "“없는사업단” 사업단이 없어요."),
                           (("--worker", "없는직원"), "“없는직원” 직원을 찾지 못했어요.")):
        result = hamkke("invite", "participant", "배수지", *args, check=False)
        assert result.returncode == 2 and result.stderr.strip().endswith(expected), result.stderr
    assert (_snapshot(hamkke), hamkke.query("select count(*) from participant")) == before


def test_status_says_what_needs_attention_and_exits_1(hamkke):
    result = hamkke("status", check=False)
    assert result.returncode == 1  # nothing runs the scheduler here
    lines = result.stdout.splitlines()
    assert lines[0] == "스케줄러: 멈춤 (마지막 확인 없음)"
    assert any(line.startswith("⚠️ 스케줄러가 돌고 있지 않아요") for line in lines)
    assert "Traceback" not in result.stderr
