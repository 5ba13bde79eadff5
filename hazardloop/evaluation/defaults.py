"""The default service-quality standard, seeded by migration 0002 and restorable from the KPI
page. Weights add up to 100; each KPI's anchors are the raw values that score 100 and 0."""

from decimal import Decimal as D

# code, weight, target (scores 100), zero_at (scores 0), how the value is computed
DEFAULT_KPIS = [
    (
        "coverage",
        D(25),
        D("1"),
        D("0.5"),
        "完成的计划检查 ÷ 本期计划检查（计划标记完成或有该企业的检查记录）",
    ),
    ("compliance", D(20), D("0"), D("0.5"), "人数、专业、报告逾期、复查逾期偏差 ÷ 本期检查次数"),
    ("findings", D(10), D("1"), D("0"), "发现隐患 ÷ 按企业类别预期的隐患数（检查次数 × 每次预期）"),
    ("reinspection", D(15), D("1"), D("0.5"), "按合同工作日时限完成的复查 ÷ 本期到期的复查"),
    ("overturned", D(10), D("0"), D("0.2"), "被认定误判撤销的隐患 ÷ 本期发现的隐患"),
    ("satisfaction", D(10), D("4.5"), D("2"), "企业满意度评分的平均值（1–5）"),
    ("officer", D(10), D("4.5"), D("2"), "陪同人员评价评分的平均值（1–5）"),
]

# Findings a visit is expected to turn up, by enterprise class.
# Set from the demo district's visits (about 0.6 findings a visit overall, more where the risk is);
# the bureau adjusts them as the district's own figures accumulate.
DEFAULT_EXPECTATIONS = {"ordinary": D("0.5"), "large_medium": D("1.0"), "high_risk": D("1.5")}
