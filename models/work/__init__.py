"""자활근로 (work units at work): the use cases, one module each.

* ``schedules``  — a unit's working days, hours and break; a person's own hours and dates; a day's plan
* ``checkin``    — 🟢 출근 / 🔴 퇴근 in one tap; the forgotten 퇴근: one reminder, then a flag to the worker
* ``leader``     — the unit leader (반장): roster and marks; the role matrix; the corrections log
* ``leave``      — the center's leave kinds; requests, approval by a worker, the participant told
* ``month``      — the month's person-days (출근부 data) and the neutral CSV
* ``worksheet``  — the 출근부 as XLSX (imports openpyxl: import it only when exporting)
* ``placements`` — placement history (사업단 전환) and the targets line that counts it
* ``demo``       — the demo center's 자전거 schedule, leave kinds and 반장 (used by ``services.demo``)
"""

from models.work import checkin, leader, leave, month, placements, schedules

__all__ = ["checkin", "leader", "leave", "month", "placements", "schedules"]
