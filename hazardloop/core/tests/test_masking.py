"""Masking of personal identifiers shown by the API."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hazardloop.core.api.masking import mask_id_number, mask_phone


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("13812345678", "138****5678"),
        ("0372-5551234", "037*****1234"),
        ("5551234", "*****34"),
        ("12", "**"),
        ("123", "**3"),
        ("", ""),
    ],
)
def test_phone_numbers_keep_only_their_ends(raw, shown):
    assert mask_phone(raw) == shown


def test_an_id_number_hides_region_detail_and_birth_date():
    assert mask_id_number("41050619800101123X") == "410***********123X"


@given(st.text(alphabet="0123456789X-", max_size=30))
def test_masking_keeps_the_length_and_hides_most_of_the_value(raw):
    shown = mask_phone(raw)
    assert len(shown) == len(raw)
    hidden = shown.count("*")
    assert len(raw) - hidden <= 7
    assert hidden >= 4 or 3 * hidden >= 2 * len(raw)
