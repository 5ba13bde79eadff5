"""Printable documents: a Django template rendered to PDF by WeasyPrint.

Chinese text needs a CJK font installed on the machine (Debian: fonts-noto-cjk); the base
template names the Noto CJK families first and falls back to any CJK font fontconfig knows."""

from __future__ import annotations

from urllib.parse import quote

from django.http import HttpResponse
from django.template.loader import render_to_string


def render_pdf(template_name: str, context: dict, *, request=None) -> bytes:
    """The PDF bytes of `template_name`, which should extend core/pdf/base.html."""
    from weasyprint import HTML  # heavy import; only the PDF views need it

    html = render_to_string(template_name, context, request=request)
    return HTML(string=html, base_url=None).write_pdf()


def pdf_response(content: bytes, filename: str, *, inline: bool = True) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    disposition = "inline" if inline else "attachment"
    # RFC 6266 / 5987: a Chinese file name travels percent-encoded in filename*.
    response["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(filename)}"
    return response
