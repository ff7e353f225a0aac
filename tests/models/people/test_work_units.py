"""Work units (사업단) set up by the installer: checked names, one name per center, renaming, switching off."""

from __future__ import annotations

import pytest
from sqlmodel import col, select

from models.people import centers
from models.people.centers import create_work_unit, list_work_units, rename_work_unit, set_work_unit_active
from models.platform.errors import InvalidInput, NotFound
from models.programs import programs
from models.tables import Participant, Program, ProgramKind, WorkUnit


@pytest.fixture
def cid(center) -> int:
    """The test center's id (a refused change rolls back, which expires the loaded ``center``)."""
    return center.id


async def _units(session) -> list[tuple[int, str, str | None, bool]]:
    session.expunge_all()
    return [(u.center_id, u.name, u.kind, u.active)
            for u in (await session.exec(select(WorkUnit).order_by(col(WorkUnit.id)))).all()]


async def test_a_unit_is_created_trimmed_and_listed_with_its_active_people_and_programs(session, cid, now):
    bikes = await create_work_unit(session=session, center_id=cid, name="  자전거 ", kind=" 시장형")
    await create_work_unit(session=session, center_id=cid, name="공동일자리")
    assert (bikes.name, bikes.kind, bikes.active) == ("자전거", "시장형", True)
    session.add_all([Participant(center_id=cid, name="이철수", work_unit_id=bikes.id),
                     Participant(center_id=cid, name="윤정호", work_unit_id=bikes.id),
                     Participant(center_id=cid, name="송기철", work_unit_id=bikes.id, active=False),
                     Participant(center_id=cid, name="김영희")])
    await session.commit()
    await programs.create_program(session=session, center_id=cid, kind="education", name="직능교육 자전거고급정비",
                                  short_name="자전거정비", now=now, work_unit="자전거")
    old = await programs.create_program(session=session, center_id=cid, kind="education", name="자전거 기초",
                                        short_name="자전거기초", now=now, work_unit="자전거")
    old.active = False
    session.add(old)
    await session.commit()
    assert await list_work_units(session=session, center_id=cid) == [
        centers.WorkUnitListing("자전거", "시장형", True, 2, 1),
        centers.WorkUnitListing("공동일자리", None, True, 0, 0),
    ]


@pytest.mark.parametrize(("name", "kind", "reason"), [
    ("", None, "unit_name"),
    ("   ", None, "unit_name"),
    ("가" * 101, None, "unit_name"),
    ("자전\n거", None, "unit_name"),
    ("자전거", "시장", "unit_kind"),
    ("자전거", "", "unit_kind"),
])
async def test_bad_names_and_kinds_are_refused_and_nothing_is_written(session, cid, name, kind, reason):
    with pytest.raises(InvalidInput) as refused:
        await create_work_unit(session=session, center_id=cid, name=name, kind=kind)
    assert refused.value.args == (reason,)
    assert await _units(session) == []


async def test_a_name_is_unique_in_the_center_but_not_across_centers(session, cid):
    await create_work_unit(session=session, center_id=cid, name="자전거", kind="시장형")
    with pytest.raises(InvalidInput) as refused:
        await create_work_unit(session=session, center_id=cid, name=" 자전거", kind="근로유지형")
    assert refused.value.args == ("unit_name_taken",)
    other = await centers.setup_center(session=session, slug="other", name="다른지역자활센터")
    await create_work_unit(session=session, center_id=other.id, name="자전거")  # the session is usable again
    assert await _units(session) == [(cid, "자전거", "시장형", True), (other.id, "자전거", None, True)]


def test_the_name_limit_is_the_table_s():
    assert WorkUnit.__table__.columns["name"].type.length == centers.MAX_UNIT_NAME


async def test_renaming_keeps_the_unit_and_refuses_a_taken_or_unknown_name(session, cid):
    bikes = await create_work_unit(session=session, center_id=cid, name="자전거")
    bikes_id = bikes.id
    await create_work_unit(session=session, center_id=cid, name="맞춤조리")
    session.add(Participant(center_id=cid, name="이철수", work_unit_id=bikes_id))
    await session.commit()
    renamed = await rename_work_unit(session=session, center_id=cid, name="자전거", new_name="자전거재생")
    assert (renamed.id, renamed.name) == (bikes_id, "자전거재생")
    with pytest.raises(InvalidInput) as taken:
        await rename_work_unit(session=session, center_id=cid, name="자전거재생", new_name="맞춤조리")
    assert taken.value.args == ("unit_name_taken",)
    with pytest.raises(NotFound) as unknown:
        await rename_work_unit(session=session, center_id=cid, name="자전거", new_name="자전거2")
    assert unknown.value.args == ("work_unit",)
    with pytest.raises(InvalidInput):
        await rename_work_unit(session=session, center_id=cid, name="자전거재생", new_name=" ")
    assert [name for _c, name, _k, _a in await _units(session)] == ["자전거재생", "맞춤조리"]
    person = (await session.exec(select(Participant))).one()
    assert person.work_unit_id == bikes_id


async def test_a_unit_switched_off_gets_no_new_programs_until_it_is_on_again(session, cid, now):
    bikes = await create_work_unit(session=session, center_id=cid, name="자전거")
    session.add(Participant(center_id=cid, name="이철수", work_unit_id=bikes.id))
    await session.commit()
    assert await set_work_unit_active(session=session, center_id=cid, name="자전거", active=False) is True
    assert await set_work_unit_active(session=session, center_id=cid, name="자전거", active=False) is False
    with pytest.raises(InvalidInput) as refused:
        await programs.create_program(session=session, center_id=cid, kind=ProgramKind.education,
                                      name="자전거 고급정비", short_name="정비", now=now, work_unit="자전거")
    assert refused.value.args == ("work_unit_off",)  # said as such, not as "no such unit"
    assert (await list_work_units(session=session, center_id=cid)) == [
        centers.WorkUnitListing("자전거", None, False, 1, 0)]  # its people stay
    assert await set_work_unit_active(session=session, center_id=cid, name="자전거", active=True) is True
    program = await programs.create_program(session=session, center_id=cid, kind=ProgramKind.education,
                                            name="자전거 고급정비", short_name="정비", now=now, work_unit="자전거")
    assert program.work_unit_id is not None
    with pytest.raises(NotFound):
        await set_work_unit_active(session=session, center_id=cid, name="없는사업단", active=False)
    assert len((await session.exec(select(Program))).all()) == 1
