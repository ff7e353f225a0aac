"""Targets: each metric measured from the data as documented, the rate per row, managers only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlmodel import col, select

from models import demo
from models.casework import casenotes
from models.casework.crypto import FieldCipher
from models.platform.errors import Forbidden
from models.reports import targets
from models.tables import (
    Attendance,
    AttendanceStatus,
    CaseNoteKind,
    Enrollment,
    EnrollmentStatus,
    Participant,
    Program,
    ProgramSession,
    Staff,
)


@pytest.fixture
def cipher() -> FieldCipher:
    return FieldCipher([FieldCipher.generate_key()])


async def setup(session, now):
    loaded = await demo.load_demo(session=session, now=now)
    staff = {s.name: s for s in (await session.exec(select(Staff))).all()}
    people = list((await session.exec(select(Participant).order_by(Participant.id))).all())
    programs = {p.short_name: p for p in (await session.exec(select(Program))).all()}
    return loaded.center_id, staff, people, programs


async def note(session, cipher, center, worker, participant, kind, *, grade=None, employed=False, when):
    await casenotes.add_case_note(
        session=session, cipher=cipher, center_id=center, staff_id=worker.id, participant_id=participant.id,
        kind=kind, sealed_body=casenotes.seal_note_text(cipher=cipher, text="상담함"),
        sealed_risk_grade=casenotes.seal_risk_grade(cipher=cipher, grade=grade) if grade else None,
        follow_up_on=None, employed=employed, now=when)


async def test_every_metric_is_measured_from_the_data(session, cipher, now):
    center, staff, people, programs = await setup(session, now)
    manager = staff["강민호"]  # managers may write for anyone
    last_year = now - timedelta(days=120)  # 2025-11: not this year's work
    await note(session, cipher, center, manager, people[0], CaseNoteKind.initial, grade="A", when=now)
    await note(session, cipher, center, manager, people[0], CaseNoteKind.initial, when=now)  # same person
    await note(session, cipher, center, manager, people[1], CaseNoteKind.initial, grade="B", when=now)
    await note(session, cipher, center, manager, people[2], CaseNoteKind.initial, when=last_year)
    for _ in range(3):
        await note(session, cipher, center, manager, people[3], CaseNoteKind.case_management, grade="C", when=now)
    await note(session, cipher, center, manager, people[4], CaseNoteKind.case_management, grade="C", when=now)
    await note(session, cipher, center, manager, people[5], CaseNoteKind.resource_link, when=now)
    await note(session, cipher, center, manager, people[5], CaseNoteKind.resource_link, when=now)
    await note(session, cipher, center, manager, people[6], CaseNoteKind.employment, employed=True, when=now)
    await note(session, cipher, center, manager, people[8], CaseNoteKind.employment, when=now)  # counselling only
    await note(session, cipher, center, manager, people[9], CaseNoteKind.crisis, grade="A", when=now)
    # 수료 of 희망키우기 (40 hours): one person attended all ten 4-hour sessions, one is marked completed
    basic = programs["희망키우기"]
    sessions = (await session.exec(select(ProgramSession).where(ProgramSession.program_id == basic.id))).all()
    assert sum(s.hours for s in sessions) == 40
    for held in sessions:
        existing = (await session.exec(select(Attendance).where(Attendance.session_id == held.id,
                                                                Attendance.participant_id == people[10].id))).first()
        if existing:
            existing.status = AttendanceStatus.late
            session.add(existing)
        else:
            session.add(Attendance(center_id=center, session_id=held.id, participant_id=people[10].id,
                                   status=AttendanceStatus.present, recorded_at=now, updated_at=now))
    await session.exec(update(Enrollment).where(col(Enrollment.program_id) == basic.id,
                                                col(Enrollment.participant_id) == people[11].id)
                       .values(status=EnrollmentStatus.completed))
    await session.commit()

    report = await targets.target_report(session=session, center_id=center, staff_id=manager.id, year=2026, now=now,
                                         cipher=cipher)
    achieved = {row.metric: row.achieved for row in report.rows}
    assert achieved == {
        "participants": 40,
        "initial_consultations": 2,
        "case_management": 2,
        "risk_a": 2, "risk_b": 1, "risk_c": 2,
        "case_consultations": 4,
        "resource_links": 2,
        "employment": 1,
        "basic_education": 2,
        # 희망두드림 4–13, 목표길라잡이 10–17, 자전거정비 1·8·16·26·35, 컴퓨터교육 0·2·11·19·27 (two wait)
        "special_education": 21,
        "leader_training": 0,
        "clubs": 12,
    }
    rates = {row.metric: row.rate for row in report.rows}
    assert rates["case_consultations"] == round(4 * 100 / 208, 1) and rates["participants"] == 30.8
    assert [row.label for row in report.rows][:3] == ["참여인원", "초기상담", "사례관리 참여자"]
    assert report.as_of.isoformat() == "2026-03-04" and 16 < report.year_elapsed_percent < 18

    without_key = await targets.measure_targets(session=session, center_id=center, year=2026, now=now, cipher=None)
    assert {row.metric: row.achieved for row in without_key.rows if row.metric.startswith("risk")} == {
        "risk_a": None, "risk_b": None, "risk_c": None}
    assert next(row.rate for row in without_key.rows if row.metric == "risk_a") is None


async def test_a_percent_rule_and_a_year_without_targets(session, now):
    center, staff, people, programs = await setup(session, now)
    progress = await targets.program_progress(session=session, program_id=programs["희망두드림"].id, now=now)
    assert set(progress) == {p.id for p in people[4:14]}
    assert all(not p.completed for p in progress.values())  # 75% of four sessions: not yet possible
    empty = await targets.target_report(session=session, center_id=center, staff_id=staff["윤서연"].id, year=2020,
                                        now=now, cipher=None)
    assert empty.rows == [] and empty.year_elapsed_percent == 100.0


async def test_case_workers_cannot_see_targets(session, now):
    center, staff, _people, _programs = await setup(session, now)
    with pytest.raises(Forbidden):
        await targets.target_report(session=session, center_id=center, staff_id=staff["오지훈"].id, year=2026,
                                    now=now, cipher=None)
