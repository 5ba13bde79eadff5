"""Typed inputs of the registry services, shared by forms, the API, imports and the demo.

Kept apart from `services` so that `imports` can build them without importing the services
(which import `imports`): the dependency runs one way, services → imports → types → rules."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from . import rules

if TYPE_CHECKING:
    from .models import Industry, Region


@dataclass
class EnterpriseData:
    """The fields a clerk gives for an enterprise, after normalisation."""

    name: str
    credit_code: str
    township: Region
    industry: Industry
    employees: int = 0
    revenue_10k: int = 0
    hazchem_licence: bool = False
    dust_explosion: bool = False
    ammonia_refrigeration: bool = False
    confined_space: bool = False
    molten_metal: bool = False
    high_risk_override: bool | None = None
    address: str = ""
    longitude: object = None
    latitude: object = None
    legal_representative: str = ""
    principal: str = ""
    safety_contact: str = ""
    safety_contact_phone: str = ""
    established: object = None
    status: str = "active"

    def derived(self) -> dict:
        """Size and the effective high-risk flag follow from the data (the override wins)."""
        size = rules.enterprise_size(self.industry.code, self.employees, self.revenue_10k)
        computed = rules.is_high_risk(
            self.industry.code,
            hazchem_licence=self.hazchem_licence,
            dust_explosion=self.dust_explosion,
            ammonia_refrigeration=self.ammonia_refrigeration,
            molten_metal=self.molten_metal,
            confined_space=self.confined_space,
        )
        high_risk = computed if self.high_risk_override is None else self.high_risk_override
        return {"size": size.value, "high_risk": high_risk}

    @classmethod
    def from_record(cls, enterprise) -> EnterpriseData:
        """The stored values of `enterprise`, as the input that would write them again."""
        return cls(**{name: getattr(enterprise, name) for name in cls.__dataclass_fields__})

    def field_values(self) -> dict:
        values = {k: getattr(self, k) for k in self.__dataclass_fields__}
        values.update(self.derived())
        return values
