"""API tokens with an end: issue, list, revoke, and the authentication class that checks them.

A token is refused when it was revoked (by its user or an administrator), when its lifetime
(API_TOKEN_LIFETIME_DAYS) has run out, when the user's password changed after it was issued or
has expired, and when the account is deactivated. The password and account checks are made on
every request from the user row itself, so they hold however the change was made (page, admin,
shell); the revocations written beside them keep the token list truthful."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from hazardloop.audit.choices import EventType
from hazardloop.audit.services import record_event
from hazardloop.core import access
from hazardloop.core.errors import ServiceError

from .models import ApiToken, TokenEndReason
from .passwords import password_expired

# last_used_at is written at most this often per token: a busy integration must not turn
# every read into a write.
LAST_USED_RESOLUTION = timedelta(minutes=5)


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def lifetime() -> timedelta:
    return timedelta(days=max(1, int(getattr(settings, "API_TOKEN_LIFETIME_DAYS", 30))))


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    key: str  # shown once; only its digest is stored


def issue_token(user, *, name: str = "", request=None, now=None) -> IssuedToken:
    """A new token for `user` (who has just proved who they are). Beyond API_TOKEN_MAX_PER_USER
    live tokens the oldest are revoked, so a script that asks for a token per run cannot pile
    up thousands of live keys."""
    now = now or timezone.now()
    key = secrets.token_hex(20)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=(name or "")[:64],
            digest=digest(key),
            prefix=key[:8],
            created_at=now,
            expires_at=now + lifetime(),
        )
        cap = max(1, int(getattr(settings, "API_TOKEN_MAX_PER_USER", 10)))
        live = ApiToken.objects.filter(user=user, revoked_at__isnull=True, expires_at__gt=now)
        surplus = list(live.order_by("-created_at", "-pk").values_list("pk", flat=True)[cap:])
        if surplus:
            ApiToken.objects.filter(pk__in=surplus).update(
                revoked_at=now, revoked_reason=TokenEndReason.SUPERSEDED
            )
        record_event(
            EventType.TOKEN_ISSUED,
            actor=user,
            target=token,
            data={"prefix": token.prefix, "expires_at": token.expires_at, "superseded": len(surplus)},
            request=request,
        )
    return IssuedToken(token=token, key=key)


class TokenError(ServiceError):
    pass


def visible_tokens(user):
    return access.scope(ApiToken.objects.select_related("user", "revoked_by"), user)


def revoke_token(actor, token_id, *, request=None) -> ApiToken:
    """End one token now. Its user may; an administrator may end anybody's. Revoking a token
    that already ended changes nothing and is not an error (two clicks, two tabs)."""
    with transaction.atomic():
        token = access.get_visible_or_404(
            ApiToken.objects.select_for_update(), actor, pk=token_id, message=_("令牌不存在。")
        )
        access.require_may(actor, "accounts.revoke_token", token, message=_("无权撤销该令牌。"))
        if token.revoked_at is not None:
            return token
        token.revoked_at = timezone.now()
        token.revoked_reason = TokenEndReason.USER if token.user_id == actor.pk else TokenEndReason.ADMIN
        token.revoked_by = actor
        token.save(update_fields=["revoked_at", "revoked_reason", "revoked_by"])
        record_event(
            EventType.TOKEN_REVOKED,
            actor=actor,
            target=token,
            data={"prefix": token.prefix, "reason": token.revoked_reason, "user": token.user_id},
            request=request,
        )
    return token


def revoke_all(user, reason: str, *, actor=None, request=None) -> int:
    """End every live token of `user` (password changed, account deactivated, 'sign out
    everywhere'). Returns how many were ended."""
    now = timezone.now()
    with transaction.atomic():
        count = ApiToken.objects.filter(user=user, revoked_at__isnull=True, expires_at__gt=now).update(
            revoked_at=now, revoked_reason=reason, revoked_by=actor
        )
        if count:
            record_event(
                EventType.TOKEN_REVOKED,
                actor=actor,
                target=user,
                data={"reason": reason, "count": count},
                request=request,
            )
    return count


def status_label(token: ApiToken, now=None) -> str:
    now = now or timezone.now()
    if token.revoked_at is not None:
        return TokenEndReason(token.revoked_reason).label if token.revoked_reason else _("已撤销")
    if token.expires_at <= now:
        return TokenEndReason.EXPIRED.label
    if token.created_at < token.user.password_changed_at:
        return TokenEndReason.PASSWORD_CHANGED.label
    if not token.user.is_active:
        return TokenEndReason.DEACTIVATED.label
    return _("有效")


def on_user_saved(sender, instance, created, **kwargs):
    """Password changed or account deactivated: every live token of that user ends now."""
    password_was_set = getattr(instance, "_password_was_set", False)
    instance._password_was_set = False  # once per set_password, not on every later save
    if created:
        return
    if password_was_set:
        revoke_all(instance, TokenEndReason.PASSWORD_CHANGED)
    if not instance.is_active:
        revoke_all(instance, TokenEndReason.DEACTIVATED)


class ExpiringTokenAuthentication(TokenAuthentication):
    """`Authorization: Token <key>` looked up by digest, with every end checked."""

    def authenticate_credentials(self, key):
        now = timezone.now()
        token = ApiToken.objects.select_related("user").filter(digest=digest(key)).first()
        if token is None:
            raise exceptions.AuthenticationFailed(_("令牌无效。"))
        user = token.user
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed(
                _("令牌已撤销（%(reason)s），请重新获取。") % {"reason": status_label(token, now)}
            )
        if token.expires_at <= now:
            raise exceptions.AuthenticationFailed(_("令牌已到期，请重新获取。"))
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("账号已停用。"))
        if token.created_at < user.password_changed_at:
            raise exceptions.AuthenticationFailed(_("签发该令牌后密码已修改，令牌已失效，请重新获取。"))
        if password_expired(user, now=now):
            revoke_all(user, TokenEndReason.PASSWORD_EXPIRED)
            raise exceptions.AuthenticationFailed(_("密码已过期，令牌已失效，请先登录系统修改密码。"))
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return (user, token)
