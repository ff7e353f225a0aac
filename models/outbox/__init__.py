"""Everything that goes out that is not a direct reply: queuing (``outbox``), alerts to a participant's staff,
notices, and the sender's side of the table (``delivery``: claim, settle, recover).

The use cases, re-exported here, own their transaction: each commits (or rolls back) before it returns.
Steps that other use cases call inside their own transaction (they never commit): ``outbox.enqueue``,
``outbox.withdraw``, ``outbox.revive``, ``staff_alerts.tell_staff``, ``staff_alerts.tell_case_worker``.
"""

from models.outbox.delivery import (
    claim,
    delivery_counts,
    due_messages,
    expire_overdue,
    mark_blocked,
    mark_failed,
    mark_sent,
    mark_unreachable,
    next_due_at,
    record_progress,
    recover_interrupted,
    release_for_retry_after,
    retry_later,
)
from models.outbox.notices import (
    audience_choices,
    cancel_scheduled_notice,
    discard_draft,
    draft_notice,
    notice_delivery,
    notice_preview,
    queue_notice,
    sent_notices,
    set_notice_audience,
)

__all__ = [
    "audience_choices",
    "cancel_scheduled_notice",
    "claim",
    "delivery_counts",
    "discard_draft",
    "draft_notice",
    "due_messages",
    "expire_overdue",
    "mark_blocked",
    "mark_failed",
    "mark_sent",
    "mark_unreachable",
    "next_due_at",
    "notice_delivery",
    "notice_preview",
    "queue_notice",
    "record_progress",
    "recover_interrupted",
    "release_for_retry_after",
    "retry_later",
    "sent_notices",
    "set_notice_audience",
]
