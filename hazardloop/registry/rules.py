"""Pure registry rules: identifiers, size classes and team sizes. No ORM here.

Sources (see ../shared/domain.md):
- 统一社会信用代码, GB 32100-2015: charset, weights 3^(i-1) mod 31, check C = (31 - S mod 31) mod 31.
- 组织机构代码, GB 11714: weights 3,7,9,10,5,8,4,2, C = 11 - S mod 11 (10 -> X, 11 -> 0).
- Size classes, 国统字〔2017〕213号 (industry and wholesale thresholds).
- Experts per visit from the Longan case study: ordinary >= 2, large/medium >= 3, high-risk 3-5.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext as _

USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_VALUES = {ch: i for i, ch in enumerate(USCC_CHARSET)}
USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))  # 1,3,9,27,19,26,16,17,20,29,25,13,8,24,10,30,28

ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
ORG_CODE_CHARSET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

# Meanings of positions 1 and 2 (GB 32100 annex); used only to explain a code, never to reject one.
USCC_AUTHORITIES = {"1": "机构编制", "5": "民政", "9": "市场监管", "Y": "其他"}
USCC_ENTITY_TYPES = {
    "9": {"1": "企业", "2": "个体工商户", "3": "农民专业合作社"},
    "1": {"1": "机关", "2": "事业单位", "3": "群团组织", "9": "其他"},
    "5": {"1": "社会团体", "2": "民办非企业单位", "3": "基金会", "9": "其他"},
}


def normalise_text(value: object) -> str:
    """What a clerk typed, as the system stores it: NFKC folds full-width letters, digits and
    spaces to half-width; inner runs of white space collapse; ends are trimmed."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFKC", str(value))
    return " ".join(text.split())


def normalise_uscc(value: object) -> str:
    """Trim, fold full-width to half-width, drop inner spaces and hyphens, upper-case."""
    text = normalise_text(value).replace(" ", "").replace("-", "")
    return text.upper()


