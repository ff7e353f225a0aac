"""Composes the routers of every conversation module into the one routing table."""

from __future__ import annotations

from handlers import (
    casenotes,
    contact,
    enroll,
    exports,
    menu,
    my_attendance,
    notices,
    reminders,
    reports,
    rsvp,
    schedule,
    staff_admin,
    staff_attendance,
    staff_sessions,
    start,
    work,
    work_log,
)
from handlers.router import Router

MODULES = (start, menu, schedule, enroll, my_attendance, reminders, rsvp, contact, casenotes, notices, exports,
           reports, staff_attendance, staff_sessions, staff_admin, work, work_log)


def build_router() -> Router:
    """A fresh routing table holding every module's routes (later modules cannot shadow earlier ones)."""
    router = Router()
    for module in MODULES:
        part: Router = module.router
        for table_name in ("commands", "buttons", "flows", "words"):
            table = getattr(router, table_name)
            for key, route in getattr(part, table_name).items():
                if key in table:
                    raise ValueError(f"{module.__name__}: {table_name} {key!r} is registered twice")
                table[key] = route
        router.fallbacks.extend(part.fallbacks)
    return router
