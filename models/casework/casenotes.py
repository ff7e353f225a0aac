"""Confidential case notes (사례관리 상담 기록): written, read and counted under the privacy rules.

* The note text and the risk grade are encrypted per field (``FieldCipher``) before they touch any table —
  even the conversation state holds only ciphertext ("sealed" text) while a note is being written.
* Only the participant's assigned worker and managers may write or read; every read, write and refusal is an
  ``AccessLog`` row (who, when, which participant, what — never content).
* A participant without the sensitive-information consent cannot have notes recorded.
* Free text that looks like a 주민등록번호 is refused and nothing is stored.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import NoReturn

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from locales import N_
from models.casework.crypto import FieldCipher
from models.people.authz import Action, can, require, require_case_access
from models.people.centers import center_zone
from models.people.consent import consent_status
from models.platform.errors import ConsentRequired, Forbidden, InvalidInput, NotFound
from models.platform.holidays import is_holiday
from models.platform.resident_numbers import refuse_resident_number
from models.platform.typed_dates import add_months
from models.tables import (
    AccessAction,
    AccessLog,
    CaseNote,
    CaseNoteKind,
    Participant,
    Staff,
    WorkUnit,
)

NOTE_MAX_CHARS = 3000
PLACE_MAX_CHARS = 100
FOLLOW_UP_MAX_DAYS = 366
COUNSELLED_MAX_DAYS_AGO = 366  # 상담일 may be earlier than today (written later), never in the future
SUBJECT_NOTE = "case_note"


class RiskGrade(StrEnum):
    """위기등급: A 위기 (act now), B 주의 (close care), C 안정 (regular care)."""

    A = "A"
    B = "B"
    C = "C"


class CounselMethod(StrEnum):
    """방법: 내방 (they came to the center), 방문 (the worker visited), 전화, 문자."""

    came_in = "came_in"
    visit = "visit"
    phone = "phone"
    text = "text"


# How people name the kinds and grades (msgids; translated when shown).
KIND_LABELS = {
    CaseNoteKind.initial: N_("Initial consultation"),
    CaseNoteKind.case_management: N_("Case management"),
    CaseNoteKind.resource_link: N_("Resource linkage"),
    CaseNoteKind.employment: N_("Employment counselling"),
    CaseNoteKind.crisis: N_("Crisis intervention"),
}
METHOD_LABELS = {
    CounselMethod.came_in: N_("At the center"),
    CounselMethod.visit: N_("Visit"),
    CounselMethod.phone: N_("Phone"),
    CounselMethod.text: N_("Text message"),
}
RISK_LABELS = {
    RiskGrade.A: N_("A · crisis — act now"),
    RiskGrade.B: N_("B · watch — close care"),
    RiskGrade.C: N_("C · stable — regular care"),
}


def seal_note_text(*, cipher: FieldCipher, text: str) -> str:
    """The note text checked (not empty, not too long, no 주민등록번호) and encrypted, as ASCII for the state."""
    cleaned = unicodedata.normalize("NFC", text).strip()
    if not cleaned:
        raise InvalidInput("empty note")
    if len(cleaned) > NOTE_MAX_CHARS:
        raise InvalidInput("note too long")
    refuse_resident_number(cleaned)
    return cipher.encrypt(cleaned).decode("ascii")


def seal_risk_grade(*, cipher: FieldCipher, grade: str) -> str:
    """A risk grade (A/B/C) checked and encrypted, as ASCII for the state."""
    try:
        value = RiskGrade(grade.strip().upper())
    except ValueError as exc:
        raise InvalidInput("risk grade") from exc
    return cipher.encrypt(value.value).decode("ascii")


def seal_place(*, cipher: FieldCipher, text: str) -> str:
    """장소 checked (not empty, short, no 주민등록번호) and encrypted, as ASCII for the state."""
    cleaned = " ".join(unicodedata.normalize("NFC", text).split())
    if not cleaned:
        raise InvalidInput("empty place")
    if len(cleaned) > PLACE_MAX_CHARS:
        raise InvalidInput("place too long")
    refuse_resident_number(cleaned)
    return cipher.encrypt(cleaned).decode("ascii")


def check_counselled_on(day: date, *, today: date) -> date:
    """상담일 as given, if it is today or earlier (within a year); ``InvalidInput`` otherwise."""
    if day > today:
        raise InvalidInput("counselling day in the future")
    if day < today - timedelta(days=COUNSELLED_MAX_DAYS_AGO):
        raise InvalidInput("counselling day too long ago")
    return day


def _unseal(cipher: FieldCipher, sealed: str) -> str:
    try:
        return cipher.decrypt(sealed.encode("ascii"))
    except (ValueError, UnicodeEncodeError) as exc:
        raise InvalidInput("sealed field cannot be opened") from exc


@dataclass(frozen=True)
class CaseParticipant:
    """A participant as a case worker picks them: enough to tell two 김영희 apart, nothing confidential."""

    id: int
    name: str
    work_unit: str | None
    case_worker: str | None
    sensitive_consent: bool


@dataclass(frozen=True)
class NoteView:
    """One decrypted note, for the assigned worker or a manager only."""

    id: int
    kind: CaseNoteKind
    body: str
    risk_grade: RiskGrade | None
    follow_up_on: date | None
    employed: bool
    author: str
    created_at: datetime
    counselled_on: date | None = None
    method: CounselMethod | None = None
    place: str | None = None


@dataclass(frozen=True)
class CaseFile:
    """A participant's recent notes and current risk grade, as read by one staff member."""

    participant: CaseParticipant
    risk_grade: RiskGrade | None
    notes: list[NoteView]
    total: int


