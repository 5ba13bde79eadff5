"""The registry part of the demo: regions, enterprises, member units, providers and experts.

Modelled on the case study (seed/case-study-longan.txt): 龙安区 with 439 enterprises of coal
mines, non-coal mines, hazardous chemicals, metallurgy, machinery, textiles and others, its
eleven townships and street offices (domain.md §5.2), the member units of the joint meeting and
the firms that inspect for the townships. Division codes and names are real public reference
data; every enterprise, firm, person, address and telephone number is invented, and every
credit code is valid but synthetic.

A size above 439 adds synthetic districts (fictional names under unused 6-digit codes of
Henan's cities) so that the database looks like a province slice, written in bulk.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from hazardloop.core.demo import DISTRICT_ENTERPRISES, DemoContext, demo_step

from . import rules, services
from .choices import (
    CertificateKind,
    HazardCategory,
    MemberUnitKind,
    RegionLevel,
    Specialty,
)
from .models import Enterprise, Industry, Provider, Region

DEMO_YEAR = 2026

PROVINCE = ("41", "河南省")
CITY = ("4105", "安阳市")
DISTRICT = ("410506", "龙安区")


@dataclass(frozen=True)
class TownshipSpec:
    code: str
    name: str
    slug: str  # for usernames
    lat: float
    lon: float
    weight: float  # share of the district's enterprises, relative

    @property
    def rural(self) -> bool:
        # Towns and townships hold the mines and plants; street offices are the urban core.
        return rules.township_kind(self.code) != "street"

    @property
    def short(self) -> str:
        for ending in ("街道", "镇", "乡"):
            if self.name.endswith(ending):
                return self.name[: -len(ending)]
        return self.name


# Coordinates are rough placements around 36.1°N 114.2°E: the street offices in the city, the
# towns spread west into the Taihang foothills where the mines are.
LONGAN_TOWNSHIPS = (
    TownshipSpec("410506001", "田村街道", "tiancun", 36.085, 114.285, 1.0),
    TownshipSpec("410506002", "彰武街道", "zhangwu", 36.105, 114.300, 0.9),
    TownshipSpec("410506003", "文昌大道街道", "wenchang", 36.095, 114.315, 1.1),
    TownshipSpec("410506004", "文明大道街道", "wenming", 36.082, 114.330, 1.0),
    TownshipSpec("410506005", "太行小区街道", "taihang", 36.092, 114.270, 0.7),
    TownshipSpec("410506006", "中州路街道", "zhongzhou", 36.075, 114.305, 0.8),
    TownshipSpec("410506100", "龙泉镇", "longquan", 36.060, 114.200, 1.3),
    TownshipSpec("410506101", "马投涧镇", "matoujian", 36.115, 114.190, 1.2),
    TownshipSpec("410506103", "善应镇", "shanying", 36.035, 114.100, 1.0),
    TownshipSpec("410506201", "东风乡", "dongfeng", 36.050, 114.265, 0.9),
    TownshipSpec("410506205", "马家乡", "majia", 36.020, 114.215, 0.8),
)

# --- the industry mix -----------------------------------------------------------------------


@dataclass(frozen=True)
class Trade:
    """A name ending and the special items that the trade implies (a foundry pours molten metal,
    a cold store runs on ammonia)."""

    ending: str
    flags: frozenset[str] = frozenset()


def _trades(*items) -> tuple[Trade, ...]:
    out = []
    for item in items:
        if isinstance(item, tuple):
            out.append(Trade(item[0], frozenset(item[1:])))
        else:
            out.append(Trade(item))
    return tuple(out)


@dataclass(frozen=True)
class IndustryMix:
    code: str
    count: int  # enterprises of this industry in the 439-enterprise district
    trades: tuple[Trade, ...]
    hazchem: float = 0.0  # chance of a safety-production or hazchem trading licence


@dataclass(frozen=True)
class Family:
    """An industry family as the case study names them, with how its enterprises look."""

    key: str
    label: str
    industries: tuple[IndustryMix, ...]
    employees: tuple[int, int]  # drawn log-uniformly
    revenue_per_head: tuple[float, float]  # ¥10k per employee
    setting: str  # rural, urban or mixed
    specials: dict[str, float] = field(default_factory=dict)  # chance of each special item

    @property
    def count(self) -> int:
        return sum(mix.count for mix in self.industries)


DUST, AMMONIA, CONFINED, MOLTEN = "dust_explosion", "ammonia_refrigeration", "confined_space", "molten_metal"

FAMILIES = (
    Family(
        "coal",
        "煤矿",
        (
            IndustryMix("0610", 5, _trades("煤业有限公司", "煤矿", "矿业有限公司")),
            IndustryMix("0690", 1, _trades("煤炭洗选有限公司")),
        ),
        employees=(150, 1400),
        revenue_per_head=(25, 60),
        setting="rural",
        specials={CONFINED: 0.3},
    ),
    Family(
        "non_coal",
        "非煤矿山",
        (
            IndustryMix("1011", 9, _trades("石灰石矿", "矿业有限公司", "石料有限公司")),
            IndustryMix("1012", 5, _trades("石材开采有限公司", "采石场")),
            IndustryMix("1019", 4, _trades("砂石料厂", "粘土矿")),
            IndustryMix("0810", 3, _trades("铁矿", "矿业有限公司")),
            IndustryMix("09", 1, _trades("有色矿业有限公司")),
        ),
        employees=(15, 400),
        revenue_per_head=(15, 40),
        setting="rural",
    ),
    Family(
        "hazchem",
        "危险化学品",
        (
            IndustryMix("2521", 3, _trades("焦化有限公司", "煤化工有限公司"), hazchem=1.0),
            IndustryMix("2614", 6, _trades("化工有限公司", "精细化工有限公司"), hazchem=1.0),
            IndustryMix("262", 4, _trades("化肥有限公司", "肥业有限公司"), hazchem=0.8),
            IndustryMix("264", 5, _trades("涂料有限公司", "油墨化工有限公司"), hazchem=1.0),
            IndustryMix("26", 6, _trades("化工有限公司", "化学制品有限公司"), hazchem=0.9),
            IndustryMix(
                "5162", 10, _trades("石化销售有限公司", "化工产品经营部", "能源贸易有限公司"), hazchem=1.0
            ),
        ),
        employees=(8, 600),
        revenue_per_head=(60, 200),
        setting="mixed",
        specials={CONFINED: 0.5},
    ),
    Family(
        "metallurgy",
        "冶金",
        (
            IndustryMix("3110", 4, _trades("钢铁有限公司", "炼铁有限公司")),
            IndustryMix("3120", 5, _trades("特钢有限公司", "钢铁有限公司")),
            IndustryMix("3130", 9, _trades("轧钢有限公司", "型钢有限公司", "钢材加工有限公司")),
            IndustryMix("3140", 8, _trades("铁合金有限公司", "硅铁冶炼厂")),
            IndustryMix("32", 4, _trades("有色金属有限公司", "铝业有限公司")),
        ),
        employees=(40, 1800),
        revenue_per_head=(80, 220),
        setting="rural",
        # Smelters are high-risk by the law's group; of the rolling mills, those that also cast
        # (molten metal) are.
        specials={MOLTEN: 0.3, CONFINED: 0.4, DUST: 0.1},
    ),
    Family(
        "machinery",
        "机械",
        (
            IndustryMix(
                "33",
                30,
                _trades(
                    ("铸造有限公司", MOLTEN), "金属制品有限公司", ("铝制品有限公司", DUST), "五金有限公司"
                ),
            ),
            IndustryMix("34", 25, _trades("机械制造有限公司", "通用设备有限公司", "泵业有限公司")),
            IndustryMix("35", 18, _trades("重工机械有限公司", "矿山机械有限公司", "专用设备有限公司")),
            IndustryMix("36", 6, _trades("汽车配件有限公司", "专用汽车有限公司")),
            IndustryMix("38", 10, _trades("电气设备有限公司", "电缆有限公司", "电机有限公司")),
            IndustryMix("43", 6, _trades("设备维修有限公司", "机电修理厂")),
        ),
        employees=(10, 1200),
        revenue_per_head=(15, 50),
        setting="mixed",
        specials={DUST: 0.05, CONFINED: 0.06, MOLTEN: 0.03},
    ),
    Family(
        "textiles",
        "纺织",
        (
            IndustryMix("171", 25, _trades("棉纺有限公司", "纺织有限公司", "印染有限公司")),
            IndustryMix("17", 8, _trades("纺织品有限公司", "无纺布有限公司")),
            IndustryMix("18", 12, _trades("服饰有限公司", "制衣有限公司", "服装厂")),
        ),
        employees=(12, 700),
        revenue_per_head=(8, 30),
        setting="mixed",
        specials={DUST: 0.08, CONFINED: 0.05},
    ),
    Family(
        "building",
        "建材",
        (
            IndustryMix("3011", 8, _trades("水泥有限公司", "水泥粉磨站")),
            IndustryMix("301", 6, _trades("石灰有限公司", "石膏制品有限公司")),
            IndustryMix("303", 16, _trades("新型建材有限公司", "砖瓦厂", "石材加工有限公司")),
            IndustryMix("30", 10, _trades("建材有限公司", "混凝土有限公司", "耐火材料有限公司")),
        ),
        employees=(10, 450),
        revenue_per_head=(20, 60),
        setting="rural",
        specials={CONFINED: 0.2, DUST: 0.1},
    ),
    Family(
        "fuel",
        "成品油和燃气经营",
        (
            IndustryMix("5265", 28, _trades("加油站", "加油加气站"), hazchem=1.0),
            IndustryMix("45", 3, _trades("燃气有限公司", "液化气站"), hazchem=1.0),
        ),
        employees=(5, 40),
        revenue_per_head=(40, 150),
        setting="mixed",
        specials={CONFINED: 0.2},
    ),
    Family(
        "other",
        "其他行业",
        (
            IndustryMix(
                "13",
                30,
                # Most food works are bakeries, mills of sauce and noodles; a few run ammonia
                # cold stores or mill flour (explosive dust), which makes them high-risk.
                _trades(
                    "食品有限公司",
                    "食品厂",
                    "调味品有限公司",
                    "粮油食品有限公司",
                    ("冷冻食品有限公司", AMMONIA),
                    ("面粉有限公司", DUST),
                ),
            ),
            IndustryMix("20", 10, _trades(("木业有限公司", DUST), ("家具有限公司", DUST), "木制品厂")),
            IndustryMix("22", 8, _trades(("纸业有限公司", CONFINED), "纸制品有限公司", "包装有限公司")),
            IndustryMix("47", 20, _trades("建筑工程有限公司", "建设集团有限公司", "建筑安装有限公司")),
            IndustryMix("54", 10, _trades("物流有限公司", "运输有限公司", "客运有限公司")),
            IndustryMix("59", 5, _trades("仓储有限公司", "物流园有限公司")),
            IndustryMix("61", 12, _trades("大酒店", "宾馆", "酒店管理有限公司")),
            IndustryMix("62", 13, _trades("餐饮有限公司", "饭庄", "酒楼")),
            IndustryMix("51", 15, _trades("商贸有限公司", "贸易有限公司", "物资有限公司")),
            IndustryMix("52", 13, _trades("超市有限公司", "购物中心", "百货有限公司")),
        ),
        employees=(6, 350),
        revenue_per_head=(8, 40),
        setting="mixed",
        specials={CONFINED: 0.04},
    ),
)
# Hospitality and shops sit in the city whatever their family says.
URBAN_INDUSTRIES = frozenset({"61", "62", "52", "51"})

# --- words for names, people and places --------------------------------------------------------


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


NAME_CORES = _words(
    "鑫源 宏达 恒泰 永兴 金鼎 华宇 瑞丰 天成 博远 嘉禾 中兴 广源 隆盛 福泰 昌盛 立信 泰和 润丰 "
    "宏昌 金泽 华鑫 兴旺 顺达 同力 鼎盛 聚源 东升 新世纪 豫龙 太行 安泰 腾飞 远航 祥瑞 益民 丰源 "
    "明德 众诚 和信 裕丰 万通 汇通 长青 晨光 金石 宝丰 盛达 凯旋 信达 永固 鸿运 德润 恒通 华兴 "
    "金桥 瑞祥 天润 同心 正阳 弘业 锦程 世纪 宏源 诚信 天宇 新星 旭日 建业 国泰"
)

# Surnames with their pinyin, which demo usernames (expert_wang) are spelt with.
SURNAMES = tuple(
    tuple(pair.split(":"))
    for pair in _words(
        "王:wang 李:li 张:zhang 刘:liu 陈:chen 杨:yang 赵:zhao 黄:huang 周:zhou 吴:wu 徐:xu 孙:sun "
        "胡:hu 朱:zhu 高:gao 郭:guo 马:ma 宋:song 郑:zheng 韩:han 冯:feng 董:dong 程:cheng 曹:cao "
        "袁:yuan 许:xu 傅:fu 申:shen 牛:niu 岳:yue 路:lu 秦:qin 史:shi 崔:cui 任:ren 常:chang"
    )
)
GIVEN_CHARS = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚建国志红华文斌林辉鹏宇浩凯健俊帆旭宁玲琳峰博亮成"
    "海波新东春梅兰英卫民永庆振家书晓雪立军玉德福增善广顺利保喜彦朝瑞"
)
VILLAGES = _words(
    "东庄 西岗 南湾 北沟 石门 柳林 杏花 泉头 岭后 河口 白草坪 黄龙 清泉 上庄 下河 马鞍 青石 "
    "龙门 水峪 郭家 刘家 王家 张家 后峪 前峪 狮子 栗园 桃园 双井 三官 五里 七里 九龙"
)
ROADS = _words(
    "龙安路 太行路 彰德路 红旗路 钢城路 铁西路 工业路 建设路 人民大道 东风路 光明路 朝阳路 "
    "华强路 迎宾路 富民路 兴业路 创业路 长江大道 黄河大道 中华路 德隆街 文峰大道"
)

PLACE_FIRST = "青云翠金银玉松柏枫桐霞岚泽源崇瑞嘉宁和丰盛华安平兴泰康德明光秀永长"
PLACE_SECOND = "峰川阳河山湖原林台岗桥城塘陵州泉坪沟店集"

# Henan's prefecture-level cities (GB/T 2260) with rough centres, for synthetic districts.
HENAN_CITIES = (
    ("4101", "郑州市", 34.75, 113.63),
    ("4102", "开封市", 34.80, 114.31),
    ("4103", "洛阳市", 34.62, 112.45),
    ("4104", "平顶山市", 33.77, 113.19),
    ("4105", "安阳市", 36.10, 114.39),
    ("4106", "鹤壁市", 35.75, 114.30),
    ("4107", "新乡市", 35.30, 113.93),
    ("4108", "焦作市", 35.22, 113.24),
    ("4109", "濮阳市", 35.76, 115.03),
    ("4110", "许昌市", 34.04, 113.85),
    ("4111", "漯河市", 33.58, 114.02),
    ("4112", "三门峡市", 34.77, 111.20),
    ("4113", "南阳市", 33.00, 112.53),
    ("4114", "商丘市", 34.41, 115.66),
    ("4115", "信阳市", 32.15, 114.09),
    ("4116", "周口市", 33.63, 114.70),
    ("4117", "驻马店市", 32.98, 114.02),
)
# Two-digit district suffixes that no real Henan county uses (real ones run 02-3x, 5x-8x for
# counties, development zones and county-level cities), so a synthetic code never names a real place.
SYNTHETIC_SUFFIXES = range(40, 50)
SYNTHETIC_PER_DISTRICT = 480


def person_name(rng: random.Random) -> str:
    surname = rng.choice(SURNAMES)[0]
    given = "".join(rng.choice(GIVEN_CHARS) for _ in range(rng.choice((1, 2, 2, 2))))
    return surname + given


def phone_number(rng: random.Random) -> str:
    return f"1{rng.choice('35789')}{rng.randrange(10)}-{rng.randrange(10000):04d}-{rng.randrange(10000):04d}"


def id_number(rng: random.Random, division: str, used: set[str]) -> str:
    """A synthetic 18-digit 居民身份证号 with a correct GB 11643 check digit."""
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    while True:
        birth = dt.date(1962, 1, 1) + dt.timedelta(days=rng.randrange(365 * 32))
        body = f"{division}{birth:%Y%m%d}{rng.randrange(1000):03d}"
        check = "10X98765432"[sum(int(c) * w for c, w in zip(body, weights, strict=True)) % 11]
        number = body + check
        if number not in used:
            used.add(number)
            return number


class Uniques:
    """Credit codes and names already handed out in this run."""

    def __init__(self, taken_codes: set[str] | None = None):
        self.codes: set[str] = set(taken_codes or ())
        self.names: set[str] = set()

    def credit_code(self, rng: random.Random, division: str, authority: str = "9", entity: str = "1") -> str:
        # Codes issued since 2015 carry "MA" and a random body in place of the old organisation
        # code; the body uses only characters valid in both charsets.
        while True:
            body = "MA" + "".join(rng.choice(rules.USCC_CHARSET) for _ in range(6))
            code = rules.make_uscc(authority, entity, division, body)
            if code not in self.codes:
                self.codes.add(code)
                return code

    def name(self, make) -> str:
        name = make()
        for _ in range(30):
            if name not in self.names:
                break
            name = make()
        self.names.add(name)
        return name


# --- places -------------------------------------------------------------------------------------


@dataclass
class Place:
    """A township as the enterprise planner sees it."""

    region: Region
    division: str  # the district's 6-digit code, for credit codes
    short: str
    rural: bool
    lat: float
    lon: float
    weight: float
    address_prefix: str  # 安阳市龙安区龙泉镇
    name_prefixes: tuple[str, ...]


def _region(code: str, name: str, parent: Region | None) -> Region:
    level = rules.region_level_for_code(code)
    kind = rules.township_kind(code) if level == RegionLevel.TOWNSHIP else ""
    # Division codes are reference data: an existing row (from an import or an earlier run)
    # is kept as it is.
    obj, _ = Region.objects.get_or_create(
        code=code, defaults={"name": name, "level": level, "kind": kind, "parent": parent}
    )
    return obj


def build_longan_places() -> list[Place]:
    province = _region(*PROVINCE, None)
    city = _region(*CITY, province)
    district = _region(*DISTRICT, city)
    places = []
    for spec in LONGAN_TOWNSHIPS:
        township = _region(spec.code, spec.name, district)
        prefixes = ("龙安区", "安阳", "安阳市", "安阳市龙安区")
        if spec.rural:
            prefixes += (spec.short, spec.short, f"龙安区{spec.short}")
        places.append(
            Place(
                region=township,
                division=DISTRICT[0],
                short=spec.short,
                rural=spec.rural,
                lat=spec.lat,
                lon=spec.lon,
                weight=spec.weight,
                address_prefix=f"安阳市龙安区{spec.name}",
                name_prefixes=prefixes,
            )
        )
    return places


@dataclass
class SyntheticDistrict:
    code: str
    name: str
    city: str
    count: int
    places: list[Place]


def _place_name(rng: random.Random, taken: set[str], ending: str) -> str:
    for _ in range(200):
        name = rng.choice(PLACE_FIRST) + rng.choice(PLACE_SECOND) + ending
        if name not in taken:
            taken.add(name)
            return name
    name = rng.choice(PLACE_FIRST) + rng.choice(PLACE_FIRST) + rng.choice(PLACE_SECOND) + ending
    taken.add(name)
    return name


def build_synthetic_places(rng: random.Random, extra: int) -> list[SyntheticDistrict]:
    """Districts of about 480 enterprises each, 8-14 townships apiece, written in bulk."""
    slots = [(suffix, city) for suffix in SYNTHETIC_SUFFIXES for city in HENAN_CITIES]
    n_districts = min(len(slots), max(1, math.ceil(extra / SYNTHETIC_PER_DISTRICT)))
    province = _region(*PROVINCE, None)
    cities = {code: _region(code, name, province) for code, name, _, _ in HENAN_CITIES}

    taken_names: dict[str, set[str]] = {}
    plan = []
    for suffix, (city_code, city_name, lat, lon) in slots[:n_districts]:
        code = f"{city_code}{suffix:02d}"
        name = _place_name(rng, taken_names.setdefault(city_code, set()), rng.choice("区区区县"))
        plan.append(
            (code, name, city_code, city_name, lat + rng.uniform(-0.4, 0.4), lon + rng.uniform(-0.4, 0.4))
        )

    existing = set(Region.objects.filter(code__in=[p[0] for p in plan]).values_list("code", flat=True))
    Region.objects.bulk_create(
        Region(code=code, name=name, level=RegionLevel.DISTRICT, parent=cities[city_code])
        for code, name, city_code, _, _, _ in plan
        if code not in existing
    )
    districts = {r.code: r for r in Region.objects.filter(code__in=[p[0] for p in plan])}

    township_rows = []
    township_meta = []
    for code, name, _city_code, city_name, lat, lon in plan:
        taken: set[str] = set()
        n_streets = rng.randint(2, 5)
        n_towns = rng.randint(3, 6)
        n_townships = rng.randint(2, 4)
        numbers = (
            [(f"{i:03d}", "街道") for i in range(1, n_streets + 1)]
            + [(f"{100 + i:03d}", "镇") for i in range(n_towns)]
            + [(f"{200 + i:03d}", "乡") for i in range(n_townships)]
        )
        for number, ending in numbers:
            t_code = code + number
            t_name = _place_name(rng, taken, ending)
            township_rows.append(
                Region(
                    code=t_code,
                    name=t_name,
                    level=RegionLevel.TOWNSHIP,
                    kind=rules.township_kind(t_code),
                    parent=districts[code],
                )
            )
            township_meta.append(
                (
                    code,
                    t_code,
                    t_name,
                    city_name,
                    name,
                    lat + rng.uniform(-0.12, 0.12),
                    lon + rng.uniform(-0.12, 0.12),
                )
            )
    existing = set(
        Region.objects.filter(parent__code__in=[p[0] for p in plan]).values_list("code", flat=True)
    )
    Region.objects.bulk_create((row for row in township_rows if row.code not in existing), batch_size=2000)
    townships = {
        r.code: r
        for r in Region.objects.filter(level=RegionLevel.TOWNSHIP, parent__code__in=[p[0] for p in plan])
    }

    counts = _split_evenly(extra, n_districts)
    result = []
    by_district: dict[str, list[Place]] = {}
    for d_code, t_code, t_name, city_name, d_name, lat, lon in township_meta:
        short = t_name[:-2] if t_name.endswith("街道") else t_name[:-1]
        rural = not t_name.endswith("街道")
        by_district.setdefault(d_code, []).append(
            Place(
                region=townships[t_code],
                division=d_code,
                short=short,
                rural=rural,
                lat=lat,
                lon=lon,
                weight=rng.uniform(0.6, 1.4),
                address_prefix=f"河南省{city_name}{d_name}{t_name}",
                name_prefixes=(city_name[:-1], d_name, d_name, short) if rural else (city_name[:-1], d_name),
            )
        )
    for (code, name, _c, city_name, _lat, _lon), count in zip(plan, counts, strict=True):
        result.append(SyntheticDistrict(code, name, city_name, count, by_district[code]))
    return result


def _split_evenly(total: int, parts: int) -> list[int]:
    base, rest = divmod(total, parts)
    return [base + (1 if i < rest else 0) for i in range(parts)]


# --- enterprises --------------------------------------------------------------------------------


def industry_counts(total: int) -> list[tuple[Family, IndustryMix, int]]:
    """The case study's mix scaled to `total` (largest remainder), exact at 439."""
    entries = [(family, mix) for family in FAMILIES for mix in family.industries]
    shares = [total * mix.count / DISTRICT_ENTERPRISES for _, mix in entries]
    counts = [int(s) for s in shares]
    order = sorted(range(len(entries)), key=lambda i: (-(shares[i] - counts[i]), i))
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return [(family, mix, n) for (family, mix), n in zip(entries, counts, strict=True)]


