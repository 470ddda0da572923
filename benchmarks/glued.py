"""Glued-number decoding (gicrawler/parsing/glued.py) over the corpus reports' true tables.

Every full table B (and C) of the sample reports (gicrawler/replicas/data/samples) and of
tests/corpus is turned into glued rows — its digits with the cell
boundaries removed — in several patterns: each row alone, each pair of rows, every row at once,
every row of the table printed as glued text lines and read by the parser's table step
(extract_tables), and table C as one 15-digit run; then random consistent tables (counts up
to 9, 99, 999) with every row glued. Each case is decoded with the template's identities and
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


def nested(rows: dict) -> dict:
    out: dict = {}
    for key, values in rows.items():
        group, _, sub = key.partition(".")
        row = dict(zip(APPLICANT_COLUMNS, values))
        if sub:
            out.setdefault(group, {})[sub] = row
        else:
            out[group] = row
    return out


def b_rows_partial(app: dict, template: str) -> dict:
    """Row key → 7 values of the rows that came back whole (others absent: not decoded)."""
    out = {}
    for key in application_rows(template):
        node = app
        for part in key.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        if isinstance(node, dict) and all(isinstance(node.get(c), int) for c in APPLICANT_COLUMNS):
            out[key] = tuple(node[c] for c in APPLICANT_COLUMNS)
    return out


def c_values(rl):
    if not isinstance(rl, dict):
        return None
    vals = [rl.get(g, {}).get(c) for g in REVIEW_GROUP_KEYS for c in REVIEW_COLUMNS]
    return tuple(vals) if all(isinstance(v, int) for v in vals) else None


def text_glued(tables: dict, template: str) -> str:
    """Table B printed as text lines with every row's digits glued to its label (through the
    replicas' layout: the labels as printed), inside its section."""
    from gicrawler.replicas.layouts import expand_layout, table_layout
    lines = ["三、收到和处理政府信息公开申请情况"]
    for row in expand_layout(table_layout("applications", tables, template, {"fullwidth": False})):
        label = list(dict.fromkeys(c for c in row if c and not c.isdigit()))
        lines.append("".join(label) + "".join(c for c in row if c.isdigit()))
    return "\n".join(lines + ["五、存在的主要问题及改进情况"])


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
        # the whole table glued, as text, through the parser's table step
        from gicrawler.parsing.tables import extract_tables
        app = extract_tables(text_glued({"applications": nested(rows)}, template))["tables"].get("applications")
        got_rows = b_rows_partial(app or {}, template)
        for k, v in rows.items():
            tally(counts, "B text, every row glued (extract_tables)", got_rows.get(k), v, f"{name} {k} (text)")
        if c is not None:
            got = decode_review(glue(c)) or (None,) * 15
            for g in range(3):          # a group left ambiguous is None, the others may decode
                cells = got[g * 5:(g + 1) * 5]
                tally(counts, "C, 15 cells glued (groups)", None if None in cells else cells,
                      c[g * 5:(g + 1) * 5], f"{name} C group {g}")
    random_cases(counts)
    took = time.perf_counter() - started
    print(f"{tables} corpus tables and 200 random ones ({took:.1f} s)")
    print(f"{'pattern':<42} {'rows':>6} {'decoded':>8} {'ambiguous':>10} {'wrong':>6}")
    for pattern, (n, d, a, w) in counts.items():
        print(f"{pattern:<42} {n:>6} {d:>8} {a:>10} {w:>6}")
    n, d, a, w = (sum(col) for col in zip(*counts.values()))
    print(f"{'all':<42} {n:>6} {d:>8} {a:>10} {w:>6}")
    return 1 if w else 0


def random_table(rng, template: str, scale: int) -> dict:
    """A table B satisfying every identity: random counts up to ``scale``, many zeros."""
    keys = application_rows(template)
    results = [k for k in keys if k not in ("received", "carried_over", "total", "carried_forward")]

    def six():
        return [0 if rng.random() < 0.6 else rng.randint(0, scale) for _ in range(6)]

    rows = {}
    for k in results:
        cells = six()
        rows[k] = (*cells, sum(cells))
    rows["total"] = tuple(sum(rows[k][j] for k in results) for j in range(7))
    forward = six()
    rows["carried_forward"] = (*forward, sum(forward))
    over = [rng.randint(0, rows["total"][j] + forward[j]) if rng.random() < 0.3 else 0 for j in range(6)]
    rows["carried_over"] = (*over, sum(over))
    rows["received"] = tuple(t + f - o for t, f, o in zip(rows["total"], rows["carried_forward"], rows["carried_over"]))
    return {k: rows[k] for k in keys}


def random_cases(counts, n: int = 200) -> None:
    """Random consistent tables (counts to 9, 99, 999), every row glued: the ambiguous share."""
    import random
    rng = random.Random(12)
    for i in range(n):
        template = ("2019", "2021")[i % 2]
        scale = (9, 99, 999)[i % 3]
        rows = random_table(rng, template, scale)
        result = decode_applications({k: glue(v) for k, v in rows.items()}, template)
        for k, v in rows.items():
            tally(counts, f"random B (to {scale}), every row glued", result.rows.get(k), v, f"random {i} {k}")


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
