"""Seed checklists (reference data), paraphrased from the criteria in docs/shared domain notes §2.

Each item keeps the regulation or standard it comes from and the article or item number, and says
whether failing it is a major-hazard criterion (重大事故隐患判定标准). A data migration loads these
as version 1 of each checklist; the district bureau revises them through new versions afterwards,
so this file is only ever read by that migration and by tests.

Every industry checklist ends with the common sections (safety management under the Work Safety
Law and Order 16, and fire safety under GB 35181), so one visit uses one checklist version.
"""

from __future__ import annotations

# Sources, as printed on checklists and reports.
LAW = "《中华人民共和国安全生产法》（2021年修正）"
ORDER16 = "《安全生产事故隐患排查治理暂行规定》（安监总局令第16号）"
COAL = "《煤矿重大事故隐患判定标准》（应急管理部令第4号）"
MINE = "《金属非金属矿山重大事故隐患判定标准》（矿安〔2022〕88号）"
HAZCHEM = "《化工和危险化学品生产经营单位重大生产安全事故隐患判定标准（试行）》（安监总管三〔2017〕121号）"
TRADE = "《工贸企业重大事故隐患判定标准》（应急管理部令第10号）"
FIRE = "《重大火灾隐患判定规则》（GB 35181-2025）"

# Short keys for the item tuples below.
P, F, H, E, OH = "production", "fire", "hazchem", "electrical", "occupational_health"
ST, BE, MG = "state", "behaviour", "management"

# (section, text, source, article, major criterion, hazard category, hazard form)
GENERAL = [
    (
        "安全生产管理",
        "建立健全全员安全生产责任制，主要负责人、安全管理人员和各岗位责任明确",
        LAW,
        "第四条",
        False,
        P,
        MG,
    ),
    (
        "安全生产管理",
        "建立事故隐患排查治理制度和档案，责任落实到主要负责人至每名从业人员",
        ORDER16,
        "第四条、第八条",
        False,
        P,
        MG,
    ),
    ("安全生产管理", "保障隐患排查治理所需资金，专款专用", ORDER16, "第九条", False, P, MG),
    ("安全生产管理", "构建安全风险分级管控和隐患排查治理双重预防机制", LAW, "第四十一条第一款", False, P, MG),
    (
        "隐患排查治理",
        "定期组织隐患排查，按等级如实登记隐患台账，并向从业人员通报",
        LAW,
        "第四十一条第二款",
        False,
        P,
        MG,
    ),
    (
        "隐患排查治理",
        "重大事故隐患及时向负有安全生产监督管理职责的部门和职工大会（职代会）报告",
        LAW,
        "第四十一条第二款",
        False,
        P,
        MG,
    ),
    (
        "隐患排查治理",
        "每季度、每年对隐患排查治理情况进行统计分析并按时报送，主要负责人签字",
        ORDER16,
        "第十四条",
        False,
        P,
        MG,
    ),
    (
        "隐患排查治理",
        "重大事故隐患由主要负责人组织制定并实施治理方案（目标任务、方法措施、经费物资、机构人员、时限要求、安全措施和应急预案）",
        ORDER16,
        "第十五条",
        False,
        P,
        MG,
    ),
    (
        "隐患排查治理",
        "对承包、承租单位的隐患排查治理统一协调管理，定期检查",
        ORDER16,
        "第十二条",
        False,
        P,
        MG,
    ),
    (
        "教育培训",
        "主要负责人和安全生产管理人员具备相应安全生产知识和管理能力并经考核",
        LAW,
        "第二十七条",
        False,
        P,
        MG,
    ),
    ("教育培训", "从业人员经安全生产教育和培训合格后上岗，培训档案完整", LAW, "第二十八条", False, P, BE),
    ("教育培训", "特种作业人员按规定取得相应资格后上岗作业", LAW, "第三十条", False, P, BE),
    ("应急管理", "制定生产安全事故应急救援预案并定期组织演练", LAW, "第八十一条", False, P, MG),
    ("应急管理", "配备必要的应急救援器材、设备和物资并经常性维护", LAW, "第八十二条", False, P, ST),
    ("现场管理", "生产经营场所和员工宿舍出口、疏散通道畅通，未封堵、锁闭", LAW, "第四十二条", False, F, ST),
    (
        "现场管理",
        "危险作业（动火、有限空间、高处等）执行审批并安排专人现场管理",
        LAW,
        "第四十三条",
        False,
        P,
        BE,
    ),
    ("现场管理", "在有较大危险因素的场所和设施设备上设置明显的安全警示标志", LAW, "第三十五条", False, P, ST),
    ("现场管理", "为从业人员提供符合标准的劳动防护用品并监督正确佩戴使用", LAW, "第四十五条", False, OH, BE),
    ("用电安全", "电气线路敷设规范，无私拉乱接，配电箱有漏电保护", LAW, "第三十六条", False, E, ST),
]

