import io
import shutil
import subprocess

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from PIL import Image

from hazardloop.core import uploads
from hazardloop.core.pdf import pdf_response, render_pdf


def _image_bytes(fmt: str, size=(40, 30), mode="RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, "red" if mode == "RGB" else None).save(out, format=fmt)
    return out.getvalue()


def test_png_is_stored_as_a_reencoded_jpeg():
    clean = uploads.clean_evidence(SimpleUploadedFile("现场照片.png", _image_bytes("PNG")))
    assert clean.content.name == "现场照片.jpg"
    assert clean.content_type == "image/jpeg"
    with Image.open(io.BytesIO(clean.content.read())) as stored:
        assert stored.format == "JPEG"
        assert stored.size == (40, 30)


def test_transparent_image_is_flattened_onto_white():
    clean = uploads.clean_photo(SimpleUploadedFile("a.png", _image_bytes("PNG", mode="RGBA")))
    with Image.open(io.BytesIO(clean.content.read())) as stored:
        assert stored.mode == "RGB"


def test_large_photo_is_scaled_down():
    big = _image_bytes("JPEG", size=(uploads.MAX_IMAGE_SIDE * 2, 100))
    clean = uploads.clean_photo(SimpleUploadedFile("wide.jpg", big))
    with Image.open(io.BytesIO(clean.content.read())) as stored:
        assert max(stored.size) == uploads.MAX_IMAGE_SIDE


def test_a_script_named_like_a_photo_is_refused():
    fake = SimpleUploadedFile("photo.jpg", b"<?php system($_GET['c']); ?>")
    with pytest.raises(uploads.UploadRejected, match="不是有效的图片"):
        uploads.clean_evidence(fake)


def test_a_pdf_is_kept_as_is_but_only_photos_pass_clean_photo():
    pdf = SimpleUploadedFile("回执.pdf", b"%PDF-1.7\n%fake but signed\n")
    assert uploads.clean_evidence(pdf).content_type == "application/pdf"
    with pytest.raises(uploads.UploadRejected):
        uploads.clean_photo(SimpleUploadedFile("回执.pdf", b"%PDF-1.7\n"))


@override_settings(EVIDENCE_MAX_MB=1)
def test_an_oversize_file_is_refused_with_the_limit_in_the_message():
    with pytest.raises(uploads.UploadRejected, match="超过 1 MB"):
        uploads.clean_evidence(SimpleUploadedFile("big.jpg", b"\xff" * (1024 * 1024 + 1)))


def test_an_empty_file_is_refused():
    with pytest.raises(uploads.UploadRejected, match="空文件"):
        uploads.clean_evidence(SimpleUploadedFile("empty.jpg", b""))


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_pdf_base_template_renders_chinese_text(tmp_path):
    from django.template import engines

    # A one-off template that extends the shared base, as every document template does.
    template = engines["django"].from_string(
        '{% extends "core/pdf/base.html" %}{% block body %}<h1>整改通知书</h1><p>龙安区应急管理局</p>{% endblock %}'
    )
    html = template.render({})
    from weasyprint import HTML

    content = HTML(string=html).write_pdf()
    path = tmp_path / "doc.pdf"
    path.write_bytes(content)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "整改通知书" in text and "龙安区应急管理局" in text
    subprocess.run(
        ["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", str(path), str(tmp_path / "p")], check=True
    )
    assert list(tmp_path.glob("p*.png"))


def test_render_pdf_and_response_headers():
    content = render_pdf("core/pdf/base.html", {})
    assert content.startswith(b"%PDF-")
    response = pdf_response(content, "整改通知书.pdf", inline=False)
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment; filename*=UTF-8''%E6%95%B4")
