"""Case notes: encrypted at rest (checked in the raw database), read only by the assigned worker and managers,
every access logged, 주민등록번호 refused, sensitive consent required, typed dates understood."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlmodel import SQLModel, select

from models import demo
from models.casework import casenotes
from models.casework.crypto import FieldCipher
from models.platform import resident_numbers, typed_dates
from models.platform.errors import ConsentRequired, Forbidden, InvalidInput, ResidentNumberRefused
from models.tables import AccessLog, CaseNote, CaseNoteKind, Participant, Staff

NOTE = "MARKER-7f3a 월세가 석 달 밀려 집주인과 다툼이 있었음. 우울감 호소, 병원 연계 필요."


@pytest.fixture
def cipher() -> FieldCipher:
    return FieldCipher([FieldCipher.generate_key()])


async def people(session, now) -> dict:
    """The demo center, with its staff by name and participants by (name, work unit index)."""
    loaded = await demo.load_demo(session=session, now=now)
    staff = {s.name: s for s in (await session.exec(select(Staff))).all()}
    participants = list((await session.exec(select(Participant).order_by(Participant.id))).all())
    return {"center": loaded.center_id, "staff": staff, "participants": participants}


async def write(session, cipher, world, *, author="오지훈", index=0, body=NOTE, grade="A", kind=CaseNoteKind.case_management,
                follow_up=None, employed=False, now):
    return await casenotes.add_case_note(
        session=session, cipher=cipher, center_id=world["center"], staff_id=world["staff"][author].id,
        participant_id=world["participants"][index].id, kind=kind,
        sealed_body=casenotes.seal_note_text(cipher=cipher, text=body),
        sealed_risk_grade=casenotes.seal_risk_grade(cipher=cipher, grade=grade) if grade else None,
        follow_up_on=follow_up, employed=employed, now=now,
    )


async def all_cells(session) -> list[tuple[str, str, object]]:
    """Every value of every row of every table, read back raw (no ORM types)."""
    cells = []
    for table in SQLModel.metadata.sorted_tables:
        result = await session.exec(text(f'SELECT * FROM "{table.name}"'))
        for row in result.all():
            for column, value in row._mapping.items():
                cells.append((table.name, column, value))
    return cells


def plaintext_in(value: object, needle: str) -> bool:
    if value is None:
        return False
    if isinstance(value, bytes | bytearray | memoryview):
        return needle.encode() in bytes(value)
    if isinstance(value, dict | list):
        return needle in json.dumps(value, ensure_ascii=False)
    return needle in str(value)


async def assert_not_stored_in_plaintext(session, database_url: str, needles: list[str]) -> None:
    """No row holds the needles; on SQLite not the raw file bytes either (database, WAL and shared memory)."""
    for table, column, value in await all_cells(session):
        for needle in needles:
            assert not plaintext_in(value, needle), f"{needle!r} found in {table}.{column}"
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        path = Path(url.database or "")
        files = [p for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")) if p.exists()]
        assert path in files
        for file in files:
            raw = file.read_bytes()
            for needle in needles:
                assert needle.encode() not in raw, f"{needle!r} found in {file.name}"


async def test_note_and_grade_are_ciphertext_in_the_raw_database(session, database_url, cipher, now):
    world = await people(session, now)
    saved = await write(session, cipher, world, now=now)
    await assert_not_stored_in_plaintext(session, database_url, ["MARKER-7f3a", "월세가 석 달", "병원 연계"])
    note = await session.get(CaseNote, saved.note_id)
    participant = await session.get(Participant, world["participants"][0].id)
    # the grade is ciphertext in both places (Fernet tokens, each with its own IV), never a bare letter
    for ciphertext in (note.risk_grade_ciphertext, participant.risk_grade_ciphertext):
        assert ciphertext not in (b"A", b"B", b"C") and ciphertext.startswith(b"gAAAAA") and len(ciphertext) > 80
        assert cipher.decrypt(ciphertext) == "A"
    assert note.risk_grade_ciphertext != participant.risk_grade_ciphertext
    assert note.body_ciphertext.startswith(b"gAAAAA") and cipher.decrypt(note.body_ciphertext) == NOTE
    assert note.key_id == cipher.key_id
    # nothing anywhere holds a grade as a plain value
    grade_like = [(t, c) for t, c, v in await all_cells(session) if v in ("A", b"A") and "grade" in c]
    assert grade_like == []


async def test_assigned_worker_reads_others_are_refused_and_every_access_is_logged(session, cipher, now):
    world = await people(session, now)
    kim = world["participants"][0]  # 김영희 (공동일자리), in 오지훈's care
    saved = await write(session, cipher, world, now=now)
    worker, other, manager = world["staff"]["오지훈"], world["staff"]["임하늘"], world["staff"]["강민호"]

    mine = await casenotes.read_case_notes(session=session, cipher=cipher, center_id=world["center"],
                                           staff_id=worker.id, participant_id=kim.id, now=now)
    assert [n.body for n in mine.notes] == [NOTE] and mine.risk_grade == casenotes.RiskGrade.A
    assert mine.notes[0].author == "오지훈" and mine.total == 1

    with pytest.raises(Forbidden):
        await casenotes.read_case_notes(session=session, cipher=cipher, center_id=world["center"],
                                        staff_id=other.id, participant_id=kim.id, now=now)
    with pytest.raises(Forbidden):
        await write(session, cipher, world, author="임하늘", now=now)

    as_manager = await casenotes.read_case_notes(session=session, cipher=cipher, center_id=world["center"],
                                                 staff_id=manager.id, participant_id=kim.id, now=now)
    assert as_manager.notes[0].body == NOTE

    logs = (await session.exec(select(AccessLog).order_by(AccessLog.id))).all()
    assert [(log.staff_id, log.participant_id, log.action, log.subject, log.object_id) for log in logs] == [
        (worker.id, kim.id, "write", "case_note", saved.note_id),
        (worker.id, kim.id, "read", "case_note", saved.note_id),
        (other.id, kim.id, "refused", "case_note", None),
        (other.id, kim.id, "refused", "case_note", None),
        (manager.id, kim.id, "read", "case_note", saved.note_id),
    ]
    assert all(log.at == now for log in logs)
    assert len((await session.exec(select(CaseNote))).all()) == 1  # the refused write stored nothing


async def test_a_participant_without_sensitive_consent_gets_no_notes(session, cipher, now):
    world = await people(session, now)
    with pytest.raises(ConsentRequired):  # 조말순 (index 7) agreed to the general consent only
        await write(session, cipher, world, author="신동욱", index=7, now=now)
    assert (await session.exec(select(CaseNote))).all() == []
    assert (await session.get(Participant, world["participants"][7].id)).risk_grade_ciphertext is None


async def test_a_deactivated_worker_and_another_center_are_refused(session, cipher, now):
    world = await people(session, now)
    worker = world["staff"]["오지훈"]
    worker.active = False
    session.add(worker)
    await session.commit()
    with pytest.raises(Forbidden):
        await write(session, cipher, world, now=now)
    with pytest.raises(Forbidden):
        await casenotes.read_case_notes(session=session, cipher=cipher, center_id=world["center"] + 1,
                                        staff_id=world["staff"]["강민호"].id,
                                        participant_id=world["participants"][0].id, now=now)
    assert (await session.exec(select(CaseNote))).all() == []


@pytest.mark.parametrize("typed", [
    "900101-1234567", "900101 - 2345678", "9001011234567", "주민번호 850315-2123456 입니다",
    "８５０３１５－２１２３４５６", "900101-1******", "생년월일 770707–1234567",
])
def test_resident_numbers_are_refused(typed, cipher):
    assert resident_numbers.looks_like_resident_number(typed)
    with pytest.raises(ResidentNumberRefused):
        casenotes.seal_note_text(cipher=cipher, text=f"상담 내용 {typed}")


@pytest.mark.parametrize("typed", [
    "010-1234-5678", "2026-03-04 상담", "123456-7890123", "통장 110-234-567890", "3월 5일 오후 2시", "20명 참석",
])
def test_ordinary_numbers_are_not_mistaken_for_resident_numbers(typed):
    assert not resident_numbers.looks_like_resident_number(typed)


def test_sealing_checks_the_text(cipher):
    with pytest.raises(InvalidInput):
        casenotes.seal_note_text(cipher=cipher, text="   ")
    with pytest.raises(InvalidInput):
        casenotes.seal_note_text(cipher=cipher, text="가" * (casenotes.NOTE_MAX_CHARS + 1))
    with pytest.raises(InvalidInput):
        casenotes.seal_risk_grade(cipher=cipher, grade="D")
    sealed = casenotes.seal_note_text(cipher=cipher, text=NOTE)
    assert "MARKER" not in sealed and cipher.decrypt(sealed.encode()) == NOTE


async def test_tampered_or_foreign_ciphertext_is_refused(session, cipher, now):
    world = await people(session, now)
    stranger = FieldCipher([FieldCipher.generate_key()])
    with pytest.raises(InvalidInput):
        await casenotes.add_case_note(
            session=session, cipher=cipher, center_id=world["center"], staff_id=world["staff"]["오지훈"].id,
            participant_id=world["participants"][0].id, kind="case_management",
            sealed_body=casenotes.seal_note_text(cipher=stranger, text=NOTE), sealed_risk_grade=None,
            follow_up_on=None, now=now)
    assert (await session.exec(select(CaseNote))).all() == []


async def test_notes_survive_key_rotation(session, cipher, now):
    world = await people(session, now)
    await write(session, cipher, world, now=now)
    rotated = FieldCipher([FieldCipher.generate_key(), *_keys(cipher)])
    case_file = await casenotes.read_case_notes(session=session, cipher=rotated, center_id=world["center"],
                                                staff_id=world["staff"]["오지훈"].id,
                                                participant_id=world["participants"][0].id, now=now)
    assert case_file.notes[0].body == NOTE and case_file.risk_grade == casenotes.RiskGrade.A


def _keys(cipher: FieldCipher) -> list[bytes]:
    import base64

    return [base64.urlsafe_b64encode(f._signing_key + f._encryption_key) for f in cipher._fernets]  # noqa: SLF001


async def test_follow_up_dates_are_checked_and_overdue_ones_found(session, cipher, now):
    world = await people(session, now)
    today = date(2026, 3, 4)
    with pytest.raises(InvalidInput):
        await write(session, cipher, world, follow_up=today - timedelta(days=1), now=now)
    with pytest.raises(InvalidInput):
        await write(session, cipher, world, employed=True, now=now)  # only employment notes record a job
    await write(session, cipher, world, index=0, follow_up=today, now=now - timedelta(days=20))
    await write(session, cipher, world, index=4, follow_up=today + timedelta(days=7), now=now)
    await write(session, cipher, world, index=8, follow_up=today, now=now - timedelta(days=20))
    await write(session, cipher, world, index=8, follow_up=None, now=now - timedelta(days=1))  # seen since
    due = await casenotes.follow_ups_due(session=session, center_id=world["center"], before=today + timedelta(days=1))
    assert [(f.participant, f.due_on, f.case_worker) for f in due] == [("김영희", today, "오지훈")]


async def test_searching_stays_inside_the_caseload(session, now):
    world = await people(session, now)
    center = world["center"]
    mine = await casenotes.find_case_participants(session=session, center_id=center,
                                                  staff_id=world["staff"]["오지훈"].id, query="김영희님")
    assert [(p.name, p.work_unit) for p in mine] == [("김영희", "공동일자리")]
    everyone = await casenotes.find_case_participants(session=session, center_id=center,
                                                      staff_id=world["staff"]["강민호"].id, query="김영희")
    assert sorted(p.work_unit for p in everyone) == ["공동일자리", "주거복지"]
    partial = await casenotes.find_case_participants(session=session, center_id=center,
                                                     staff_id=world["staff"]["강민호"].id, query="순")
    assert {p.name for p in partial} >= {"한순자", "조말순", "황금순", "고순례", "곽순이"}
    caseload = await casenotes.my_caseload(session=session, center_id=center, staff_id=world["staff"]["오지훈"].id)
    assert len(caseload) == 10


TODAY = date(2026, 3, 4)  # a Wednesday


@pytest.mark.parametrize(("typed", "expected"), [
    ("2026-03-20", date(2026, 3, 20)), ("2026.3.20", date(2026, 3, 20)), ("2026년 3월 20일", date(2026, 3, 20)),
    ("3/20", date(2026, 3, 20)), ("3.20", date(2026, 3, 20)), ("3월 20일", date(2026, 3, 20)),
    ("1월 5일", date(2027, 1, 5)), ("20일", date(2026, 3, 20)), ("2일", date(2026, 4, 2)),
    ("오늘", TODAY), ("내일", date(2026, 3, 5)), ("모레", date(2026, 3, 6)),
    ("1주 후", date(2026, 3, 11)), ("2주 뒤", date(2026, 3, 18)), ("10일 후", date(2026, 3, 14)),
    ("한 달 후", date(2026, 4, 4)), ("1달 뒤", date(2026, 4, 4)),
    ("다음주 월요일", date(2026, 3, 9)), ("금요일", date(2026, 3, 6)), ("수요일", date(2026, 3, 11)),
    ("tomorrow", date(2026, 3, 5)), ("in 2 weeks", date(2026, 3, 18)), ("next monday", date(2026, 3, 9)),
    ("2월 30일", None), ("다음에", None), ("", None), ("몰라요", None),
])
def test_typed_dates(typed, expected):
    assert typed_dates.parse_day(typed, today=TODAY) == expected


async def test_the_scan_itself_finds_plaintext(session, database_url, now):
    """The raw scan above can fail: plaintext written anywhere (here a name) is found in rows and file bytes."""
    world = await people(session, now)
    participant = world["participants"][1]
    participant.name = "MARKER-7f3a"
    session.add(participant)
    await session.commit()
    with pytest.raises(AssertionError, match="MARKER-7f3a"):
        await assert_not_stored_in_plaintext(session, database_url, ["MARKER-7f3a"])


async def test_a_note_keeps_its_day_method_and_encrypted_place(session, database_url, cipher, now):
    """Issue 10 item 11: 상담일 (default today, may be earlier, never in the future), 방법 and 장소 (ciphertext)."""
    world = await people(session, now)
    kim = world["participants"][0]
    staff_id = world["staff"]["오지훈"].id

    async def add(**details):
        return await casenotes.add_case_note(
            session=session, cipher=cipher, center_id=world["center"], staff_id=staff_id, participant_id=kim.id,
            kind=CaseNoteKind.case_management, sealed_body=casenotes.seal_note_text(cipher=cipher, text=NOTE),
            sealed_risk_grade=None, follow_up_on=None, now=now, **details)

    await add(counselled_on=date(2026, 3, 2), method="visit",
              sealed_place=casenotes.seal_place(cipher=cipher, text="  MARKER-p1ace  행복빌라 302호 "))
    await add()  # no details: 상담일 is today
    for wrong in ({"counselled_on": date(2026, 3, 5)}, {"counselled_on": date(2025, 1, 1)}, {"method": "fax"}):
        with pytest.raises(InvalidInput):
            await add(**wrong)
    with pytest.raises(ResidentNumberRefused):
        casenotes.seal_place(cipher=cipher, text="581120-2345678 댁")
    with pytest.raises(InvalidInput):
        casenotes.seal_place(cipher=cipher, text="가" * 101)
    rows = (await session.exec(select(CaseNote).order_by(CaseNote.id))).all()
    assert [(r.counselled_on, r.method) for r in rows] == [(date(2026, 3, 2), "visit"), (TODAY, None)]
    await assert_not_stored_in_plaintext(session, database_url, ["MARKER-p1ace", "행복빌라"])
    case_file = await casenotes.read_case_notes(session=session, cipher=cipher, center_id=world["center"],
                                                staff_id=staff_id, participant_id=kim.id, now=now)
    by_day = {n.counselled_on: n for n in case_file.notes}
    assert by_day[date(2026, 3, 2)].place == "MARKER-p1ace 행복빌라 302호"
    assert by_day[date(2026, 3, 2)].method == casenotes.CounselMethod.visit
    assert by_day[TODAY].place is None and by_day[TODAY].method is None


@pytest.mark.parametrize(("today", "expected"), [
    (TODAY, {"1w": date(2026, 3, 11), "2w": date(2026, 3, 18), "1m": date(2026, 4, 6)}),  # 4/4 is a Saturday
    # 9/24: 추석 전날, then 추석, 추석 다음날 (Sat), Sunday → Monday 9/28; 10/17 is a Saturday
    (date(2026, 9, 17), {"1w": date(2026, 9, 28), "2w": date(2026, 10, 1), "1m": date(2026, 10, 19)}),
    # 10/3 개천절 is a Saturday, so 10/5 is its substitute holiday (대체 휴일) → Tuesday 10/6
    (date(2026, 9, 21), {"1w": date(2026, 9, 28), "2w": date(2026, 10, 6), "1m": date(2026, 10, 21)}),
])
def test_next_date_buttons_skip_weekends_and_public_holidays(today, expected):
    assert casenotes.follow_up_choices(today=today) == expected


@pytest.mark.parametrize(("typed", "expected"), [
    ("오늘", TODAY), ("어제", date(2026, 3, 3)), ("그저께", date(2026, 3, 2)), ("3월 2일", date(2026, 3, 2)),
    ("3/4", TODAY), ("12월 24일", date(2025, 12, 24)), ("2일", date(2026, 3, 2)), ("20일", date(2026, 2, 20)),
    ("2026-03-10", date(2026, 3, 10)), ("몰라요", None),
])
def test_typed_past_days(typed, expected):
    """상담일 is typed after the fact: a month and day without a year mean the latest such day so far."""
    assert typed_dates.parse_past_day(typed, today=TODAY) == expected