def _weighted(rng: random.Random, places: Sequence[Place], family: Family, mix: IndustryMix) -> Place:
    setting = "urban" if mix.code in URBAN_INDUSTRIES else family.setting
    if setting == "mixed":
        pool = places
    else:
        pool = [p for p in places if p.rural == (setting == "rural")] or list(places)
    return rng.choices(pool, weights=[p.weight for p in pool])[0]


def plan_enterprises(
    rng: random.Random,
    places: Sequence[Place],
    total: int,
    industries: dict[str, Industry],
    uniques: Uniques,
) -> Iterator[services.EnterpriseData]:
    """`total` enterprises in the case study's mix, spread over `places`. A generator, so that a
    province slice streams into the bulk writer instead of sitting in memory."""
    slots = [(family, mix) for family, mix, n in industry_counts(total) for _ in range(n)]
    rng.shuffle(slots)
    for family, mix in slots:
        place = _weighted(rng, places, family, mix)
        yield _enterprise(rng, place, family, mix, industries[mix.code], uniques)


def _enterprise(rng, place: Place, family: Family, mix: IndustryMix, industry: Industry, uniques: Uniques):
    trade = rng.choice(mix.trades)

    def make_name():
        return f"{rng.choice(place.name_prefixes)}{rng.choice(NAME_CORES)}{trade.ending}"

    name = uniques.name(make_name)
    low, high = family.employees
    employees = int(math.exp(rng.uniform(math.log(low), math.log(high))))
    revenue = int(employees * rng.uniform(*family.revenue_per_head))
    flags = {key: rng.random() < chance for key, chance in family.specials.items()}
    for flag in trade.flags:
        flags[flag] = True
    if place.rural:
        address = f"{place.address_prefix}{rng.choice(VILLAGES)}村{rng.randint(1, 199)}号"
    else:
        address = f"{place.address_prefix}{rng.choice(ROADS)}{rng.randint(1, 999)}号"
    roll = rng.random()
    status = "closed" if roll < 0.01 else "suspended" if roll < 0.03 else "active"
    principal = person_name(rng)
    return services.EnterpriseData(
        name=name,
        credit_code=uniques.credit_code(rng, place.division),
        township=place.region,
        industry=industry,
        employees=employees,
        revenue_10k=revenue,
        hazchem_licence=rng.random() < mix.hazchem,
        dust_explosion=flags.get(DUST, False),
        ammonia_refrigeration=flags.get(AMMONIA, False),
        confined_space=flags.get(CONFINED, False),
        molten_metal=flags.get(MOLTEN, False),
        address=address,
        latitude=Decimal(f"{place.lat + rng.gauss(0, 0.012):.6f}"),
        longitude=Decimal(f"{place.lon + rng.gauss(0, 0.015):.6f}"),
        legal_representative=principal if rng.random() < 0.7 else person_name(rng),
        principal=principal,
        safety_contact=person_name(rng),
        safety_contact_phone=phone_number(rng),
        established=dt.date(1985, 1, 1) + dt.timedelta(days=rng.randrange(365 * 38)),
        status=status,
    )


