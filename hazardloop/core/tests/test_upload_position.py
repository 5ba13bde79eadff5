"""Evidence photos: an oversized image gets the project's own message, and the GPS position of a
photo survives the metadata being stripped (issue 13)."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from PIL.TiffImagePlugin import IFDRational

from hazardloop.core.uploads import UploadRejected, clean_evidence


def png_claiming(width: int, height: int) -> bytes:
    """A PNG whose header claims width×height (the pixels are never there: only the header is read)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0"))
        + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize("side", [20000, 7000])
def test_a_huge_png_gets_the_pixel_message(side):
    # 20000² is past Pillow's own bomb limit (refused while opening), 7000² only past ours.
    upload = SimpleUploadedFile("现场.png", png_claiming(side, side), content_type="image/png")
    with pytest.raises(UploadRejected) as refused:
        clean_evidence(upload)
    assert str(refused.value) == "图片“现场.png”像素过大（上限 4000 万像素），请缩小后再上传。"


def photo_with_gps() -> bytes:
    image = Image.new("RGB", (64, 48), "gray")
    exif = Image.Exif()
    exif[0x010F] = "HUAWEI"  # make: metadata that must not survive
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (IFDRational(36), IFDRational(5), IFDRational(30))
    gps[3], gps[4] = "E", (IFDRational(114), IFDRational(21), IFDRational(0))
    gps[5], gps[6] = 0, IFDRational(7525, 100)
    exif.get_ifd(0x8769)[36867] = "2026:11:20 09:31:05"
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def test_the_gps_position_is_kept_when_the_metadata_is_stripped():
    cleaned = clean_evidence(SimpleUploadedFile("隐患.jpg", photo_with_gps(), content_type="image/jpeg"))
    position = cleaned.position
    # 36°5'30" N = 36 + 5/60 + 30/3600 = 36.0916667; 114°21' E = 114.35 (安阳 is about there).
    assert (position.latitude, position.longitude) == (36.0916667, 114.35)
    assert position.altitude == 75.25
    assert position.taken_at == "2026:11:20 09:31:05"
    with Image.open(io.BytesIO(cleaned.content.read())) as stored:
        assert not stored.getexif()  # nothing of the camera's metadata is stored


def test_a_photo_without_gps_has_no_position():
    out = io.BytesIO()
    Image.new("RGB", (8, 8)).save(out, format="JPEG")
    assert clean_evidence(SimpleUploadedFile("a.jpg", out.getvalue())).position is None
