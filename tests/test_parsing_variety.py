"""Real reports the parser was not written against (tests/corpus/variety, see SOURCES.md).

Values in expected.json were read by hand from each document. Per document:
``tables``: values that must come out exactly (``null``: the cell is blank or not in the
document, so None or an absent row is right, a number is wrong); ``optional``: tables that
may be left out (a page cut inside them), but if extracted must match; ``missing``: tables
that must not be extracted; ``no_numbers``: the document prints no placeable value at all;
``checks``: results the consistency checks must give on the table as printed.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from gicrawler.panel import flatten

from gicrawler.parsing import parse_report
from gicrawler.parsing.checks import TEXT_RULES, run_checks
from gicrawler.parsing.normalize import normalize_text
from gicrawler.parsing.tables import extract_tables
from tests.table_diff import table_diff

VARIETY = Path(__file__).parent / "corpus" / "variety"
EXPECTED = json.loads((VARIETY / "expected.json").read_text(encoding="utf-8"))
SYNTHETIC = VARIETY / "synthetic"
TRUTH = json.loads((SYNTHETIC / "truth.json").read_text(encoding="utf-8"))


def _diff(expected, got, path):
    return table_diff(expected, got, path, absent_is_blank=True)


def _numbers(table, path=""):
    for k, v in table.items():
        if isinstance(v, dict):
            yield from _numbers(v, f"{path}{k}.")
        elif v is not None:
            yield f"{path}{k}", v


@pytest.fixture(scope="module")
def records():
    return {name: parse_report((VARIETY / name).read_bytes(), filename=name) for name in EXPECTED}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_variety_values(records, name):
    exp, rec = EXPECTED[name], records[name]
    got = rec["tables"]
    problems = []
    for key, table in exp["tables"].items():
        if key not in got:
            if key not in exp["optional"]:
                problems.append(f"{key}: not extracted ({rec['missing_tables'].get(key)})")
            continue
        problems += _diff(table, got[key], key)
    for key in exp["missing"]:
        if key in got:
            problems.append(f"{key}: extracted, but the document does not print it: {got[key]!r}")
        elif key not in rec["missing_tables"]:
            problems.append(f"{key}: absent without a missing_tables reason")
    if exp.get("no_numbers"):
        problems += [f"{k}.{p} = {v!r} invented" for k, t in got.items() for p, v in _numbers(t)]
    if exp.get("template"):
        if rec["template"] != exp["template"]:
            problems.append(f"template {rec['template']!r} ≠ {exp['template']!r}")
    assert problems == []


@pytest.mark.parametrize("name", sorted(n for n in EXPECTED if EXPECTED[n].get("checks")))
def test_variety_checks_match_printed_table(records, name):
    rec = records[name]
    checks = {c["rule"]: c for c in rec["checks"]}
    for rule, ok in EXPECTED[name]["checks"].items():
        assert rule in checks, f"{rule} not evaluated"
        assert checks[rule]["ok"] is ok, checks[rule]["detail"]
    # the record's checks of its tables are the checks of its own tables (the others read its
    # text and metadata: tests/test_report_checks.py)
    table_checks = [c for c in rec["checks"] if c["rule"] not in ("published_on_time", *TEXT_RULES)]
    assert table_checks == run_checks({"tables": rec["tables"]})


def test_variety_corpus_is_documented():
    sources = (VARIETY / "SOURCES.md").read_text(encoding="utf-8")
    files = {p.name for p in VARIETY.iterdir() if p.suffix in (".txt", ".html")}
    assert files == set(EXPECTED)
    for name in files:
        assert name in sources, f"{name} has no source note"


@pytest.mark.parametrize("name", sorted(TRUTH))
def test_synthetic_full_reports(name):
    # SYNTHETIC (see synthetic/make_synthetic.py): complete reports in the real layouts above,
    # built from truth.json, so that every row and column of every table is checked.
    rec = parse_report((SYNTHETIC / name).read_bytes(), filename=name)
    truth = TRUTH[name]
    assert rec["template"] == truth["template"]
    assert set(rec["missing_tables"]) == {"active", "applications", "review_litigation"} - set(truth["tables"])
    for key, table in truth["tables"].items():
        assert flatten(rec["tables"][key]) == flatten(table), key
    assert all(c["ok"] for c in rec["checks"] if c["rule"] not in ("published_on_time", *TEXT_RULES))


def _truth_of(folder: Path, name: str) -> dict:
    """table → {path: value} known to be right: hand-read (real) or built (synthetic)."""
    if folder == SYNTHETIC:
        return {k: flatten(v) for k, v in TRUTH[name]["tables"].items()}
    return {k: flatten(v) for k, v in EXPECTED[name]["tables"].items()}


@pytest.mark.parametrize("folder,name", [(VARIETY, n) for n in sorted(EXPECTED) if n.endswith(".txt")]
                         + [(SYNTHETIC, n) for n in sorted(TRUTH) if n.endswith(".txt")])
def test_damaged_variety_text_never_gives_wrong_values(folder, name):
    # Delete each line in turn (a lost cell, a lost label, a lost blank-cell marker): every
    # value still extracted must be the right one (known value, else the undamaged extraction).
    text = normalize_text((folder / name).read_text(encoding="utf-8"))
    truth = _truth_of(folder, name)
    full = {k: flatten(v) for k, v in extract_tables(text)["tables"].items()}
    lines = text.split("\n")
    wrong = []
    for i, line in enumerate(lines):
        if not line.strip() or "万元" in line:
            continue            # (a lost unit header loses the unit: not detectable)
        damaged = "\n".join(lines[:i] + lines[i + 1:])
        for key, table in extract_tables(damaged)["tables"].items():
            for path, value in flatten(table).items():
                if value is None:
                    continue
                known = truth.get(key, {})
                right = known[path] if path in known else full.get(key, {}).get(path, "<absent>")
                if value != right:
                    wrong.append(f"line {i} {line[:30]!r}: {key}.{path} = {value!r}, right {right!r}")
    assert wrong == []
