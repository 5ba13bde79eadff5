"""The onboarding part of the demo: every enterprise of the district that has no login gets a
pending activation code, so that any of them can be walked through the loop (`demo_logins
--enterprise` prints one's code and link)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from hazardloop.accounts.models import User
from hazardloop.audit.choices import EventType
from hazardloop.audit.services import record_events
from hazardloop.core.demo import DemoContext, demo_step
from hazardloop.registry.demo import DISTRICT
from hazardloop.registry.models import Enterprise

from . import rules, services
from .models import ActivationCode

DEMO_REASON = "演示：未开通账号的企业"


@demo_step(99)
def build_activation_codes(ctx: DemoContext) -> None:
    """After the loop has run (its notices issued codes already): a live code for every other
    enterprise of the district without an account, in one insert and one audit append."""
    # The loop's notices queued their messages for after the demo's one commit; the reset
    # registered here runs after them, so they are skipped and later notices are sent again.
    services._QUIET["on"] = True
    transaction.on_commit(lambda: services._QUIET.update(on=False))
    now = timezone.now()
    accounts = User.objects.filter(services.account_filter(), enterprise=OuterRef("pk"))
    live = ActivationCode.objects.filter(enterprise=OuterRef("pk")).live(now)
    waiting = list(
        Enterprise.objects.filter(township__code__startswith=DISTRICT[0])
        .annotate(has_account=Exists(accounts), has_code=Exists(live))
        .filter(has_account=False, has_code=False)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    expires = now + dt.timedelta(days=services.code_days())
    codes = []
    for pk in waiting:
        text = rules.new_code()
        codes.append(
            ActivationCode(
                enterprise_id=pk,
                digest=services.digest(pk, text),
                code=text,
                issued_at=now,
                reason=DEMO_REASON,
                expires_at=expires,
            )
        )
    created = ActivationCode.objects.bulk_create(codes, batch_size=500)
    if created and created[0].pk is None:  # backends that do not return ids on bulk insert
        created = list(ActivationCode.objects.filter(reason=DEMO_REASON, issued_at=now))
    record_events(
        EventType.RECORD_CREATED,
        actor=None,
        items=[(code, {"enterprise": code.enterprise_id, "reason": DEMO_REASON}) for code in created],
    )
    total = ActivationCode.objects.live(now).count()
    ctx.log(f"  待激活企业 {total} 家（激活码见 demo_logins --enterprise）")
