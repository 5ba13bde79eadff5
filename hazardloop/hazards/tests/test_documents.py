"""Evidence uploads are checked before anything changes; attachments and the notice PDF are served
only to those who see the hazard."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from hazardloop.hazards import services
from hazardloop.hazards.models import Hazard, HazardAttachment

from .conftest import image_bytes, photo

pytestmark = pytest.mark.django_db


def _rectify(loop, hazard, evidence):
    return services.submit_rectification(
        hazard,
        actor=loop.p.enterprise,
        version=hazard.version,
        measures="已铺设绝缘垫",
        responsible_person="李四",
        completed_on=timezone.localdate(),
        evidence=evidence,
    )


def test_png_evidence_is_stored_as_jpeg(loop):
    hazard = loop.rectifying()
    png = SimpleUploadedFile("现场.png", image_bytes("PNG"), "image/png")
    _rectify(loop, hazard, [png])
    stored = HazardAttachment.objects.get(hazard=hazard, kind="after")
    assert stored.file.name.endswith(".jpg")
    assert stored.original_name == "现场.png"
    with stored.file.open("rb") as handle, Image.open(handle) as image:
        assert image.format == "JPEG"


def test_text_renamed_jpg_is_refused_and_nothing_changes(loop, settings):
    hazard = loop.rectifying()
    attachments = HazardAttachment.objects.count()
    fake = SimpleUploadedFile("after.jpg", b"just some text, not a photo", "image/jpeg")
    with pytest.raises(services.HazardError) as refused:
        _rectify(loop, hazard, [fake])
    assert "不是有效的图片" in refused.value.errors["evidence"][0]
    after = Hazard.objects.get(pk=hazard.pk)
    assert (after.status, after.version) == ("rectifying", hazard.version)
    assert not after.rectifications.exists()
    assert HazardAttachment.objects.count() == attachments
    media = settings.MEDIA_ROOT
    assert not list(media.rglob("*after*")) if media.exists() else True


def test_oversize_file_is_refused(loop, settings):
    settings.EVIDENCE_MAX_MB = 1
    hazard = loop.rectifying()
    big = SimpleUploadedFile("scan.pdf", b"%PDF-1.4\n" + b"0" * (1024 * 1024), "application/pdf")
    with pytest.raises(services.HazardError) as refused:
        _rectify(loop, hazard, [big])
    assert "超过 1 MB" in refused.value.errors["evidence"][0]
    assert Hazard.objects.get(pk=hazard.pk).status == "rectifying"


def test_refused_upload_on_the_page_is_shown_beside_the_field(client, loop, personas):
    hazard = loop.rectifying()
    client.force_login(personas.enterprise)
    response = client.post(
        reverse("hazards:act", args=[hazard.pk, "submit_rectification"]),
        {
            "version": hazard.version,
            "measures": "已铺设绝缘垫",
            "responsible_person": "李四",
            "completed_on": timezone.localdate().isoformat(),
            "evidence": [SimpleUploadedFile("after.jpg", b"<script>alert(1)</script>", "image/jpeg")],
        },
    )
    html = response.content.decode()
    assert response.status_code == 400, html[html.find("alert") :][:1500]
    assert 'data-testid="field-error-evidence"' in html and "不是有效的图片" in html
    assert Hazard.objects.get(pk=hazard.pk).status == "rectifying"


def test_registration_photos_are_checked_too(loop):
    with pytest.raises(services.HazardError) as refused:
        loop.register(photos=[SimpleUploadedFile("x.jpg", b"nope", "image/jpeg")])
    assert "photos" in refused.value.errors
    assert not Hazard.objects.exists()


# --- attachment download ---------------------------------------------------------------------


def test_attachment_is_streamed_to_those_who_see_the_hazard(client, loop, personas):
    hazard = loop.awaiting_reinspection()
    attachment = hazard.attachments.filter(kind="after").first()
    url = reverse("hazards:attachment", args=[attachment.pk])
    client.force_login(personas.enterprise)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "inline" in response["Content-Disposition"]
    assert b"".join(response.streaming_content).startswith(b"\xff\xd8")
    for outsider in (personas.outsider, personas.police):
        client.force_login(outsider)
        assert client.get(url).status_code == 404


def test_pdf_attachment_is_a_download(client, loop, personas):
    hazard = loop.resumption_review()
    attachment = hazard.attachments.filter(file__endswith=".pdf").first()
    client.force_login(personas.safety_unit)
    response = client.get(reverse("hazards:attachment", args=[attachment.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")


def test_attachment_needs_login(client, loop):
    hazard = loop.routed()
    attachment = hazard.attachments.first()
    response = client.get(reverse("hazards:attachment", args=[attachment.pk]))
    assert response.status_code == 302


# --- the notice PDF ----------------------------------------------------------------------------

needs_poppler = pytest.mark.skipif(
    not (shutil.which("pdftotext") and shutil.which("pdftoppm")), reason="poppler-utils not installed"
)


@pytest.fixture
def notice(loop):
    hazard = loop.noticed(major=True, halt=True, location="主斜井绞车房")
    return hazard.notices.get()


@needs_poppler
def test_notice_pdf_has_the_chinese_text_and_renders(client, personas, notice, tmp_path):
    client.force_login(personas.enterprise)
    response = client.get(reverse("hazards:notice_pdf", args=[notice.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    path = tmp_path / "notice.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(
        ["pdftotext", "-raw", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True
    ).stdout
    text = text.decode("utf-8").replace(" ", "").replace("\n", "")
    hazard = notice.hazards.get()
    for expected in (
        "重大事故隐患整改指令书",
        notice.number.replace(" ", ""),
        "龙泉煤业有限公司",
        hazard.number,
        "主斜井绞车房",
        "立即整改",
        "区应急管理局",
        "责令你单位在隐患治理期间停产停业整改",
        f"{notice.deadline.year}年{notice.deadline.month}月{notice.deadline.day}日",
        "（盖章）",
    ):
        assert expected in text, expected
    subprocess.run(
        ["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", str(path), str(tmp_path / "page")],
        check=True,
        capture_output=True,
    )
    (png,) = tmp_path.glob("page*.png")
    with Image.open(png) as image:
        assert image.width > 300 and image.height > 400


def test_notice_pdf_is_scoped(client, personas, notice):
    url = reverse("hazards:notice_pdf", args=[notice.pk])
    client.force_login(personas.outsider)
    assert client.get(url).status_code == 404
    client.force_login(personas.police)
    assert client.get(url).status_code == 404


def test_notice_pdf_through_the_api(personas, notice):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(personas.safety_unit)
    listed = api.get(f"/api/hazards/notices/{notice.pk}/").json()
    assert listed["number"] == notice.number
    response = api.get(listed["pdf_url"], HTTP_ACCEPT="application/pdf")
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    outsider = APIClient()
    outsider.force_authenticate(personas.outsider)
    assert outsider.get(f"/api/hazards/notices/{notice.pk}/pdf/").status_code == 404


def test_photo_helper_makes_real_images():
    upload = photo()
    assert upload.read().startswith(b"\xff\xd8")