# Enterprises the bureau has ruled on by hand (names set when the district is built): large
# machinery works whose cranes and presses the bureau treats as high-risk although no special
# item applies.
HIGH_RISK_OVERRIDES = 2


def build_enterprises(ctx: DemoContext, rng: random.Random, places: list[Place]) -> None:
    industries = {i.code: i for i in Industry.objects.all()}
    uniques = Uniques(set(Enterprise.objects.values_list("credit_code", flat=True)))
    overrides = 0
    for data in plan_enterprises(rng, places, ctx.district_enterprises, industries, uniques):
        if (
            overrides < HIGH_RISK_OVERRIDES
            and data.industry.code in {"34", "35"}
            and not data.derived()["high_risk"]
            and data.employees >= 300
        ):
            data.high_risk_override = True
            overrides += 1
        services.register_enterprise(data, actor=None)
    ctx.log(f"  龙安区：{ctx.district_enterprises} 家企业，{len(places)} 个乡镇街道")

    if ctx.synthetic:
        synthetic_rng = ctx.rng("registry.synthetic")
        districts = build_synthetic_places(synthetic_rng, ctx.synthetic)

        def rows():
            for district in districts:
                yield from plan_enterprises(
                    synthetic_rng, district.places, district.count, industries, uniques
                )

        written = services.bulk_register_enterprises(rows(), actor=None)
        townships = sum(len(d.places) for d in districts)
        ctx.log(f"  合成区县：{len(districts)} 个区县，{townships} 个乡镇街道，{written} 家企业")


