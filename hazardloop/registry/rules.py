"""Pure registry rules: identifiers, size classes and team sizes. No ORM here.

Sources (see ../shared/domain.md):
- 统一社会信用代码, GB 32100-2015: charset, weights 3^(i-1) mod 31, check C = (31 - S mod 31) mod 31.
- 组织机构代码, GB 11714: weights 3,7,9,10,5,8,4,2, C = 11 - S mod 11 (10 -> X, 11 -> 0).
- Size classes, 国统字〔2017〕213号: every sector row of its table (ADR 0036).
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


def size_class(employees: int, revenue_10k: int, *, wholesale: bool = False) -> SizeClass:
    """The industrial (or wholesale) row of 213号; `enterprise_size` picks the row by industry."""
    return size_class_for(Sector.WHOLESALE if wholesale else Sector.INDUSTRY, employees, revenue_10k)


class Sector(StrEnum):
    """The sectors of 国统字〔2017〕213号's table, each with its own thresholds."""

    AGRICULTURE = "agriculture"  # 农、林、牧、渔业 (A)
    INDUSTRY = "industry"  # 工业: 采矿业 B, 制造业 C, 电力、热力、燃气及水 D
    CONSTRUCTION = "construction"  # 建筑业 E
    WHOLESALE = "wholesale"  # 批发业 51
    RETAIL = "retail"  # 零售业 52
    TRANSPORT = "transport"  # 交通运输业 54–58 and 591 装卸搬运, not railways
    WAREHOUSING = "warehousing"  # 仓储业 59 (less 591)
    POSTAL = "postal"  # 邮政业 60
    ACCOMMODATION = "accommodation"  # 住宿业 61
    CATERING = "catering"  # 餐饮业 62
    INFORMATION = "information"  # 信息传输业 63, 64
    SOFTWARE = "software"  # 软件和信息技术服务业 65
    REAL_ESTATE = "real_estate"  # 房地产开发经营 7010
    PROPERTY = "property"  # 物业管理 702
    LEASING = "leasing"  # 租赁和商务服务业 L (71, 72)
    OTHER = "other"  # 其他未列明行业: M, N, O, Q, R, 703, 709 (and what 213号 does not list)


@dataclass(frozen=True)
class SizeRule:
    """Lower bounds (large, medium, small) per indicator; None: the sector does not use it.
    Employees in persons, revenue and total assets in ¥10,000 (万元)."""

    employees: tuple[int, int, int] | None = None
    revenue_10k: tuple[int, int, int] | None = None
    assets_10k: tuple[int, int, int] | None = None


# 国统字〔2017〕213号, 《统计上大中小微型企业划分办法（2017）》, the table of its Art. 4 (ADR 0036).
SIZE_RULES: dict[Sector, SizeRule] = {
    Sector.AGRICULTURE: SizeRule(revenue_10k=(20000, 500, 50)),
    Sector.INDUSTRY: SizeRule(employees=(1000, 300, 20), revenue_10k=(40000, 2000, 300)),
    Sector.CONSTRUCTION: SizeRule(revenue_10k=(80000, 6000, 300), assets_10k=(80000, 5000, 300)),
    Sector.WHOLESALE: SizeRule(employees=(200, 20, 5), revenue_10k=(40000, 5000, 1000)),
    Sector.RETAIL: SizeRule(employees=(300, 50, 10), revenue_10k=(20000, 500, 100)),
    Sector.TRANSPORT: SizeRule(employees=(1000, 300, 20), revenue_10k=(30000, 3000, 200)),
    Sector.WAREHOUSING: SizeRule(employees=(200, 100, 20), revenue_10k=(30000, 1000, 100)),
    Sector.POSTAL: SizeRule(employees=(1000, 300, 20), revenue_10k=(30000, 2000, 100)),
    Sector.ACCOMMODATION: SizeRule(employees=(300, 100, 10), revenue_10k=(10000, 2000, 100)),
    Sector.CATERING: SizeRule(employees=(300, 100, 10), revenue_10k=(10000, 2000, 100)),
    Sector.INFORMATION: SizeRule(employees=(2000, 100, 10), revenue_10k=(100000, 1000, 100)),
    Sector.SOFTWARE: SizeRule(employees=(300, 100, 10), revenue_10k=(10000, 1000, 50)),
    Sector.REAL_ESTATE: SizeRule(revenue_10k=(200000, 1000, 100), assets_10k=(10000, 5000, 2000)),
    Sector.PROPERTY: SizeRule(employees=(1000, 300, 100), revenue_10k=(5000, 1000, 500)),
    Sector.LEASING: SizeRule(employees=(300, 100, 10), assets_10k=(120000, 8000, 100)),
    Sector.OTHER: SizeRule(employees=(300, 100, 10)),
}

