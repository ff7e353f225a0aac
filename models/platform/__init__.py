"""What every feature stands on, and nothing feature-specific (the bottom of ``models/``): domain errors,
typed-field checks, public holidays, dates typed by people, the 주민등록번호 refusal, the scheduler lease,
processed update ids and updates kept aside as unreadable, retention and the health report.

The use cases, re-exported here, own their transaction: each commits (or rolls back) before it returns. The steps
run inside the caller's: ``updates.receive_update`` / ``updates.finish_update`` record an update id in the same
transaction as the handler's effect.
"""

from models.platform.dead_letters import dead_letter_count, record_dead_letter
from models.platform.health import health_report
from models.platform.retention import apply_retention
from models.platform.scheduler_lock import acquire_lease, lease_holder, release_lease, renew_lease
from models.platform.updates import already_handled, forget_old_updates

__all__ = [
    "acquire_lease",
    "apply_retention",
    "already_handled",
    "dead_letter_count",
    "forget_old_updates",
    "health_report",
    "record_dead_letter",
    "lease_holder",
    "release_lease",
    "renew_lease",
]
