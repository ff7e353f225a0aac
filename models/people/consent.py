"""Consent (개인정보 수집·이용 동의, 민감정보 동의): recorded with its version and time, newest decision counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.people import invites
from models.platform.errors import ConsentRequired
from models.tables import Consent, ConsentKind, Participant

# Bump when the consent texts change: people are asked again.
CONSENT_VERSION = "2026.1"


@dataclass(frozen=True)
class ConsentStatus:
    """A participant's current decisions."""

    general: bool
    sensitive: bool
    version: str | None
    decided_at: datetime | None


async def record_consent(
    *, session: AsyncSession, participant_id: int, kind: ConsentKind, granted: bool, now: datetime,
    version: str = CONSENT_VERSION,
) -> Consent:
    """Store one decision (granting, refusing or withdrawing) as a new row, in the caller's transaction."""
    participant = await session.get(Participant, participant_id)
    if participant is None:
        raise ConsentRequired("no such participant")
    row = Consent(
        center_id=participant.center_id, participant_id=participant_id, kind=kind,
        version=version, granted=granted, decided_at=now,
    )
    session.add(row)
    return row


async def consent_status(*, session: AsyncSession, participant_id: int) -> ConsentStatus:
    """The newest decision per kind (no row means not granted)."""
    rows = (
        await session.exec(
            select(Consent)
            .where(Consent.participant_id == participant_id)
            .order_by(col(Consent.decided_at).desc(), col(Consent.id).desc())
        )
    ).all()
    latest: dict[ConsentKind, Consent] = {}
    for row in rows:
        latest.setdefault(ConsentKind(row.kind), row)
    general = latest.get(ConsentKind.general)
    sensitive = latest.get(ConsentKind.sensitive)
    return ConsentStatus(
        general=bool(general and general.granted),
        sensitive=bool(sensitive and sensitive.granted and general and general.granted),
        version=general.version if general else None,
        decided_at=general.decided_at if general else None,
    )


async def join_with_consent(
    *, session: AsyncSession, center_id: int, invite_id: int, telegram_user_id: int, sensitive: bool, now: datetime,
) -> invites.InvitePreview:
    """A participant agreed to the general consent: bind their account and record both decisions at once."""
    preview = await invites.claim_invite(
        session=session, center_id=center_id, invite_id=invite_id, telegram_user_id=telegram_user_id, now=now,
    )
    assert preview.participant_id is not None
    await record_consent(
        session=session, participant_id=preview.participant_id, kind=ConsentKind.general,
        granted=True, now=now,
    )
    await record_consent(
        session=session, participant_id=preview.participant_id, kind=ConsentKind.sensitive,
        granted=sensitive, now=now,
    )
    await session.commit()
    return preview


async def refuse_to_join(*, session: AsyncSession, center_id: int, invite_id: int, now: datetime) -> None:
    """A participant refused the general consent: keep only the refusal; the code stays usable."""
    preview = await invites.peek_invite(session=session, center_id=center_id, invite_id=invite_id, now=now)
    assert preview.participant_id is not None
    await record_consent(
        session=session, participant_id=preview.participant_id, kind=ConsentKind.general, granted=False, now=now
    )
    await session.commit()


async def require_sensitive_consent(*, session: AsyncSession, participant_id: int) -> None:
    """``ConsentRequired`` unless the participant has agreed to sensitive information (case notes)."""
    status = await consent_status(session=session, participant_id=participant_id)
    if not status.sensitive:
        raise ConsentRequired("sensitive consent missing")