@dataclass(frozen=True)
class SavedNote:
    """What the writer is told after saving (never the content)."""

    note_id: int
    participant: CaseParticipant
    kind: CaseNoteKind
    follow_up_on: date | None


def _log(session: AsyncSession, *, center_id: int, staff_id: int, participant_id: int | None,
         action: AccessAction, object_id: int | None, now: datetime, subject: str = SUBJECT_NOTE) -> None:
    session.add(AccessLog(center_id=center_id, staff_id=staff_id, participant_id=participant_id,
                          action=action, subject=subject, object_id=object_id, at=now))


async def _refuse(session: AsyncSession, *, center_id: int, staff_id: int, participant_id: int | None,
                  now: datetime, error: Exception) -> NoReturn:
    """Record a refused attempt (when the asker is a staff member of this center), then re-raise."""
    await session.rollback()
    staff = await session.get(Staff, staff_id)
    if staff is not None and staff.center_id == center_id:
        participant = await session.get(Participant, participant_id) if participant_id is not None else None
        known = participant is not None and participant.center_id == center_id
        _log(session, center_id=center_id, staff_id=staff_id, participant_id=participant_id if known else None,
             action=AccessAction.refused, object_id=None if known else participant_id, now=now)
        await session.commit()
    raise error


async def _access(session: AsyncSession, *, center_id: int, staff_id: int, participant_id: int, action: Action,
                  now: datetime) -> Staff:
    """The staff member if they may ``action`` this participant's notes; a logged refusal otherwise."""
    try:
        await require(session=session, staff_id=staff_id, action=action, center_id=center_id)
        return await require_case_access(session=session, staff_id=staff_id, participant_id=participant_id,
                                         action=action)
    except Forbidden as exc:
        await _refuse(session, center_id=center_id, staff_id=staff_id, participant_id=participant_id, now=now,
                      error=exc)


async def _describe(session: AsyncSession, participant: Participant) -> CaseParticipant:
    assert participant.id is not None
    unit = await session.get(WorkUnit, participant.work_unit_id) if participant.work_unit_id else None
    worker = await session.get(Staff, participant.case_worker_id) if participant.case_worker_id else None
    consent = await consent_status(session=session, participant_id=participant.id)
    return CaseParticipant(participant.id, participant.name, unit.name if unit else None,
                           worker.name if worker else None, consent.sensitive)


