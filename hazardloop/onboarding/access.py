"""Who may hand out activation codes. Activating needs no login: the code is the credential."""

from hazardloop.accounts.choices import Role

# Government users who meet enterprises: they can print or send a code for an enterprise in
# their scope that has no account yet (the notice carries one automatically).
CAPABILITIES = {
    "onboarding.issue_code": {Role.ADMIN, Role.BUREAU, Role.MEMBER_UNIT, Role.TOWNSHIP},
}


def _scope_codes(qs, user):
    from hazardloop.accounts.scoping import scope
    from hazardloop.registry.models import Enterprise

    if user.role not in CAPABILITIES["onboarding.issue_code"]:
        return qs.none()
    return qs.filter(enterprise_id__in=scope(Enterprise.objects.all(), user).values("pk"))


SCOPERS = {"onboarding.activationcode": _scope_codes}