def uscc_check_character(first17: str) -> str:
    """The 18th character for the first 17 (which must already be in the charset)."""
    total = sum(USCC_VALUES[ch] * weight for ch, weight in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_CHARSET[(31 - total % 31) % 31]


class USCCError(StrEnum):
    LENGTH = "length"
    CHARACTER = "character"
    CHECK = "check"


def uscc_problem(code: str) -> USCCError | None:
    """None when `code` (already normalised) is a valid 统一社会信用代码, else what is wrong."""
    if len(code) != 18:
        return USCCError.LENGTH
    if any(ch not in USCC_VALUES for ch in code):
        return USCCError.CHARACTER
    if uscc_check_character(code[:17]) != code[17]:
        return USCCError.CHECK
    return None


def is_valid_uscc(value: object) -> bool:
    return uscc_problem(normalise_uscc(value)) is None


# Messages for a clerk (translated when shown); the check itself stays above, free of wording.
USCC_MESSAGES = {
    USCCError.LENGTH: "统一社会信用代码应为18位，实际为{n}位。",
    USCCError.CHARACTER: "统一社会信用代码含有不允许的字符（不使用I、O、S、V、Z）。",
    USCCError.CHECK: "统一社会信用代码校验位错误（第18位应为{expected}）。",
}


def credit_code_error(code: str) -> str | None:
    """A Chinese message for what is wrong with an already normalised code, or None."""
    problem = uscc_problem(code)
    if problem is None:
        return None
    expected = uscc_check_character(code[:17]) if problem == USCCError.CHECK else ""
    return _(USCC_MESSAGES[problem]).format(n=len(code), expected=expected)


def org_code_check_character(first8: str) -> str:
    """GB 11714 check character for the 8-character body of an organisation code."""
    total = sum(ORG_CODE_CHARSET.index(ch) * w for ch, w in zip(first8, ORG_CODE_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def make_uscc(authority: str, entity_type: str, division: str, org_body: str) -> str:
    """Build a valid code from its parts (demo data and tests): the inner organisation code gets
    its own GB 11714 check character, then the whole its GB 32100 one."""
    inner = org_body + org_code_check_character(org_body)
    first17 = f"{authority}{entity_type}{division}{inner}"
    return first17 + uscc_check_character(first17)


# --- enterprise size (国统字〔2017〕213号) -------------------------------------------------------


class SizeClass(StrEnum):
    LARGE = "large"
    MEDIUM = "medium"
    SMALL = "small"
    MICRO = "micro"


@dataclass(frozen=True)
class SizeThreshold:
    size: SizeClass
    min_employees: int
    min_revenue_10k: int  # revenue in units of ¥10,000


INDUSTRY_THRESHOLDS = (
    SizeThreshold(SizeClass.LARGE, 1000, 40000),
    SizeThreshold(SizeClass.MEDIUM, 300, 2000),
    SizeThreshold(SizeClass.SMALL, 20, 300),
)
WHOLESALE_THRESHOLDS = (
    SizeThreshold(SizeClass.LARGE, 200, 40000),
    SizeThreshold(SizeClass.MEDIUM, 20, 5000),
    SizeThreshold(SizeClass.SMALL, 5, 1000),
)


def size_class(employees: int, revenue_10k: int, *, wholesale: bool = False) -> SizeClass:
    """A class needs both lower bounds; an enterprise that misses either drops a tier and is
    tested again, ending at micro."""
    for threshold in WHOLESALE_THRESHOLDS if wholesale else INDUSTRY_THRESHOLDS:
        if employees >= threshold.min_employees and revenue_10k >= threshold.min_revenue_10k:
            return threshold.size
    return SizeClass.MICRO


# --- industries and high risk (GB/T 4754-2017 divisions) ----------------------------------------

# Divisions (two-digit codes) whose enterprises are high-risk by the law's special group:
# coal (06), non-coal mines (08-12), hazardous chemicals (25, 26), metal smelting (31, 32).
HIGH_RISK_DIVISIONS = frozenset({"06", "08", "09", "10", "11", "12", "25", "26", "31", "32"})
WHOLESALE_DIVISIONS = frozenset({"51"})


def is_high_risk_industry(industry_code: str) -> bool:
    return industry_code[:2] in HIGH_RISK_DIVISIONS


def is_wholesale(industry_code: str) -> bool:
    return industry_code[:2] in WHOLESALE_DIVISIONS


@dataclass(frozen=True)
class TeamSize:
    minimum: int
    maximum: int | None  # None: no upper bound set by the standard

    def admits(self, size: int) -> bool:
        return size >= self.minimum and (self.maximum is None or size <= self.maximum)

    def __str__(self) -> str:
        return f"{self.minimum}–{self.maximum}" if self.maximum else f"≥{self.minimum}"


def required_team_size(size: SizeClass | str, high_risk: bool) -> TeamSize:
    """Experts per inspection visit (Longan standard): high-risk 3-5, large/medium >= 3,
    otherwise >= 2. High risk wins over size."""
    if high_risk:
        return TeamSize(3, 5)
    if SizeClass(size) in (SizeClass.LARGE, SizeClass.MEDIUM):
        return TeamSize(3, None)
    return TeamSize(2, None)


# --- administrative division codes (GB/T 2260 and NBS 12-digit) ---------------------------------


def region_level_for_code(code: str) -> str:
    """Level of a division code by how many digits carry meaning."""
    code = code.rstrip()
    if len(code) == 2:
        return "province"
    if len(code) == 4:
        return "city"
    if len(code) == 6:
        return "district"
    if len(code) == 9:
        return "township"
    raise ValueError(f"not a division code: {code!r}")


def township_kind(code: str) -> str:
    """By NBS convention the 7th digit gives the kind: 0 street office, 1 town, 2 township."""
    return {"0": "street", "1": "town", "2": "township"}.get(code[6:7], "other")
