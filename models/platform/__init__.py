"""What every feature stands on, and nothing feature-specific (the bottom of ``models/``): domain errors,
typed-field checks, public holidays, dates typed by people, the 주민등록번호 refusal, the scheduler lease,
processed update ids, retention and the health report.

The use cases, re-exported here, own their transaction: each commits (or rolls back) before it returns.
"""

from models.platform.health import health_report
from models.platform.retention import apply_retention
from models.platform.scheduler_lock import acquire_lease, lease_holder, release_lease, renew_lease
from models.platform.updates import claim_update, forget_old_updates

__all__ = [
    "acquire_lease",
    "apply_retention",
    "claim_update",
    "forget_old_updates",
    "health_report",
    "lease_holder",
    "release_lease",
    "renew_lease",
]
