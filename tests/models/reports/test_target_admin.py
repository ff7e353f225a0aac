"""The annual target table (목표량) set up by the installer: checked values, upsert, removal, carrying a year over."""

from __future__ import annotations

import pytest
from sqlmodel import col, select

from locales import _, use_locale
from models.people.centers import setup_center
from models.platform.errors import InvalidInput, NotFound
from models.reports import target_admin, targets
from models.reports.target_admin import copy_targets, remove_target, set_target, target_table
from models.tables import Participant, Target


@pytest.fixture
def cid(center) -> int:
    """The test center's id (a refused change rolls back, which expires the loaded ``center``)."""
    return center.id


async def _rows(session, year: int | None = None) -> list[tuple]:
    session.expunge_all()
    query = select(Target).order_by(col(Target.center_id), col(Target.year), col(Target.sort_order))
    if year is not None:
        query = query.where(Target.year == year)
    return [(t.year, t.section, t.metric, t.label, t.target_value, t.unit, t.sort_order)
            for t in (await session.exec(query)).all()]


def test_every_computable_metric_has_a_unit_and_a_translated_description():
    assert set(target_admin.METRIC_UNITS) == set(targets.METRICS) == set(target_admin.METRIC_DESCRIPTIONS)
    assert [m.code for m in target_admin.metrics()] == list(targets.METRICS)
    assert {m.unit for m in target_admin.metrics()} <= set(target_admin.UNITS)
    with use_locale("ko"):
        assert all(_(m.description) != m.description for m in target_admin.metrics())


def test_the_length_limits_are_the_table_s():
    columns = Target.__table__.columns
    assert {name: columns[name].type.length for name in target_admin.MAX_LENGTHS} == target_admin.MAX_LENGTHS


async def test_set_adds_a_row_then_changes_it_keeping_what_was_not_given(session, cid):
    added = await set_target(session=session, center_id=cid, year=2026, metric="case_consultations", value=208,
                             section=" 사례관리 성과", label="사례관리상담 ")
    assert added.created
    assert await _rows(session) == [(2026, "사례관리 성과", "case_consultations", "사례관리상담", 208, "건", 6)]
    changed = await set_target(session=session, center_id=cid, year=2026, metric="case_consultations", value=220)
    assert not changed.created
    assert await _rows(session) == [(2026, "사례관리 성과", "case_consultations", "사례관리상담", 220, "건", 6)]
    await set_target(session=session, center_id=cid, year=2026, metric="case_consultations", value=0,
                     label="사례관리 상담", unit="회")
    assert await _rows(session) == [(2026, "사례관리 성과", "case_consultations", "사례관리 상담", 0, "회", 6)]


async def test_rows_follow_the_plan_s_order_and_the_report_measures_them(session, cid, now):
    await set_target(session=session, center_id=cid, year=2026, metric="clubs", value=20, section="주민자치",
                     label="주민동아리")
    await set_target(session=session, center_id=cid, year=2026, metric="participants", value=130,
                     section="사업성과", label="참여인원")
    session.add(Participant(center_id=cid, name="김영희", created_at=now))
    await session.commit()
    report = await target_table(session=session, center_id=cid, year=2026, now=now, cipher=None)
    assert report == await targets.measure_targets(session=session, center_id=cid, year=2026, now=now, cipher=None)
    assert [(r.metric, r.target, r.unit, r.achieved, r.rate) for r in report.rows] == [
        ("participants", 130, "명", 1, 0.8), ("clubs", 20, "명", 0, 0.0)]
    with pytest.raises(InvalidInput) as refused:
        await target_table(session=session, center_id=cid, year=99999, now=now, cipher=None)
    assert refused.value.args == ("year",)


@pytest.mark.parametrize(("fields", "reason"), [
    ({"metric": "happiness"}, "metric"),
    ({"metric": ""}, "metric"),
    ({"value": -1}, "target_value"),
    ({"value": target_admin.MAX_VALUE + 1}, "target_value"),
    ({"unit": "개"}, "target_unit"),
    ({"year": 1999}, "year"),
    ({"section": "  "}, "section"),
    ({"section": "사례\n관리"}, "section"),
    ({"label": "가" * 101}, "label"),
])
async def test_bad_input_is_refused_and_nothing_is_written(session, cid, fields, reason):
    values = {"year": 2026, "metric": "participants", "value": 130, "section": "사업성과", "label": "참여인원"}
    with pytest.raises(InvalidInput) as refused:
        await set_target(session=session, center_id=cid, **(values | fields))
    assert refused.value.args == (reason,)
    assert await _rows(session) == []


