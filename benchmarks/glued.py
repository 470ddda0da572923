"""Glued-number decoding (gicrawler/parsing/glued.py) over the corpus reports' true tables.

Every full table B (and C) of the sample reports (gicrawler/replicas/data/samples) and of
tests/corpus is turned into glued rows — its digits with the cell
boundaries removed — in several patterns: each row alone, each pair of rows, every row at once,
and table C as one 15-digit run. Each case is decoded with the template's identities and
compared with the true values. Prints cases decoded / ambiguous / wrong (wrong must be 0).

    python benchmarks/glued.py
"""
from __future__ import annotations

import itertools
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gicrawler.parsing.glued import Glued, decode_applications, decode_review  # noqa: E402
from gicrawler.template import APPLICANT_COLUMNS, REVIEW_COLUMNS, REVIEW_GROUP_KEYS, application_rows  # noqa: E402

FILES = (ROOT / "gicrawler" / "replicas" / "data" / "samples" / "expected.json",
         ROOT / "tests" / "corpus" / "variety" / "expected.json",
         ROOT / "tests" / "corpus" / "variety" / "synthetic" / "truth.json")


def corpus_tables():
    """(name, template, {row key: 7 values}, C values or None) of every complete table B."""
    for path in FILES:
        for name, entry in json.loads(path.read_text(encoding="utf-8")).items():
            if not isinstance(entry, dict):
                continue
            tables = entry.get("tables") or {}
            template = entry.get("template") or "2021"
            rows = b_rows(tables.get("applications") or {}, template)
            if rows is None:
                continue
            yield f"{path.parent.name}/{name}", template, rows, c_values(tables.get("review_litigation"))


def b_rows(app: dict, template: str):
    out = {}
    for key in application_rows(template):
        node = app
        for part in key.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        if not isinstance(node, dict) or any(not isinstance(node.get(c), int) for c in APPLICANT_COLUMNS):
            return None
        out[key] = tuple(node[c] for c in APPLICANT_COLUMNS)
    return out


def c_values(rl):
    if not isinstance(rl, dict):
        return None
    vals = [rl.get(g, {}).get(c) for g in REVIEW_GROUP_KEYS for c in REVIEW_COLUMNS]
    return tuple(vals) if all(isinstance(v, int) for v in vals) else None


def glue(values) -> Glued:
    return Glued(("".join(map(str, values)),))


def b_cases(rows):
    keys = list(rows)
    yield from (("B, one row glued", [k]) for k in keys)
    yield from (("B, two rows glued", list(p)) for p in itertools.combinations(keys, 2))
    yield "B, every row glued", keys


def main() -> int:
    counts: dict = {}           # pattern → [cases, decoded, ambiguous, wrong]
    tables = 0
    started = time.perf_counter()
    for name, template, rows, c in corpus_tables():
        tables += 1
        for pattern, glued_keys in b_cases(rows):
            given = {k: (glue(v) if k in glued_keys else v) for k, v in rows.items()}
            result = decode_applications(given, template)
            for k in glued_keys:
                tally(counts, pattern, result.rows.get(k), rows[k], f"{name} {k}")
        if c is not None:
            got = decode_review(glue(c)) or (None,) * 15
            for g in range(3):          # a group left ambiguous is None, the others may decode
                cells = got[g * 5:(g + 1) * 5]
                tally(counts, "C, 15 cells glued (groups)", None if None in cells else cells,
                      c[g * 5:(g + 1) * 5], f"{name} C group {g}")
    took = time.perf_counter() - started
    print(f"{tables} corpus tables ({took:.1f} s)")
    print(f"{'pattern':<24} {'rows':>6} {'decoded':>8} {'ambiguous':>10} {'wrong':>6}")
    for pattern, (n, d, a, w) in counts.items():
        print(f"{pattern:<24} {n:>6} {d:>8} {a:>10} {w:>6}")
    n, d, a, w = (sum(col) for col in zip(*counts.values()))
    print(f"{'all':<24} {n:>6} {d:>8} {a:>10} {w:>6}")
    return 1 if w else 0


def tally(counts, pattern, got, truth, where):
    row = counts.setdefault(pattern, [0, 0, 0, 0])
    row[0] += 1
    if got is None:
        row[2] += 1
        return
    row[1] += 1
    if tuple(got) != tuple(truth):
        row[3] += 1
        print(f"WRONG {where}: {got} != {truth}")


if __name__ == "__main__":
    raise SystemExit(main())
