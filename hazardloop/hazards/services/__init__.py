"""The only writers of the closed loop. Pages, API, commands and tasks call these.

Every service that acts on a hazard has the same shape (CONVENTIONS.md rule 4):

1. lock the hazard row (`select_for_update`);
2. scope: a hazard the actor may not see is `HazardNotFound` (a 404), whether it exists or not;
3. capability: a role that may not do this is refused (`core.access.require`, a 403); a row-level
   rule of `hazards/access.py` likewise, through `core.access.require_may`;
4. concurrency: `version` is the version the actor saw; any other → `HazardConflict`;
5. guard: state and data; a refusal raises `HazardError` with a Chinese message;
6. the transition declared on the model, a timeline event and an audit row (event type 300),
   all in one transaction — a refusal at any step leaves nothing changed;
7. inbox notifications are written in the same transaction, their e-mails sent on commit.

`version` grows with every user action. Bookkeeping marks (the meeting's feedback milestone and
the deadline scan's overdue and reminder flags) leave it alone, so that they never make a user's
open form stale.

The package is split by stage of the loop (`_core` holds the common steps); this module
re-exports every public name so that `from hazardloop.hazards import services;
services.issue_notice(...)` reads as before. Other apps call through this module, so a test that
replaces a service replaces it here.
"""

from .config import add_working_days, default_deadline, feedback_gate_general, time_limits, workday_overrides
from .deadlines import ScanResult, scan_deadlines
from .enforce import conclude_enforcement, start_enforcement
from .errors import HazardConflict, HazardError, HazardNotFound, HazardPermissionDenied
from .extension import decide_extension, request_extension
from .feedback import mark_fed_back
from .major import accept_rectification, confirm_major, grade_general, list_major, regrade
from .notice import issue_notice
from .notify import mark_notification_read, notify, party_users
from .overturn import overturn_hazard
from .plan import PLAN_ELEMENT_LABELS, approve_plan, reject_plan, submit_plan
from .rectify import submit_rectification
from .register import OnTheSpotFix, close_on_the_spot, register_hazard
from .reinspect import record_reinspection
from .resume import apply_resumption, review_resumption
from .route import find_route, reassign_hazard, route_hazard

__all__ = [
    "PLAN_ELEMENT_LABELS",
    "accept_rectification",
    "confirm_major",
    "grade_general",
    "list_major",
    "regrade",
    "HazardConflict",
    "HazardError",
    "HazardNotFound",
    "HazardPermissionDenied",
    "OnTheSpotFix",
    "ScanResult",
    "add_working_days",
    "apply_resumption",
    "approve_plan",
    "close_on_the_spot",
    "conclude_enforcement",
    "decide_extension",
    "default_deadline",
    "feedback_gate_general",
    "find_route",
    "issue_notice",
    "mark_fed_back",
    "mark_notification_read",
    "notify",
    "overturn_hazard",
    "party_users",
    "reassign_hazard",
    "record_reinspection",
    "register_hazard",
    "reject_plan",
    "request_extension",
    "review_resumption",
    "route_hazard",
    "scan_deadlines",
    "start_enforcement",
    "submit_plan",
    "submit_rectification",
    "time_limits",
    "workday_overrides",
]