FIRE_ITEMS = [
    ("消防安全", "公共娱乐、劳动密集型等人员密集场所安全出口数量或宽度符合要求", FIRE, "第5章", True, F, ST),
    ("消防安全", "建筑物内未设置员工集体宿舍，或宿舍与生产储存场所按规定分隔", FIRE, "第5章", True, F, ST),
    ("消防安全", "甲、乙类生产储存场所未设置在地下或半地下", FIRE, "第5章", True, F, ST),
    ("消防安全", "未使用易燃可燃彩钢夹芯板搭建宿舍或人员密集场所", FIRE, "第5章", True, F, ST),
    ("消防安全", "按规定设置的自动喷水灭火系统、火灾自动报警系统完好有效", FIRE, "第5章、附录A", True, F, ST),
    (
        "消防安全",
        "消防给水、防烟排烟、消防电源、应急照明和疏散指示标志完好（综合判定要素）",
        FIRE,
        "第6章",
        False,
        F,
        ST,
    ),
    (
        "消防安全",
        "防火分隔、防火门和防火卷帘完好，未擅自改变防火分区（综合判定要素）",
        FIRE,
        "第6章",
        False,
        F,
        ST,
    ),
    ("消防安全", "落实消防安全管理制度，定期开展防火检查巡查（综合判定要素）", FIRE, "第6章", False, F, MG),
]

COMMON = GENERAL + FIRE_ITEMS

COAL_ITEMS = [
    (
        "煤矿重大事故隐患",
        "未超能力、超强度或者超定员组织生产（年产量不超核定能力10%，月产量不超1/10）",
        COAL,
        "第四条",
        True,
        P,
        MG,
    ),
    ("煤矿重大事故隐患", "瓦斯未超限作业", COAL, "第五条", True, P, ST),
    ("煤矿重大事故隐患", "煤与瓦斯突出矿井按规定落实区域和局部综合防突措施", COAL, "第六条", True, P, ST),
    ("煤矿重大事故隐患", "高瓦斯、突出矿井建立瓦斯抽采系统和监控系统并正常运行", COAL, "第七条", True, P, ST),
    ("煤矿重大事故隐患", "通风系统可靠，无不符合规定的串联通风、微风或无风作业", COAL, "第八条", True, P, ST),
    ("煤矿重大事故隐患", "有严重水患的矿井采取有效防治水措施", COAL, "第九条", True, P, ST),
    ("煤矿重大事故隐患", "未超层越界开采", COAL, "第十条", True, P, MG),
    ("煤矿重大事故隐患", "有冲击地压危险的矿井落实防冲措施", COAL, "第十一条", True, P, ST),
    ("煤矿重大事故隐患", "自然发火严重的矿井落实防灭火措施", COAL, "第十二条", True, P, ST),
    ("煤矿重大事故隐患", "未使用明令禁止使用或者淘汰的设备、工艺", COAL, "第十三条", True, P, ST),
    ("煤矿重大事故隐患", "具备双回路供电系统", COAL, "第十四条", True, E, ST),
    ("煤矿重大事故隐患", "新建、改扩建矿井在建设期间未擅自组织生产", COAL, "第十五条", True, P, MG),
    ("煤矿重大事故隐患", "不存在违规承包、转包、分包或以包代管", COAL, "第十六条", True, P, MG),
    ("煤矿重大事故隐患", "改制、重组期间明确安全生产责任主体并及时变更证照", COAL, "第十七条", True, P, MG),
]

MINE_ITEMS = [
    ("地下矿山", "具有两个独立直达地面的安全出口且符合设计，间距不小于30米", MINE, "一、（一）", True, P, ST),
    ("地下矿山", "未使用国家明令禁止使用的设备、材料和工艺", MINE, "一、（二）", True, P, ST),
    ("地下矿山", "相邻矿山井巷未相互贯通", MINE, "一、（三）", True, P, ST),
    (
        "地下矿山",
        "地质、测量、采掘工程图纸齐全并按期更新（生产矿山每3个月）",
        MINE,
        "一、（四）",
        True,
        P,
        MG,
    ),
    ("地下矿山", "按设计建立防治水系统，暴雨期间落实撤人措施", MINE, "一", True, P, ST),
    ("地下矿山", "入井人员携带并能正确使用气体检测仪、自救器", MINE, "一、（二十一）", True, P, BE),
    ("露天矿山", "按设计自上而下分台阶开采，边坡和台阶参数符合设计", MINE, "二", True, P, ST),
    ("露天矿山", "地下转露天开采前对采空区进行探明和处理", MINE, "二", True, P, ST),
    ("尾矿库", "未在坝体上挖掘、爆破，坝坡、坝高和库容不超设计", MINE, "三", True, P, ST),
]

