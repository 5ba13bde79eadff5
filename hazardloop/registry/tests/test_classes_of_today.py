"""Classes and institutions of today (issue 12 item 6), against answers written by hand.

Size classes: each case below is read off the table of 国统字〔2017〕213号 (《统计上大中小微型企业划分
办法（2017）》, Art. 4), not computed by the code: the enterprise at exactly a lower bound is in
the tier, one below it drops a tier. High risk: the law's special groups (安全生产法 Art. 24, 27)
by GB/T 4754-2017 class. The classification: the operator loads the standard's table; a small
excerpt written here from the standard (17 纺织业 → 171 棉纺织及印染精加工 → 1711 棉纺纱加工, and
the hotel and house-building chains) stands for it.
"""

from __future__ import annotations

import pytest

from hazardloop.core.errors import ServiceError
from hazardloop.registry import rules, services
from hazardloop.registry.choices import ImportKind, ImportStatus
from hazardloop.registry.models import Enterprise, Industry
from hazardloop.registry.rules import Sector
from hazardloop.registry.rules import SizeClass as S
from hazardloop.registry.testing import next_credit_code

from .xlsx_files import ENTERPRISE_HEADERS, enterprise_row, run, xlsx

# (sector, employees, revenue ¥10k, assets ¥10k or None, expected) — by hand from the table.
CASES = [
    # 零售业: X 300/50/10, Y 20000/500/100. The industrial row would call 300 staff and ¥20,000万
    # medium; retail calls it large.
    (Sector.RETAIL, 300, 20000, None, S.LARGE),
    (Sector.RETAIL, 299, 20000, None, S.MEDIUM),
    (Sector.RETAIL, 50, 500, None, S.MEDIUM),
    (Sector.RETAIL, 49, 500, None, S.SMALL),
    (Sector.RETAIL, 10, 100, None, S.SMALL),
    (Sector.RETAIL, 10, 99, None, S.MICRO),
    (Sector.RETAIL, 9, 100, None, S.MICRO),
    # 住宿业 / 餐饮业: X 300/100/10, Y 10000/2000/100.
    (Sector.ACCOMMODATION, 300, 10000, None, S.LARGE),
    (Sector.ACCOMMODATION, 100, 2000, None, S.MEDIUM),
    (Sector.ACCOMMODATION, 100, 1999, None, S.SMALL),
    (Sector.ACCOMMODATION, 12, 150, None, S.SMALL),  # industrial row: micro (under 20 staff)
    (Sector.CATERING, 9, 5000, None, S.MICRO),
    (Sector.CATERING, 150, 2500, None, S.MEDIUM),
    # 建筑业: Y 80000/6000/300 and Z 80000/5000/300 — no staff indicator at all.
    (Sector.CONSTRUCTION, 10, 80000, 80000, S.LARGE),
    (Sector.CONSTRUCTION, 5000, 79999, 80000, S.MEDIUM),
    (Sector.CONSTRUCTION, 5, 6000, 5000, S.MEDIUM),
    (Sector.CONSTRUCTION, 5, 6000, 4999, S.SMALL),
    (Sector.CONSTRUCTION, 5, 300, 300, S.SMALL),
    (Sector.CONSTRUCTION, 500, 299, 300, S.MICRO),
    # Assets not held: classed by revenue alone (ADR 0036).
    (Sector.CONSTRUCTION, 5, 6000, None, S.MEDIUM),
    # 交通运输业: X 1000/300/20, Y 30000/3000/200.
    (Sector.TRANSPORT, 1000, 30000, None, S.LARGE),
    (Sector.TRANSPORT, 1000, 29999, None, S.MEDIUM),
    (Sector.TRANSPORT, 300, 3000, None, S.MEDIUM),
    (Sector.TRANSPORT, 300, 2999, None, S.SMALL),  # industrial row: medium (≥2000)
    (Sector.TRANSPORT, 20, 200, None, S.SMALL),
    (Sector.TRANSPORT, 20, 199, None, S.MICRO),
    # 仓储业: X 200/100/20, Y 30000/1000/100.
    (Sector.WAREHOUSING, 200, 30000, None, S.LARGE),
    (Sector.WAREHOUSING, 199, 30000, None, S.MEDIUM),
    (Sector.WAREHOUSING, 100, 1000, None, S.MEDIUM),
    (Sector.WAREHOUSING, 99, 1000, None, S.SMALL),
    (Sector.WAREHOUSING, 20, 100, None, S.SMALL),
    (Sector.WAREHOUSING, 19, 100, None, S.MICRO),
    # 邮政业: X 1000/300/20, Y 30000/2000/100.
    (Sector.POSTAL, 300, 2000, None, S.MEDIUM),
    (Sector.POSTAL, 20, 100, None, S.SMALL),
    # 批发业: X 200/20/5, Y 40000/5000/1000.
    (Sector.WHOLESALE, 200, 40000, None, S.LARGE),
    (Sector.WHOLESALE, 20, 5000, None, S.MEDIUM),
    (Sector.WHOLESALE, 5, 1000, None, S.SMALL),
    (Sector.WHOLESALE, 5, 999, None, S.MICRO),
    # 工业: X 1000/300/20, Y 40000/2000/300.
    (Sector.INDUSTRY, 1000, 40000, None, S.LARGE),
    (Sector.INDUSTRY, 999, 40000, None, S.MEDIUM),
    (Sector.INDUSTRY, 20, 300, None, S.SMALL),
    (Sector.INDUSTRY, 19, 300, None, S.MICRO),
    # 农、林、牧、渔业: Y 20000/500/50 only.
    (Sector.AGRICULTURE, 1, 20000, None, S.LARGE),
    (Sector.AGRICULTURE, 5000, 499, None, S.SMALL),
    (Sector.AGRICULTURE, 5000, 49, None, S.MICRO),
    # 信息传输业: X 2000/100/10, Y 100000/1000/100; 软件和信息技术服务业: X 300/100/10, Y 10000/1000/50.
    (Sector.INFORMATION, 2000, 100000, None, S.LARGE),
    (Sector.INFORMATION, 1999, 100000, None, S.MEDIUM),
    (Sector.SOFTWARE, 10, 50, None, S.SMALL),
    (Sector.SOFTWARE, 10, 49, None, S.MICRO),
    # 房地产开发经营: Y 200000/1000/100, Z 10000/5000/2000.
    (Sector.REAL_ESTATE, 3, 200000, 10000, S.LARGE),
    (Sector.REAL_ESTATE, 3, 1000, 4999, S.SMALL),
    # 物业管理: X 1000/300/100, Y 5000/1000/500.
    (Sector.PROPERTY, 300, 1000, None, S.MEDIUM),
    (Sector.PROPERTY, 99, 5000, None, S.MICRO),
    # 租赁和商务服务业: X 300/100/10, Z 120000/8000/100.
    (Sector.LEASING, 100, 0, 8000, S.MEDIUM),
    (Sector.LEASING, 100, 0, 7999, S.SMALL),
    # 其他未列明行业: X 300/100/10 only.
    (Sector.OTHER, 300, 0, None, S.LARGE),
    (Sector.OTHER, 100, 0, None, S.MEDIUM),
    (Sector.OTHER, 10, 0, None, S.SMALL),
    (Sector.OTHER, 9, 10**6, None, S.MICRO),
]


