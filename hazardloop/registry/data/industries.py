"""GB/T 4754-2017 (国民经济行业分类) categories and the inspection specialty each needs.

`INDUSTRIES` holds the categories the district's inspections know (domain.md §5.3), written from
the standard by hand, with our specialty mapping. The whole classification (20 门类, 97 大类,
473 中类, 1,380 小类) is reference data the operator loads from the standard's table with
`hazardloop load_industries FILE` (ADR 0036): no package on the registries this project may
use ships it, and the project does not carry a copy taken from another repository. A loaded
category takes the specialty of its nearest known ancestor, so a class such as 1711 (棉纺纱加工)
needs the textiles specialty of its division 17.
"""

from __future__ import annotations

from collections.abc import Iterable

# (code, name, parent code or "", specialty)
INDUSTRIES = [
    ("B", "采矿业", "", "non_coal"),
    ("06", "煤炭开采和洗选业", "B", "coal"),
    ("0610", "烟煤和无烟煤开采洗选", "06", "coal"),
    ("0620", "褐煤开采洗选", "06", "coal"),
    ("0690", "其他煤炭采选", "06", "coal"),
    ("08", "黑色金属矿采选业", "B", "non_coal"),
    ("081", "铁矿采选", "08", "non_coal"),
    ("0810", "铁矿采选", "081", "non_coal"),
    ("09", "有色金属矿采选业", "B", "non_coal"),
    ("10", "非金属矿采选业", "B", "non_coal"),
    ("101", "土砂石开采", "10", "non_coal"),
    ("1011", "石灰石、石膏开采", "101", "non_coal"),
    ("1012", "建筑装饰用石开采", "101", "non_coal"),
    ("1019", "粘土及其他土砂石开采", "101", "non_coal"),
    ("102", "化学矿开采", "10", "non_coal"),
    ("103", "采盐", "10", "non_coal"),
    ("11", "开采专业及辅助性活动", "B", "non_coal"),
    ("12", "其他采矿业", "B", "non_coal"),
    ("C", "制造业", "", "general"),
    ("13", "农副食品加工业", "C", "general"),
    ("17", "纺织业", "C", "textiles"),
    ("171", "棉纺织及印染精加工", "17", "textiles"),
    ("18", "纺织服装、服饰业", "C", "textiles"),
    ("20", "木材加工和木、竹、藤、棕、草制品业", "C", "dust"),
    ("22", "造纸和纸制品业", "C", "general"),
    ("25", "石油、煤炭及其他燃料加工业", "C", "hazchem"),
    ("252", "煤炭加工", "25", "hazchem"),
    ("2521", "炼焦", "252", "hazchem"),
    ("26", "化学原料和化学制品制造业", "C", "hazchem"),
    ("261", "基础化学原料制造", "26", "hazchem"),
    ("2614", "有机化学原料制造", "261", "hazchem"),
    ("262", "肥料制造", "26", "hazchem"),
    ("264", "涂料、油墨、颜料及类似产品制造", "26", "hazchem"),
    ("30", "非金属矿物制品业", "C", "building"),
    ("301", "水泥、石灰和石膏制造", "30", "building"),
    ("3011", "水泥制造", "301", "building"),
    ("303", "砖瓦、石材等建筑材料制造", "30", "building"),
    ("31", "黑色金属冶炼和压延加工业", "C", "metallurgy"),
    ("3110", "炼铁", "31", "metallurgy"),
    ("3120", "炼钢", "31", "metallurgy"),
    ("3130", "钢压延加工", "31", "metallurgy"),
    ("3140", "铁合金冶炼", "31", "metallurgy"),
    ("32", "有色金属冶炼和压延加工业", "C", "metallurgy"),
    ("33", "金属制品业", "C", "machinery"),
    ("34", "通用设备制造业", "C", "machinery"),
    ("35", "专用设备制造业", "C", "machinery"),
    ("36", "汽车制造业", "C", "machinery"),
    ("38", "电气机械和器材制造业", "C", "machinery"),
    ("39", "计算机、通信和其他电子设备制造业", "C", "machinery"),
    ("43", "金属制品、机械和设备修理业", "C", "machinery"),
    ("D", "电力、热力、燃气及水生产和供应业", "", "electrical"),
    ("44", "电力、热力生产和供应业", "D", "electrical"),
    ("45", "燃气生产和供应业", "D", "hazchem"),
    ("E", "建筑业", "", "general"),
    ("47", "房屋建筑业", "E", "general"),
    ("F", "批发和零售业", "", "general"),
    ("51", "批发业", "F", "general"),
    ("516", "矿产品、建材及化工产品批发", "51", "hazchem"),
    ("5162", "石油及制品批发", "516", "hazchem"),
    ("52", "零售业", "F", "fire"),
    ("526", "汽车、摩托车、零配件和燃料及其他动力销售", "52", "hazchem"),
    ("5265", "机动车燃油零售", "526", "hazchem"),
    ("G", "交通运输、仓储和邮政业", "", "general"),
    ("54", "道路运输业", "G", "general"),
    ("59", "装卸搬运和仓储业", "G", "hazchem"),
    ("H", "住宿和餐饮业", "", "fire"),
    ("61", "住宿业", "H", "fire"),
    ("62", "餐饮业", "H", "fire"),
]


def classification(rows: Iterable[tuple[str, str, str]] = ()) -> list[tuple[str, str, str, str]]:
    """The built-in categories, then `rows` (code, name, parent code) of a loaded table, as
    (code, name, parent code or "", specialty), parents before their children. A row's
    specialty is the built-in one for its code, else its parent's, else "general"."""
    specialty_of = {code: specialty for code, _name, _parent, specialty in INDUSTRIES}
    chosen = dict(specialty_of)
    result = list(INDUSTRIES)
    for code, name, parent in rows:
        specialty = specialty_of.get(code) or chosen.get(parent) or "general"
        chosen[code] = specialty
        result.append((code, name, parent, specialty))
    return result