HAZCHEM_ITEMS = [
    (
        "危险化学品重大事故隐患",
        "主要负责人和安全生产管理人员依法经考核合格",
        HAZCHEM,
        "第（一）项",
        True,
        H,
        MG,
    ),
    ("危险化学品重大事故隐患", "特种作业人员持证上岗", HAZCHEM, "第（二）项", True, H, BE),
    (
        "危险化学品重大事故隐患",
        "涉及“两重点一重大”装置的外部安全防护距离符合要求",
        HAZCHEM,
        "第（三）项",
        True,
        H,
        ST,
    ),
    (
        "危险化学品重大事故隐患",
        "重点监管危险化工工艺装置实现自动化控制，紧急停车系统投用",
        HAZCHEM,
        "第（四）项",
        True,
        H,
        ST,
    ),
    (
        "危险化学品重大事故隐患",
        "一、二级重大危险源储罐区设置紧急切断装置，毒性或液化易燃气体设独立安全仪表系统",
        HAZCHEM,
        "第（五）项",
        True,
        H,
        ST,
    ),
    ("危险化学品重大事故隐患", "全压力式液化烃储罐按规定设置注水措施", HAZCHEM, "第（六）项", True, H, ST),
    (
        "危险化学品重大事故隐患",
        "液化烃、液氨、液氯装卸使用万向管道充装系统",
        HAZCHEM,
        "第（七）项",
        True,
        H,
        ST,
    ),
    (
        "危险化学品重大事故隐患",
        "光气、氯气、硫化氢等有毒气体管道未穿越公共区域",
        HAZCHEM,
        "第（八）项",
        True,
        H,
        ST,
    ),
    ("危险化学品重大事故隐患", "地区架空电力线路未穿越生产区", HAZCHEM, "第（九）项", True, H, ST),
    (
        "危险化学品重大事故隐患",
        "在役化工装置经正规设计或进行安全设计诊断",
        HAZCHEM,
        "第（十）项",
        True,
        H,
        MG,
    ),
    ("危险化学品重大事故隐患", "未使用淘汰落后的工艺和设备", HAZCHEM, "第（十一）项", True, H, ST),
    (
        "危险化学品重大事故隐患",
        "按规定设置可燃和有毒气体检测报警装置，爆炸危险场所电气设备防爆",
        HAZCHEM,
        "第（十二）项",
        True,
        H,
        ST,
    ),
    (
        "危险化学品重大事故隐患",
        "控制室、机柜间面向具有火灾、爆炸危险性装置一侧满足防火防爆要求",
        HAZCHEM,
        "第（十三）项",
        True,
        H,
        ST,
    ),
    (
        "危险化学品重大事故隐患",
        "关键设备装置有双重电源供电，自动化控制系统设置不间断电源",
        HAZCHEM,
        "第（十四）项",
        True,
        H,
        ST,
    ),
    ("危险化学品重大事故隐患", "安全阀、爆破片等安全附件正常投用", HAZCHEM, "第（十五）项", True, H, ST),
    (
        "危险化学品重大事故隐患",
        "建立与岗位相匹配的全员安全生产责任制和隐患排查治理制度",
        HAZCHEM,
        "第（十六）项",
        True,
        H,
        MG,
    ),
    ("危险化学品重大事故隐患", "制定操作规程和工艺控制指标", HAZCHEM, "第（十七）项", True, H, MG),
    (
        "危险化学品重大事故隐患",
        "动火、进入受限空间等特殊作业执行作业许可管理",
        HAZCHEM,
        "第（十八）项",
        True,
        H,
        BE,
    ),
    (
        "危险化学品重大事故隐患",
        "新开发工艺经小试、中试、工业化试验，精细化工开展反应安全风险评估",
        HAZCHEM,
        "第（十九）项",
        True,
        H,
        MG,
    ),
    (
        "危险化学品重大事故隐患",
        "危险化学品分区、分类、分库储存，未超量、超品种储存，禁配物未混存",
        HAZCHEM,
        "第（二十）项",
        True,
        H,
        ST,
    ),
]