@pytest.mark.parametrize(("sector", "employees", "revenue", "assets", "expected"), CASES)
def test_size_class_per_sector_follows_the_213_table(sector, employees, revenue, assets, expected):
    assert rules.size_class_for(sector, employees, revenue, assets) == expected


@pytest.mark.parametrize(
    ("code", "sector"),
    [
        ("0111", Sector.AGRICULTURE),
        ("0610", Sector.INDUSTRY),
        ("1711", Sector.INDUSTRY),
        ("4411", Sector.INDUSTRY),
        ("47", Sector.CONSTRUCTION),
        ("4710", Sector.CONSTRUCTION),
        ("5162", Sector.WHOLESALE),
        ("5265", Sector.RETAIL),  # a fuel station is retail for its size
        ("5411", Sector.TRANSPORT),
        ("5810", Sector.TRANSPORT),
        ("5910", Sector.TRANSPORT),  # 装卸搬运 counts with transport
        ("5942", Sector.WAREHOUSING),
        ("59", Sector.WAREHOUSING),
        ("6010", Sector.POSTAL),
        ("6110", Sector.ACCOMMODATION),
        ("6210", Sector.CATERING),
        ("6311", Sector.INFORMATION),
        ("6511", Sector.SOFTWARE),
        ("7010", Sector.REAL_ESTATE),
        ("7020", Sector.PROPERTY),
        ("7030", Sector.OTHER),
        ("7111", Sector.LEASING),
        ("7310", Sector.OTHER),
        ("5311", Sector.OTHER),  # railways: not in 213号's transport row
    ],
)
def test_each_industry_code_falls_in_its_213_sector(code, sector):
    assert rules.sector_for(code) == sector


def test_a_hotel_of_twelve_staff_is_small_not_micro():
    # The old rule applied the industrial row (20 staff) to hotels and called this micro.
    assert rules.enterprise_size("6110", 12, 150) == S.SMALL


