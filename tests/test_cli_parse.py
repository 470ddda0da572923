"""`gicrawler parse FILE ...` as a user runs it: a real subprocess, JSON lines, exit codes."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from gicrawler.replicas.samples import load_sample
from gicrawler.replicas.writers import report_pdf

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_004 = "004_ea69d8cda5ce10c7.txt"


def gicrawler(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "gicrawler", "parse", *args], input=stdin,
                          capture_output=True, cwd=ROOT, timeout=120)


@pytest.fixture(scope="module")
def files(tmp_path_factory, samples_dir):
    d = tmp_path_factory.mktemp("cli")
    sample = load_sample("003")
    (d / "003.pdf").write_bytes(report_pdf(sample.record, sample.paragraphs, **sample.options))
    (d / "empty.html").write_bytes(b"")
    (d / "random.bin").write_bytes(bytes(range(256)) * 40)
    (d / "broken.pdf").write_bytes(b"%PDF-1.4\n1 0 obj\n<<")
    (d / SAMPLE_004).write_bytes((samples_dir / SAMPLE_004).read_bytes())
    return d


def test_prints_one_json_record_per_file(files, sample_expected):
    done = gicrawler(str(files / SAMPLE_004), str(files / "003.pdf"))
    assert done.returncode == 0, done.stderr.decode()
    lines = done.stdout.decode("utf-8").splitlines()
    assert len(lines) == 2
    first, second = map(json.loads, lines)
    assert first["source_file"] == str(files / SAMPLE_004)
    assert first["index_number"] == "000014349/2024-06673" and first["year"] == 2023
    assert "text" not in first
    assert set(first) == {"title", "index_number", "document_number", "publisher", "published", "category",
                          "agency", "agency_kind", "year", "template", "tables", "missing_tables", "checks", "format",
                          "errors", "source_file"}
    assert second["format"] == "pdf" and set(second["tables"]) == {"active", "applications", "review_litigation"}
    assert "黄石" in lines[0]                           # ensure_ascii=False


def test_text_option_and_stdin(files):
    data = (files / SAMPLE_004).read_bytes()
    done = gicrawler("--text", "-", stdin=data)
    assert done.returncode == 0
    record = json.loads(done.stdout)
    assert record["source_file"] == "<stdin>"
    assert record["text"].startswith("索引号 | 000014349/2024-06673")


def test_unreadable_files_are_reported_and_the_run_goes_on(files):
    done = gicrawler(str(files / "empty.html"), str(files / SAMPLE_004), str(files / "random.bin"),
                     str(files / "missing.pdf"), str(files / "broken.pdf"))
    assert done.returncode == 1
    out = done.stdout.decode("utf-8").splitlines()
    assert len(out) == 1 and json.loads(out[0])["publisher"] == "黄石市经信局"
    err = done.stderr.decode("utf-8").splitlines()
    assert len(err) == 4
    for name, line in zip(("empty.html", "random.bin", "missing.pdf", "broken.pdf"), err):
        assert name in line and line.startswith("gicrawler parse: ")
    assert "empty document" in err[0] and "No such file" in err[2] and "pdf:" in err[3]


def test_help_lists_the_command():
    done = subprocess.run([sys.executable, "-m", "gicrawler", "parse", "--help"], capture_output=True,
                          text=True, cwd=ROOT, timeout=60)
    assert done.returncode == 0 and "--text" in done.stdout


def test_a_reader_that_goes_away_is_no_traceback(files):
    """`gicrawler parse … | head -1`: stdout closes early; no BrokenPipeError traceback."""
    proc = subprocess.Popen([sys.executable, "-m", "gicrawler", "parse", *[str(files / SAMPLE_004)] * 400],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    proc.stdout.readline()
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 1
    assert "Traceback" not in err and "BrokenPipe" not in err


def test_a_parser_bug_on_one_file_is_a_line_and_the_rest_goes_on(files, monkeypatch, capsys):
    import argparse

    import gicrawler.parsing
    from gicrawler.commands import parse as parse_command

    real = gicrawler.parsing.parse_report

    def parse_report(data, **kwargs):
        if kwargs.get("filename") == "003.pdf":
            raise IndexError("list index out of range")
        return real(data, **kwargs)

    monkeypatch.setattr(gicrawler.parsing, "parse_report", parse_report)
    parser = argparse.ArgumentParser()
    parse_command.add_arguments(parser)
    # --timeout 0: parsed in this process, where the monkeypatch is
    assert parse_command.run(parser.parse_args(["--timeout", "0", str(files / "003.pdf"), str(files / SAMPLE_004)])) == 1
    out, err = capsys.readouterr()
    assert err == f"gicrawler parse: {files / '003.pdf'}: parser error: IndexError: list index out of range\n"
    assert [json.loads(line)["source_file"] for line in out.splitlines()] == [str(files / SAMPLE_004)]