def _name_key(text: str) -> str:
    cleaned = unicodedata.normalize("NFC", text).strip()
    for suffix in ("님", "씨"):
        if cleaned.endswith(suffix) and len(cleaned) > len(suffix) + 1:
            cleaned = cleaned[: -len(suffix)]
    return "".join(cleaned.split()).lower()


async def _visible_participants(session: AsyncSession, *, center_id: int, staff: Staff) -> list[Participant]:
    query = select(Participant).where(Participant.center_id == center_id, col(Participant.active).is_(True))
    if not can(staff.role, Action.read_all_case_notes):
        query = query.where(Participant.case_worker_id == staff.id)
    return list((await session.exec(query.order_by(col(Participant.name), col(Participant.id)))).all())


async def my_caseload(*, session: AsyncSession, center_id: int, staff_id: int) -> list[CaseParticipant]:
    """The active participants assigned to this staff member (managers: their own caseload too)."""
    staff = await require(session=session, staff_id=staff_id, action=Action.read_case_notes, center_id=center_id)
    rows = (
        await session.exec(
            select(Participant)
            .where(Participant.center_id == center_id, Participant.case_worker_id == staff.id,
                   col(Participant.active).is_(True))
            .order_by(col(Participant.name), col(Participant.id))
        )
    ).all()
    return [await _describe(session, row) for row in rows]


async def find_case_participants(
    *, session: AsyncSession, center_id: int, staff_id: int, query: str, limit: int = 12
) -> list[CaseParticipant]:
    """Participants whose name matches ``query`` among those this staff member may see (managers: all).

    Exact names win over partial ones, so typing 김영희 offers every 김영희 and nobody else.
    """
    staff = await require(session=session, staff_id=staff_id, action=Action.read_case_notes, center_id=center_id)
    key = _name_key(query)
    if not key:
        return []
    rows = await _visible_participants(session, center_id=center_id, staff=staff)
    exact = [row for row in rows if _name_key(row.name) == key]
    found = exact or [row for row in rows if key in _name_key(row.name)]
    return [await _describe(session, row) for row in found[:limit]]


async def case_participant(
    *, session: AsyncSession, center_id: int, staff_id: int, participant_id: int, now: datetime
) -> CaseParticipant:
    """The participant, if this staff member may read their notes (a refusal is logged)."""
    await _access(session, center_id=center_id, staff_id=staff_id, participant_id=participant_id,
                  action=Action.read_case_notes, now=now)
    participant = await session.get(Participant, participant_id)
    assert participant is not None
    return await _describe(session, participant)


async def prepare_case_note(
    *, session: AsyncSession, center_id: int, staff_id: int, participant_id: int, now: datetime
) -> CaseParticipant:
    """Check, before any typing, that this staff member may write a note for this participant.

    Refused (and logged) for someone else's caseload; ``ConsentRequired`` without the sensitive consent.
    """
    await _access(session, center_id=center_id, staff_id=staff_id, participant_id=participant_id,
                  action=Action.write_case_note, now=now)
    participant = await session.get(Participant, participant_id)
    assert participant is not None
    described = await _describe(session, participant)
    if not described.sensitive_consent:
        raise ConsentRequired("sensitive consent missing")
    return described