_SECTOR_BY_DIVISION = {
    **{f"{d:02d}": Sector.AGRICULTURE for d in range(1, 6)},
    **{f"{d:02d}": Sector.INDUSTRY for d in range(6, 47)},
    **{f"{d:02d}": Sector.CONSTRUCTION for d in range(47, 51)},
    "51": Sector.WHOLESALE,
    "52": Sector.RETAIL,
    # 53 railways: 213号's transport excludes them and no other row names them.
    **{f"{d:02d}": Sector.TRANSPORT for d in range(54, 59)},
    "59": Sector.WAREHOUSING,
    "60": Sector.POSTAL,
    "61": Sector.ACCOMMODATION,
    "62": Sector.CATERING,
    "63": Sector.INFORMATION,
    "64": Sector.INFORMATION,
    "65": Sector.SOFTWARE,
    "71": Sector.LEASING,
    "72": Sector.LEASING,
}
_SECTOR_BY_PREFIX = {"591": Sector.TRANSPORT, "7010": Sector.REAL_ESTATE, "702": Sector.PROPERTY}


def sector_for(industry_code: str) -> Sector:
    """The 213号 sector of a GB/T 4754-2017 code (division, group or class). A section letter
    or a division 213号 does not list (finance, education, …) falls under its "other" row."""
    for length in (4, 3):
        sector = _SECTOR_BY_PREFIX.get(industry_code[:length])
        if sector is not None and len(industry_code) >= length:
            return sector
    return _SECTOR_BY_DIVISION.get(industry_code[:2], Sector.OTHER)


def size_class_for(
    sector: Sector, employees: int | None, revenue_10k: int | None, assets_10k: int | None = None
) -> SizeClass:
    """The size class by the sector's row of 213号. Large, medium and small must reach every
    lower bound the row lists, otherwise the enterprise drops a tier and is tested again; micro
    needs only one indicator under the small bound, so it is what is left.

    An indicator the registry does not hold (None; total assets are not collected today) is
    left out of the test rather than read as zero: a construction firm is then classed by its
    revenue, which may put it one tier high, and so gives its visits the larger team."""
    rule = SIZE_RULES[sector]
    held = [
        (value, bounds)
        for value, bounds in (
            (employees, rule.employees),
            (revenue_10k, rule.revenue_10k),
            (assets_10k, rule.assets_10k),
        )
        if bounds is not None and value is not None
    ]
    for tier, size in enumerate((SizeClass.LARGE, SizeClass.MEDIUM, SizeClass.SMALL)):
        if held and all(value >= bounds[tier] for value, bounds in held):
            return size
    return SizeClass.MICRO


def enterprise_size(
    industry_code: str, employees: int | None, revenue_10k: int | None, assets_10k: int | None = None
) -> SizeClass:
    return size_class_for(sector_for(industry_code), employees, revenue_10k, assets_10k)


# --- high risk: the law's special groups -------------------------------------------------------

# 安全生产法 Art. 24 and 27 name 矿山、金属冶炼、建筑施工、运输单位和危险物品的生产、经营、储存、
# 装卸单位. As GB/T 4754-2017 prefixes (ADR 0036):
HIGH_RISK_PREFIXES = frozenset(
    {
        # mines: coal, oil and gas, ferrous, non-ferrous, non-metal, mining services, other
        "06", "07", "08", "09", "10", "11", "12",
        # metal smelting: 炼铁, 炼钢, 铁合金冶炼; 常用/贵/稀有稀土金属冶炼. Rolling (313, 325)
        # is not smelting.
        "311", "312", "314", "321", "322", "323",
        # building construction
        "47", "48", "49", "50",
        # transport: rail, road, water, air, pipelines
        "53", "54", "55", "56", "57",
        # dangerous goods: fuel processing and coking, chemicals (less 268 daily chemicals),
        # gas supply, petroleum wholesale, fuel retail, dangerous-goods warehousing
        "25", "26", "45", "5162", "5265", "594",
    }
)  # fmt: skip
NOT_HIGH_RISK_PREFIXES = frozenset({"268"})
# A file that gives only the division of a metals works (31, 32) says no more; it counts as
# smelting, the group that makes the division dangerous, until the file is made precise.
HIGH_RISK_EXACT = frozenset({"31", "32"})
WHOLESALE_DIVISIONS = frozenset({"51"})


def is_high_risk_industry(industry_code: str) -> bool:
    """In one of the law's special groups by its industry alone (a code at least as precise
    as the prefix that names the group)."""
    if any(industry_code.startswith(p) for p in NOT_HIGH_RISK_PREFIXES):
        return False
    if industry_code in HIGH_RISK_EXACT:
        return True
    # A bare division above a high-risk group says too little to decide ("59" is mostly
    # ordinary warehousing; only its 594 is dangerous goods), so it does not match.
    return any(industry_code.startswith(prefix) for prefix in HIGH_RISK_PREFIXES)


def is_high_risk(
    industry_code: str,
    *,
    hazchem_licence: bool,
    dust_explosion: bool,
    ammonia_refrigeration: bool,
    molten_metal: bool,
    confined_space: bool = False,
) -> bool:
    """The high-risk flag a file gets unless the bureau overrides it: the law's special groups,
    a hazardous-chemicals licence (production, storage or trade), or one of the 工贸 special
    items that make an ordinary factory dangerous (explosive dust, ammonia refrigeration,
    molten metal). Confined-space work alone does not: nearly every plant has a tank or a pit,
    and it is inspected as an item, not as a kind of enterprise."""
    del confined_space  # named so callers pass the whole set; deliberately not counted
    return (
        is_high_risk_industry(industry_code)
        or hazchem_licence
        or dust_explosion
        or ammonia_refrigeration
        or molten_metal
    )


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
