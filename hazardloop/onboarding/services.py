"""The only writers of activation codes and of the enterprise accounts they open.

Decision 0060: a code is single-use, expires (ONBOARDING_CODE_DAYS), is checked by digest, and
wrong tries are limited per client address and per enterprise in the cache, so a refused try
writes nothing to the database."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.auth.password_validation import validate_password
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from hazardloop.accounts import ratelimit
from hazardloop.accounts.choices import Role
from hazardloop.accounts.models import User
from hazardloop.accounts.scoping import get_visible_or_404, require
from hazardloop.audit.choices import EventType
from hazardloop.audit.services import record_event
from hazardloop.core.errors import Conflict, ServiceError, raise_if
from hazardloop.registry.models import Enterprise

from . import rules
from .backends import Message, get_backend
from .models import ActivationCode

RATE_BUCKET = "activation"


class ActivationError(ServiceError):
    pass


class ActivationConflict(ActivationError, Conflict):
    pass


def code_days() -> int:
    return int(getattr(settings, "ONBOARDING_CODE_DAYS", 30))


def reuse_days() -> int:
    """A live code with at least this many days left is printed again rather than replaced, so
    that the notices an enterprise already holds keep a working code."""
    return int(getattr(settings, "ONBOARDING_REUSE_DAYS", 7))


def enterprise_tries() -> int:
    return int(getattr(settings, "ONBOARDING_TRIES_PER_ENTERPRISE", 5))


def digest(enterprise_id: int, code: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"onboarding:{enterprise_id}:{code}".encode(), hashlib.sha256).hexdigest()


def account_filter() -> Q:
    """Enterprise users someone can sign in as: active, with a usable password. A placeholder
    user with an unusable password (the demo's loop makes them) does not count as an account."""
    return Q(role=Role.ENTERPRISE, is_active=True) & ~Q(password__startswith=UNUSABLE_PASSWORD_PREFIX)


def has_account(enterprise: Enterprise) -> bool:
    return User.objects.filter(account_filter(), enterprise=enterprise).exists()


def activation_url(code: ActivationCode | None = None, *, absolute: bool = True) -> str:
    """The page the QR code opens, with the credit code and the code filled in."""
    path = reverse("onboarding:activate")
    if code is not None:
        path += "?" + urlencode({"c": code.enterprise.credit_code, "k": code.code})
    if not absolute:
        return path
    return getattr(settings, "SITE_URL", "http://127.0.0.1:8000").rstrip("/") + path


@dataclass(frozen=True)
class Issued:
    code: ActivationCode
    new: bool


def _ensure_code(enterprise: Enterprise, *, actor, reason: str, now: dt.datetime) -> Issued:
    live = (
        ActivationCode.objects.select_for_update()
        .filter(enterprise=enterprise)
        .live(now)
        .order_by("-expires_at")
    )
    current = live.first()
    if current is not None and current.expires_at - now >= dt.timedelta(days=reuse_days()):
        return Issued(current, False)
    live.update(revoked_at=now)
    text = rules.new_code()
    code = ActivationCode.objects.create(
        enterprise=enterprise,
        digest=digest(enterprise.pk, text),
        code=text,
        issued_at=now,
        issued_by=actor if getattr(actor, "is_authenticated", False) else None,
        reason=reason[:120],
        expires_at=now + dt.timedelta(days=code_days()),
    )
    record_event(
        EventType.RECORD_CREATED,
        actor=actor,
        target=code,
        data={"enterprise": enterprise.pk, "reason": reason, "expires_at": code.expires_at},
    )
    return Issued(code, True)


# Set by the demo for the rest of its transaction: the notices of its simulated year are not
# texted to anyone (hundreds of console lines at the end of `load_demo` would bury its report).
_QUIET = {"on": False}


def _send(code: ActivationCode) -> None:
    if _QUIET["on"]:
        return
    enterprise = code.enterprise
    text = _(
        "【隐患闭环】%(name)s：贵单位收到隐患整改通知，请用手机打开 %(url)s ，输入统一社会信用代码和"
        "激活码 %(code)s 开通企业账号，在线提交整改。激活码%(expires)s前有效，仅可使用一次。"
    ) % {
        "name": enterprise.name,
        "url": activation_url(),
        "code": rules.display_code(code.code),
        "expires": timezone.localtime(code.expires_at).strftime("%Y-%m-%d"),
    }
    message = Message(
        phone=rules.normalise_phone(enterprise.safety_contact_phone or ""),
        email="",
        subject=_("企业账号激活码"),
        text=text,
    )
    get_backend().send(message)


def code_for_notice(enterprise: Enterprise, *, actor, notice_number: str) -> ActivationCode | None:
    """Called by `hazards.services.issue_notice`, inside its transaction, for the notice's
    enterprise. Precondition: the caller has checked the actor's right over the hazard.

    Effects: when the enterprise has no account, a live code (the current one if it lasts
    another ONBOARDING_REUSE_DAYS, else a new one) to print on the notice, and the code sent to
    the enterprise's contact after commit. None when the enterprise already has an account."""
    if has_account(enterprise):
        return None
    issued = _ensure_code(
        enterprise, actor=actor, reason=_("整改通知书 %(n)s") % {"n": notice_number}, now=timezone.now()
    )
    transaction.on_commit(lambda: _send(issued.code))
    return issued.code


@transaction.atomic
def issue_activation_code(enterprise: Enterprise, *, actor, send: bool = True) -> ActivationCode:
    """An officer hands a code to an enterprise of their scope that has no account yet.

    Refused (403) without `onboarding.issue_code`; 404 out of scope; 409 when the enterprise
    already has an account. Effects: as `code_for_notice`; event RECORD_CREATED."""
    require(actor, "onboarding.issue_code", _("无权发放企业激活码。"))
    enterprise = get_visible_or_404(Enterprise.objects.all(), actor, pk=enterprise.pk)
    if has_account(enterprise):
        raise ActivationConflict(_("该企业已开通账号，无需激活码。"))
    issued = _ensure_code(enterprise, actor=actor, reason=_("工作人员发放"), now=timezone.now())
    if send:
        transaction.on_commit(lambda: _send(issued.code))
    return issued.code


def live_code_for(enterprise: Enterprise) -> ActivationCode | None:
    """The code a notice shows: read only, never issues one (a PDF is a GET)."""
    return ActivationCode.objects.filter(enterprise=enterprise).live().order_by("-expires_at").first()


# --- activation -------------------------------------------------------------------------------


def _enterprise_key(enterprise_id: int) -> str:
    return f"hl:onboarding:tries:{enterprise_id}"


def _count_failure(request, enterprise_id: int | None) -> None:
    if request is not None:
        ratelimit.record_failure(request, RATE_BUCKET)
    if enterprise_id is not None:
        key = _enterprise_key(enterprise_id)
        if not cache.add(key, 1, timeout=3600):
            try:
                cache.incr(key)
            except ValueError:
                cache.set(key, 1, timeout=3600)


def _refuse(message: str, field: str = "code", *, request=None, enterprise_id=None, defer=False):
    error = ActivationError(message, errors={field: [message]})
    if defer:
        # Inside the activation's transaction: counted once it has rolled back
        # (activate_enterprise). Without Redis the cache is a database table, and a count
        # written inside would roll back with it.
        error.pending_failure = (request, enterprise_id)
    else:
        _count_failure(request, enterprise_id)
    return error


def activate_enterprise(
    *,
    credit_code: str,
    code: str,
    phone: str,
    username: str,
    display_name: str,
    password: str,
    password_again: str,
    request=None,
) -> User:
    """The enterprise's safety manager opens the enterprise's account with a notice's code.

    Guard: fewer than the allowed wrong tries from this address and for this enterprise; the
    credit code names an enterprise whose live code matches; a mainland mobile number; a free
    user name; a password the policy accepts, typed twice. Refusals say which of these failed
    (a wrong code and an unknown credit code read the same) and write nothing to the database.
    Effects: an enterprise user scoped to that enterprise only; the code used up (any other
    live code of the enterprise withdrawn); event RECORD_CREATED with the masked phone."""
    if request is not None and (wait := ratelimit.retry_after(request, RATE_BUCKET)):
        raise ActivationError(_("尝试次数过多，请 %(n)s 秒后再试。") % {"n": wait})
    credit_code = "".join(str(credit_code or "").split()).upper()
    typed = rules.normalise_code(code)
    phone = rules.normalise_phone(phone)
    username = (username or "").strip()
    display_name = (display_name or "").strip()

    errors: dict[str, list[str]] = {}
    if not credit_code:
        errors.setdefault("credit_code", []).append(_("请填写统一社会信用代码。"))
    if not typed:
        errors.setdefault("code", []).append(_("请填写激活码。"))
    if not rules.is_mobile(phone):
        errors.setdefault("phone", []).append(_("请填写 11 位手机号码。"))
    if not display_name:
        errors.setdefault("display_name", []).append(_("请填写您的姓名。"))
    if not username:
        errors.setdefault("username", []).append(_("请填写登录用户名。"))
    elif User.objects.filter(username__iexact=username).exists():
        errors.setdefault("username", []).append(_("该用户名已被使用，请换一个。"))
    if password != password_again:
        errors.setdefault("password_again", []).append(_("两次输入的密码不一致。"))
    raise_if(errors, kind=ActivationError)

    enterprise = Enterprise.objects.filter(credit_code=credit_code).first()
    wrong = _("统一社会信用代码或激活码不正确。")
    if enterprise is None:
        raise _refuse(wrong, request=request)
    if (cache.get(_enterprise_key(enterprise.pk)) or 0) >= enterprise_tries():
        raise ActivationError(_("该企业的激活码输错次数过多，请一小时后再试，或联系发放激活码的单位。"))

    user = User(
        username=username,
        role=Role.ENTERPRISE,
        enterprise=enterprise,
        display_name=display_name,
        phone=phone,
    )
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ActivationError(exc.messages[0], errors={"password": list(exc.messages)}) from exc

    try:
        with transaction.atomic():
            found = (
                ActivationCode.objects.select_for_update()
                .filter(enterprise=enterprise, digest=digest(enterprise.pk, typed))
                .first()
            )
            now = timezone.now()
            if found is None:
                raise _refuse(wrong, request=request, enterprise_id=enterprise.pk, defer=True)
            if found.used_at is not None:
                raise _refuse(
                    _("该激活码已使用过。企业账号已开通的，请直接登录。"), request=request, defer=True
                )
            if found.revoked_at is not None:
                raise _refuse(
                    _("该激活码已作废，请使用最新整改通知书或短信中的激活码。"), request=request, defer=True
                )
            if found.expires_at <= now:
                raise _refuse(
                    _("该激活码已过期，请联系发放通知书的单位重新发放。"), request=request, defer=True
                )
            if has_account(enterprise):
                raise ActivationConflict(_("该企业已开通账号，请直接登录。"))
            user.set_password(password)
            user.full_clean()
            user.save()
            found.used_at = now
            found.used_by = user
            found.save(update_fields=["used_at", "used_by"])
            ActivationCode.objects.filter(enterprise=enterprise).live(now).update(revoked_at=now)
            record_event(
                EventType.RECORD_CREATED,
                actor=user,
                target=user,
                data={
                    "enterprise": enterprise.pk,
                    "activation_code": found.pk,
                    "phone": rules.mask_phone(phone),
                },
                request=request,
            )
    except ActivationError as exc:
        if getattr(exc, "pending_failure", None):
            _count_failure(*exc.pending_failure)
        raise
    return user
