"""Checks every uploaded evidence file before anything is stored.

Photos are decoded and re-encoded as JPEG: what is stored is pixels we wrote ourselves, so a
file that only claims to be an image, or carries a script, metadata or a polyglot payload, never
reaches the disk. PDFs (scanned notices, receipts) are accepted by signature and size only and
are always served as downloads. Anything else is refused."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

IMAGE_FORMATS = {"JPEG", "PNG", "WEBP", "GIF", "BMP"}
# A long side beyond this is downscaled: enough to read a gauge or a nameplate in a photo.
MAX_IMAGE_SIDE = 2560
# Refuse decompression bombs before decoding: 40 megapixels covers any phone camera.
MAX_IMAGE_PIXELS = 40_000_000
JPEG_QUALITY = 85


class UploadRejected(ValueError):
    """A file that may not be stored; the message is for the user."""


@dataclass(frozen=True)
class GeoPosition:
    """Where an evidence photo was taken, from its EXIF GPS block (WGS-84 degrees, as the
    camera wrote them). Kept because stripping the metadata would otherwise lose it."""

    latitude: float
    longitude: float
    altitude: float | None = None
    taken_at: str = ""  # EXIF DateTimeOriginal as written ("2026:11:20 09:31:05"), camera's local time


@dataclass(frozen=True)
class CleanFile:
    content: ContentFile
    original_name: str
    content_type: str
    # The photo's position, read before the metadata is dropped; None for a PDF or a photo
    # without GPS. Stores that have a place for it keep it (issue 13).
    position: GeoPosition | None = None


GPS_IFD = 0x8825
EXIF_IFD = 0x8769
DATE_TIME_ORIGINAL = 36867


def _degrees(value) -> float:
    d, m, sec = (float(part) for part in value)
    return d + m / 60 + sec / 3600


def _position(image) -> GeoPosition | None:
    """The EXIF GPS position of `image`, or None when absent or not a position at all."""
    try:
        exif = image.getexif()
        gps = exif.get_ifd(GPS_IFD)
        if not gps or 2 not in gps or 4 not in gps:
            return None
        latitude = _degrees(gps[2]) * (-1 if str(gps.get(1, "N")).upper().startswith("S") else 1)
        longitude = _degrees(gps[4]) * (-1 if str(gps.get(3, "E")).upper().startswith("W") else 1)
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            return None
        altitude = float(gps[6]) * (-1 if gps.get(5) in (1, b"\x01") else 1) if 6 in gps else None
        taken = exif.get_ifd(EXIF_IFD).get(DATE_TIME_ORIGINAL, "")
        return GeoPosition(
            latitude=round(latitude, 7),
            longitude=round(longitude, 7),
            altitude=altitude,
            taken_at=str(taken).strip("\x00 ")[:32],
        )
    except (KeyError, TypeError, ValueError, ZeroDivisionError, AttributeError, OSError):
        return None


def max_upload_bytes() -> int:
    return settings.EVIDENCE_MAX_MB * 1024 * 1024


def _original_name(upload) -> str:
    return PurePath(getattr(upload, "name", "") or "upload").name[:200]


def _read(upload) -> bytes:
    size = getattr(upload, "size", None)
    limit = max_upload_bytes()
    if size is not None and size > limit:
        raise UploadRejected(
            _("文件“%(name)s”超过 %(mb)s MB。")
            % {"name": _original_name(upload), "mb": settings.EVIDENCE_MAX_MB}
        )
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise UploadRejected(
            _("文件“%(name)s”超过 %(mb)s MB。")
            % {"name": _original_name(upload), "mb": settings.EVIDENCE_MAX_MB}
        )
    if not data:
        raise UploadRejected(_("文件“%(name)s”是空文件。") % {"name": _original_name(upload)})
    return data


def _reencode_image(data: bytes, name: str) -> CleanFile:
    too_large = _("图片“%(name)s”像素过大（上限 %(mp)d 万像素），请缩小后再上传。") % {
        "name": name,
        "mp": MAX_IMAGE_PIXELS // 10_000,
    }
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in IMAGE_FORMATS:
                raise UploadRejected(_("不支持的图片格式：%(name)s。") % {"name": name})
            width, height = probe.size
            if width * height > MAX_IMAGE_PIXELS:
                raise UploadRejected(too_large)
            position = _position(probe)
            probe.seek(0)
            image = ImageOps.exif_transpose(probe.copy())
    except Image.DecompressionBombError as exc:
        # Pillow refuses far larger images (20000×20000) already while opening them.
        raise UploadRejected(too_large) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        if isinstance(exc, UploadRejected):
            raise
        raise UploadRejected(_("文件“%(name)s”不是有效的图片。") % {"name": name}) from exc
    if image.mode not in ("RGB", "L"):
        background = Image.new("RGB", image.size, "white")
        rgba = image.convert("RGBA")
        background.paste(rgba, mask=rgba.getchannel("A"))
        image = background
    image.thumbnail((MAX_IMAGE_SIDE, MAX_IMAGE_SIDE))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    stem = PurePath(name).stem or "photo"
    return CleanFile(ContentFile(out.getvalue(), name=f"{stem}.jpg"), name, "image/jpeg", position)


def clean_evidence(upload) -> CleanFile:
    """A photo (re-encoded to JPEG) or a PDF, ready to store; raises UploadRejected otherwise."""
    name = _original_name(upload)
    data = _read(upload)
    if data.startswith(b"%PDF-"):
        stem = PurePath(name).stem or "document"
        return CleanFile(ContentFile(data, name=f"{stem}.pdf"), name, "application/pdf")
    return _reencode_image(data, name)


def clean_photo(upload) -> CleanFile:
    """Like clean_evidence, but only photos."""
    name = _original_name(upload)
    return _reencode_image(_read(upload), name)
