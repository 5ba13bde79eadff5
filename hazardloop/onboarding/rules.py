"""Pure rules of enterprise activation: the code's alphabet and shape, phone numbers."""

from __future__ import annotations

import re
import secrets

# No 0/O, 1/I/L, 2/Z, 5/S, 8/B: a code copied by hand from a paper notice must not be misread.
ALPHABET = "34679ACDEFGHJKMNPQRTUVWXY"
LENGTH = 8  # 25**8 ≈ 1.5e11 codes; with a handful of tries per hour, guessing is hopeless
_MOBILE = re.compile(r"^1[3-9]\d{9}$")


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalise_code(text: str) -> str:
    """What a person typed, as stored: upper case, without the spaces or dash of the printed form."""
    return "".join(ch for ch in str(text or "").upper() if ch.isalnum())


def display_code(code: str) -> str:
    """Printed in two groups of four, as people read codes aloud."""
    return f"{code[:4]}-{code[4:]}" if len(code) == LENGTH else code


def normalise_phone(text: str) -> str:
    digits = "".join(ch for ch in str(text or "") if ch.isdigit())
    if digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits


def is_mobile(phone: str) -> bool:
    """A mainland mobile number (11 digits, 1 then 3–9): the safety manager's own phone."""
    return bool(_MOBILE.match(phone))


def mask_phone(phone: str) -> str:
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) >= 7 else "****"
