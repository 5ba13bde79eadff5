"""Cell normalisers: each turns one raw spreadsheet value into what the model stores, or raises
`CellError` with a Chinese message that says what is wrong and how to put it right. Pure: no ORM,
no file."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from .. import rules
from .problems import CellError

MAX_POSITIVE_INT = 2_147_483_647  # PositiveIntegerField on PostgreSQL
# --- cell normalisers (pure) -----------------------------------------------------------------


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and (not value or value.isspace()))


def shown(value: Any) -> str:
    """The cell as the clerk sees it, for quoting in a message."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    text = str(value).strip()
    return text if len(text) <= 40 else text[:39] + "…"


def text(value: Any) -> str:
    """Full-width to half-width, runs of spaces collapsed, ends trimmed; numbers Excel stored
    for a text column come back without a trailing .0."""
    if type(value) is str:
        # Most cells are already in normal form; checking is several times cheaper than folding.
        if value.isascii() or unicodedata.is_normalized("NFKC", value):
            return " ".join(value.split())
        return rules.normalise_text(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return rules.normalise_text(value)


def integer(value: Any, *, units: tuple[str, ...] = (), maximum: int = MAX_POSITIVE_INT) -> int | None:
    """A non-negative whole number, from a number cell or text such as "1,200" or "１２００人"."""
    if value.__class__ is float and value.is_integer() and 0 <= value <= maximum:
        return int(value)  # the usual number cell, without the Decimal round trip
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise CellError(_("应填写数字，不能填写是/否。"))
    if isinstance(value, int | float):
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    else:
        raw = rules.normalise_text(value).replace(",", "").replace(" ", "")
        for unit in units:
            if raw.endswith(unit):
                raw = raw[: -len(unit)]
                break
        try:
            number = Decimal(raw)
        except InvalidOperation:
            raise CellError(_("「{value}」不是数字。").format(value=shown(value))) from None
    if not number.is_finite() or number != number.to_integral_value():
        raise CellError(_("应填写整数，「{value}」不是整数。").format(value=shown(value)))
    if number < 0:
        raise CellError(_("不能为负数。"))
    if number > maximum:
        raise CellError(_("数值过大（不能超过{maximum}）。").format(maximum=maximum))
    return int(number)


TRUE_WORDS = frozenset({"是", "y", "yes", "true", "1", "√", "✓", "✔", "有", "对"})
FALSE_WORDS = frozenset({"否", "n", "no", "false", "0", "×", "✗", "✘", "x", "无", "不是", "没有"})


def yes_no(value: Any) -> bool | None:
    """是/否, Y/N, √/×, 有/无, 1/0 and Excel's TRUE/FALSE cells; blank is None."""
    if isinstance(value, bool):
        return value
    if is_blank(value):
        return None
    if isinstance(value, int | float):
        if value in (0, 1):
            return bool(value)
    else:
        word = rules.normalise_text(value).lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
    raise CellError(_("应填写“是”或“否”，「{value}」无法识别。").format(value=shown(value)))


# Excel's day numbers for 1900-01-01 .. 2099-12-31; an 8-digit 20120305 is read as yyyymmdd.
EXCEL_SERIAL_RANGE = (1, 73050)
EXCEL_EPOCH = dt.date(1899, 12, 30)
DATE_PATTERNS = (
    re.compile(
        r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$"
    ),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)
YEAR_MONTH = re.compile(r"^\d{4}\s*[-/.年]\s*\d{1,2}\s*月?$")


def date(value: Any) -> dt.date | None:
    """Excel date cells, Excel day numbers, and text like 2012/3/5, 2012-03-05, 2012.3.5,
    2012年3月5日 or 20120305 (full-width digits too)."""
    if is_blank(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        raise CellError(_("应填写日期。"))
    if isinstance(value, int | float):
        number = float(value)
        if number.is_integer() and 19000101 <= number <= 20991231:
            return date(str(int(number)))
        if EXCEL_SERIAL_RANGE[0] <= number <= EXCEL_SERIAL_RANGE[1]:
            return EXCEL_EPOCH + dt.timedelta(days=int(number))
        raise CellError(_("「{value}」不是有效日期。").format(value=shown(value)))
    raw = rules.normalise_text(value)
    for pattern in DATE_PATTERNS:
        match = pattern.match(raw)
        if match:
            year, month, day = (int(part) for part in match.groups())
            try:
                return dt.date(year, month, day)
            except ValueError:
                break
    if YEAR_MONTH.match(raw):
        raise CellError(_("「{value}」缺少日，请填写完整日期，如 2012/3/5。").format(value=shown(value)))
    raise CellError(_("「{value}」不是有效日期，请按 2012/3/5 的格式填写。").format(value=shown(value)))


SIX_PLACES = Decimal("0.000001")
LONGITUDE, LATITUDE = gettext_noop("经度"), gettext_noop("纬度")


def coordinate(value: Any, *, low: int, high: int, label: str) -> Decimal | None:
    """A decimal degree within [low, high], kept to six places as the model stores it."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise CellError(_("应填写数字。"))
    raw = repr(value) if isinstance(value, float) else rules.normalise_text(value).replace(" ", "")
    raw = raw.rstrip("°")
    try:
        number = Decimal(raw)
    except InvalidOperation:
        raise CellError(
            _("「{value}」不是数字，请以小数度填写，如 114.3521。").format(value=shown(value))
        ) from None
    if not number.is_finite() or not low <= number <= high:
        raise CellError(
            _("{label}应在 {low} 到 {high} 之间，「{value}」超出范围。").format(
                label=_(label), low=low, high=high, value=shown(value)
            )
        )
    return number.quantize(SIX_PLACES, rounding=ROUND_HALF_UP)


PHONE_PATTERN = re.compile(r"^[0-9+()\-#转 ]{3,32}$")


def phone(value: Any) -> str:
    raw = text(value)
    if raw and not PHONE_PATTERN.match(raw):
        raise CellError(_("「{value}」不是有效的电话号码。").format(value=shown(value)))
    return raw


def credit_code(value: Any) -> str:
    """A normalised 统一社会信用代码 with its check digit verified. A number cell gets its own
    advice: Excel keeps only 15 significant digits, so an 18-digit code typed into a number cell
    has already lost its tail."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        code = str(int(value))
        message = rules.credit_code_error(code)
        if message:
            raise CellError(
                _(
                    "{message}该单元格是数字格式，Excel 只保留15位有效数字，请将此列设为“文本”后重新填写。"
                ).format(message=message)
            )
        return code
    code = rules.normalise_uscc(value)
    if not code or rules.uscc_problem(code) is None:
        return code
    raise CellError(rules.credit_code_error(code))


ID_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))
ID_CHECK = "10X98765432"


