"""Does the configured key open what the database holds? Asked at start-up and by ``hamkke key check``.

Only whether each value decrypts is looked at; the plaintext is dropped at once and nothing is written, so
this is no read of anyone's notes (and no access-log row).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.casework.crypto import FieldCipher
from models.tables import CaseNote, Participant

# Every encrypted column: (the table's id column, the ciphertext column).
_ENCRYPTED: Sequence[tuple[Any, Any]] = (
    (CaseNote.id, CaseNote.body_ciphertext),
    (CaseNote.id, CaseNote.risk_grade_ciphertext),
    (Participant.id, Participant.risk_grade_ciphertext),
)


@dataclass(frozen=True)
class KeyCheck:
    """How many encrypted values were tried and how many the key opened."""

    total: int
    opened: int

    @property
    def all_open(self) -> bool:
        return self.opened == self.total


async def count_encrypted(*, session: AsyncSession) -> int:
    """How many encrypted values the database holds (every center)."""
    total = 0
    for _id, column in _ENCRYPTED:
        total += int((await session.exec(select(func.count(col(column))))).one())
    return total


async def check_key(*, session: AsyncSession, cipher: FieldCipher, newest: int | None = None) -> KeyCheck:
    """Try ``cipher`` on the stored values: all of them, or the ``newest`` of each column (a quick start-up check)."""
    total = opened = 0
    for id_column, column in _ENCRYPTED:
        query = select(column).where(col(column).is_not(None)).order_by(col(id_column).desc())
        if newest is not None:
            query = query.limit(newest)
        for ciphertext in (await session.exec(query)).all():
            total += 1
            try:
                cipher.decrypt(bytes(ciphertext))
            except ValueError:
                continue
            opened += 1
    return KeyCheck(total=total, opened=opened)
