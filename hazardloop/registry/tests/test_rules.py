"""Known answers for the registry's pure rules (registry/rules.py).

Every expected value here was worked out by hand from the standard or taken from a published
document, never computed by the code under test: a wrong weight, modulus or threshold in
`rules` fails these tests even though codes built by `rules.make_uscc` would still agree with it.

统一社会信用代码 (GB 32100-2015 §5): the 31 characters 0-9 A-H J-N P-R T-U W-Y carry values
0..30; position i (1-based) has weight 3^(i-1) mod 31, i.e.
    1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28
and the check character is the one whose value is C = 31 - (S mod 31), with 31 written as 0.

组织机构代码 (GB 11714-1997 §4): weights 3 7 9 10 5 8 4 2 over the eight body characters
(digits at face value, letters A=10 … Z=35), C = 11 - (S mod 11); 10 is written X, 11 is 0.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from .. import rules

# (code, holder, the hand sum S of value × weight over the first 17 characters, S mod 31)
PUBLISHED_USCC = [
    # GB 32100-2015's own worked example.
    # 9·1 + 1·3 + 3·9 + 5·27 + 0·19 + 1·26 + 0·16 + 0·17 + M(21)·20 + 0·29 + 0·25 + 0·13
    # + 1·8 + 0·24 + 0·10 + Y(30)·30 + 4·28 = 1640; 1640 mod 31 = 28; 31 - 28 = 3 → "3".
    ("91350100M000100Y43", "GB 32100-2015 example", 1640, 28),
    # 华为技术有限公司 (深圳): 9 3 36 108 0 78 0 0 20 261 50 26 0 72 80 60 28 → 831;
    # 831 mod 31 = 25; 31 - 25 = 6 → "6".
    ("914403001922038216", "华为技术有限公司", 831, 25),
    # 深圳市腾讯计算机系统有限公司: … → 966; 966 mod 31 = 5; 31 - 5 = 26 → T (value 26).
    ("91440300708461136T", "深圳市腾讯计算机系统有限公司", 966, 5),
    # 阿里巴巴（中国）有限公司 (杭州): … → 884; 884 mod 31 = 16; 31 - 16 = 15 → F (value 15).
    ("91330100716105852F", "阿里巴巴（中国）有限公司", 884, 16),
    # 小米科技有限责任公司 (北京海淀): … → 999; 999 mod 31 = 7; 31 - 7 = 24 → Q (value 24).
    ("91110108551385082Q", "小米科技有限责任公司", 999, 7),
    # 百度在线网络技术（北京）有限公司: … → 485; 485 mod 31 = 20; 31 - 20 = 11 → B (value 11).
    ("91110000802100433B", "百度在线网络技术（北京）有限公司", 485, 20),
    # 中国石油天然气集团有限公司: … → 290; 290 mod 31 = 11; 31 - 11 = 20 → L (value 20).
    ("91110000100010433L", "中国石油天然气集团有限公司", 290, 11),
]

# The organisation codes inside those credit codes (positions 9-17), with the hand sums.
PUBLISHED_ORG_CODES = [
    # GB 11714-1997's example: D(13)·3 + 2·7 + 1·9 + 4·10 + 3·5 + 5·8 + 6·4 + 9·2 = 199;
    # 199 mod 11 = 1; 11 - 1 = 10 → X.
    ("D2143569", "X"),
    # 华为: 1·3 + 9·7 + 2·9 + 2·10 + 0·5 + 3·8 + 8·4 + 2·2 = 164; 164 mod 11 = 10; 11 - 10 = 1.
    ("19220382", "1"),
    # 腾讯: 7·3 + 0 + 8·9 + 4·10 + 6·5 + 1·8 + 1·4 + 3·2 = 181; 181 mod 11 = 5; 11 - 5 = 6.
    ("70846113", "6"),
    # 阿里巴巴: 21 + 7 + 54 + 10 + 0 + 40 + 32 + 10 = 174; 174 mod 11 = 9; 11 - 9 = 2.
    ("71610585", "2"),
    # 百度: 8·3 + 0 + 2·9 + 1·10 + 0 + 0 + 4·4 + 3·2 = 74; 74 mod 11 = 8; 11 - 8 = 3.
    ("80210043", "3"),
    # 中国石油: 1·3 + 0 + 0 + 0 + 1·5 + 0 + 4·4 + 3·2 = 30; 30 mod 11 = 8; 11 - 8 = 3.
    ("10001043", "3"),
    # A body whose sum is a multiple of 11 gives 11, written "0":
    # 1·3 + 0·7 + 0·9 + 0·10 + 0·5 + 1·8 + 0·4 + 0·2 = 11; 11 mod 11 = 0; 11 - 0 = 11 → 0.
    ("10000100", "0"),
]

HAND_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


@pytest.mark.parametrize(("code", "holder", "total", "remainder"), PUBLISHED_USCC)
def test_published_credit_codes_are_valid(code, holder, total, remainder):
    assert rules.uscc_problem(code) is None, holder
    assert rules.is_valid_uscc(code)
    assert rules.uscc_check_character(code[:17]) == code[17]
    # The hand sums in the comments are themselves checked against the table of the standard.
    charset = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    assert sum(charset.index(ch) * w for ch, w in zip(code[:17], HAND_WEIGHTS, strict=True)) == total
    assert total % 31 == remainder


@pytest.mark.parametrize(("code", "holder", "total", "remainder"), PUBLISHED_USCC)
def test_every_other_check_character_is_refused(code, holder, total, remainder):
    for wrong in "0123456789ABCDEFGHJKLMNPQRTUWXY":
        if wrong != code[17]:
            assert rules.uscc_problem(code[:17] + wrong) == rules.USCCError.CHECK


def test_the_weights_are_the_standards():
    assert tuple(rules.USCC_WEIGHTS) == HAND_WEIGHTS


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("91350100M000100Y4", rules.USCCError.LENGTH),
        ("91350100M000100Y433", rules.USCCError.LENGTH),
        # I, O, S, V, Z are left out of the charset so they cannot be misread as 1, 0, 5, U, 2.
        ("91350100I000100Y43", rules.USCCError.CHARACTER),
        ("91350100O000100Y43", rules.USCCError.CHARACTER),
        ("91350100S000100Y43", rules.USCCError.CHARACTER),
        ("91350100V000100Y43", rules.USCCError.CHARACTER),
        ("91350100Z000100Y43", rules.USCCError.CHARACTER),
        # Two neighbouring characters swapped: the weighted sum changes, so the check fails.
        ("91350100M000100Y34", rules.USCCError.CHECK),
        ("19350100M000100Y43", rules.USCCError.CHECK),
    ],
)
def test_malformed_codes_are_named_by_what_is_wrong(typed, problem):
    assert rules.uscc_problem(typed) == problem


def test_what_a_clerk_types_is_normalised_before_checking():
    # Full-width digits and letters, spaces, a hyphen and lower case, as pasted from a licence.
    assert rules.normalise_uscc(" ９１３５０１００ｍ000100-y43 ") == "91350100M000100Y43"
    assert rules.is_valid_uscc("９１３５０１００Ｍ０００１００Ｙ４３")
    assert rules.is_valid_uscc("91350100m000100y43")


@pytest.mark.parametrize(("body", "check"), PUBLISHED_ORG_CODES)
def test_organisation_code_check_characters(body, check):
    assert rules.org_code_check_character(body) == check


def test_credit_codes_carry_their_organisation_code():
    # Positions 9-17 of a credit code are the 9-character organisation code, its check included.
    for code, *_ in PUBLISHED_USCC[1:]:
        body, check = code[8:16], code[16]
        assert rules.org_code_check_character(body) == check, code


# --- hypothesis: round trips ------------------------------------------------------------------

USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
bodies17 = st.text(alphabet=USCC_CHARS, min_size=17, max_size=17)


@given(bodies17)
def test_any_body_with_its_check_character_is_valid(first17):
    assert rules.uscc_problem(first17 + rules.uscc_check_character(first17)) is None


@given(bodies17, st.integers(0, 16), st.sampled_from(USCC_CHARS))
def test_any_single_character_change_is_caught(first17, position, replacement):
    # Weights are units mod 31 (31 is prime), so one changed character always changes S mod 31.
    code = first17 + rules.uscc_check_character(first17)
    changed = code[:position] + replacement + code[position + 1 :]
    if changed != code:
        assert rules.uscc_problem(changed) == rules.USCCError.CHECK


@given(
    st.sampled_from(["1", "5", "9", "Y"]),
    st.sampled_from(["1", "2", "3", "9"]),
    st.text(alphabet="0123456789", min_size=6, max_size=6),
    st.text(alphabet="0123456789ABCDEFGHJKLMNPQRTUWXY", min_size=8, max_size=8),
)
def test_made_codes_are_valid_and_hold_a_valid_organisation_code(authority, kind, division, body):
    code = rules.make_uscc(authority, kind, division, body)
    assert rules.uscc_problem(code) is None
    assert code[8:16] == body
    assert rules.org_code_check_character(body) == code[16]


# --- size classes (国统字〔2017〕213号 《统计上大中小微型企业划分办法（2017）》) ------------------
#
# The table's rows used here (营业收入 in 万元; large, medium and small must meet both lower
# bounds, otherwise the enterprise drops a class and is tested again):
#   工业  从业人员 ≥1000 且 营业收入 ≥40000 大型; ≥300 且 ≥2000 中型; ≥20 且 ≥300 小型;
#         <20 或 <300 微型.
#   批发业 从业人员 ≥200 且 营业收入 ≥40000 大型; ≥20 且 ≥5000 中型; ≥5 且 ≥1000 小型;
#         <5 或 <1000 微型.

S = rules.SizeClass


@pytest.mark.parametrize(
    ("employees", "revenue_10k", "expected"),
    [
        (1000, 40000, S.LARGE),  # both exactly at the large bounds
        (999, 40000, S.MEDIUM),  # one person short of large
        (1000, 39999, S.MEDIUM),  # ¥10,000 short of large
        (300, 2000, S.MEDIUM),
        (299, 2000, S.SMALL),
        (300, 1999, S.SMALL),
        (5000, 1999, S.SMALL),  # many staff, small revenue: revenue decides
        (20, 300, S.SMALL),
        (19, 300, S.MICRO),
        (20, 299, S.MICRO),
        (19, 1_000_000, S.MICRO),  # huge revenue, 19 staff: micro
        (0, 0, S.MICRO),
    ],
)
def test_industrial_size_classes_at_the_thresholds(employees, revenue_10k, expected):
    assert rules.size_class(employees, revenue_10k) == expected


@pytest.mark.parametrize(
    ("employees", "revenue_10k", "expected"),
    [
        (200, 40000, S.LARGE),
        (199, 40000, S.MEDIUM),
        (200, 39999, S.MEDIUM),
        (20, 5000, S.MEDIUM),
        (19, 5000, S.SMALL),
        (20, 4999, S.SMALL),
        (5, 1000, S.SMALL),
        (4, 1000, S.MICRO),
        (5, 999, S.MICRO),
    ],
)
def test_wholesale_size_classes_at_the_thresholds(employees, revenue_10k, expected):
    assert rules.size_class(employees, revenue_10k, wholesale=True) == expected


@pytest.mark.parametrize(
    ("size", "high_risk", "minimum", "maximum"),
    [
        # Longan case study: ordinary ≥2, large/medium ≥3, high-risk 3–5 (high risk wins).
        (S.MICRO, False, 2, None),
        (S.SMALL, False, 2, None),
        (S.MEDIUM, False, 3, None),
        (S.LARGE, False, 3, None),
        (S.MICRO, True, 3, 5),
        (S.LARGE, True, 3, 5),
    ],
)
def test_experts_per_visit(size, high_risk, minimum, maximum):
    team = rules.required_team_size(size, high_risk)
    assert (team.minimum, team.maximum) == (minimum, maximum)
    assert team.admits(minimum) and not team.admits(minimum - 1)
    assert team.admits(6) == (maximum is None)