def id_number_problem(number: str) -> str | None:
    """GB 11643 居民身份证号码: 17 digits, a valid birth date at 7-14, then a check character
    (weights 2^(17-i) mod 11; sum mod 11 indexes 1 0 X 9 8 7 6 5 4 3 2)."""
    if len(number) != 18:
        return _("身份证号应为18位，实际为{n}位。").format(n=len(number))
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        return _("身份证号只能由数字组成，最后一位可以是X。")
    try:
        dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return _("身份证号中的出生日期（第7-14位）无效。")
    expected = ID_CHECK[sum(int(d) * w for d, w in zip(number[:17], ID_WEIGHTS, strict=True)) % 11]
    if number[17] != expected:
        return _("身份证号校验位错误（第18位应为{expected}）。").format(expected=expected)
    return None


def id_number(value: Any) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        raw = str(int(value))
        if id_number_problem(raw):
            raise CellError(
                _("身份证号被存成了数字，Excel 只保留15位有效数字，请将此列设为“文本”后重新填写。")
            )
        return raw
    raw = rules.normalise_uscc(value)
    problem = id_number_problem(raw) if raw else None
    if problem:
        raise CellError(problem)
    return raw


LIST_SEPARATORS = re.compile(r"[,，、;；/\s]+")


def split_list(value: Any) -> list[str]:
    """ "煤矿、机械", "煤矿,机械" or one per line, as clerks write lists in one cell."""
    raw = text(value) if not isinstance(value, str) else rules.normalise_text(value.replace("\n", " "))
    return [part for part in LIST_SEPARATORS.split(raw) if part]


def choice_parser(choices, *, default: str | None, what: str) -> Callable[[Any], str | None]:
    """A parser taking a choice by its Chinese label or its stored value."""
    lookup = {}
    for stored, label in choices:
        lookup[stored] = stored
        lookup[str(label)] = stored
    allowed = "、".join(str(label) for _stored, label in choices)

    def parse(value: Any) -> str | None:
        raw = text(value)
        if not raw:
            return default
        stored = lookup.get(raw) or lookup.get(raw.lower())
        if stored is None:
            raise CellError(
                _("{what}「{value}」无法识别，可填写：{allowed}。").format(
                    what=what, value=raw, allowed=allowed
                )
            )
        return stored

    return parse


def max_lengths(model, keys) -> dict[str, int]:
    return {key: model._meta.get_field(key).max_length for key in keys}


def bounded(limit: int) -> Callable[[Any], str]:
    """A text cell of at most `limit` characters (the model field's max_length), so an over-long
    value is the clerk's problem named by cell, not a database error at write time."""

    def parse(value: Any) -> str:
        result = text(value)
        if len(result) > limit:
            raise CellError(_("内容过长：最多{limit}个字，实际{n}个字。").format(limit=limit, n=len(result)))
        return result

    return parse
