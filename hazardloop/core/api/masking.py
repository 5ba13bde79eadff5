"""Masking of personal data for display (个人信息去标识化): enough to recognise a number one
already knows, not enough to use it. Pure functions, no ORM."""

from __future__ import annotations

MASK = "*"


def mask_middle(value: str, *, keep_start: int, keep_end: int) -> str:
    """Keep the ends, star the middle. A value too short to hide at least four characters
    between the kept ends shows at most its last third (two characters at most), so a short
    number is never shown whole or nearly whole."""
    value = value or ""
    if not value:
        return ""
    hidden = len(value) - keep_start - keep_end
    if hidden >= 4:
        return value[:keep_start] + MASK * hidden + value[len(value) - keep_end :]
    shown = min(2, len(value) // 3)
    return MASK * (len(value) - shown) + value[len(value) - shown :]


def mask_phone(value: str) -> str:
    """13812345678 → 138****5678."""
    return mask_middle(value, keep_start=3, keep_end=4)


def mask_id_number(value: str) -> str:
    """A 居民身份证号 keeps its first three and last four characters; the birth date (positions
    7–14) and the county of registration are hidden."""
    return mask_middle(value, keep_start=3, keep_end=4)
