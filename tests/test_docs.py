"""The project's own docs stay in step with the modules that declare what they describe."""
from __future__ import annotations

import re
from pathlib import Path

from gicrawler import schema, template

DOCS = Path(__file__).resolve().parent.parent / "docs"
OUTSIDE = re.compile(r"portals-research|PARSER-TABLES|\(OPS\)|\.\./shared|report-format|gicrawler-contract")


def test_template_md_is_generated_from_the_template():
    assert (DOCS / "template.md").read_text(encoding="utf-8") == template.markdown()


def test_record_md_lists_every_field_of_the_schema_with_its_source():
    text = (DOCS / "record.md").read_text(encoding="utf-8")
    documented = dict(re.findall(r"^\| `(\w+)` \| (crawl|parser|pipeline|store)\b", text, re.M))
    assert documented == {f.name: f.source for f in schema.FIELDS}


def test_record_md_names_every_check_rule():
    from gicrawler.parsing.checks import RULES, STORE_RULES
    text = (DOCS / "record.md").read_text(encoding="utf-8")
    for rule in RULES + STORE_RULES:
        assert f"| `{rule}` |" in text
    checks = (DOCS / "checks.md").read_text(encoding="utf-8")
    for rule in RULES[4:] + STORE_RULES:        # the rules beyond the tables' own sums
        assert f"`{rule}`" in checks, rule


def test_the_project_cites_only_its_own_documents():
    root = DOCS.parent
    files = [p for folder in ("gicrawler", "seeds", "tests", "docs", "benchmarks") for p in (root / folder).rglob("*")
             if p.suffix in (".py", ".md", ".yaml") and "synthetic" not in p.parts]
    files.append(root / "README.md")
    cited = [f"{p.relative_to(root)}:{n}" for p in files if p.name != "test_docs.py"
             for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if OUTSIDE.search(line)]
    assert cited == []


def test_families_md_describes_every_family():
    from gicrawler.seeds import FAMILIES

    text = (DOCS / "families.md").read_text(encoding="utf-8")
    sections = set(re.findall(r"^## (\w+)$", text, re.M))
    assert set(FAMILIES) <= sections
