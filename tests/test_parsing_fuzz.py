"""Parser fuzzing (issue 9's attack suite): mutated real reports, every run.

A fixed-seed sample of mutated corpus reports (HTML, text, PDF, DOCX; tests/fuzzing.py says
how they are made) and hypothesis-driven mutations of the same sources, each parsed in a child
process under RLIMIT_AS and a deadline (a bound on every input, not a measure of speed). No
input may crash the parser, hang it, give a malformed record, lose an undamaged re-encoded
document, put a number in the tables that the input does not contain, or — for the shapes of
broken pages (a stray </table>, 〇 for 0, "3人次" …) — hold a value the undamaged document's
record does not hold at that place.

``python -m tests.fuzzing N`` prints the same figures for a larger sample.
"""
from __future__ import annotations

import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gicrawler.parsing.decode import OLE2_MAGIC
from gicrawler.runner import ChildRunner
from tests import fuzzing

SAMPLE = 240
BAD = ("crash", "hang", "malformed", "invented", "moved", "lost")


@pytest.fixture(scope="module")
def runner():
    with ChildRunner(memory_limit=fuzzing.MEMORY_LIMIT) as r:
        yield r


def _verdict(outcomes):
    bad = [f"{o.kind} {o.label}: {o.detail}" for o in outcomes if o.kind in BAD]
    return fuzzing.summary(outcomes), bad


def test_fixed_sample_of_mutated_reports(runner):
    cases = fuzzing.cases(SAMPLE)
    assert {c.form for c in cases} == {"text", "html", "pdf", "docx"}
    outcomes = [fuzzing.check(runner, case) for case in cases]
    figures, bad = _verdict(outcomes)
    assert figures["inputs"] == SAMPLE and figures["record"] > SAMPLE // 2, figures
    assert not bad, (figures, bad[:20])


def test_a_value_a_shape_moved_is_caught(runner):
    """The shapes' oracle: two cells of a row swapped hold numbers the page contains, in places
    the undamaged page's record does not have them."""
    src = next(s for s in fuzzing.sources() if s.name == "peer-hangzhou-style-2025.html")
    swapped = src.text.replace("<td>535</td><td>6</td>", "<td>6</td><td>535</td>")
    case = fuzzing.Case("swapped", "html", swapped.encode("utf-8"), src.text, {}, clean=src)
    outcome = fuzzing.check(runner, case)
    assert outcome.kind == "moved" and "carried_over.natural_person=6" in outcome.detail, outcome


@settings(max_examples=40, deadline=None, derandomize=False,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(source=st.sampled_from(range(len(fuzzing.sources()))), rng=st.randoms(use_true_random=False))
def test_hypothesis_mutations(runner, source, rng):
    case = fuzzing._mutate(rng, fuzzing.sources()[source], 0)
    outcome = fuzzing.check(runner, case)
    assert outcome.kind not in BAD, f"{outcome.kind} {outcome.label}: {outcome.detail}"


def _grid_pdf(lines: int) -> bytes:
    from reportlab.pdfgen import canvas
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.setLineWidth(0.1)
    for i in range(lines + 1):
        c.line(0, i * 800 / lines, 590, i * 800 / lines)
        c.line(i * 590 / lines, 0, i * 590 / lines, 800)
    c.drawString(10, 10, "1")
    c.showPage()
    c.save()
    return buf.getvalue()


def _empty_pages_pdf(n: int) -> bytes:
    from reportlab.pdfgen import canvas
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    for _ in range(n):
        c.showPage()
    c.save()
    return buf.getvalue()


ATTACKS = {
    "5,000 empty PDF pages": (lambda: _empty_pages_pdf(5000), "pdf: only the first 200 of 5000 pages read"),
    "a 150 x 150 ruled grid": (lambda: _grid_pdf(150), "too many to look for tables in"),
    "21 MB of legacy .doc text": (lambda: OLE2_MAGIC + b"\0" * 1024 + "WordDocument".encode("utf-16-le")
                                  + ("政府信息公开年度报告。" * 1_000_000).encode("utf-16-le"),
                                  "doc: legacy binary format not parsed; text recovered (the first"),
}


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_hostile_documents_are_bounded(runner, name):
    make, error = ATTACKS[name]
    case = fuzzing.Case(name, "attack", make(), "", {})
    outcome = fuzzing.check(runner, case)
    assert outcome.kind == "record", (outcome.kind, outcome.detail)
    record = runner.run(_errors, case.data, timeout=fuzzing.DEADLINE)
    assert any(error in e for e in record), record


def _errors(data: bytes) -> list[str]:
    from gicrawler.parsing import parse_report
    return parse_report(data)["errors"]
