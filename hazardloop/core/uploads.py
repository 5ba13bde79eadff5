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
class CleanFile:
    content: ContentFile
    original_name: str
    content_type: str


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
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in IMAGE_FORMATS:
                raise UploadRejected(_("不支持的图片格式：%(name)s。") % {"name": name})
            width, height = probe.size
            if width * height > MAX_IMAGE_PIXELS:
                raise UploadRejected(_("图片“%(name)s”像素过大。") % {"name": name})
            probe.seek(0)
            image = ImageOps.exif_transpose(probe.copy())
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, SyntaxError, ValueError) as exc:
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
    return CleanFile(ContentFile(out.getvalue(), name=f"{stem}.jpg"), name, "image/jpeg")


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
