"""The demo center (the 2016 business plan's programs, meetings and targets, with invented people): loading it
(``load``) and its content (``data``). It sits on top of the other packages and is used by the CLI and tests."""

from models.demo.data import PARTICIPANT_ID_BASE, PARTICIPANTS, PROGRAMS, STAFF, STAFF_ID_BASE, WORK_UNITS
from models.demo.load import DemoResult, has_people, load_demo
from models.reports.plan_targets import TARGETS

__all__ = [
    "PARTICIPANTS",
    "PARTICIPANT_ID_BASE",
    "PROGRAMS",
    "STAFF",
    "STAFF_ID_BASE",
    "TARGETS",
    "WORK_UNITS",
    "DemoResult",
    "has_people",
    "load_demo",
]
