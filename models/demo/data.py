"""The demo's content: the plan's work units, programs and meetings, with invented staff and participants."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from models.tables import ProgramKind, Role
from models.tables.programs import TargetCategory

# Telegram user ids for demo people: far above real ids handed out today, so the sandbox never clashes.
STAFF_ID_BASE = 9_100_000_000
PARTICIPANT_ID_BASE = 9_200_000_000

WORK_UNITS = [
    ("자전거", "시장형"), ("맞춤조리", "시장형"), ("공동일자리", "근로유지형"), ("무료빨래방", "사회서비스형"),
    ("주거복지", "사회서비스형"), ("생활환경개선", "사회서비스형"), ("북카페", "사회서비스형"),
]

# Invented staff (the plan's staff are real people and are never used).
STAFF = [
    ("강민호", "센터장", Role.manager), ("윤서연", "실장", Role.manager), ("오지훈", "과장", Role.staff),
    ("임하늘", "팀장", Role.staff), ("배수민", "팀장", Role.staff), ("신동욱", "팀장", Role.staff),
]

# Invented participants: (name, work unit). Two share the name 김영희 on purpose (same-name handling).
PARTICIPANTS = [
    ("김영희", "공동일자리"), ("이철수", "자전거"), ("박민수", "맞춤조리"), ("최수진", "무료빨래방"),
    ("정미경", "공동일자리"), ("김영희", "주거복지"), ("한순자", "공동일자리"), ("조말순", "무료빨래방"),
    ("윤정호", "자전거"), ("장옥자", "맞춤조리"), ("임춘자", "공동일자리"), ("오영숙", "북카페"),
    ("서경자", "생활환경개선"), ("권태식", "주거복지"), ("황금순", "공동일자리"), ("안명숙", "무료빨래방"),
    ("송기철", "자전거"), ("전미숙", "맞춤조리"), ("홍성자", "공동일자리"), ("고순례", "북카페"),
    ("문병철", "생활환경개선"), ("양혜숙", "공동일자리"), ("손복순", "무료빨래방"), ("배정남", "주거복지"),
    ("백영자", "공동일자리"), ("허말자", "맞춤조리"), ("유재석", "자전거"), ("남궁숙희", "북카페"),
    ("노정임", "공동일자리"), ("하동수", "생활환경개선"), ("곽순이", "무료빨래방"), ("성미란", "공동일자리"),
    ("차영수", "주거복지"), ("주경희", "맞춤조리"), ("우정숙", "공동일자리"), ("민경호", "자전거"),
    ("류옥순", "북카페"), ("나상철", "생활환경개선"), ("진분이", "공동일자리"), ("지현숙", "무료빨래방"),
]


@dataclass(frozen=True)
class ProgramSpec:
    """A program of the plan and how its demo sessions fall."""

    kind: ProgramKind
    name: str
    short_name: str
    description: str
    capacity: int | None
    hours_per_session: float
    start: time
    weekdays: tuple[int, ...]  # 0 = Monday
    first_offset_days: int  # first session relative to today
    count: int
    completion_hours: float | None = None
    completion_percent: int | None = None
    work_unit: str | None = None
    place: str = "2층 프로그램실"
    instructor: str | None = None
    every_weeks: int = 1
    category: TargetCategory | None = None  # the plan's target line it counts toward (set, never guessed)


PROGRAMS = [
    ProgramSpec(ProgramKind.education, '주민기초교육 "희망키우기"', "희망키우기",
                "자활사업 안내, 자존감·자기효능감 향상, 자활·자립 목표설정 (40시간)", 25, 4.0, time(10), (0, 2),
                -14, 10, completion_hours=40, instructor="김은주 강사",
                category=TargetCategory.basic_education),
    ProgramSpec(ProgramKind.education, '심신치유교육 "희망두드림"', "희망두드림",
                "미술치유, 몸살림, 웃음치유로 마음을 돌보는 교육", 12, 3.0, time(14), (3,), -7, 4,
                completion_percent=75, instructor="박소연 강사", category=TargetCategory.special_education),
    ProgramSpec(ProgramKind.education, '자활·자립 목표설정교육 "목표길라잡이"', "목표길라잡이",
                "상위 자활목표 설정, 인생게임", 15, 6.0, time(10), (4,), 10, 2, completion_percent=100,
                category=TargetCategory.special_education),
    ProgramSpec(ProgramKind.education, "직능교육 자전거고급정비", "자전거정비", "자전거 고급정비 실무 교육", 8, 4.0,
                time(13), (1, 3), -10, 6, completion_hours=20, work_unit="자전거", place="옥수대여소",
                category=TargetCategory.special_education),
    ProgramSpec(ProgramKind.education, "직능교육 컴퓨터 전산교육", "컴퓨터교육", "컴퓨터활용능력 2급 준비 과정", 5, 3.0,
                time(14), (1,), -7, 8, completion_hours=20, place="1층 취업지원실",
                category=TargetCategory.special_education),
    ProgramSpec(ProgramKind.class_, "주민문화강좌 한땀한땀", "한땀한땀", "바느질 공예 강좌", 10, 2.0, time(14), (1,), -21, 8,
                place="4층 북카페"),
    ProgramSpec(ProgramKind.class_, "주민문화강좌 건강댄스", "건강댄스", "몸을 쓰며 즐겁게 추는 건강댄스", 10, 1.5,
                time(10), (3,), -21, 8),
    ProgramSpec(ProgramKind.class_, "주민문화강좌 제과제빵", "제과제빵", "빵과 과자 만들기", 6, 3.0, time(14), (4,), -14, 6,
                place="지층 맞춤조리 주방"),
    ProgramSpec(ProgramKind.class_, "주민문화강좌 영어", "영어", "생활 영어 강좌", 5, 1.5, time(18, 30), (2,), -14, 6),
    ProgramSpec(ProgramKind.club, "주민동아리", "동아리", "주민 동아리 모임", 20, 2.0, time(15), (2,), 3, 3,
                place="4층 북카페", every_weeks=4),
    ProgramSpec(ProgramKind.meeting, "과별회의", "과별회의", "과별 사업 점검 및 추진", None, 1.0, time(9, 30), (0,),
                -7, 6, place="3층 사무실"),
    ProgramSpec(ProgramKind.meeting, "선임회의", "선임회의", "각 사업팀별 사업 점검 및 추진", None, 1.0, time(9), (1,),
                -7, 6, place="3층 사무실"),
    ProgramSpec(ProgramKind.meeting, "월례회의", "월례회의", "월간 사업 점검 (목표/지향/아이디어/문제점)", None, 2.0,
                time(15), (4,), 7, 3, place="2층 프로그램실", every_weeks=4),
    ProgramSpec(ProgramKind.meeting, "전략 워크숍", "전략워크숍", "사업 점검 및 전략 개발", None, 6.0, time(10), (4,),
                21, 1, place="2층 프로그램실"),
]

# Who joins what: program short name -> participant indexes (into PARTICIPANTS).
ENROLLMENTS = {
    "희망키우기": list(range(0, 22)),
    "희망두드림": list(range(4, 14)),
    "목표길라잡이": list(range(10, 18)),
    "자전거정비": [1, 8, 16, 26, 35],
    "컴퓨터교육": [0, 2, 11, 19, 27, 30, 33],  # 5 seats: the last two wait
    "한땀한땀": [3, 6, 7, 12, 15, 24, 29, 31],
    "건강댄스": [5, 6, 9, 13, 17, 20, 22, 25, 34, 38],
    "제과제빵": [9, 17, 25, 33],
    "영어": [11, 19, 27],
    "동아리": list(range(20, 32)),
}
NO_SENSITIVE_CONSENT = {7, 23, 37}  # a few people agreed to the general consent only
