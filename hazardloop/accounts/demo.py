"""The accounts part of the demo: a user for every role, all with one shared password.

Demo users carry an e-mail address under DEMO_EMAIL_DOMAIN (an RFC 2606 `.invalid` name that
can never receive mail); that is how `demo_logins` tells them from real accounts.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.db.models import Q

from hazardloop.core.demo import DemoContext, demo_step
from hazardloop.registry.demo import (
    DISTRICT,
    LONGAN_TOWNSHIPS,
    MEMBER_UNITS,
    PROVIDERS,
    PROVINCE,
    SURNAMES,
    person_name,
)
from hazardloop.registry.models import Enterprise, Expert, MemberUnit, Provider, Region

from . import two_factor
from .choices import Role
from .models import User

DEMO_PASSWORD = "Demo@2026hl"
# The demo's bureau and administrator logins share one published TOTP secret (20 bytes, hex),
# so that `make run` works with two-factor login on; demo_logins prints it and the current code.
DEMO_TOTP_KEY = "48617a6172644c6f6f702d44656d6f2d32303236"
DEMO_TOTP_ROLES = (Role.BUREAU, Role.ADMIN)
DEMO_EMAIL_DOMAIN = "demo.hazardloop.invalid"
EXPERT_USERS_PER_PROVIDER = 2

# The enterprise users: one per family that the inspections will visit most, each the first
# working enterprise (by credit code) of that industry prefix under a contract.
ENTERPRISE_USER_PREFIXES = ("06", "26", "31", "34", "17", "5265")

_PINYIN = dict(SURNAMES)


@dataclass
class Planned:
    username: str
    role: Role
    display_name: str
    links: dict


def demo_users_filter() -> Q:
    return Q(email__endswith=f"@{DEMO_EMAIL_DOMAIN}")


def plan_users(ctx: DemoContext, rng) -> list[Planned]:
    district = Region.objects.get(code=DISTRICT[0])
    planned = [
        Planned("admin", Role.ADMIN, "系统管理员", {}),
        Planned("bureau", Role.BUREAU, person_name(rng), {"region": district}),
        Planned("leader", Role.LEADER, person_name(rng), {"region": district}),
    ]
    if ctx.synthetic:
        # A provincial officer: the only demo login that sees the whole synthetic slice.
        province = Region.objects.get(code=PROVINCE[0])
        planned.append(Planned("province", Role.BUREAU, person_name(rng), {"region": province}))
    units = {u.name: u for u in MemberUnit.objects.filter(district=district)}
    for spec in MEMBER_UNITS:
        planned.append(
            Planned(spec.slug, Role.MEMBER_UNIT, person_name(rng), {"member_unit": units[spec.name]})
        )
    for spec in LONGAN_TOWNSHIPS:
        township = Region.objects.get(code=spec.code)
        planned.append(
            Planned(f"township_{spec.slug}", Role.TOWNSHIP, person_name(rng), {"region": township})
        )
    taken: set[str] = set()
    for spec in PROVIDERS:
        provider = Provider.objects.get(name=spec.name)
        planned.append(
            Planned(f"provider_{spec.slug}", Role.PROVIDER, person_name(rng), {"provider": provider})
        )
        experts = Expert.objects.filter(provider=provider, active=True).order_by("id")
        for expert in experts[:EXPERT_USERS_PER_PROVIDER]:
            base = f"expert_{_PINYIN.get(expert.name[0], 'x')}"
            username, n = base, 1
            while username in taken:
                n += 1
                username = f"{base}{n}"
            taken.add(username)
            planned.append(Planned(username, Role.EXPERT, expert.name, {"expert": expert}))
    covered = Enterprise.objects.filter(
        township__code__startswith=DISTRICT[0], contracts__isnull=False, status="active"
    )
    for n, prefix in enumerate(ENTERPRISE_USER_PREFIXES, start=1):
        enterprise = covered.filter(industry__code__startswith=prefix).order_by("credit_code").first()
        if enterprise is not None:
            planned.append(
                Planned(
                    f"enterprise_{n}", Role.ENTERPRISE, enterprise.safety_contact, {"enterprise": enterprise}
                )
            )
    return planned


@demo_step(30)
def build_users(ctx: DemoContext) -> None:
    """Every role's demo login. Usernames that already exist are left alone."""
    rng = ctx.rng("accounts")
    planned = plan_users(ctx, rng)
    existing = set(
        User.objects.filter(username__in=[p.username for p in planned]).values_list("username", flat=True)
    )
    # One hash for all: each costs a third of a second with the production hasher, and the
    # demo password is shared anyway.
    hashed = make_password(DEMO_PASSWORD)
    created = 0
    for item in planned:
        if item.username in existing:
            continue
        user = User(
            username=item.username,
            role=item.role,
            display_name=item.display_name,
            email=f"{item.username}@{DEMO_EMAIL_DOMAIN}",
            is_staff=item.role == Role.ADMIN,
            is_superuser=item.role == Role.ADMIN,
            **item.links,
        )
        validate_password(DEMO_PASSWORD, user)
        user.password = hashed
        user.full_clean()
        user.save()
        if item.role in DEMO_TOTP_ROLES:
            two_factor.give_device(user, key_hex=DEMO_TOTP_KEY)
        created += 1
    ctx.log(f"  演示账号 {created} 个（共用密码见 demo_logins）")
