"""What managers read: the weekly summary (text and chart), targets against achievement and their
administration, exports, and staff's morning digests.

The use cases, re-exported here, own their transaction: each commits (or rolls back) before it returns.
"""

from models.reports.digests import build_digest, queue_daily_digests
from models.reports.exports import (
    export_month_attendance,
    export_program_attendance,
    export_targets,
    exportable_programs,
)
from models.reports.summary import build_weekly_summary
from models.reports.summary_chart import attendance_trend
from models.reports.target_admin import copy_targets, remove_target, set_target, target_table
from models.reports.targets import measure_targets, program_progress, risk_grade_counts, target_report
from models.reports.weekly_summary import queue_weekly_summaries

__all__ = [
    "attendance_trend",
    "build_digest",
    "build_weekly_summary",
    "copy_targets",
    "export_month_attendance",
    "export_program_attendance",
    "export_targets",
    "exportable_programs",
    "measure_targets",
    "program_progress",
    "queue_daily_digests",
    "queue_weekly_summaries",
    "remove_target",
    "risk_grade_counts",
    "set_target",
    "target_report",
    "target_table",
]
