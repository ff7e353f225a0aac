"""Demo data from the center's 2016 business plan (``shared/seed``), with invented people.

Programs, work units, meetings and targets are the plan's own; every person is invented. Sessions are
dated relative to ``now`` so the demo always has something coming up. Loading twice changes nothing.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.services.centers import setup_center
from models.services.consent import CONSENT_VERSION
from models.tables import (
    Attendance,
    AttendanceMethod,
    AttendanceStatus,
    Consent,
    ConsentKind,
    Enrollment,
    EnrollmentStatus,
    Participant,
    Program,
    ProgramKind,
    ProgramSession,
    Role,
    Staff,
    Target,
    WorkUnit,
)
from models.tables.programs import TargetCategory
from models.work import demo as work_demo

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

# The plan's targets (2016 사업계획, 세부추진사업), carried over to the current year.
TARGETS = [
    ("사업성과", "participants", "참여인원", 130, "명"),
    ("초기상담", "initial_consultations", "초기상담", 80, "명"),
    ("사례관리", "case_management", "사례관리 참여자", 100, "명"),
    ("사례관리", "risk_a", "위기등급 A형", 20, "명"),
    ("사례관리", "risk_b", "위기등급 B형", 30, "명"),
    ("사례관리", "risk_c", "위기등급 C형", 50, "명"),
    ("사례관리 성과", "case_consultations", "사례관리상담", 208, "건"),
    ("사례관리 성과", "resource_links", "지역자원연계", 24, "건"),
    ("사례관리 성과", "employment", "취업성공전환", 24, "명"),
    ("교육훈련", "basic_education", "기초교육 수료", 80, "명"),
    ("교육훈련", "special_education", "특성별 교육", 80, "명"),
    ("교육훈련", "leader_training", "주민리더양성", 20, "명"),
    ("주민자치", "clubs", "주민동아리", 20, "명"),
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


@dataclass(frozen=True)
class DemoResult:
    """What loading did."""

    created: bool
    center_id: int
    participants: int
    staff: int
    sessions: int


def _id(row: Participant | ProgramSession) -> int:
    assert row.id is not None, "flushed rows have ids"
    return row.id


def _session_times(spec: ProgramSpec, today: date, tz: ZoneInfo) -> list[tuple[datetime, datetime]]:
    first = today + timedelta(days=spec.first_offset_days)
    days: list[date] = []
    cursor = first - timedelta(days=first.weekday())  # the Monday of that week
    while len(days) < spec.count:
        for weekday in spec.weekdays:
            day = cursor + timedelta(days=weekday)
            if day >= first and len(days) < spec.count:
                days.append(day)
        cursor += timedelta(weeks=spec.every_weeks)
    result = []
    for day in days:
        start = datetime.combine(day, spec.start, tzinfo=tz)
        result.append((start, start + timedelta(hours=spec.hours_per_session)))
    return result


async def has_people(*, session: AsyncSession) -> bool:
    """Whether any staff member or participant exists (then a fresh-install demo load is skipped)."""
    for table in (Staff, Participant):
        if (await session.exec(select(table.id).limit(1))).first() is not None:
            return True
    return False


async def load_demo(*, session: AsyncSession, now: datetime, slug: str = "seongdong",
                    name: str = "성동지역자활센터", timezone: str = "Asia/Seoul") -> DemoResult:
    """Load the demo center once; a second call finds it and changes nothing."""
    center = await setup_center(session=session, slug=slug, name=name, timezone=timezone)
    assert center.id is not None
    existing = (await session.exec(select(Staff).where(Staff.telegram_user_id == STAFF_ID_BASE))).first()
    if existing is not None:
        return DemoResult(False, center.id, 0, 0, 0)

    rng = random.Random(2016)
    tz = ZoneInfo(timezone)
    today = now.astimezone(tz).date()

    units: dict[str, WorkUnit] = {}
    for unit_name, kind in WORK_UNITS:
        unit = (await session.exec(
            select(WorkUnit).where(WorkUnit.center_id == center.id, WorkUnit.name == unit_name))).first()
        if unit is None:
            unit = WorkUnit(center_id=center.id, name=unit_name, kind=kind)
            session.add(unit)
        units[unit_name] = unit
    staff_rows = [
        Staff(center_id=center.id, name=staff_name, title=title, role=role,
              telegram_user_id=STAFF_ID_BASE + i, created_at=now)
        for i, (staff_name, title, role) in enumerate(STAFF)
    ]
    session.add_all(staff_rows)
    await session.flush()
    case_workers = [s for s in staff_rows if s.role == Role.staff]

    people = []
    for i, (person, unit_name) in enumerate(PARTICIPANTS):
        people.append(Participant(
            center_id=center.id, name=person, work_unit_id=units[unit_name].id,
            case_worker_id=case_workers[i % len(case_workers)].id,
            telegram_user_id=PARTICIPANT_ID_BASE + i, created_at=now - timedelta(days=60),
        ))
    session.add_all(people)
    await session.flush()
    for i, resident in enumerate(people):
        assert resident.id is not None
        decided = now - timedelta(days=60)
        session.add(Consent(center_id=center.id, participant_id=resident.id, kind=ConsentKind.general,
                            version=CONSENT_VERSION, granted=True, decided_at=decided))
        session.add(Consent(center_id=center.id, participant_id=resident.id, kind=ConsentKind.sensitive,
                            version=CONSENT_VERSION, granted=i not in NO_SENSITIVE_CONSENT, decided_at=decided))

    session_count = 0
    for spec in PROGRAMS:
        program = Program(
            center_id=center.id, kind=spec.kind, name=spec.name, short_name=spec.short_name,
            description=spec.description, capacity=spec.capacity, completion_hours=spec.completion_hours,
            completion_percent=spec.completion_percent,
            work_unit_id=units[spec.work_unit].id if spec.work_unit else None,
            default_place=spec.place, instructor=spec.instructor, target_category=spec.category,
            starts_on=today + timedelta(days=spec.first_offset_days), created_at=now,
        )
        session.add(program)
        await session.flush()
        assert program.id is not None
        sessions = [
            ProgramSession(center_id=center.id, program_id=program.id, starts_at=start, ends_at=end,
                           hours=spec.hours_per_session, created_at=now, updated_at=now)
            for start, end in _session_times(spec, today, tz)
        ]
        session.add_all(sessions)
        session_count += len(sessions)
        await session.flush()
        enrolled = []
        for position, index in enumerate(ENROLLMENTS.get(spec.short_name, [])):
            waiting = spec.capacity is not None and position >= spec.capacity
            row = Enrollment(
                center_id=center.id, program_id=program.id, participant_id=_id(people[index]),
                status=EnrollmentStatus.waitlisted if waiting else EnrollmentStatus.enrolled,
                waitlist_position=position - spec.capacity + 1 if waiting and spec.capacity else None,
                created_at=now - timedelta(days=30), updated_at=now - timedelta(days=30),
            )
            session.add(row)
            if not waiting:
                enrolled.append(people[index])
        staff_recorder = case_workers[0].id
        for past in (s for s in sessions if s.ends_at <= now):
            for resident in enrolled:
                status = rng.choices(
                    [AttendanceStatus.present, AttendanceStatus.late, AttendanceStatus.absent,
                     AttendanceStatus.excused], weights=[80, 8, 8, 4])[0]
                session.add(Attendance(center_id=center.id, session_id=_id(past), participant_id=_id(resident),
                                       status=status, method=AttendanceMethod.message,
                                       recorded_by_staff_id=staff_recorder, recorded_at=past.ends_at,
                                       updated_at=past.ends_at))

    for order, (section, metric, label, value, unit_word) in enumerate(TARGETS):
        session.add(Target(center_id=center.id, year=today.year, section=section, metric=metric, label=label,
                           target_value=value, unit=unit_word, sort_order=order))
    session.add_all(work_demo.demo_rows(center.id, units, people))  # 자활근로: schedules, leave kinds, a 반장
    await session.commit()
    return DemoResult(True, center.id, len(people), len(staff_rows), session_count)