# --- member units -------------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberUnitSpec:
    slug: str
    name: str
    kind: str
    duties: tuple[tuple[str, str], ...]  # (industry prefix, hazard category)
    committee_office: bool = False


_PRODUCTION_DIVISIONS = _words(
    "06 08 09 10 11 12 13 17 18 20 22 25 26 30 31 32 33 34 35 36 38 39 43 51 52 59"
)

MEMBER_UNITS = (
    MemberUnitSpec(
        "safety",
        "龙安区应急管理局",
        MemberUnitKind.SAFETY,
        tuple((p, HazardCategory.PRODUCTION) for p in _PRODUCTION_DIVISIONS)
        + tuple((p, HazardCategory.HAZCHEM) for p in ("25", "26", "516", "5265")),
        committee_office=True,
    ),
    MemberUnitSpec(
        "health",
        "龙安区卫生健康委员会",
        MemberUnitKind.HEALTH,
        # 职业病防治法 (2018 amendment): workplace occupational-hazard supervision is 卫生健康's.
        (("", HazardCategory.OCCUPATIONAL_HEALTH),),
    ),
    MemberUnitSpec(
        "police",
        "安阳市公安局龙安分局",
        MemberUnitKind.POLICE,
        # Blasting at mines (民用爆炸物品), toxic and explosive precursors, road traffic.
        tuple((p, HazardCategory.EXPLOSIVES) for p in ("06", "08", "09", "10"))
        + (("26", HazardCategory.HAZCHEM), ("54", HazardCategory.TRAFFIC)),
    ),
    MemberUnitSpec("fire", "龙安区消防救援大队", MemberUnitKind.FIRE, (("", HazardCategory.FIRE),)),
    MemberUnitSpec(
        "market",
        "龙安区市场监督管理局",
        MemberUnitKind.MARKET,
        (("", HazardCategory.SPECIAL_EQUIPMENT),),
    ),
    MemberUnitSpec(
        "housing",
        "龙安区住房和城乡建设局",
        MemberUnitKind.INDUSTRY,
        (
            ("47", HazardCategory.PRODUCTION),
            ("45", HazardCategory.PRODUCTION),
            ("45", HazardCategory.HAZCHEM),
        ),
    ),
    MemberUnitSpec(
        "transport",
        "龙安区交通运输局",
        MemberUnitKind.INDUSTRY,
        (("54", HazardCategory.PRODUCTION), ("54", HazardCategory.TRAFFIC), ("59", HazardCategory.TRAFFIC)),
    ),
    # 管行业必须管安全 (Law Art. 3): the departments of the trades the list holds.
    MemberUnitSpec(
        "commerce",
        "龙安区商务局",
        MemberUnitKind.INDUSTRY,
        (("521", HazardCategory.PRODUCTION), ("62", HazardCategory.PRODUCTION)),
    ),
    MemberUnitSpec(
        "tourism",
        "龙安区文化广电和旅游局",
        MemberUnitKind.INDUSTRY,
        (("61", HazardCategory.PRODUCTION),),
    ),
)


