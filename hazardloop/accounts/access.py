"""Who may see and end API tokens: everyone their own; the system administrator anybody's
(a lost laptop, a leaver, an integration that misbehaves)."""

from hazardloop.accounts.choices import Role

CAPABILITIES = {"accounts.manage_all_tokens": {Role.ADMIN}}


def _tokens(qs, user):
    if user.role == Role.ADMIN:
        return qs
    return qs.filter(user=user)


def _may_revoke(user, token) -> bool:
    return user.role == Role.ADMIN or token.user_id == user.pk


SCOPERS = {"accounts.apitoken": _tokens}
PREDICATES = {"accounts.revoke_token": _may_revoke}
