"""The weekly summary job: text and chart to every manager, in their language, once per week."""

from __future__ import annotations

import base64
import io

from PIL import Image
from sqlalchemy import update
from sqlmodel import col, select

from locales import use_locale
from models import demo
from models.reports import summary_chart
from models.reports.summary import build_weekly_summary, render_weekly_summary
from models.reports.weekly_summary import queue_weekly_summaries, week_label
from models.tables import Role, Staff
from tests.support.scheduling import kst, outbox_rows


async def test_managers_get_last_weeks_summary_and_chart_in_their_language(session, now):
    loaded = await demo.load_demo(session=session, now=now)
    managers = (await session.exec(select(Staff).where(Staff.role == Role.manager).order_by(col(Staff.id)))).all()
    assert len(managers) == 2
    await session.exec(update(Staff).where(col(Staff.id) == managers[1].id).values(locale="en"))
    await session.commit()
    monday = kst(2026, 3, 9, 8, 30)  # the week before: Monday 2 – Sunday 8 March, around the demo's "now"

    result = await queue_weekly_summaries(session=session, center_id=loaded.center_id, now=monday)
    assert (result.week, result.managers, result.messages, result.chart) == ("2026-W10", 2, 4, True)
    rows = {r.dedupe_key: r for r in await outbox_rows(session, kind="summary")}
    korean, english = managers
    assert set(rows) == {f"summary:2026-W10:{korean.id}", f"summary:2026-W10:{korean.id}:chart",
                         f"summary:2026-W10:{english.id}", f"summary:2026-W10:{english.id}:chart"}
    text = rows[f"summary:2026-W10:{korean.id}"]
    assert text.chat_id == korean.telegram_user_id and text.payload["html"] is True
    assert text.due_at == monday and text.staff_id == korean.id
    built = await build_weekly_summary(session=session, center_id=loaded.center_id, week_start=kst(2026, 3, 2).date(),
                                       now=monday)
    assert built.sessions_held > 0 and built.attendance  # the demo has a week of classes behind it
    with use_locale("ko"):
        assert text.payload["text"] == render_weekly_summary(built)
    assert "Weekly summary" in rows[f"summary:2026-W10:{english.id}"].payload["text"]
    assert len(text.payload["text"]) <= 4096

    chart = rows[f"summary:2026-W10:{korean.id}:chart"]
    photo = chart.payload["photo"]
    assert photo["mime_type"] == "image/png" and photo["filename"] == "attendance-2026-W10.png"
    png = base64.b64decode(photo["data_b64"])
    assert png.startswith(summary_chart.PNG_SIGNATURE)
    Image.open(io.BytesIO(png)).verify()
    assert "출석률" in chart.payload["text"] and len(chart.payload["text"]) <= 1024
    assert "Attendance rate" in rows[f"summary:2026-W10:{english.id}:chart"].payload["text"]

    again = await queue_weekly_summaries(session=session, center_id=loaded.center_id, now=kst(2026, 3, 9, 9))
    assert again.messages == 0  # the same week is never sent twice


async def test_only_active_managers_on_telegram(session, center, now):
    session.add_all([
        Staff(center_id=center.id, name="실무자", role=Role.staff, telegram_user_id=1),
        Staff(center_id=center.id, name="전 센터장", role=Role.manager, telegram_user_id=2, active=False),
        Staff(center_id=center.id, name="미연결 센터장", role=Role.manager, telegram_user_id=None),
    ])
    await session.commit()
    result = await queue_weekly_summaries(session=session, center_id=center.id, now=kst(2026, 3, 9, 8, 30))
    assert (result.managers, result.messages) == (0, 0)
    assert await outbox_rows(session) == []


def test_week_labels_follow_iso_weeks():
    assert week_label(kst(2026, 3, 2).date()) == "2026-W10"
    assert week_label(kst(2026, 12, 28).date()) == "2026-W53"
    assert week_label(kst(2027, 1, 4).date()) == "2027-W01"