async def test_a_new_row_given_no_words_takes_the_plan_s(session, cid):
    await set_target(session=session, center_id=cid, year=2027, metric="clubs", value=25)
    await set_target(session=session, center_id=cid, year=2027, metric="employment", value=30, label="취업 연계")
    assert [(r[1], r[3], r[4], r[5]) for r in await _rows(session)] == [
        ("사례관리 성과", "취업 연계", 30, "명"), ("주민자치", "주민동아리", 25, "명")]


async def test_a_refused_change_leaves_the_row_as_it_was(session, cid):
    await set_target(session=session, center_id=cid, year=2026, metric="participants", value=130,
                     section="사업성과", label="참여인원")
    for bad in ({"value": -5}, {"label": ""}, {"unit": "kg"}):
        with pytest.raises(InvalidInput):
            await set_target(session=session, center_id=cid, year=2026, metric="participants",
                             **({"value": 140} | bad))
    assert await _rows(session) == [(2026, "사업성과", "participants", "참여인원", 130, "명", 0)]


async def test_remove_deletes_one_year_s_row_of_any_code(session, cid):
    for year in (2026, 2027):
        await set_target(session=session, center_id=cid, year=year, metric="participants", value=130,
                         section="사업성과", label="참여인원")
    session.add(Target(center_id=cid, year=2026, section="옛 지표", metric="old_metric", label="예전 것",
                       target_value=3, unit="건"))
    await session.commit()
    removed = await remove_target(session=session, center_id=cid, year=2026, metric="participants")
    assert removed.label == "참여인원"
    await remove_target(session=session, center_id=cid, year=2026, metric="old_metric")  # not computable: still removable
    assert await _rows(session) == [(2027, "사업성과", "participants", "참여인원", 130, "명", 0)]
    with pytest.raises(NotFound) as missing:
        await remove_target(session=session, center_id=cid, year=2026, metric="participants")
    assert missing.value.args == ("target",)


async def test_copy_carries_a_year_over_and_leaves_the_new_year_s_rows_alone(session, cid):
    for metric, value, section, label in (("participants", 130, "사업성과", "참여인원"),
                                          ("initial_consultations", 80, "초기상담", "초기상담"),
                                          ("clubs", 20, "주민자치", "주민동아리")):
        await set_target(session=session, center_id=cid, year=2026, metric=metric, value=value, section=section,
                         label=label)
    await set_target(session=session, center_id=cid, year=2027, metric="participants", value=150,
                     section="사업성과", label="참여인원 (확대)")
    other = await setup_center(session=session, slug="other", name="다른지역자활센터")
    await set_target(session=session, center_id=other.id, year=2026, metric="employment", value=5, section="취업",
                     label="취업")
    copied = await copy_targets(session=session, center_id=cid, from_year=2026, to_year=2027)
    assert (copied.copied, copied.kept) == (2, 1)
    assert await _rows(session, 2027) == [
        (2027, "사업성과", "participants", "참여인원 (확대)", 150, "명", 0),
        (2027, "초기상담", "initial_consultations", "초기상담", 80, "명", 1),
        (2027, "주민자치", "clubs", "주민동아리", 20, "명", 12),
    ]
    again = await copy_targets(session=session, center_id=cid, from_year=2026, to_year=2027)
    assert (again.copied, again.kept) == (0, 3)
    before = await _rows(session)
    with pytest.raises(InvalidInput) as same:
        await copy_targets(session=session, center_id=cid, from_year=2027, to_year=2027)
    assert same.value.args == ("same_year",)
    with pytest.raises(NotFound) as empty:
        await copy_targets(session=session, center_id=cid, from_year=2025, to_year=2027)
    assert empty.value.args == ("target_year",)
    with pytest.raises(InvalidInput):
        await copy_targets(session=session, center_id=cid, from_year=2026, to_year=3000)
    assert await _rows(session) == before
