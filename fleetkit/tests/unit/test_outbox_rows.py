"""Bulk outbox rows: one envelope per event, whatever JSON the payload holds."""

from __future__ import annotations

import json

from fleetkit.events.outbox import outbox_rows


def test_each_event_gets_its_own_envelope_in_order():
    stream, ids, types, envelopes = outbox_rows(
        "ledger", [("a.made", {"n": "1"}, "t1"), ("b.made", {"n": "2"}, None)]
    )

    documents = [json.loads(text) for text in envelopes]
    assert stream == "fleet.ledger"
    assert types == ["a.made", "b.made"]
    assert [d["id"] for d in documents] == [str(i) for i in ids]
    assert [(d["type"], d["tenant_id"], d["payload"]) for d in documents] == [
        ("a.made", "t1", {"n": "1"}),
        ("b.made", None, {"n": "2"}),
    ]
    assert len(set(ids)) == 2


def test_a_payload_with_integers_beyond_64_bits_is_written_exactly():
    # Client metadata is free JSON; the fast encoder stops at 64-bit integers.
    payload = {"metadata": {"reference": 10**30, "nested": [-(2**70)]}}

    [envelope] = outbox_rows("ledger", [("a.made", payload, "t1")])[3]

    assert json.loads(envelope)["payload"] == payload