def build_member_units(district: Region) -> None:
    for spec in MEMBER_UNITS:
        services.register_member_unit(
            actor=None,
            district=district,
            name=spec.name,
            kind=spec.kind,
            duties=spec.duties,
            committee_office=spec.committee_office,
        )


# --- providers and experts ----------------------------------------------------------------------


@dataclass(frozen=True)
class ProviderSpec:
    slug: str
    name: str
    division: str
    authority: str  # 9 for a company, 5 for a 民办非企业单位 (a social organisation)
    entity: str
    serves: tuple[str, ...]  # township codes whose contract it won
    experts: int
    qualified: int  # full-time experts with a valid certificate and at least a mid title
    specialties: tuple[str, ...]
    office_area_m2: int
    qualifications: str
    equipment: str
    address: str
    major_violation_date: dt.date | None = None


PROVIDERS = (
    ProviderSpec(
        "runan",
        "安阳润安安全技术服务有限公司",
        "410502",
        "9",
        "1",
        serves=("410506100", "410506101", "410506103"),
        experts=14,
        qualified=11,
        specialties=(
            Specialty.COAL,
            Specialty.NON_COAL,
            Specialty.ELECTRICAL,
            Specialty.SPECIAL_EQUIPMENT,
            Specialty.GENERAL,
        ),
        office_area_m2=420,
        qualifications="安全生产检测检验机构资质（煤矿、非煤矿山）；安全评价机构资质（乙级）",
        equipment="便携式多参数气体检测仪12台；矿用瓦斯检测仪8台；接地电阻测试仪4台；红外测温仪6台；工作用车4辆",
        address="安阳市文峰区中华路188号润安大厦9层",
    ),
    ProviderSpec(
        "dingheng",
        "河南鼎衡安全评价有限公司",
        "410105",
        "9",
        "1",
        serves=("410506201", "410506205", "410506004", "410506006"),
        experts=12,
        qualified=9,
        specialties=(
            Specialty.HAZCHEM,
            Specialty.METALLURGY,
            Specialty.FIRE,
            Specialty.SPECIAL_EQUIPMENT,
            Specialty.ELECTRICAL,
        ),
        office_area_m2=650,
        qualifications="安全评价机构资质（甲级：危险化学品、冶金、建材）",
        equipment="可燃/有毒气体检测仪10台；防爆测厚仪3台；静电测试仪3台；工作用车3辆",
        address="郑州市金水区经三路66号鼎衡科技园B座",
    ),
    ProviderSpec(
        "ankang",
        "安阳市龙安区安康安全生产服务中心",
        "410506",
        "5",
        "2",
        serves=("410506001", "410506002", "410506005"),
        experts=10,
        qualified=7,
        specialties=(
            Specialty.MACHINERY,
            Specialty.TEXTILES,
            Specialty.BUILDING_MATERIALS,
            Specialty.DUST,
            Specialty.FIRE,
            Specialty.GENERAL,
        ),
        office_area_m2=160,
        qualifications="民办非企业单位登记证书；职业卫生技术服务机构资质（丙级）",
        equipment="粉尘浓度检测仪4台；噪声计3台；多参数气体检测仪5台；工作用车2辆",
        address="安阳市龙安区文明大道街道兴业路36号",
    ),
    # Falls short of the entry conditions (domain.md §3.2: ≥100 m², ≥5 full-time qualified
    # engineers, no major violation in three years), so later checks have something to find.
    ProviderSpec(
        "hengyu",
        "安阳恒誉安全科技有限公司",
        "410503",
        "9",
        "1",
        serves=("410506003",),
        experts=8,
        qualified=4,
        specialties=(Specialty.GENERAL, Specialty.FIRE, Specialty.MACHINERY),
        office_area_m2=80,
        qualifications="安全生产技术咨询服务",
        equipment="多参数气体检测仪2台；工作用车1辆",
        address="安阳市北关区红旗路215号2楼",
        major_violation_date=dt.date(2024, 9, 12),
    ),
)

