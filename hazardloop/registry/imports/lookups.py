"""Reference lookups loaded once per import (townships, industries, providers), so that resolving
a cell is a dictionary read, not a query per row."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from .. import rules
from .cells import text
from .problems import CellError


@dataclass
class TownshipIndex:
    """Townships by 9-digit code (or the 12-digit form) and by name, with the importer's scope."""

    townships: list[Any]  # Region instances at township level
    in_scope: Callable[[Any], bool]
    by_code: dict[str, Any] = field(init=False)
    by_name: dict[str, list[Any]] = field(init=False)

    def __post_init__(self):
        self.by_code = {t.code: t for t in self.townships}
        self.by_name = {}
        for township in self.townships:
            self.by_name.setdefault(rules.normalise_text(township.name).replace(" ", ""), []).append(township)
        self._cache: dict[Any, Any] = {}

    def resolve(self, value: Any):
        # A district has a dozen townships and a file repeats them on every row.
        township = self._cache.get(value)
        if township is None:
            township = self._cache[value] = self._resolve(value)
        return township

    def _resolve(self, value: Any):
        raw = text(value)
        if not raw:
            return None  # a cell of spaces: the required check reports it
        first = raw.split(" ")[0]
        if first.isdigit():
            code = first[:9] if len(first) == 12 and first.endswith("000") else first
            township = self.by_code.get(code)
            if township is None:
                raise CellError(_("区划代码「{value}」不是已登记的乡镇街道。").format(value=first))
            candidates = [township]
        else:
            candidates = self.by_name.get(raw.replace(" ", ""), [])
            if not candidates:
                raise CellError(
                    _("「{value}」不是已登记的乡镇街道，请填写“可选值”表中的名称或9位区划代码。").format(
                        value=raw
                    )
                )
        allowed = [t for t in candidates if self.in_scope(t)]
        if not allowed:
            raise CellError(_("「{value}」不在您的辖区内，不能导入该乡镇街道的企业。").format(value=raw))
        if len(allowed) > 1:
            raise CellError(_("名称「{value}」对应多个乡镇街道，请改填9位区划代码。").format(value=raw))
        return allowed[0]


@dataclass
class IndustryIndex:
    """GB/T 4754 categories by code. A number cell has lost its leading zero (0610 → 610), so a
    code one digit short is tried with the zero put back when that is the only reading."""

    industries: dict[str, Any]
    _cache: dict[Any, Any] = field(default_factory=dict)

    def resolve(self, value: Any):
        industry = self._cache.get(value)
        if industry is None:
            industry = self._cache[value] = self._resolve(value)
        return industry

    def _resolve(self, value: Any):
        numeric = isinstance(value, int | float) and not isinstance(value, bool)
        raw = text(value)
        first = raw.split(" ")[0].upper() if raw else ""
        if not first:
            return None
        exact = self.industries.get(first)
        padded = self.industries.get("0" + first) if first.isdigit() and len(first) < 4 else None
        if exact is not None and padded is not None and numeric:
            raise CellError(
                _("行业代码「{value}」可能丢失了开头的0，请将此列设为“文本”后按4位代码填写。").format(
                    value=first
                )
            )
        industry = exact or padded
        if industry is None:
            raise CellError(
                _(
                    "行业代码「{value}」不在国民经济行业分类（GB/T 4754-2017）的已登记代码中，见“可选值”表。"
                ).format(value=first)
            )
        return industry


@dataclass
class ProviderIndex:
    """Providers the importer may import experts for, by name or credit code. `own` is the
    provider of a provider user: a blank cell means it, and no other provider is allowed."""

    providers: list[Any]  # visible providers
    own: Any | None = None

    def __post_init__(self):
        self.by_key = {}
        for provider in self.providers:
            self.by_key[rules.normalise_text(provider.name).replace(" ", "")] = provider
            self.by_key[provider.credit_code] = provider

    def resolve(self, value: Any):
        raw = text(value).replace(" ", "")
        if not raw:
            return None
        provider = self.by_key.get(raw) or self.by_key.get(rules.normalise_uscc(raw))
        if provider is None:
            if self.own is not None:
                raise CellError(_("只能导入本机构（{own}）的专家。").format(own=self.own.name))
            raise CellError(
                _("「{value}」不是已登记的服务机构，请填写机构全称或统一社会信用代码。").format(value=raw)
            )
        return provider
