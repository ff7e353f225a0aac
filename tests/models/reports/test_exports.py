"""Exports: the XLSX files open with openpyxl and hold exactly the rows the database holds; each is logged."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from sqlmodel import select

from locales import use_locale
from models import demo
from models.platform.errors import Forbidden, InvalidInput, NotFound
from models.reports import exports
from models.tables import (
    AccessLog,
    Attendance,
    Enrollment,
    EnrollmentStatus,
    Participant,
    Program,
    ProgramSession,
    Staff,
)

SEOUL = ZoneInfo("Asia/Seoul")
STATUS_KO = {"present": "출석", "late": "지각", "absent": "결석", "excused": "사유결석"}


async def setup(session, now):
    loaded = await demo.load_demo(session=session, now=now)
    staff = {s.name: s.id for s in (await session.exec(select(Staff))).all()}
    programs = {p.short_name: p for p in (await session.exec(select(Program))).all()}
    return loaded.center_id, staff, programs


def open_book(export):
    assert export.filename.endswith(".xlsx") and export.mime_type.endswith("spreadsheetml.sheet")
    return load_workbook(BytesIO(export.data))


async def test_program_attendance_register_and_records(session, now):
    center, staff, programs = await setup(session, now)
    program = programs["희망키우기"]
    export = await exports.export_program_attendance(session=session, center_id=center, staff_id=staff["오지훈"],
                                                     program_id=program.id, now=now)
    book = open_book(export)
    assert book.sheetnames == ["출석부", "출석 기록"]
    register, records = book["출석부"], book["출석 기록"]

    held = (await session.exec(select(ProgramSession).where(ProgramSession.program_id == program.id,
                                                            ProgramSession.starts_at <= now)
                               .order_by(ProgramSession.starts_at))).all()
    header = [c.value for c in register[2]]
    day_columns = [f"{s.starts_at.astimezone(SEOUL).month}/{s.starts_at.astimezone(SEOUL).day}" for s in held]
    assert header == ["이름", "사업단", *day_columns, "출석", "지각", "조퇴", "결석", "사유결석", "출석 시간", "출석률 (%)",
                      "수료"]

    enrolled = (await session.exec(select(Participant).join(Enrollment, Enrollment.participant_id == Participant.id)
                                   .where(Enrollment.program_id == program.id,
                                          Enrollment.status == EnrollmentStatus.enrolled))).all()
    rows = list(register.iter_rows(min_row=3, max_row=2 + export.rows, values_only=True))
    assert export.rows == len(rows) == len(enrolled) == 22
    assert sorted(r[0] for r in rows) == sorted(p.name for p in enrolled)

    attendance = (await session.exec(select(Attendance, Participant).join(Participant)
                                     .where(Attendance.session_id.in_([s.id for s in held])))).all()
    by_person = {}
    for record, person in attendance:
        by_person.setdefault(person.id, {})[record.session_id] = record.status
    names = Counter(p.name for p in enrolled)
    first = next(p for p in enrolled if names[p.name] == 1 and p.id in by_person)
    [row] = [r for r in rows if r[0] == first.name]
    marks = list(row[2:2 + len(held)])
    assert marks == [STATUS_KO[by_person[first.id][s.id]] for s in held]
    counts = Counter(by_person[first.id].values())
    assert list(row[2 + len(held):7 + len(held)]) == [counts["present"], counts["late"], counts["left_early"],
                                                       counts["absent"], counts["excused"]]
    assert row[-1] == "아니요"  # 40 hours are needed; only part of the course has happened

    detail = list(records.iter_rows(min_row=3, values_only=True))
    assert [c.value for c in records[2]] == ["날짜", "시간", "프로그램", "이름", "사업단", "출석 여부", "교육 시간",
                                             "기록 방법", "기록한 사람"]
    assert len(detail) == len(attendance)
    assert Counter(r[5] for r in detail) == Counter(STATUS_KO[a.status] for a, _p in attendance)
    assert {r[7] for r in detail} == {"메시지"} and {r[8] for r in detail} == {"오지훈"}

    [log] = (await session.exec(select(AccessLog))).all()
    assert (log.staff_id, log.action, log.subject, log.object_id, log.participant_id) == (
        staff["오지훈"], "export", "attendance_export", program.id, None)


async def test_minutes_late_and_left_early_are_in_the_exports(session, now):
    center, staff, programs = await setup(session, now)
    program = programs["희망키우기"]
    held = (await session.exec(select(ProgramSession).where(ProgramSession.program_id == program.id,
                                                            ProgramSession.starts_at <= now)
                               .order_by(ProgramSession.starts_at))).all()
    lee, jang = [(await session.exec(select(Participant).where(Participant.name == name))).one()
                 for name in ("이철수", "장옥자")]
    for person, status, minutes in ((lee, "late", 10), (jang, "left_early", 30)):
        record = (await session.exec(select(Attendance).where(Attendance.session_id == held[-1].id,
                                                              Attendance.participant_id == person.id))).one()
        record.status, record.minutes = status, minutes
        session.add(record)
    await session.commit()
    register = open_book(await exports.export_program_attendance(
        session=session, center_id=center, staff_id=staff["오지훈"], program_id=program.id, now=now))["출석부"]
    rows = {r[0]: r for r in register.iter_rows(min_row=3, values_only=True) if r[0]}
    column = 2 + len(held) - 1  # the last session's column
    assert rows["장옥자"][column] == "조퇴 30분" and rows["장옥자"][2 + len(held) + 2] == 1  # the 조퇴 column
    assert rows["이철수"][column] == "지각 10분"
    month = open_book(await exports.export_month_attendance(session=session, center_id=center,
                                                            staff_id=staff["임하늘"], year=2026, month=3, now=now))
    cells = [r[5] for r in month["출석 기록"].iter_rows(min_row=3, values_only=True)]
    assert "지각 10분" in cells and "조퇴 30분" in cells


async def test_month_attendance(session, now):
    center, staff, _programs = await setup(session, now)
    export = await exports.export_month_attendance(session=session, center_id=center, staff_id=staff["임하늘"],
                                                   year=2026, month=3, now=now)
    book = open_book(export)
    records = list(book["출석 기록"].iter_rows(min_row=3, values_only=True))
    start, end = datetime(2026, 3, 1, tzinfo=SEOUL), datetime(2026, 4, 1, tzinfo=SEOUL)
    in_month = (await session.exec(select(Attendance).join(ProgramSession)
                                   .where(ProgramSession.starts_at >= start, ProgramSession.starts_at < end))).all()
    assert export.rows == len(records) == len(in_month) > 0
    assert all((r[0].year, r[0].month) == (2026, 3) for r in records)
    by_program = {r[0]: r for r in book["프로그램별"].iter_rows(min_row=3, values_only=True)}
    assert sum(r[2] + r[3] + r[4] + r[5] for r in by_program.values()) == len(in_month)
    assert "과별회의" not in by_program
    feb = await exports.export_month_attendance(session=session, center_id=center, staff_id=staff["임하늘"],
                                                year=2026, month=2, now=now)
    assert feb.rows == len(list(open_book(feb)["출석 기록"].iter_rows(min_row=3))) > 0
    with pytest.raises(InvalidInput):
        await exports.export_month_attendance(session=session, center_id=center, staff_id=staff["임하늘"],
                                              year=2026, month=13, now=now)
    logs = (await session.exec(select(AccessLog))).all()
    assert [(log.subject, log.object_id) for log in logs] == [("attendance_export", 202603),
                                                              ("attendance_export", 202602)]


async def test_targets_table_for_managers_only(session, now):
    center, staff, _programs = await setup(session, now)
    with pytest.raises(Forbidden):
        await exports.export_targets(session=session, center_id=center, staff_id=staff["오지훈"], year=2026, now=now,
                                     cipher=None)
    assert (await session.exec(select(AccessLog))).all() == []
    export = await exports.export_targets(session=session, center_id=center, staff_id=staff["강민호"], year=2026,
                                          now=now, cipher=None)
    sheet = open_book(export).active
    assert [c.value for c in sheet[2]] == ["구분", "세부목표", "목표량", "단위", "성과", "달성율(%)", "평가"]
    rows = [r for r in sheet.iter_rows(min_row=3, values_only=True) if r[1]]
    assert export.rows == len(rows) == len(demo.TARGETS)
    assert rows[0] == ("사업성과", "참여인원", 130, "명", 40, 30.8, None)
    assert ("사례관리 성과", "사례관리상담", 208, "건", 0, 0.0, None) in rows
    assert export.filename == "목표성과-2026.xlsx"
    [log] = (await session.exec(select(AccessLog))).all()
    assert (log.subject, log.object_id, log.action) == ("targets_export", 2026, "export")


async def test_english_headers_and_unknown_program(session, now):
    center, staff, programs = await setup(session, now)
    with use_locale("en"):
        export = await exports.export_program_attendance(session=session, center_id=center, staff_id=staff["오지훈"],
                                                         program_id=programs["영어"].id, now=now)
    sheet = open_book(export)["Register"]
    assert sheet["A2"].value == "Name" and export.filename.startswith("attendance-영어-")
    with pytest.raises(NotFound):
        await exports.export_program_attendance(session=session, center_id=center, staff_id=staff["오지훈"],
                                                program_id=999_999, now=now)


async def test_sheets_print_and_sort_like_paper_registers(session, now):
    """Issue 10 item 16: a title row (center, period, made at), the header frozen with an autofilter, real date
    and time cells, A4 landscape fitted to one page wide, and a 결재란 under the attendance register."""
    center, staff, programs = await setup(session, now)
    program = programs["희망키우기"]
    export = await exports.export_program_attendance(session=session, center_id=center, staff_id=staff["오지훈"],
                                                     program_id=program.id, now=now)
    book = open_book(export)
    month = open_book(await exports.export_month_attendance(session=session, center_id=center,
                                                            staff_id=staff["임하늘"], year=2026, month=3, now=now))
    targets = open_book(await exports.export_targets(session=session, center_id=center, staff_id=staff["강민호"],
                                                     year=2026, now=now, cipher=None))
    title = book["출석부"]["A1"].value
    assert title.startswith("성동지역자활센터 · 주민기초교육 \"희망키우기\" · 2026-") and title.endswith(
        " · 작성 3월 4일 (수) 오후 2:00")
    assert month["출석 기록"]["A1"].value.startswith("성동지역자활센터 · ")
    assert " · 2026-03-01 – 2026-03-31 · 작성 " in month["출석 기록"]["A1"].value
    assert "2026-01-01 – 2026-03-04" in targets.active["A1"].value
    for sheet in (book["출석부"], book["출석 기록"], month["출석 기록"], month["프로그램별"], targets.active):
        assert sheet.freeze_panes == "A3" and sheet.auto_filter.ref.startswith("A2:")
        assert (sheet.page_setup.orientation, int(sheet.page_setup.paperSize)) == ("landscape", 9)  # A4
        assert sheet.page_setup.fitToWidth == 1 and sheet.sheet_properties.pageSetUpPr.fitToPage
        assert sheet.print_title_rows == "$2:$2"
    first = next(month["출석 기록"].iter_rows(min_row=3, max_row=3))
    assert first[0].is_date and isinstance(first[0].value, datetime) and first[0].number_format == "yyyy-mm-dd"
    assert first[1].is_date and first[1].number_format == "hh:mm"
    assert (first[0].value.year, first[0].value.month) == (2026, 3)
    register = book["출석부"]
    last_person = 2 + export.rows
    assert register.auto_filter.ref.endswith(str(last_person))
    below = [cell.value for row in register.iter_rows(min_row=last_person + 1) for cell in row if cell.value]
    assert below == ["결재", "담당", "팀장", "센터장"]
