"""Plain-text tables for commands and benchmarks that line up with Chinese text in a terminal."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence


def display_width(text: str) -> int:
    # Wide and full-width characters (汉字, full-width punctuation) take two terminal columns.
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int, align: str) -> str:
    gap = " " * (width - display_width(text))
    return gap + text if align == "right" else text + gap


def format_table(
    headers: Sequence[str], rows: Iterable[Sequence[object]], *, right: Iterable[int] = ()
) -> str:
    """Columns padded to their widest cell; columns whose index is in `right` align right."""
    body = [[("" if cell is None else str(cell)) for cell in row] for row in rows]
    widths = [display_width(h) for h in headers]
    for row in body:
        widths = [max(w, display_width(cell)) for w, cell in zip(widths, row, strict=True)]
    right = set(right)

    def line(cells):
        return "  ".join(
            _pad(cell, width, "right" if i in right else "left")
            for i, (cell, width) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(headers), rule, *(line(row) for row in body)])