MID_TITLES = ("教授级高级工程师", "高级工程师", "高级工程师", "工程师", "工程师", "工程师")
CONFLICT_REASONS = ("曾任该企业安全科长", "近亲属在该企业任职", "近三年为该企业提供过安全咨询服务")


def _certificates(rng: random.Random, qualified: bool, serials: dict[str, int]) -> list[dict]:
    def number(kind: str, issued: dt.date) -> str:
        serials[kind] = serials.get(kind, 0) + 1
        prefix = {"rse": "ZA", "assessor": "PJ", "fire_engineer": "XF", "title": "ZC"}[kind]
        return f"{prefix}{issued.year}41{serials[kind]:05d}"

    certs = []
    if qualified:
        kind = rng.choices(
            [CertificateKind.REGISTERED_SAFETY_ENGINEER, CertificateKind.SAFETY_ASSESSOR], weights=[7, 3]
        )[0]
        issued = dt.date(rng.randint(2018, 2024), rng.randint(1, 12), rng.randint(1, 28))
        # A registration runs five years; a few fall due soon after the contract year.
        if rng.random() < 0.2:
            expires = dt.date(DEMO_YEAR, 12, 31) + dt.timedelta(days=rng.randint(10, 70))
        else:
            expires = dt.date(DEMO_YEAR + rng.randint(1, 4), rng.randint(1, 12), 28)
        certs.append({"kind": kind, "number": number(kind, issued), "issued": issued, "expires": expires})
        if rng.random() < 0.25:
            issued = dt.date(rng.randint(2019, 2024), rng.randint(1, 12), rng.randint(1, 28))
            certs.append(
                {
                    "kind": CertificateKind.FIRE_ENGINEER,
                    "number": number("fire_engineer", issued),
                    "issued": issued,
                    "expires": dt.date(DEMO_YEAR + rng.randint(1, 3), rng.randint(1, 12), 28),
                }
            )
    elif rng.random() < 0.6:
        # Held once, lapsed: it no longer counts.
        issued = dt.date(rng.randint(2015, 2019), rng.randint(1, 12), rng.randint(1, 28))
        kind = CertificateKind.REGISTERED_SAFETY_ENGINEER
        expires = dt.date(rng.randint(2023, DEMO_YEAR), rng.randint(1, 10), 28)
        certs.append({"kind": kind, "number": number(kind, issued), "issued": issued, "expires": expires})
    return certs


