import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hazardloop.audit import rules
from hazardloop.audit.choices import BreakKind

T0 = dt.datetime(2026, 3, 1, 8, 30, tzinfo=dt.UTC)


def build_chain(n: int, start_seq: int = 0, start_hash: str = rules.GENESIS_HASH) -> list[rules.ChainRecord]:
    records, prev = [], start_hash
    for seq in range(start_seq + 1, start_seq + n + 1):
        fields = rules.chain_fields(
            seq=seq,
            timestamp=T0 + dt.timedelta(minutes=seq),
            actor_id=seq % 3 or None,
            actor_display=f"用户{seq}",
            event_type=200,
            target_type="registry.enterprise",
            target_id=str(seq),
            target_repr=f"企业{seq}",
            data={"n": seq, "名称": "龙泉煤业"},
            ip_address="10.0.0.1",
            prev_hash=prev,
        )
        digest = rules.event_hash(fields)
        records.append(rules.ChainRecord(seq=seq, prev_hash=prev, hash=digest, fields=fields))
        prev = digest
    return records


def tampered(record: rules.ChainRecord, **changes) -> rules.ChainRecord:
    fields = dict(record.fields)
    fields.update(changes)
    return rules.ChainRecord(seq=record.seq, prev_hash=record.prev_hash, hash=record.hash, fields=fields)


def test_canonical_json_sorts_keys_and_keeps_chinese():
    assert rules.canonical_json({"b": 1, "a": "隐患"}) == '{"a":"隐患","b":1}'


def test_plain_data_gives_every_value_a_single_json_spelling():
    value = {
        1: Decimal("12.50"),
        "when": dt.date(2026, 5, 1),
        "ratio": 0.1,
        "tags": {"b", "a"},
        "pair": (1, 2),
        "at": dt.datetime(2026, 5, 1, 8, tzinfo=dt.timezone(dt.timedelta(hours=8))),
    }
    assert rules.plain_data(value) == {
        "1": "12.50",
        "when": "2026-05-01",
        "ratio": "0.1",
        "tags": ["a", "b"],
        "pair": [1, 2],
        "at": "2026-05-01T00:00:00.000000+00:00",
    }


def test_plain_data_refuses_values_without_a_stable_form():
    with pytest.raises(TypeError):
        rules.plain_data({"blob": object()})


def test_timestamps_are_hashed_in_utc_whatever_zone_they_come_in():
    shanghai = T0.astimezone(dt.timezone(dt.timedelta(hours=8)))
    assert rules.timestamp_text(shanghai) == rules.timestamp_text(T0) == "2026-03-01T08:30:00.000000+00:00"


def test_ip_text_normalises_and_drops_garbage():
    assert rules.ip_text("2001:0db8:0000::0001") == "2001:db8::1"
    assert rules.ip_text("not-an-address") is None
    assert rules.ip_text("") is None


def test_a_clean_chain_verifies_and_reports_its_span():
    chain = build_chain(5)
    result = rules.verify(chain, head=(5, chain[-1].hash))
    assert result.ok
    assert (result.count, result.first_seq, result.last_seq) == (5, 1, 5)


def test_an_empty_chain_verifies_against_an_empty_head():
    assert rules.verify([], head=(0, rules.GENESIS_HASH)).ok


def test_edited_content_is_reported_at_the_edited_row():
    chain = build_chain(6)
    chain[3] = tampered(chain[3], data={"n": 999})
    broken = rules.verify(chain).broken
    assert (broken.seq, broken.kind) == (4, BreakKind.HASH)


def test_a_row_rewritten_with_a_recomputed_hash_is_caught_at_its_successor():
    chain = build_chain(6)
    forged_fields = dict(chain[2].fields, actor_display="别人")
    chain[2] = rules.ChainRecord(3, chain[2].prev_hash, rules.event_hash(forged_fields), forged_fields)
    broken = rules.verify(chain).broken
    assert (broken.seq, broken.kind) == (4, BreakKind.PREV_HASH)


def test_a_missing_row_is_a_gap_named_by_the_missing_number():
    chain = build_chain(6)
    del chain[2]
    result = rules.verify(chain)
    assert (result.broken.seq, result.broken.kind) == (3, BreakKind.GAP)
    assert result.count == 2


def test_missing_newest_rows_are_caught_by_the_head():
    chain = build_chain(6)
    head = (6, chain[-1].hash)
    broken = rules.verify(chain[:4], head=head).broken
    assert (broken.seq, broken.kind) == (5, BreakKind.TAIL)


def test_a_chain_verifies_from_an_anchor_but_not_from_the_genesis():
    chain = build_chain(8)
    anchor = chain[2]
    rest = chain[3:]
    assert rules.verify(rest, start_seq=anchor.seq, start_hash=anchor.hash, head=(8, chain[-1].hash)).ok
    assert rules.verify(rest).broken.kind == BreakKind.GAP


@given(
    length=st.integers(min_value=1, max_value=12),
    data=st.data(),
    field=st.sampled_from(["timestamp", "actor", "actor_display", "type", "target", "data", "ip"]),
)
def test_changing_any_hashed_field_of_any_row_breaks_the_chain_at_that_row(length, data, field):
    chain = build_chain(length)
    index = data.draw(st.integers(min_value=0, max_value=length - 1))
    original = chain[index].fields[field]
    replacement = data.draw(
        st.one_of(st.none(), st.integers(), st.text(max_size=8)).filter(lambda v: v != original)
    )
    chain[index] = tampered(chain[index], **{field: replacement})
    broken = rules.verify(chain, head=(length, chain[-1].hash)).broken
    assert broken is not None
    assert (broken.seq, broken.kind) == (index + 1, BreakKind.HASH)
