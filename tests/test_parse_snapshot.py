"""The parser's output on every input of tests/parse_inputs.py, field by field, against the
snapshot committed beside this test (tests/snapshots/parse_outputs.json).

It holds the parser to what it gave when the snapshot was taken: a change made for speed must
leave every record as it was. A change meant to alter the output re-takes the snapshot —

    python -m tests.test_parse_snapshot --update

— and the diff of the JSON file shows, in review, every record it altered. The normalised text
is kept as its SHA-256 and length (the full texts would be most of the file); any other field is
kept whole.
"""
from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import pytest

from tests.parse_inputs import inputs

SNAPSHOT = Path(__file__).parent / "snapshots" / "parse_outputs.json"
INPUTS = {name: (data, kwargs) for name, data, kwargs in inputs()}


def snapshot_of(record: dict) -> dict:
    """The record as the snapshot keeps it: JSON values, the text as its hash and length."""
    out = json.loads(json.dumps(record, ensure_ascii=False, sort_keys=True, default=str))
    text = out.get("text")
    if isinstance(text, str):
        out["text"] = {"sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(), "chars": len(text)}
    return out


def parsed(name: str) -> dict:
    from gicrawler.parsing import parse_report

    data, kwargs = INPUTS[name]
    return snapshot_of(parse_report(data, **kwargs))


@pytest.fixture(scope="module")
def snapshot() -> dict:
    return json.loads(SNAPSHOT.read_text(encoding="utf-8"))


def test_snapshot_covers_every_input(snapshot):
    assert sorted(snapshot) == sorted(INPUTS)


@pytest.mark.parametrize("name", sorted(INPUTS))
def test_parse_output_unchanged(snapshot, name):
    if name not in snapshot:
        pytest.fail(f"{name} has no snapshot (python -m tests.test_parse_snapshot --update)")
    got, want = parsed(name), snapshot[name]
    differing = sorted(key for key in set(got) | set(want) if got.get(key) != want.get(key))
    assert differing == [], f"{name}: fields differ from the snapshot: {differing}"


def _update() -> None:
    SNAPSHOT.parent.mkdir(exist_ok=True)
    records = {name: parsed(name) for name in sorted(INPUTS)}
    SNAPSHOT.write_text(json.dumps(records, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"{SNAPSHOT}: {len(records)} records")


if __name__ == "__main__":
    if sys.argv[1:] != ["--update"]:
        sys.exit("usage: python -m tests.test_parse_snapshot --update")
    _update()