def expert_bases(rng: random.Random, spec: ProviderSpec) -> list[dict]:
    """Where each of the firm's experts sets out from: spread round the townships it serves
    (the experts live or are posted near their work), a street's length to a few km from the
    township's centre. A stream of its own, so adding bases left the rest of the demo as it was."""
    townships = {t.code: t for t in LONGAN_TOWNSHIPS}
    served = [townships[code] for code in spec.serves if code in townships]
    out = []
    for i in range(spec.experts):
        place = served[i % len(served)]
        out.append(
            {
                "base_address": f"安阳市龙安区{place.name}{rng.choice(ROADS)}{rng.randint(1, 299)}号附近",
                "base_latitude": Decimal(f"{place.lat + rng.gauss(0, 0.01):.6f}"),
                "base_longitude": Decimal(f"{place.lon + rng.gauss(0, 0.012):.6f}"),
            }
        )
    return out


def build_providers(rng: random.Random, bases_rng: random.Random | None = None) -> None:
    bases_rng = bases_rng or random.Random("expert-bases")
    existing_codes = set(Provider.objects.values_list("credit_code", flat=True))
    uniques = Uniques(existing_codes)
    used_ids: set[str] = set()
    serials: dict[str, int] = {}
    for spec in PROVIDERS:
        contact = person_name(rng)
        provider = services.register_provider(
            actor=None,
            name=spec.name,
            credit_code=uniques.credit_code(rng, spec.division, spec.authority, spec.entity),
            qualifications=spec.qualifications,
            equipment=spec.equipment,
            office_area_m2=spec.office_area_m2,
            staff_count=spec.experts + rng.randint(4, 12),
            address=spec.address,
            contact=contact,
            contact_phone=phone_number(rng),
            major_violation_date=spec.major_violation_date,
        )
        candidates = list(
            Enterprise.objects.filter(township__code__in=spec.serves, status="active")
            .select_related("industry")
            .order_by("credit_code")
        )
        # A firm that wins a township must be able to field a specialist for every industry there
        # (the planner and the team rule refuse otherwise): each specialty the spec lacks goes to
        # two of its qualified experts, round the roster however many specialties are missing.
        missing = sorted({e.industry.specialty for e in candidates} - set(spec.specialties))
        extra_by_expert: dict[int, set[str]] = {}
        for k, specialty in enumerate(missing):
            for j in (2 * k, 2 * k + 1):
                extra_by_expert.setdefault(j % max(1, spec.qualified), set()).add(specialty)
        conflict_experts = set(rng.sample(range(spec.experts), k=2 if spec.experts > 9 else 1))
        bases = expert_bases(bases_rng, spec)
        for i in range(spec.experts):
            qualified = i < spec.qualified
            specialties = {spec.specialties[i % len(spec.specialties)]}
            specialties.update(rng.sample(spec.specialties, k=rng.randint(0, 2)))
            specialties.update(extra_by_expert.get(i, ()))
            if qualified:
                title, full_time = rng.choice(MID_TITLES), True
            else:
                # Short of qualified for one reason or another: part-time, junior, or lapsed.
                title = rng.choice(("助理工程师", "工程师", "技术员"))
                full_time = rng.random() < 0.5
            conflicts = []
            if i in conflict_experts and candidates:
                conflicts.append((rng.choice(candidates), rng.choice(CONFLICT_REASONS)))
            expert = services.register_expert(
                actor=None,
                provider=provider,
                name=person_name(rng),
                specialties=sorted(specialties),
                conflicts=conflicts,
                id_number=id_number(rng, spec.division, used_ids),
                phone=phone_number(rng),
                title=title,
                full_time=full_time,
                active=qualified or rng.random() < 0.85,
                **bases[i],
            )
            for cert in _certificates(rng, qualified, serials):
                services.add_expert_certificate(expert, actor=None, **cert)


# --- the step -----------------------------------------------------------------------------------


@demo_step(10)
def build_registry(ctx: DemoContext) -> None:
    """Regions, enterprises, member units, providers with their experts."""
    rng = ctx.rng("registry")
    places = build_longan_places()
    build_enterprises(ctx, rng, places)
    build_member_units(Region.objects.get(code=DISTRICT[0]))
    build_providers(rng, ctx.rng("expert-bases"))
    ctx.log(f"  成员单位 {len(MEMBER_UNITS)} 个，服务机构 {len(PROVIDERS)} 家")
