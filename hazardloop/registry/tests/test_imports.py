"""Excel import of enterprises and experts: all or nothing, every problem by row and column,
re-import changes nothing, clerk-typed cells normalised, progress for large files."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from hazardloop.core.errors import Refused
from hazardloop.registry import imports, services, tasks, views_io
from hazardloop.registry.choices import ImportKind, ImportStatus
from hazardloop.registry.models import Enterprise, Expert, ExpertConflict, ImportJob
from hazardloop.registry.testing import next_credit_code

from .xlsx_files import (
    ENTERPRISE_HEADERS,
    EXPERT_HEADERS,
    enterprise_row,
    expert_row,
    run,
    upload,
    xlsx,
)

ENTERPRISES, EXPERTS = ImportKind.ENTERPRISES, ImportKind.EXPERTS
POLL = {"HX-Request": "true", "HX-Target": "import-progress"}  # what the job page's poll sends


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def full_width(text: str) -> str:
    return "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in text)


def id_number(body17: str) -> str:
    return (
        body17
        + imports.ID_CHECK[sum(int(d) * w for d, w in zip(body17, imports.ID_WEIGHTS, strict=True)) % 11]
    )


def problems_at(job) -> dict[tuple, str]:
    return {(e["row"], e["column"]): e["message"] for e in job.errors}


def snapshot():
    return dict(Enterprise.objects.values_list("credit_code", "updated_at"))


# --- enterprises: valid files ------------------------------------------------------------------


def test_valid_file_creates_every_row_with_size_and_risk_derived(personas, district):
    chem_code, machine_code = next_credit_code(), next_credit_code()
    rows = [
        enterprise_row(
            "安阳甲化工有限公司",
            chem_code,
            "马投涧镇",
            "2614",
            employees=350,
            revenue_10k=2500,
            status="在营",
            address="龙安区文明大道1号",
            longitude=114.301234,
            latitude=36.087654,
            safety_contact="王五",
            safety_contact_phone="0372-5551234",
            established=dt.date(2012, 3, 5),
        ),
        enterprise_row("龙泉乙木器厂", machine_code, "410506100", "20", employees=12, dust_explosion="是"),
    ]
    job = run(ENTERPRISES, xlsx(rows, ENTERPRISE_HEADERS), personas.bureau)

    assert job.status == ImportStatus.DONE, job.errors
    assert (job.created_count, job.updated_count, job.unchanged_count) == (2, 0, 0)
    assert job.total_rows == job.processed_rows == 2
    chem = Enterprise.objects.get(credit_code=chem_code)
    assert chem.township == district.town_b
    assert chem.industry.code == "2614"
    assert chem.size == "medium" and chem.high_risk
    assert chem.longitude == Decimal("114.301234") and chem.latitude == Decimal("36.087654")
    assert chem.established == dt.date(2012, 3, 5)
    assert chem.safety_contact_phone == "0372-5551234"
    workshop = Enterprise.objects.get(credit_code=machine_code)
    assert workshop.township == district.town_a
    assert workshop.size == "micro"
    assert workshop.dust_explosion and workshop.high_risk  # dust explosion makes wood-working high-risk
    assert workshop.high_risk_override is None and workshop.status == "active"


def test_clerk_typing_is_normalised(personas, district):
    code_a, code_b, code_c, code_d = (next_credit_code() for _ in range(4))
    rows = [
        enterprise_row(
            "  龙泉\u3000丙  化工 ",
            " " + full_width(code_a) + " ",
            " 龙泉镇 ",
            610,  # a number cell that lost the leading zero of 0610
            employees="１，２００人",
            revenue_10k="3000万元",
            hazchem_licence="√",
            dust_explosion="Y",
            confined_space=True,
            molten_metal="×",
            high_risk_override="否",
            longitude=" 114.35 ",
            latitude="３６.１",
            established=dt.datetime(2012, 3, 5),
        ),
        enterprise_row(
            "丁公司",
            f"{code_b[:8]}-{code_b[8:]}".lower(),
            410506101,
            "0610 烟煤和无烟煤开采洗选",
            established="2012年3月5日",
        ),
        enterprise_row("戊公司", code_c, "410506100000", "0610", established="2012/3/5", employees=" 15 "),
        enterprise_row("己公司", code_d, "龙泉镇", "0610", established=40973, status="停产"),
        [None] * len(ENTERPRISE_HEADERS),  # a blank row between data rows is skipped
    ]
    job = run(ENTERPRISES, xlsx(rows, ENTERPRISE_HEADERS), personas.bureau)

    assert job.status == ImportStatus.DONE, job.errors
    a = Enterprise.objects.get(credit_code=code_a)
    assert a.name == "龙泉 丙 化工"
    assert a.industry.code == "0610"
    assert (a.employees, a.revenue_10k) == (1200, 3000)
    assert (a.hazchem_licence, a.dust_explosion, a.confined_space, a.molten_metal) == (
        True,
        True,
        True,
        False,
    )
    assert a.high_risk_override is False and a.high_risk is False  # the bureau's override wins
    assert (a.longitude, a.latitude) == (Decimal("114.350000"), Decimal("36.100000"))
    b = Enterprise.objects.get(credit_code=code_b)
    assert b.township == district.town_b and b.industry.code == "0610"
    for code in (code_a, code_b, code_c, code_d):
        assert Enterprise.objects.get(credit_code=code).established == dt.date(2012, 3, 5)
    assert Enterprise.objects.get(credit_code=code_c).employees == 15
    assert Enterprise.objects.get(credit_code=code_d).status == "suspended"


def test_a_title_line_above_the_header_is_tolerated_and_rows_keep_excel_numbers(personas):
    content = xlsx(
        [ENTERPRISE_HEADERS, enterprise_row("", next_credit_code())],
        ["龙安区企业名录（2026年）"],
    )
    job = run(ENTERPRISES, content, personas.bureau)
    assert job.status == ImportStatus.FAILED
    assert problems_at(job) == {(3, "A"): "必填项不能为空。"}


# --- enterprises: every kind of problem, nothing written ---------------------------------------


def test_every_kind_of_problem_is_reported_by_row_and_column_and_nothing_is_written(personas, district):
    good = next_credit_code()
    bad_check = good[:17] + ("0" if good[17] != "0" else "1")
    dup = next_credit_code()
    rows = [
        enterprise_row(None, next_credit_code()),  # 2: required cell empty
        enterprise_row("校验位错", bad_check),  # 3
        enterprise_row("重复甲", dup),  # 4
        enterprise_row("重复乙", dup),  # 5: duplicate within the file
        enterprise_row("无此镇", next_credit_code(), "不存在镇"),  # 6
        enterprise_row("外区", next_credit_code(), "外区镇"),  # 7: a township outside the bureau's district
        enterprise_row("无此行业", next_credit_code(), "龙泉镇", "9999"),  # 8
        enterprise_row("坏数字", next_credit_code(), employees="很多", revenue_10k=-5),  # 9: E and F
        enterprise_row("坏是否", next_credit_code(), hazchem_licence="也许"),  # 10
        enterprise_row("坏状态", next_credit_code(), status="倒闭"),  # 11
        enterprise_row("坏经度", next_credit_code(), longitude=200, latitude=36),  # 12
        enterprise_row("坏日期", next_credit_code(), established="2012/2/30"),  # 13
        enterprise_row("辖区外企业", district.outsider.credit_code),  # 14: registered outside the scope
        enterprise_row("长" * 201, next_credit_code()),  # 15
        enterprise_row("坏电话", next_credit_code(), safety_contact_phone="打不通"),  # 16
        enterprise_row("缺纬度", next_credit_code(), longitude=114.3),  # 17
        enterprise_row("未来", next_credit_code(), established=dt.date.today() + dt.timedelta(days=30)),  # 18
        enterprise_row("数字代码", 914105060000000003),  # 19: Excel kept 15 digits of it
        enterprise_row("空行业", next_credit_code(), "龙泉镇", None),  # 20
        enterprise_row("缺日", next_credit_code(), established="2012年3月"),  # 21
    ]
    before = (Enterprise.objects.count(), snapshot())
    job = run(ENTERPRISES, xlsx(rows, ENTERPRISE_HEADERS), personas.bureau)

    assert job.status == ImportStatus.FAILED
    found = problems_at(job)
    expected = {
        (2, "A"): "必填项不能为空",
        (3, "B"): "校验位错误",
        (5, "B"): "与第4行重复",
        (6, "C"): "不是已登记的乡镇街道",
        (7, "C"): "不在您的辖区内",
        (8, "D"): "行业代码「9999」",
        (9, "E"): "不是数字",
        (9, "F"): "不能为负数",
        (10, "G"): "应填写“是”或“否”",
        (11, "M"): "经营状态「倒闭」无法识别",
        (12, "O"): "经度应在 -180 到 180 之间",
        (13, "U"): "不是有效日期",
        (14, "B"): "辖区以外的企业登记",
        (15, "A"): "内容过长",
        (16, "T"): "不是有效的电话号码",
        (17, "P"): "同时填写",
        (18, "U"): "不能晚于今天",
        (19, "B"): "设为“文本”",
        (20, "D"): "必填项不能为空",
        (21, "U"): "缺少日",
    }
    for place, words in expected.items():
        assert place in found, f"no problem reported at {place}: {found}"
        assert words in found[place], (place, found[place])
    assert set(found) == set(expected)
    assert job.error_count == len(job.errors) == len(expected)
    assert job.errors[0]["header"] == "企业名称"
    assert (Enterprise.objects.count(), snapshot()) == before


def test_header_that_does_not_match_the_template_is_reported(personas):
    headers = list(ENTERPRISE_HEADERS)
    headers[0] = "企业名"
    headers.append("备注")
    job = run(ENTERPRISES, xlsx([["甲"] * len(headers)], headers), personas.bureau)
    assert job.status == ImportStatus.FAILED
    messages = {(e["row"], e["column"]): e["message"] for e in job.errors}
    assert "无法识别的列标题「企业名」" in messages[(1, "A")]
    assert "无法识别的列标题「备注」" in messages[(1, "V")]
    assert any("缺少列「企业名称」" in e["message"] for e in job.errors)


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (xlsx([], None), "文件是空的"),
        (xlsx([], ENTERPRISE_HEADERS), "没有数据行"),
        (b"PK\x03\x04 not really a workbook", "文件无法读取"),
    ],
    ids=["empty", "header-only", "not-excel"],
)
def test_an_unusable_file_is_rejected_with_one_clear_message(personas, content, words):
    job = run(ENTERPRISES, content, personas.bureau)
    assert job.status == ImportStatus.FAILED
    assert words in job.errors[0]["message"]


def test_a_file_over_the_row_limit_is_refused(personas, settings):
    settings.IMPORT_MAX_ROWS = 3
    rows = [enterprise_row(f"企业{i}", next_credit_code()) for i in range(5)]
    job = run(ENTERPRISES, xlsx(rows, ENTERPRISE_HEADERS), personas.bureau)
    assert job.status == ImportStatus.FAILED
    assert "超过单次导入上限 3 行" in job.message
    assert not Enterprise.objects.filter(name__startswith="企业").exists()


def test_rows_are_counted_without_reading_the_cells():
    content = xlsx([enterprise_row(f"企业{i}", next_credit_code()) for i in range(30)], ENTERPRISE_HEADERS)
    assert imports.count_rows(io.BytesIO(content)) == 31  # with the header
    assert imports.count_rows(io.BytesIO(content), stop_after=5) > 5  # enough to know it is over
    assert imports.count_rows(io.BytesIO(b"not a zip")) is None


def test_only_excel_files_are_accepted(personas):
    with pytest.raises(services.RegistryError) as caught:
        services.start_import(ENTERPRISES, upload(b"a,b\n", "名录.csv"), actor=personas.bureau)
    assert "Excel" in caught.value.message_dict["file"][0]
    assert not ImportJob.objects.exists()


def test_roles_without_the_import_capability_cannot_start_or_run_an_import(personas):
    with pytest.raises(Refused):
        services.start_import(ENTERPRISES, upload(xlsx([], ENTERPRISE_HEADERS)), actor=personas.township)
    job = services.start_import(
        ENTERPRISES,
        upload(xlsx([enterprise_row("甲", next_credit_code())], ENTERPRISE_HEADERS)),
        actor=personas.bureau,
    )
    with pytest.raises(Refused):
        services.import_enterprises(job, actor=personas.provider)


# --- enterprises: re-import ---------------------------------------------------------------------


def test_reimporting_the_same_file_changes_nothing_and_a_changed_row_updates_only_itself(personas):
    codes = [next_credit_code() for _ in range(3)]
    rows = [
        enterprise_row(
            f"复导企业{i}",
            code,
            employees=10 * (i + 1),
            established="2015/6/1",
            longitude=114.1,
            latitude=36.2,
        )
        for i, code in enumerate(codes)
    ]
    first = run(ENTERPRISES, xlsx(rows, ENTERPRISE_HEADERS), personas.bureau)
    assert first.created_count == 3
    count, stamps = Enterprise.objects.count(), snapshot()

    again = run(ENTERPRISES, xlsx(rows, ENTERPRISE_HEADERS), personas.bureau)
    assert again.status == ImportStatus.DONE
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 3)
    assert (Enterprise.objects.count(), snapshot()) == (count, stamps)

    rows[1] = enterprise_row(
        "复导企业1",
        codes[1],
        employees=400,
        revenue_10k=3000,
        established="2015/6/1",
        longitude=114.1,
        latitude=36.2,
    )
    changed = run(ENTERPRISES, xlsx(rows, ENTERPRISE_HEADERS), personas.bureau)
    assert (changed.created_count, changed.updated_count, changed.unchanged_count) == (0, 1, 2)
    after = snapshot()
    assert after[codes[0]] == stamps[codes[0]] and after[codes[2]] == stamps[codes[2]]
    assert after[codes[1]] > stamps[codes[1]]
    updated = Enterprise.objects.get(credit_code=codes[1])
    assert (updated.employees, updated.size) == (400, "medium")


def test_a_file_naming_an_existing_enterprise_updates_it_in_place(personas, district):
    row = enterprise_row(
        district.coal.name, district.coal.credit_code, "龙泉镇", "0610", employees=650, revenue_10k=30000
    )
    job = run(ENTERPRISES, xlsx([row], ENTERPRISE_HEADERS), personas.bureau)
    assert (job.created_count, job.updated_count) == (0, 1)
    district.coal.refresh_from_db()
    assert district.coal.employees == 650


# --- large files --------------------------------------------------------------------------------


@pytest.mark.slow
def test_a_5000_row_file_imports_with_progress(personas, district):
    rows = [
        enterprise_row(
            f"批量企业{i:05d}",
            next_credit_code(),
            "龙泉镇" if i % 2 else "410506101",
            "34",
            employees=i % 400,
        )
        for i in range(5000)
    ]
    content = xlsx(rows, ENTERPRISE_HEADERS, write_only=True)
    job = services.start_import(ENTERPRISES, upload(content), actor=personas.bureau)
    seen = []
    services.run_import_job(job, progress=lambda done, total: seen.append((done, total)))

    assert job.status == ImportStatus.DONE, job.errors[:5]
    assert (job.created_count, job.total_rows, job.processed_rows) == (5000, 5000, 5000)
    assert Enterprise.objects.filter(name__startswith="批量企业").count() == 5000
    assert Enterprise.objects.filter(name__startswith="批量企业", township=district.town_b).count() == 2500
    assert [done for done, _total in seen] == sorted(done for done, _total in seen)
    assert seen[-1] == (5000, 5000) and len(seen) >= 5
    again = run(ENTERPRISES, content, personas.bureau)
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 5000)


# --- experts ------------------------------------------------------------------------------------


def test_expert_file_creates_experts_with_specialties_and_conflicts(personas, district):
    zhang_id = id_number("41050619800101123")
    rows = [
        expert_row(
            district.provider.name,
            "张工",
            id_number=zhang_id,
            phone="13800000000",
            title="高级工程师",
            specialties="煤矿、机械",
            conflicts=district.chem.credit_code,
            conflict_reason="亲属任职",
        ),
        expert_row(district.provider.credit_code, "赵工", specialties="hazchem，消防", full_time="否"),
    ]
    job = run(EXPERTS, xlsx(rows, EXPERT_HEADERS), personas.bureau)

    assert job.status == ImportStatus.DONE, job.errors
    assert job.created_count == 2
    zhang = Expert.objects.get(id_number=zhang_id)
    assert (zhang.provider, zhang.phone, zhang.title) == (district.provider, "13800000000", "高级工程师")
    assert zhang.specialties == ["coal", "machinery"]
    assert list(zhang.conflict_rows.values_list("enterprise_id", "reason")) == [
        (district.chem.pk, "亲属任职")
    ]
    zhao = Expert.objects.get(name="赵工")
    assert zhao.specialties == ["fire", "hazchem"] and zhao.full_time is False and zhao.active is True


def test_every_kind_of_expert_problem_is_reported_and_nothing_written(personas, district):
    good_id = id_number("41050619850505321")
    bad_id = good_id[:17] + ("0" if good_id[17] != "0" else "1")
    rows = [
        expert_row("不存在的机构", "甲"),  # 2
        expert_row(district.provider.name, "乙", id_number=bad_id),  # 3
        expert_row(district.provider.name, "丙", id_number=good_id),  # 4
        expert_row(district.provider.name, "丁", id_number=good_id),  # 5: same number as row 4
        expert_row(district.provider.name, "戊", specialties="煤矿、占卜"),  # 6
        expert_row(district.provider.name, "己", conflicts=next_credit_code()),  # 7: no such enterprise
        expert_row(district.provider.name, "庚"),  # 8
        expert_row(district.provider.name, "庚"),  # 9: same name, no number to tell them apart
        expert_row(district.provider.name, None),  # 10
        expert_row(district.provider.name, "辛", active="可能"),  # 11
    ]
    before = (Expert.objects.count(), ExpertConflict.objects.count())
    job = run(EXPERTS, xlsx(rows, EXPERT_HEADERS), personas.bureau)

    assert job.status == ImportStatus.FAILED
    found = problems_at(job)
    expected = {
        (2, "A"): "不是已登记的服务机构",
        (3, "C"): "校验位错误",
        (5, "C"): "与第4行重复",
        (6, "H"): "专业「占卜」无法识别",
        (7, "I"): "未找到统一社会信用代码",
        (9, "B"): "与第8行是同一机构的同名专家",
        (10, "B"): "必填项不能为空",
        (11, "G"): "应填写“是”或“否”",
    }
    for place, words in expected.items():
        assert words in found.get(place, ""), (place, found)
    assert set(found) == set(expected)
    assert (Expert.objects.count(), ExpertConflict.objects.count()) == before


def test_a_provider_imports_only_its_own_experts(personas, district):
    rows = [
        expert_row(None, "本机构专家", specialties="电气"),
        expert_row(district.other_provider.name, "他机构专家"),
    ]
    job = run(EXPERTS, xlsx(rows, EXPERT_HEADERS), personas.provider)
    assert job.status == ImportStatus.FAILED
    assert "只能导入本机构" in problems_at(job)[(3, "A")]
    assert set(problems_at(job)) == {(3, "A")}

    job = run(EXPERTS, xlsx(rows[:1], EXPERT_HEADERS), personas.provider)
    assert job.status == ImportStatus.DONE
    assert Expert.objects.get(name="本机构专家").provider == district.provider


def test_an_id_number_registered_with_another_provider_is_refused(personas, district):
    number = id_number("41050619900202456")
    services.register_expert(
        actor=district.admin, provider=district.other_provider, name="钱工", id_number=number
    )
    job = run(
        EXPERTS,
        xlsx([expert_row(district.provider.name, "钱工", id_number=number)], EXPERT_HEADERS),
        personas.bureau,
    )
    assert "其他服务机构" in problems_at(job)[(2, "C")]


def test_reimporting_experts_changes_nothing_and_matches_by_name_without_an_id_number(personas, district):
    # 王工 was registered without 身份证号: provider + name finds him.
    rows = [
        expert_row(
            district.provider.name, "王工", specialties="机械、煤矿", conflicts=district.machine.credit_code
        ),
        expert_row(
            district.provider.name, "孙工", id_number=id_number("41050619700303789"), specialties="电气"
        ),
    ]
    first = run(EXPERTS, xlsx(rows, EXPERT_HEADERS), personas.bureau)
    assert (first.created_count, first.updated_count, first.unchanged_count) == (1, 0, 1), first.errors
    stamps = dict(Expert.objects.values_list("pk", "updated_at"))

    again = run(EXPERTS, xlsx(rows, EXPERT_HEADERS), personas.bureau)
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 2)
    assert dict(Expert.objects.values_list("pk", "updated_at")) == stamps

    rows[0] = expert_row(district.provider.name, "王工", specialties="煤矿、粉尘防爆", conflicts="")
    changed = run(EXPERTS, xlsx(rows, EXPERT_HEADERS), personas.bureau)
    assert (changed.updated_count, changed.unchanged_count) == (1, 1)
    district.expert.refresh_from_db()
    assert district.expert.specialties == ["coal", "dust"]
    assert not district.expert.conflict_rows.exists()


def test_expert_bases_import_clear_and_survive_a_file_without_their_columns(personas, district):
    rows = [
        expert_row(
            district.provider.name,
            "周工",
            specialties="电气",
            base_address="龙泉镇人民路1号附近",
            base_longitude="114.2",
            base_latitude=36.06,
        ),
        expert_row(district.provider.name, "吴工", base_longitude="114.3"),  # 3: latitude missing
    ]
    job = run(EXPERTS, xlsx(rows, EXPERT_HEADERS), personas.bureau)
    assert job.status == ImportStatus.FAILED
    assert set(problems_at(job)) == {(3, "M")}
    assert "同时填写" in problems_at(job)[(3, "M")]

    job = run(EXPERTS, xlsx(rows[:1], EXPERT_HEADERS), personas.bureau)
    assert job.status == ImportStatus.DONE, job.errors
    zhou = Expert.objects.get(name="周工")
    assert (zhou.base_address, zhou.base) == ("龙泉镇人民路1号附近", (36.06, 114.2))

    # A file from before the base columns existed: the base stays as it was.
    old_headers = EXPERT_HEADERS[: -len(imports.BASE_KEYS)]
    old_row = rows[0][: -len(imports.BASE_KEYS)]
    again = run(EXPERTS, xlsx([old_row], old_headers), personas.bureau)
    assert (again.updated_count, again.unchanged_count) == (0, 1), again.errors
    zhou.refresh_from_db()
    assert zhou.base == (36.06, 114.2)

    # Blank base cells in a file that has the columns clear it.
    cleared = run(
        EXPERTS,
        xlsx([expert_row(district.provider.name, "周工", specialties="电气")], EXPERT_HEADERS),
        personas.bureau,
    )
    assert cleared.updated_count == 1, cleared.errors
    zhou.refresh_from_db()
    assert (zhou.base_address, zhou.base) == ("", None)


# --- pages ---------------------------------------------------------------------------------------


def test_import_page_needs_the_capability(client, personas):
    url = reverse("registry:enterprise_import")
    assert client.get(url).status_code == 302  # anonymous → login
    client.force_login(personas.township)
    assert client.get(url).status_code == 403
    client.force_login(personas.bureau)
    response = client.get(url)
    assert response.status_code == 200
    assert reverse("registry:enterprise_template") in response.content.decode()


def test_a_small_file_is_imported_while_the_clerk_waits(client, personas):
    client.force_login(personas.bureau)
    code = next_credit_code()
    content = xlsx([enterprise_row("页面导入企业", code)], ENTERPRISE_HEADERS)
    response = client.post(reverse("registry:enterprise_import"), {"file": upload(content)})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "registry:import_job_detail", args=[job.pk]
    )
    assert job.status == ImportStatus.DONE and Enterprise.objects.filter(credit_code=code).exists()
    page = client.get(response["Location"]).content.decode()
    assert "新增 1 条" in page and "hx-trigger" not in page


def test_a_rejected_file_shows_every_problem_on_the_job_page(client, personas):
    client.force_login(personas.bureau)
    content = xlsx(
        [enterprise_row(None, "123"), enterprise_row("乙", next_credit_code(), "火星镇")], ENTERPRISE_HEADERS
    )
    response = client.post(reverse("registry:enterprise_import"), {"file": upload(content)}, follow=True)
    page = response.content.decode()
    assert 'data-testid="import-errors"' in page
    assert "统一社会信用代码应为18位" in page and "火星镇" in page and "必填项不能为空" in page
    assert not Enterprise.objects.filter(name="乙").exists()


def test_a_large_file_is_queued_and_the_page_polls_its_progress(
    client, personas, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(views_io, "INLINE_MAX_ROWS", 2)
    client.force_login(personas.bureau)
    rows = [enterprise_row(f"排队企业{i}", next_credit_code()) for i in range(3)]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("registry:enterprise_import"), {"file": upload(xlsx(rows, ENTERPRISE_HEADERS))}
        )
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.PENDING
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "hazardloop.registry.tasks.run_import"
    assert queued.args_kwargs["args"] == [job.pk]

    partial = client.get(response["Location"], headers=POLL).content.decode()
    assert partial.lstrip().startswith('<div id="import-progress"')
    assert 'hx-trigger="every 1s"' in partial and "<html" not in partial

    # What the worker does with the queued task:
    assert tasks.run_import.call(job.pk) == ImportStatus.DONE
    assert Enterprise.objects.filter(name__startswith="排队企业").count() == 3
    partial = client.get(response["Location"], headers=POLL).content.decode()
    assert "hx-trigger" not in partial and "新增 3 条" in partial


def test_a_job_is_visible_only_to_its_uploader_and_the_administrator(client, personas):
    job = run(
        ENTERPRISES, xlsx([enterprise_row("甲", next_credit_code())], ENTERPRISE_HEADERS), personas.bureau
    )
    url = reverse("registry:import_job_detail", args=[job.pk])
    client.force_login(personas.leader)
    assert client.get(url).status_code == 404
    client.force_login(personas.admin)
    assert client.get(url).status_code == 200
    assert list(ImportJob.objects.visible_to(personas.township)) == []


def test_a_job_is_run_only_once(personas):
    job = run(
        ENTERPRISES, xlsx([enterprise_row("甲", next_credit_code())], ENTERPRISE_HEADERS), personas.bureau
    )
    finished_at = job.finished_at
    assert services.run_import_job(job).finished_at == finished_at
    assert Enterprise.objects.filter(name="甲").count() == 1


def test_a_provider_imports_its_experts_from_the_page(client, personas, district):
    client.force_login(personas.provider)
    content = xlsx([expert_row(None, "页面专家", specialties="消防")], EXPERT_HEADERS)
    response = client.post(
        reverse("registry:expert_import"), {"file": upload(content, "专家.xlsx")}, follow=True
    )
    assert "新增 1 条" in response.content.decode()
    assert Expert.objects.get(name="页面专家").provider == district.provider
    client.force_login(personas.township)
    assert client.get(reverse("registry:expert_import")).status_code == 403
