"""Reading attendance from Korean free text: a table of realistic messages against one fixed roster."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from models.attendance.attendance_parser import RosterName, mentions, parse_attendance, resolve, status_of
from models.tables import AttendanceStatus

P, L, A, E = (AttendanceStatus.present, AttendanceStatus.late, AttendanceStatus.absent, AttendanceStatus.excused)
LE = AttendanceStatus.left_early

# One session's list. Two people are called 김영희 (ids 1 and 6); 이영수/박영수 share the given name 영수;
# 안명숙's surname is also the word 안 (not); 곽순이 ends in what looks like a particle; 남궁 is a two-syllable surname.
ROSTER = [
    RosterName(1, "김영희"), RosterName(2, "이철수"), RosterName(3, "박민수"), RosterName(4, "최수진"),
    RosterName(5, "정미경"), RosterName(6, "김영희"), RosterName(7, "한순자"), RosterName(8, "곽순이"),
    RosterName(9, "남궁숙희"), RosterName(10, "이영수"), RosterName(11, "박영수"), RosterName(12, "안명숙"),
]
IDS = [entry.participant_id for entry in ROSTER]
PROGRAMS = ["희망키우기", "건강댄스", "한땀한땀", "영어"]
BOTH_YOUNGHEE = (1, 6)


@dataclass
class Case:
    text: str
    marks: dict[int, AttendanceStatus] = field(default_factory=dict)  # besides "everyone"
    everyone: AttendanceStatus | None = None
    ambiguous: list[tuple[str, AttendanceStatus, tuple[int, ...]]] = field(default_factory=list)
    unknown: list[tuple[str, AttendanceStatus]] = field(default_factory=list)
    guesses: list[tuple[str, AttendanceStatus, int]] = field(default_factory=list)  # typos: asked, never marked
    minutes: dict[int, int] = field(default_factory=dict)
    program: str | None = None
    day: int | None = None
    month_day: tuple[int, int] | None = None


CASES = [
    # the issue's own examples
    Case("희망키우기 출석 김영희 이철수 박민수, 결석 최수진, 지각 정미경", {2: P, 3: P, 4: A, 5: L},
         ambiguous=[("김영희", P, BOTH_YOUNGHEE)], program="희망키우기"),
    Case("오늘 건강댄스 다 왔어요 빼고 김영희", everyone=P, ambiguous=[("김영희", A, BOTH_YOUNGHEE)],
         program="건강댄스", day=0),
    Case("건강댄스 이철수 결석", {2: A}, program="건강댄스"),
    # header style, commas, newlines, colons
    Case("희망키우기 출석 이철수 박민수, 결석 최수진, 지각 정미경", {2: P, 3: P, 4: A, 5: L}, program="희망키우기"),
    Case("출석: 이철수, 박민수\n결석: 최수진", {2: P, 3: P, 4: A}),
    Case("출석 이철수 박민수, 최수진 결석", {2: P, 3: P, 4: A}),
    Case("결석 최수진 정미경 출석 나머지", {4: A, 5: A}, everyone=P),
    # name then status, particles and honorifics
    Case("이철수는 안 왔어요, 박민수님 늦게 왔어요", {2: A, 3: L}),
    Case("김영희님 이철수님 박민수님 결석이에요", {2: A, 3: A}, ambiguous=[("김영희", A, BOTH_YOUNGHEE)]),
    Case("이영수 박영수 출석했어요 이철수는 결석했고요", {10: P, 11: P, 2: A}),
    Case("건강댄스 곽순이 지각, 한순자 병결", {8: L, 7: E}, program="건강댄스"),
    Case("남궁숙희 어르신 오셨어요", {9: P}),
    Case("철수씨 사유 결석", {2: E}),
    Case("한땀한땀 이철수(결석), 박민수(지각)", {2: A, 3: L}, program="한땀한땀"),
    Case("이철수결석", {2: A}),
    Case("이 철수 출석", {2: P}),
    # everyone, with exceptions in either order
    Case("이철수 빼고 다 왔어요", {2: A}, everyone=P),
    Case("다 왔어요 빼고 이철수 지각", {2: L}, everyone=P),
    Case("다들 왔는데 정미경씨만 늦었어요", {5: L}, everyone=P),
    Case("희망키우기 전원 출석", everyone=P, program="희망키우기"),
    Case("희망키우기 김영희 결석, 나머지는 다 출석", everyone=P, ambiguous=[("김영희", A, BOTH_YOUNGHEE)],
         program="희망키우기"),
    Case("오늘 희망키우기는 정미경 선생님만 빼고 모두 출석입니다", {5: A}, everyone=P, program="희망키우기", day=0),
    Case("어제 희망키우기 모두 출석 최수진만 결석", {4: A}, everyone=P, program="희망키우기", day=-1),
    # partial names, same-name pairs, typos
    Case("영희 결석", ambiguous=[("영희", A, BOTH_YOUNGHEE)]),
    Case("수진 지각 순이 공결", {4: L, 8: E}),
    Case("숙희 출석 영수 결석", {9: P}, ambiguous=[("영수", A, (10, 11))]),
    Case("김영히 결석", unknown=[("김영히", A)]),  # a typo that fits two: not on the list, which one?
    Case("이철후 지각 정미겅 결석", guesses=[("이철후", L, 2), ("정미겅", A, 5)]),
    Case("이순자 결석 이철수 출석", {2: P}, guesses=[("이순자", A, 7)]),  # 한순자? asked, never assumed
    Case("안명숙 출석", {12: P}),
    Case("안명숙 안 왔어요", {12: A}),
    # unknown names
    Case("박철민 결석 이철수 출석", {2: P}, unknown=[("박철민", A)]),
    Case("희망키우기 출석 이철수 홍길동 박민수", {2: P, 3: P}, unknown=[("홍길동", P)], program="희망키우기"),
    Case("최수진 지각 김영히 결석 홍길동 출석", {4: L}, unknown=[("김영히", A), ("홍길동", P)]),
    # names only (counted present), dates, the later word wins
    Case("희망키우기 이철수 박민수 최수진", {2: P, 3: P, 4: P}, program="희망키우기"),
    Case("3월 2일 희망키우기 출석 이철수", {2: P}, program="희망키우기", month_day=(3, 2)),
    Case("이철수 지각 이철수 결석", {2: A}),
    Case("영어 출석 박영수", {11: P}, program="영어"),
    Case("희망키우기 10명 출석 최수진 결석", {4: A}, program="희망키우기"),  # a count, then who was absent
    Case("희망키우기 출석체크 이철수 박민수\n지각 정미경 (10분)", {2: P, 3: P, 5: L}, minutes={5: 10},
         program="희망키우기"),
    Case("최수진 조퇴, 한순자 결석처리", {4: LE, 7: A}),  # 조퇴: came, left early
    # minutes with 지각 and 조퇴, in the orders people write them
    Case("이철수 지각 10분, 최수진 조퇴 30분", {2: L, 4: LE}, minutes={2: 10, 4: 30}),
    Case("지각10분 이철수, 박민수 출석", {2: L, 3: P}, minutes={2: 10}),
    Case("정미경 15분 지각 곽순이 20분 지각", {5: L, 8: L}, minutes={5: 15, 8: 20}),
    Case("최수진 30분 일찍 갔어요", {4: LE}, minutes={4: 30}),
    Case("이철수 지각 10분 이철수 결석", {2: A}),  # the later word wins: no minutes for an absence
]


@pytest.mark.parametrize("case", CASES, ids=[case.text.replace("\n", " / ") for case in CASES])
def test_message_is_read_as_staff_meant_it(case: Case) -> None:
    parsed = parse_attendance(case.text, roster=ROSTER, programs=PROGRAMS)
    result = resolve(parsed, IDS)
    assert parsed.program == case.program
    assert parsed.day_offset == case.day
    assert parsed.month_day == case.month_day
    assert parsed.everyone == case.everyone
    expected = dict.fromkeys(IDS, case.everyone) if case.everyone else {}
    expected.update(case.marks)
    assert result.marks == expected
    assert [(n.typed, n.status, n.candidates) for n in result.ambiguous] == case.ambiguous
    assert [(n.typed, n.status) for n in result.unknown] == case.unknown
    assert [(n.typed, n.status, *n.candidates) for n in result.guesses] == case.guesses
    assert result.minutes == case.minutes


def test_there_are_at_least_thirty_realistic_messages() -> None:
    assert len(CASES) >= 30


def test_names_are_matched_only_against_the_given_roster() -> None:
    other_class = [RosterName(20, "이철수")]
    parsed = parse_attendance("이철수 최수진 결석", roster=other_class)
    result = resolve(parsed, [20])
    assert result.marks == {20: A}
    assert [(n.typed, n.status) for n in result.unknown] == [("최수진", A)]


def test_a_typo_that_fits_two_people_is_asked_not_guessed() -> None:
    roster = [RosterName(1, "김영희"), RosterName(2, "김영숙")]
    result = resolve(parse_attendance("김영수 결석", roster=roster), [1, 2])
    assert result.marks == {} and result.ambiguous == []
    assert [(n.typed, n.candidates) for n in result.unknown] == [("김영수", (1, 2))]  # not on the list: which?


def test_a_name_on_nobody_offers_the_closest_names() -> None:
    roster = [RosterName(1, "홍성자"), RosterName(2, "홍성민"), RosterName(3, "이철수")]
    result = resolve(parse_attendance("홍길동 결석, 박영철 출석", roster=roster), [1, 2, 3])
    assert result.marks == {} and result.guesses == []
    assert [(n.typed, n.candidates) for n in result.unknown] == [("홍길동", (2, 1)), ("박영철", ())]


@pytest.mark.parametrize(("word", "status"), [
    ("출석", P), ("참석", P), ("왔어요", P), ("지각", L), ("늦음", L), ("결석", A), ("안왔어요", A), ("불참", A),
    ("공결", E), ("사유", E), ("병결", E), ("결석했습니다", A), ("출석이요", P), ("결석처리", A), ("조퇴", LE),
    ("조퇴했어요", LE),
    ("안명숙", None), ("오늘", None), ("사유리", None), ("출석부정", None),
])
def test_status_words(word: str, status: AttendanceStatus | None) -> None:
    assert status_of(word) == status


@pytest.mark.parametrize(("text", "is_attendance"), [
    ("희망키우기 출석 김영희", True),
    ("오늘 건강댄스 다 왔어요 빼고 김영희", True),
    ("건강댄스 김영희 결석", True),
    ("김영희 이철수 결석", True),  # no program, but a word only attendance uses
    ("이철수결석", True),
    ("희망키우기 언제 해요?", False),
    ("안녕하세요 오늘 날씨가 좋네요", False),
    ("건강댄스 장소가 어디예요", False),
])
def test_which_free_text_is_about_attendance(text: str, is_attendance: bool) -> None:
    program, any_status, strong = mentions(text, PROGRAMS)
    assert ((program is not None and any_status) or strong) is is_attendance


def test_a_message_without_any_status_or_name_gives_nothing() -> None:
    parsed = parse_attendance("안녕하세요 잘 지내시죠", roster=ROSTER, programs=PROGRAMS)
    assert parsed.program is None and parsed.everyone is None and not parsed.has_status
    assert resolve(parsed, IDS).marks == {}


def test_a_very_long_message_is_read_quickly() -> None:
    text = ", ".join(["이철수 출석", "최수진 결석"] * 100)
    result = resolve(parse_attendance(text, roster=ROSTER, programs=PROGRAMS), IDS)
    assert result.marks == {2: P, 4: A}
