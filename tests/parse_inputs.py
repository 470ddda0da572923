"""Every document the parser is held to, by one name each: the snapshot test
(tests/test_parse_snapshot.py) and benchmarks/parse.py read the same list.

- ``corpus/…``: every report text and page of tests/corpus (real, variety, synthetic);
- ``samples/<name>``: the five sample reports as published (text), and ``samples/<id>.html`` /
  ``.pdf`` / ``.docx``: each rendered by the replicas' writers, as the replicas serve them;
- ``files/<family>/<page>``: the saved real HTML pages of tests/files whose expected.json says
  they are a report (``"report": true``);
- ``replica/bigtrs/<n>.html``: the first report pages of the benchmarks' generated replica
  (gicrawler/replicas/scaled.py: every table size it draws, one with a broken row sum) — what
  benchmarks/crawl.py parses — in the snapshot only (not corpus pages).

``inputs()`` → [(name, data, parse_report keyword arguments)]; ``html_inputs()`` the HTML ones.
"""
from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import CORPUS, SAMPLES

FILES = Path(__file__).parent / "files"
TEXT_SUFFIXES = (".txt", ".html")


def _corpus():
    for path in sorted(CORPUS.rglob("*")):
        if path.suffix in TEXT_SUFFIXES and path.is_file():
            name = path.relative_to(CORPUS).as_posix()
            yield f"corpus/{name}", path.read_bytes(), {"filename": path.name}


def _samples(formats: tuple[str, ...]):
    from gicrawler.replicas.samples import load_sample, sample_names
    from gicrawler.replicas.writers import report_docx, report_html, report_pdf

    for name in sample_names():
        path = SAMPLES / name
        if "txt" in formats:
            yield f"samples/{name}", path.read_bytes(), {"filename": name}
        sample = load_sample(name)
        short = name.split("_", 1)[0]
        if "html" in formats:
            yield (f"samples/{short}.html",
                   report_html(sample.record, sample.paragraphs, **sample.options).encode("utf-8"), {})
        if "pdf" in formats:
            yield f"samples/{short}.pdf", report_pdf(sample.record, sample.paragraphs, **sample.options), {}
        if "docx" in formats:
            yield f"samples/{short}.docx", report_docx(sample.record, sample.paragraphs, **sample.options), {}


def _report_pages():
    for expected in sorted(FILES.glob("*/expected.json")):
        for page, about in json.loads(expected.read_text(encoding="utf-8")).items():
            if page.endswith(".html") and about.get("report"):
                path = expected.parent / page
                yield (f"files/{expected.parent.name}/{page}", path.read_bytes(),
                       {"url": about.get("url")} if about.get("url") else {})


def _replica_pages(count: int = 10):
    from gicrawler.replicas.scaled import BigTrs

    portal = BigTrs(None, scale=count)
    portal.build()
    for n, url in enumerate(portal.reports[portal.name]):
        yield f"replica/bigtrs/{n}.html", portal.pages[url].body(), {}


def inputs() -> list[tuple[str, bytes, dict]]:
    return [*_corpus(), *_samples(("txt", "html", "pdf", "docx")), *_report_pages(), *_replica_pages()]


def html_inputs() -> list[tuple[str, bytes, dict]]:
    return [*(i for i in _corpus() if i[0].endswith(".html")), *_samples(("html",)), *_report_pages()]
