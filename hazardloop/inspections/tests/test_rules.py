from hypothesis import given
from hypothesis import strategies as st

from hazardloop.inspections import rules
from hazardloop.registry.rules import TeamSize


def member(i, *, provider=1, specialties=(), conflicted=False, active=True):
    return rules.Member(i, f"专家{i}", provider, frozenset(specialties), conflicted, active)


REQ = rules.TeamRequirement(size=TeamSize(3, 5), specialties=frozenset({"coal"}), provider_id=1)


def test_full_team_passes():
    check = rules.check_team(REQ, [member(1, specialties=["coal"]), member(2), member(3)], 1)
    assert check.ok


def test_short_team_is_a_size_problem_only():
    check = rules.check_team(REQ, [member(1, specialties=["coal"]), member(2)], 1)
    assert check.problems == []
    assert "至少需要 3 名专家" in check.size_problem


def test_too_large_team_is_refused_outright():
    check = rules.check_team(REQ, [member(i, specialties=["coal"]) for i in range(1, 7)], 1)
    assert any("3–5" in p for p in check.problems)


def test_conflicted_other_provider_inactive_and_missing_specialty_are_hard_problems():
    members = [member(1, conflicted=True), member(2, provider=9), member(3, active=False)]
    check = rules.check_team(REQ, members, 1, specialty_labels={"coal": "煤矿"})
    text = "".join(check.problems)
    assert "专家1须回避" in text
    assert "专家2不属于本合同的服务机构" in text
    assert "专家3不在岗" in text
    assert "“煤矿”专业" in text


def test_leader_must_be_a_member():
    check = rules.check_team(REQ, [member(1, specialties=["coal"]), member(2), member(3)], 99)
    assert any("组长" in p for p in check.problems)


@given(st.integers(min_value=0, max_value=8), st.integers(min_value=1, max_value=4))
def test_size_problem_exactly_when_below_minimum(n, minimum):
    req = rules.TeamRequirement(size=TeamSize(minimum, None))
    check = rules.check_team(req, [member(i) for i in range(1, n + 1)], 1 if n else None)
    assert bool(check.size_problem) == (n < minimum)


class T:
    def __init__(self, prefixes):
        self.industry_prefixes = prefixes

    def match_length(self, code):
        if not self.industry_prefixes:
            return 0
        lengths = [len(p) for p in self.industry_prefixes if code.startswith(p)]
        return max(lengths) if lengths else -1


def test_best_template_prefers_the_longest_prefix_then_the_fallback():
    general, chem, coal = T([]), T(["26"]), T(["06", "0610"])
    assert rules.best_template([general, chem, coal], "0610") is coal
    assert rules.best_template([general, chem, coal], "2614") is chem
    assert rules.best_template([general, chem, coal], "5162") is general
    assert rules.best_template([chem], "5162") is None


def test_report_number():
    assert rules.report_number("410506", 2026, 7) == "PC-410506-2026-00007"