async def add_case_note(
    *,
    session: AsyncSession,
    cipher: FieldCipher,
    center_id: int,
    staff_id: int,
    participant_id: int,
    kind: CaseNoteKind | str,
    sealed_body: str,
    sealed_risk_grade: str | None,
    follow_up_on: date | None,
    employed: bool = False,
    counselled_on: date | None = None,
    method: CounselMethod | str | None = None,
    sealed_place: str | None = None,
    now: datetime,
) -> SavedNote:
    """Store a note (text, grade and place re-encrypted with the current key), set the participant's risk
    grade, and log the write. ``sealed_*`` come from ``seal_note_text`` / ``seal_risk_grade`` / ``seal_place``.
    ``counselled_on`` (상담일) defaults to today and is never in the future.
    """
    try:
        note_kind = CaseNoteKind(kind)
        note_method = CounselMethod(method) if method is not None else None
    except ValueError as exc:
        raise InvalidInput("note kind or method") from exc
    described = await prepare_case_note(session=session, center_id=center_id, staff_id=staff_id,
                                        participant_id=participant_id, now=now)
    body = _unseal(cipher, sealed_body)
    if not body.strip() or len(body) > NOTE_MAX_CHARS:
        raise InvalidInput("note body")
    refuse_resident_number(body)
    grade = None
    if sealed_risk_grade is not None:
        try:
            grade = RiskGrade(_unseal(cipher, sealed_risk_grade))
        except ValueError as exc:
            raise InvalidInput("risk grade") from exc
    place = _unseal(cipher, sealed_place) if sealed_place is not None else None
    if place is not None and (not place.strip() or len(place) > PLACE_MAX_CHARS):
        raise InvalidInput("place")
    if place is not None:
        refuse_resident_number(place)
    today = now.astimezone(await center_zone(session, center_id)).date()
    day = check_counselled_on(counselled_on if counselled_on is not None else today, today=today)
    if follow_up_on is not None and not today <= follow_up_on <= today + timedelta(days=FOLLOW_UP_MAX_DAYS):
        raise InvalidInput("follow-up date")
    if employed and note_kind != CaseNoteKind.employment:
        raise InvalidInput("only employment notes record a job")
    note = CaseNote(
        center_id=center_id, participant_id=participant_id, author_staff_id=staff_id, kind=note_kind,
        body_ciphertext=cipher.encrypt(body),
        risk_grade_ciphertext=cipher.encrypt(grade.value) if grade is not None else None,
        key_id=cipher.key_id, follow_up_on=follow_up_on, employed=employed, created_at=now, counselled_on=day,
        method=note_method.value if note_method is not None else None,
        place_ciphertext=cipher.encrypt(place) if place is not None else None,
    )
    session.add(note)
    if grade is not None:
        participant = await session.get(Participant, participant_id)
        assert participant is not None
        participant.risk_grade_ciphertext = cipher.encrypt(grade.value)
        session.add(participant)
    await session.flush()
    assert note.id is not None
    _log(session, center_id=center_id, staff_id=staff_id, participant_id=participant_id,
         action=AccessAction.write, object_id=note.id, now=now)
    await session.commit()
    return SavedNote(note.id, described, note_kind, follow_up_on)


def _method(value: str | None) -> CounselMethod | None:
    return CounselMethod(value) if value is not None and value in CounselMethod.__members__ else None


def _open_text(cipher: FieldCipher, ciphertext: bytes | None) -> str | None:
    if ciphertext is None:
        return None
    try:
        return cipher.decrypt(ciphertext)
    except ValueError:
        return None


def _open_grade(cipher: FieldCipher, ciphertext: bytes | None) -> RiskGrade | None:
    if ciphertext is None:
        return None
    try:
        return RiskGrade(cipher.decrypt(ciphertext))
    except ValueError:
        return None


async def read_case_notes(
    *, session: AsyncSession, cipher: FieldCipher, center_id: int, staff_id: int, participant_id: int,
    now: datetime, limit: int = 5,
) -> CaseFile:
    """A participant's newest notes, decrypted, for their assigned worker or a manager; each note read is logged.

    Anyone else is refused with ``Forbidden`` and the refusal is logged.
    """
    await _access(session, center_id=center_id, staff_id=staff_id, participant_id=participant_id,
                  action=Action.read_case_notes, now=now)
    participant = await session.get(Participant, participant_id)
    assert participant is not None
    described = await _describe(session, participant)
    total = (
        await session.exec(select(func.count()).select_from(CaseNote).where(CaseNote.participant_id == participant_id))
    ).one()
    rows = (
        await session.exec(
            select(CaseNote, Staff.name)
            .join(Staff, col(Staff.id) == CaseNote.author_staff_id)
            .where(CaseNote.participant_id == participant_id, CaseNote.center_id == center_id)
            .order_by(col(CaseNote.created_at).desc(), col(CaseNote.id).desc())
            .limit(max(1, min(limit, 20)))
        )
    ).all()
    notes = []
    for note, author in rows:
        assert note.id is not None
        try:
            body = cipher.decrypt(note.body_ciphertext)
        except ValueError:
            body = ""  # a key that is no longer configured: shown as unreadable, never guessed at
        notes.append(NoteView(note.id, CaseNoteKind(note.kind), body, _open_grade(cipher, note.risk_grade_ciphertext),
                              note.follow_up_on, note.employed, author, note.created_at, note.counselled_on,
                              _method(note.method), _open_text(cipher, note.place_ciphertext)))
        _log(session, center_id=center_id, staff_id=staff_id, participant_id=participant_id,
             action=AccessAction.read, object_id=note.id, now=now)
    if not notes:
        _log(session, center_id=center_id, staff_id=staff_id, participant_id=participant_id,
             action=AccessAction.read, object_id=None, now=now)
    await session.commit()
    return CaseFile(described, _open_grade(cipher, participant.risk_grade_ciphertext), notes, int(total))


