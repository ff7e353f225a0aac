"""Managers' reports by message: /목표 (targets against results), /요약 (the weekly summary), and the
📤 exports as Excel documents (which case workers may use too, except the targets table)."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlmodel import col, select

from handlers.dispatch import Dispatcher
from handlers.types import HandlerConfig
from models import demo
from models.casework.crypto import FieldCipher
from models.reports.weekly_summary import queue_weekly_summaries
from models.tables import AccessLog, OutboundMessage, Program, Target
from tests.support.chat import Person

MANAGER = demo.STAFF_ID_BASE  # 강민호 센터장
WORKER = demo.STAFF_ID_BASE + 2  # 오지훈
PARTICIPANT = demo.PARTICIPANT_ID_BASE


@pytest.fixture
async def world(sessions, now):
    async with sessions() as session:
        return await demo.load_demo(session=session, now=now)


@pytest.fixture
def dispatcher(world) -> Dispatcher:
    cipher = FieldCipher([FieldCipher.generate_key()])
    return Dispatcher(HandlerConfig(center_id=world.center_id, bot_username="hamkke_test_bot", cipher=cipher))


async def test_targets_in_the_plans_shape(person):
    manager = person(MANAGER)
    [reply] = await manager.says("📊 목표")
    assert reply.html and "2026년 목표 대비 성과" in reply.text and "3월 4일 (수) 기준" in reply.text
    assert "세부목표: 목표량 / 성과 / 달성율" in reply.text
    assert "<b>사례관리 성과</b>" in reply.text and "• 사례관리상담: 208건 / 0 / 0.0%" in reply.text
    assert "• 참여인원: 130명 / 40 / 30.8%" in reply.text and "• 위기등급 A형: 20명 / 0 / 0.0%" in reply.text
    [again] = await manager.says("/목표")
    assert again.text == reply.text
    [document] = await manager.presses("📤 엑셀 파일로 받기")
    assert document.document is not None and document.document.filename == "목표성과-2026.xlsx"
    sheet = load_workbook(BytesIO(document.document.data)).active
    assert sheet["A2"].value == "구분" and sheet["B3"].value == "참여인원"


async def test_targets_read_target_result_rate_and_a_manager_writes_remarks_per_line(person, sessions):
    """Issue 10 item 15: 목표량 / 성과 / 달성율 in the plan's order, and a 평가 a manager fills per line, shown
    under its line and in the Excel table's last column."""
    manager = person(MANAGER)
    [table] = await manager.says("/목표")
    assert "• 사례관리상담: 208건 / 0 / 0.0%\n" in table.text and "평가:" not in table.text
    [lines] = await manager.presses("✏️ 평가 쓰기")
    assert lines.text == "어느 항목의 평가를 쓸까요?" and "사례관리상담" in [b.label for r in lines.buttons for b in r]
    [ask] = await manager.presses("사례관리상담")
    assert "“사례관리상담”의 평가를 한 줄로 써 주세요." in ask.text
    [saved, again] = await manager.says("3월에 상담 인력 충원 예정")
    assert saved.text == "평가를 저장했어요."
    assert "• 사례관리상담: 208건 / 0 / 0.0%\n  └ 평가: 3월에 상담 인력 충원 예정\n" in again.text
    [reread] = await manager.says("/목표")
    assert reread.text == again.text
    async with sessions() as session:
        target = (await session.exec(select(Target).where(Target.metric == "case_consultations"))).one()
    assert target.remarks == "3월에 상담 인력 충원 예정"
    [document] = await manager.presses("📤 엑셀 파일로 받기")
    sheet = load_workbook(BytesIO(document.document.data)).active
    header = next(row for row in sheet.iter_rows(values_only=True) if "구분" in row)
    assert [h for h in header if h][2:] == ["목표량", "단위", "성과", "달성율(%)", "평가"]
    assert any("3월에 상담 인력 충원 예정" in row for row in sheet.iter_rows(values_only=True))
    await manager.presses("✏️ 평가 쓰기")
    await manager.presses("사례관리상담")
    [cleared] = await manager.presses("🗑 평가 지우기")
    assert "평가:" not in cleared.text
    [forged] = await manager.presses("tgt:r:999999")
    assert "지난 버튼" in forged.text


async def test_case_workers_get_no_manager_reports(person, sessions):
    worker = person(WORKER)
    for words in ("/목표", "/요약", "📊 목표", "📈 요약"):
        [reply] = await worker.says(words)
        assert "잘 알아듣지 못했어요" in reply.text, words
    [reply] = await worker.presses("sum:20260223")
    assert "버튼" in reply.text
    [reply] = await worker.presses("exp:tgt")
    assert "할 수 없는" in reply.text and reply.document is None
    async with sessions() as session:
        assert (await session.exec(select(AccessLog))).all() == []
    [reply] = await person(PARTICIPANT).says("/내보내기")
    assert "잘 알아듣지 못했어요" in reply.text