TRADE_ITEMS = [
    ("工贸行业通用", "对承包、承租单位统一协调管理并定期检查", TRADE, "第三条", True, P, MG),
    ("工贸行业通用", "特种作业人员取得相应资格上岗", TRADE, "第三条", True, P, BE),
    ("工贸行业通用", "金属冶炼企业主要负责人、安全管理人员经考核合格", TRADE, "第三条", True, P, MG),
    (
        "冶金有色",
        "吊运熔融金属的起重机作业区域内未设置会议室、休息室等6类人员聚集场所",
        TRADE,
        "第四条",
        True,
        P,
        ST,
    ),
    ("冶金有色", "熔融金属作业区域（炉下、地坑等）无积水", TRADE, "第四条", True, P, ST),
    ("冶金有色", "设置钢水罐、中间罐等事故应急坑", TRADE, "第四条", True, P, ST),
    ("冶金有色", "冶炼炉冷却系统设置温度、流量报警及联锁", TRADE, "第四条", True, P, ST),
    ("冶金有色", "煤气区域设置固定式一氧化碳报警并接入24小时值守场所", TRADE, "第四条", True, P, ST),
    ("机械", "熔炼、浇注区域吊运熔融金属起重机下方无人员聚集场所", TRADE, "第七条", True, P, ST),
    ("机械", "熔炼炉设置紧急排放和应急储存设施", TRADE, "第七条", True, P, ST),
    ("机械", "吊运熔融金属的起重机符合冶金起重机要求，具有双制动", TRADE, "第七条", True, P, ST),
    ("机械", "燃气炉窑设置泄漏报警和熄火保护切断装置", TRADE, "第七条", True, P, ST),
    ("机械", "喷漆房设置可燃气体报警，电气设备防爆", TRADE, "第七条", True, P, ST),
    ("纺织轻工", "热定型、烧毛、烘干等热源与人员聚集区域有效分隔", TRADE, "", True, P, ST),
    ("纺织轻工", "保险粉、双氧水、次氯酸钠等未与禁忌物混存，防潮措施有效", TRADE, "", True, H, ST),
    (
        "粉尘防爆",
        "粉尘爆炸危险场所未设置在非框架结构多层建筑内，厂房内无人员聚集场所",
        TRADE,
        "",
        True,
        P,
        ST,
    ),
    ("粉尘防爆", "不同类别可燃性粉尘未合用同一除尘系统", TRADE, "", True, P, ST),
    ("粉尘防爆", "干式除尘系统采取泄爆、惰化、抑爆等控爆措施", TRADE, "", True, P, ST),
    ("粉尘防爆", "铝镁等金属粉尘正压吊运输送系统设置火花探测消除装置", TRADE, "", True, P, ST),
    ("粉尘防爆", "粉尘作业场所电气设备防爆，及时清理积尘", TRADE, "", False, P, ST),
    ("涉氨制冷", "包装间、分割间等人员密集场所未采用氨直接蒸发制冷空调", TRADE, "", True, P, ST),
    ("涉氨制冷", "快速冻结装置单独设置，同一时间作业人员不超过9人", TRADE, "", True, P, ST),
    ("有限空间", "辨识有限空间并设置安全警示标志", TRADE, "", True, P, MG),
    ("有限空间", "有限空间作业履行审批，落实先通风、再检测、后作业，并设专人监护", TRADE, "", True, P, BE),
]

# 令10号 (工贸) Art. 2 leaves hazchem matters to the hazchem criteria, whose title covers
# 生产经营单位: so fuel stations and hazchem traders take this list, not the 工贸 one. Their
# four-digit GB/T 4754 classes outrank 工贸's "51"/"52" (the longest matching prefix wins).
HAZCHEM_PREFIXES = ["25", "26", "5162", "5169", "5265", "5266"]

DIVISIONS_TRADE = [f"{n:02d}" for n in list(range(13, 25)) + list(range(27, 44)) + [51, 52]]

# code, name, industry prefixes ([] = every industry, the fallback), description, items
TEMPLATES = [
    ("general", "通用安全检查表", [], "不属于专门行业检查表的企业适用：安全生产管理与消防安全。", COMMON),
    ("coal", "煤矿安全检查表", ["06"], "煤炭开采和洗选业。", COAL_ITEMS + COMMON),
    (
        "mine",
        "金属非金属矿山安全检查表",
        ["08", "09", "10", "11", "12"],
        "金属、非金属矿采选业。",
        MINE_ITEMS + COMMON,
    ),
    (
        "hazchem",
        "危险化学品安全检查表",
        HAZCHEM_PREFIXES,
        "石油加工、化学原料和化学制品制造业；危险化学品经营（石油及制品批发、其他化工产品批发、机动车燃油和燃气零售）。",
        HAZCHEM_ITEMS + COMMON,
    ),
    (
        "trade",
        "工贸企业安全检查表",
        DIVISIONS_TRADE,
        "冶金、有色、建材、机械、轻工、纺织、烟草、商贸。",
        TRADE_ITEMS + COMMON,
    ),
]
