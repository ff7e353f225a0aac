"""Confidential case notes (사례관리 상담 기록): written, read and counted under the privacy rules.

* The note text and the risk grade are encrypted per field (``FieldCipher``) before they touch any table —
  even the conversation state holds only ciphertext ("sealed" text) while a note is being written.
* Only the participant's assigned worker and managers may write or read; every read, write and refusal is an
  ``AccessLog`` row (who, when, which participant, what — never content).
* A participant without the sensitive-information consent cannot have notes recorded.
* Free text that looks like a 주민등록번호 is refused and nothing is stored.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import NoReturn
from zoneinfo import ZoneInfo

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from locales import N_
from models.services.authz import Action, can, require, require_case_access
from models.services.consent import consent_status
from models.services.crypto import FieldCipher
from models.services.errors import ConsentRequired, Forbidden, InvalidInput, NotFound, ResidentNumberRefused
from models.services.resident_number import looks_like_resident_number
from models.tables import (
    AccessAction,
    AccessLog,
    CaseNote,
    CaseNoteKind,
    Center,
    Participant,
    Staff,
    WorkUnit,
)

NOTE_MAX_CHARS = 3000
FOLLOW_UP_MAX_DAYS = 366
SUBJECT_NOTE = "case_note"

class RiskGrade(StrEnum):
    """위기등급: A 위기 (act now), B 주의 (close care), C 안정 (regular care)."""

    A = "A"
    B = "B"
    C = "C"


# How people name the kinds and grades (msgids; translated when shown).
KIND_LABELS = {
    CaseNoteKind.initial: N_("Initial consultation"),
    CaseNoteKind.case_management: N_("Case management"),
    CaseNoteKind.resource_link: N_("Resource linkage"),
    CaseNoteKind.employment: N_("Employment counselling"),
    CaseNoteKind.crisis: N_("Crisis intervention"),
}
RISK_LABELS = {
    RiskGrade.A: N_("A · crisis — act now"),
    RiskGrade.B: N_("B · watch — close care"),
    RiskGrade.C: N_("C · stable — regular care"),
}


def refuse_resident_number(text: str) -> None:
    """``ResidentNumberRefused`` if ``text`` looks like it holds a 주민등록번호 (call before storing any free text)."""
    if looks_like_resident_number(text):
        raise ResidentNumberRefused("free text with a resident registration number")


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


async def _center_tz(session: AsyncSession, center_id: int) -> ZoneInfo:
    center = await session.get(Center, center_id)
    return ZoneInfo(center.timezone if center is not None else "Asia/Seoul")


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
    now: datetime,
) -> SavedNote:
    """Store a note (text and grade re-encrypted with the current key), set the participant's risk grade,
    and log the write. ``sealed_*`` come from ``seal_note_text`` / ``seal_risk_grade``.
    """
    try:
        note_kind = CaseNoteKind(kind)
    except ValueError as exc:
        raise InvalidInput("note kind") from exc
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
    today = now.astimezone(await _center_tz(session, center_id)).date()
    if follow_up_on is not None and not today <= follow_up_on <= today + timedelta(days=FOLLOW_UP_MAX_DAYS):
        raise InvalidInput("follow-up date")
    if employed and note_kind != CaseNoteKind.employment:
        raise InvalidInput("only employment notes record a job")
    note = CaseNote(
        center_id=center_id, participant_id=participant_id, author_staff_id=staff_id, kind=note_kind,
        body_ciphertext=cipher.encrypt(body),
        risk_grade_ciphertext=cipher.encrypt(grade.value) if grade is not None else None,
        key_id=cipher.key_id, follow_up_on=follow_up_on, employed=employed, created_at=now,
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
                              note.follow_up_on, note.employed, author, note.created_at))
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


# Typed dates ------------------------------------------------------------------------------------------

_WEEKDAYS = {"월": 0, "화": 1, "수": 2, "목": 3, "금": 4, "토": 5, "일": 6,
             "mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
_RELATIVE_DAYS = {"오늘": 0, "today": 0, "내일": 1, "tomorrow": 1, "모레": 2, "내일모레": 2, "글피": 3}
_NUMBER_WORDS = {"한": 1, "두": 2, "세": 3, "네": 4, "다섯": 5, "여섯": 6, "일": 1, "이": 2, "삼": 3, "사": 4}


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for last in (day.day, 30, 29, 28):
        candidate = _safe_date(year, month, min(day.day, last))
        if candidate is not None:
            return candidate
    return day  # unreachable: the 28th exists in every month


def follow_up_choices(*, today: date) -> dict[str, date]:
    """The quick follow-up buttons: in one week, two weeks, one calendar month."""
    return {"1w": today + timedelta(weeks=1), "2w": today + timedelta(weeks=2), "1m": _add_months(today, 1)}


def parse_day(text: str, *, today: date) -> date | None:
    """A date typed the way people write it, or None.

    Understands ``2026-03-20``, ``2026.3.20``, ``3/20``, ``3.20``, ``3월 20일``, ``20일``, ``오늘``/``내일``/``모레``,
    ``다음주 월요일``, ``금요일``, ``1주 후``, ``2주 뒤``, ``10일 후``, ``한 달 후``, and ``tomorrow``,
    ``in 3 days``, ``in 2 weeks``, ``next monday``. A month and day without a year mean the next such day.
    """
    raw = unicodedata.normalize("NFKC", text).strip().lower()
    compact = re.sub(r"\s+", "", raw)
    if not compact:
        return None
    if compact in _RELATIVE_DAYS:
        return today + timedelta(days=_RELATIVE_DAYS[compact])
    match = re.fullmatch(r"(\d{4})[-./년](\d{1,2})[-./월](\d{1,2})일?", compact)
    if match:
        return _safe_date(int(match[1]), int(match[2]), int(match[3]))
    match = re.fullmatch(r"(\d{1,2})(?:[-./]|월)(\d{1,2})일?", compact)
    if match:
        day = _safe_date(today.year, int(match[1]), int(match[2]))
        if day is not None and day < today:
            day = _safe_date(today.year + 1, int(match[1]), int(match[2]))
        return day
    match = re.fullmatch(r"(\d{1,2})일", compact)
    if match:
        day = _safe_date(today.year, today.month, int(match[1]))
        if day is not None and day < today:
            following = _add_months(today.replace(day=1), 1)
            day = _safe_date(following.year, following.month, int(match[1]))
        return day
    match = re.fullmatch(r"(\d+|한|두|세|네|다섯|여섯|일|이|삼|사)(일|주|주일|달|개월)(?:후|뒤|있다가)?", compact) or \
        re.fullmatch(r"in(\d+)(day|days|week|weeks|month|months)", compact)
    if match:
        amount = int(match[1]) if match[1].isdigit() else _NUMBER_WORDS.get(match[1], 0)
        unit = match[2]
        if amount <= 0 or amount > 400:
            return None
        if unit in ("일", "day", "days"):
            return today + timedelta(days=amount)
        if unit in ("주", "주일", "week", "weeks"):
            return today + timedelta(weeks=amount)
        return _add_months(today, amount)
    match = re.fullmatch(r"(다음주|담주|다음|이번주|이번|next|this)?(월|화|수|목|금|토|일|mon|tue|wed|thu|fri|sat|sun)"
                         r"(?:요일|day|nesday|sday|urday|rsday)?", compact)
    if match:
        weekday = _WEEKDAYS[match[2]]
        ahead = (weekday - today.weekday()) % 7
        if match[1] in ("다음주", "담주", "다음", "next"):
            monday_next = today + timedelta(days=7 - today.weekday())
            return monday_next + timedelta(days=weekday)
        if match[1] in ("이번주", "이번", "this"):
            return today + timedelta(days=weekday - today.weekday())
        return today + timedelta(days=ahead or 7)
    return None