async def test_summary_on_demand_and_other_weeks(person):
    manager = person(MANAGER)
    [reply, _chart] = await manager.says("📈 요약")
    assert reply.html and len(reply.text) <= 4096
    assert "주간 요약 · 성동지역자활센터" in reply.text and "2월 23일 (월) – 3월 1일 (일)" in reply.text
    assert [b.label for row in reply.buttons for b in row] == ["◀ 지난주", "다음 주 ▶"]
    [this_week] = await manager.presses("다음 주 ▶")
    assert this_week.edit and "3월 2일 (월) – 3월 8일 (일)" in this_week.text
    assert [b.label for row in this_week.buttons for b in row] == ["◀ 지난주"]  # no future weeks
    [earlier] = await manager.presses("◀ 지난주")
    assert "2월 23일 (월)" in earlier.text
    for payload in ("sum:20260304", "sum:20260309", "sum:2026022", "sum:20261399", "sum:19990104", "sum"):
        [reply] = await manager.presses(payload)
        assert "지난 버튼" in reply.text or "버튼" in reply.text, payload


async def test_summary_shows_the_monday_chart_and_on_sunday_next_week_is_the_coming_week(
        dispatcher, sessions, world):
    """Issue 10 item 17: /요약 sends the very chart the Monday message sends (bars for the week), and read on a
    Sunday its 다음 주 is the week starting tomorrow, not the one ending today."""
    sunday = datetime(2026, 3, 8, 11, 0, tzinfo=UTC)  # Sunday 8 March, 20:00 in Seoul
    manager = Person(dispatcher, sessions, MANAGER, sunday)
    [text, chart] = await manager.says("/요약")
    assert "2월 23일 (월) – 3월 1일 (일)" in text.text
    next_week = text.text.split("다음 주")[1]
    assert next_week.startswith(" · 3월 9일 (월) – 3월 15일 (일)")
    assert "3월 9일 (월) 오전 10:00 희망키우기" in next_week and "3월 4일" not in next_week
    assert chart.text == "📈 프로그램별 출석률 (지난주)" and chart.photo is not None
    assert chart.photo.data.startswith(b"\x89PNG")
    async with sessions() as session:
        await queue_weekly_summaries(session=session, center_id=world.center_id, now=sunday)
        rows = (await session.exec(select(OutboundMessage).where(
            col(OutboundMessage.dedupe_key).endswith(":chart")))).all()
    monday_chart = next(row for row in rows if row.chat_id == MANAGER)
    assert base64.b64decode(monday_chart.payload["photo"]["data_b64"]) == chart.photo.data
    assert monday_chart.payload["text"] == chart.text


async def test_exports_by_message(person, sessions):
    worker = person(WORKER)
    [menu] = await worker.says("📤 내보내기")
    assert [b.label for row in menu.buttons for b in row] == ["📚 프로그램별 출석", "🗓 월별 출석"]
    [programs] = await worker.presses("📚 프로그램별 출석")
    assert worker.find_button("희망키우기") and not worker.find_button("과별회의")
    [document] = await worker.presses("희망키우기")
    assert document.document is not None and document.document.filename == "출석부-희망키우기-2026-03-04.xlsx"
    assert "22명" in document.text
    book = load_workbook(BytesIO(document.document.data))
    assert book.sheetnames == ["출석부", "출석 기록"] and book["출석부"].max_row == 2 + 22 + 3  # title, header, 22 people, the 결재란

    await worker.says("/내보내기")
    [months] = await worker.presses("🗓 월별 출석")
    assert [b.label for row in months.buttons for b in row][:3] == ["2026년 3월", "2026년 2월", "2026년 1월"]
    [monthly] = await worker.presses("2026년 3월")
    assert monthly.document.filename == "출석기록-2026-03.xlsx"
    rows = list(load_workbook(BytesIO(monthly.document.data))["출석 기록"].iter_rows(min_row=3))
    assert f"{len(rows)}건" in monthly.text

    for payload in ("exp:p:999999", "exp:p:abc", "exp:m:202613", "exp:m:2026", "exp:zz", "exp"):
        [reply] = await worker.presses(payload)
        assert reply.document is None and "지난 버튼" in reply.text, payload
    async with sessions() as session:
        basic = (await session.exec(select(Program).where(Program.short_name == "희망키우기"))).one()
        logs = (await session.exec(select(AccessLog).order_by(AccessLog.id))).all()
    assert [(log.action, log.subject, log.object_id) for log in logs] == [
        ("export", "attendance_export", basic.id), ("export", "attendance_export", 202603)]


async def test_managers_also_export_targets_from_the_menu(person):
    manager = person(MANAGER)
    await manager.says("📤 내보내기")
    [document] = await manager.presses("📊 목표 대비 성과")
    assert document.document is not None and "2026년 목표 대비 성과" in document.text