# --- high risk: the law's special groups -----------------------------------------------------


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("0610", True),  # coal mine
        ("1011", True),  # limestone quarry (non-coal mine)
        ("3110", True),  # 炼铁
        ("3140", True),  # 铁合金冶炼
        ("3211", True),  # 铜冶炼
        ("3130", False),  # 钢压延加工: rolling, not smelting
        ("3251", False),  # 铜压延加工
        ("31", True),  # a bare metals division: counted as smelting until made precise
        ("4710", True),  # house building (建筑施工)
        ("4811", True),  # railway engineering construction
        ("5411", True),  # road passenger transport
        ("5430", True),  # road freight
        ("2614", True),  # organic chemicals
        ("2521", True),  # coking
        ("2682", False),  # cosmetics (日用化学产品), not dangerous goods
        ("4500", True),  # gas supply
        ("5162", True),  # petroleum wholesale
        ("5265", True),  # fuel station
        ("5942", True),  # dangerous-chemicals warehousing
        ("5920", False),  # cold storage (低温仓储): only with ammonia
        ("59", False),  # a bare warehousing division says too little
        ("3411", False),  # boilers: machinery, only with a special item
        ("1711", False),  # cotton spinning
        ("6110", False),  # hotel
    ],
)
def test_high_risk_industries_are_the_laws_special_groups(code, expected):
    assert rules.is_high_risk_industry(code) is expected


def _flags(**on):
    base = {"hazchem_licence": False, "dust_explosion": False, "ammonia_refrigeration": False}
    return {**base, "molten_metal": False, **on}


def test_confined_space_alone_does_not_make_an_enterprise_high_risk():
    assert rules.is_high_risk("3411", **_flags(), confined_space=True) is False


@pytest.mark.parametrize(
    "item", ["hazchem_licence", "dust_explosion", "ammonia_refrigeration", "molten_metal"]
)
def test_a_licence_or_a_special_item_makes_a_factory_high_risk(item):
    assert rules.is_high_risk("3411", **_flags(**{item: True})) is True


# --- the whole classification ------------------------------------------------------------------


# An excerpt of the standard's table (GB/T 4754-2017), code / name / parent, as an operator's
# file holds it; the full table loads the same way.
EXCERPT = [
    ("171", "棉纺织及印染精加工", "17"),
    ("1711", "棉纺纱加工", "171"),
    ("611", "旅游饭店", "61"),
    ("6110", "旅游饭店", "611"),
    ("471", "房屋建筑业", "47"),
    ("4710", "房屋建筑业", "471"),
]


@pytest.fixture
def excerpt_loaded(db):
    return services.load_industry_classification(EXCERPT)


@pytest.mark.django_db
def test_a_loaded_table_adds_its_classes_under_their_parents_with_the_divisions_specialty(excerpt_loaded):
    # 171 was already among the built-in categories, with the same name: five new, none changed.
    assert excerpt_loaded == (5, 0)
    cotton = Industry.objects.select_related("parent__parent__parent").get(code="1711")
    assert cotton.name == "棉纺纱加工"
    assert [cotton.parent.code, cotton.parent.parent.code, cotton.parent.parent.parent.code] == [
        "171",
        "17",
        "C",
    ]
    # New classes take the inspection specialty of their division.
    assert cotton.specialty == "textiles"
    assert Industry.objects.get(code="6110").specialty == "fire"
    # Loading the same table again changes nothing.
    assert services.load_industry_classification(EXCERPT) == (0, 0)


@pytest.mark.django_db
def test_a_table_with_a_bad_line_is_refused_whole_naming_every_line():
    before = Industry.objects.count()
    with pytest.raises(ServiceError) as refused:
        services.load_industry_classification(
            [("171", "棉纺织及印染精加工", "17"), ("9999", "", "999"), ("17x", "x", "17")]
        )
    assert refused.value.errors["file"] == [
        "第2行：代码“9999”或名称不符合 GB/T 4754 的格式。",
        "第3行：代码“17x”或名称不符合 GB/T 4754 的格式。",
    ]
    assert Industry.objects.count() == before


@pytest.fixture
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.mark.django_db
def test_a_file_with_real_class_codes_imports_with_sizes_by_sector(
    personas, district, _media, excerpt_loaded
):
    spinning, hotel, builder = next_credit_code(), next_credit_code(), next_credit_code()
    rows = [
        enterprise_row("龙泉棉纺有限公司", spinning, "龙泉镇", "1711", employees=150, revenue_10k=900),
        enterprise_row(
            "龙泉宾馆", hotel, "龙泉镇", "6110", employees=12, revenue_10k=150, confined_space="是"
        ),
        enterprise_row("龙泉建筑工程有限公司", builder, "龙泉镇", "4710", employees=40, revenue_10k=7000),
    ]
    job = run(ImportKind.ENTERPRISES, xlsx(rows, ENTERPRISE_HEADERS), personas.bureau)

    assert job.status == ImportStatus.DONE, job.errors
    found = {e.credit_code: e for e in Enterprise.objects.filter(credit_code__in=[spinning, hotel, builder])}
    # 1711 is refused until the classification that holds it is loaded.
    assert (found[spinning].industry.code, found[spinning].size, found[spinning].high_risk) == (
        "1711",
        "small",
        False,
    )
    # A hotel of 12 staff and ¥150万 is small by the accommodation row; confined space alone is not high risk.
    assert (found[hotel].size, found[hotel].high_risk) == ("small", False)
    # A builder is classed by revenue (assets not held): ¥7,000万 is medium; construction is a special group.
    assert (found[builder].size, found[builder].high_risk) == ("medium", True)