@dataclass(frozen=True)
class FollowUp:
    """A planned follow-up that is due or overdue (no content: who, when, whose worker)."""

    participant_id: int
    participant: str
    due_on: date
    case_worker_id: int | None
    case_worker: str | None


async def follow_ups_due(*, session: AsyncSession, center_id: int, before: date) -> list[FollowUp]:
    """Participants whose newest note planned a follow-up before ``before`` and who have had no note since.

    For the weekly summary and the scheduler's nudges to case workers; callers check who may see it.
    """
    latest = (
        select(CaseNote.participant_id, func.max(CaseNote.created_at).label("latest"))
        .where(CaseNote.center_id == center_id)
        .group_by(col(CaseNote.participant_id))
        .subquery()
    )
    rows = (
        await session.exec(
            select(CaseNote, Participant)
            .join(latest, (col(CaseNote.participant_id) == latest.c.participant_id)
                  & (col(CaseNote.created_at) == latest.c.latest))
            .join(Participant, col(Participant.id) == CaseNote.participant_id)
            .where(col(CaseNote.follow_up_on).is_not(None), col(CaseNote.follow_up_on) < before,
                   col(Participant.active).is_(True))
            .order_by(col(CaseNote.follow_up_on), col(Participant.name))
        )
    ).all()
    workers = {s.id: s.name for s in (await session.exec(select(Staff).where(Staff.center_id == center_id))).all()}
    seen: set[int] = set()
    result = []
    for note, participant in rows:
        assert participant.id is not None and note.follow_up_on is not None
        if participant.id in seen:
            continue
        seen.add(participant.id)
        result.append(FollowUp(participant.id, participant.name, note.follow_up_on, participant.case_worker_id,
                               workers.get(participant.case_worker_id)))
    return result


async def access_log_for(
    *, session: AsyncSession, center_id: int, staff_id: int, participant_id: int, limit: int = 50
) -> list[AccessLog]:
    """Who touched this participant's notes, newest first (managers only)."""
    await require(session=session, staff_id=staff_id, action=Action.read_all_case_notes, center_id=center_id)
    participant = await session.get(Participant, participant_id)
    if participant is None or participant.center_id != center_id:
        raise NotFound("participant")
    return list(
        (
            await session.exec(
                select(AccessLog)
                .where(AccessLog.center_id == center_id, AccessLog.participant_id == participant_id)
                .order_by(col(AccessLog.at).desc(), col(AccessLog.id).desc())
                .limit(limit)
            )
        ).all()
    )


def next_working_day(day: date) -> date:
    """``day``, or the first day after it that is neither a weekend nor a Korean public holiday."""
    while day.weekday() >= 5 or is_holiday(day):
        day += timedelta(days=1)
    return day


def follow_up_choices(*, today: date) -> dict[str, date]:
    """The quick follow-up buttons: in one week, two weeks, one calendar month, each moved on to the next
    working day when it falls on a weekend or a public holiday."""
    return {code: next_working_day(day) for code, day in
            (("1w", today + timedelta(weeks=1)), ("2w", today + timedelta(weeks=2)), ("1m", add_months(today, 1)))}
