"""The store as one self-contained HTML page (``gicrawler report``): no external assets, no script.

``Summary`` reads records in one pass (what the page needs, not the records themselves) and
``render(summary)`` writes the page:

- the coverage matrix, agency × year: each cell the best status of that agency's reports on that
  year (gicrawler/analysis/coverage.py: parsed, tables missing, image-only, unreachable; empty:
  nothing found);
- plots as inline SVG: applications received per year summed across agencies, and the share of
  handled applications granted (予以公开) and partly granted (部分公开) per year;
- the failed checks with their details (the reports' own and the cross-store findings);
- the reports changed after publication (more than one stored version);
- the links that could not be fetched.
"""
from __future__ import annotations

import math
from datetime import datetime
from html import escape
from typing import Iterable

from gicrawler.analysis import coverage
from gicrawler.panel import flatten

COLOURS = {coverage.PARSED: "#2e7d32", coverage.TABLES_MISSING: "#f9a825", coverage.IMAGE_ONLY: "#6a1b9a",
           coverage.UNREACHABLE: "#c62828"}
SYMBOLS = {coverage.PARSED: "✓", coverage.TABLES_MISSING: "△", coverage.IMAGE_ONLY: "▣", coverage.UNREACHABLE: "✗"}


def _number(value) -> float:
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else 0


class Summary:
    """What the page shows, gathered from records one at a time (memory: per agency-year numbers,
    the failures and the changed reports; never the records)."""

    def __init__(self):
        self.coverage = coverage.Coverage()
        self.failed: list[dict] = []        # the reports' own failed checks
        self.findings: list[dict] = []      # cross-store findings that failed
        self.changed: list[dict] = []
        self.unreachable: list[dict] = []
        self.figures: dict[tuple, dict] = {}  # (agency, year) → received / granted / partly / handled

    def add(self, record: dict) -> None:
        kind = self.coverage.add(record)
        agency, year = coverage.key_of(record)   # as the matrix and the cross-store findings name it
        base = {"agency": agency, "year": year, "portal": record.get("portal"), "url": record.get("url")}
        if kind == coverage.UNREACHABLE:
            self.unreachable.append({**base, "list_title": record.get("list_title"),
                                     "error": record.get("fetch_error")})
            return
        for check in record.get("checks") or ():
            if isinstance(check, dict) and not check.get("ok"):
                self.failed.append({**base, "rule": check.get("rule"), "detail": check.get("detail") or ""})
        versions = record.get("versions") or ()
        if len(versions) > 1:
            self.changed.append({**base, "published": record.get("published"), "versions": len(versions),
                                 "first_seen": record.get("first_seen"), "last_changed": record.get("last_changed")})
        apps = (record.get("tables") or {}).get("applications")
        if isinstance(apps, dict) and year is not None and (agency, year) not in self.figures:
            flat = flatten(apps)
            self.figures[(agency, year)] = {key: _number(flat.get(f"{row}.total")) for key, row in (
                ("received", "received"), ("granted", "granted"), ("partly", "partially_granted"),
                ("handled", "total"))}

    def add_finding(self, finding: dict) -> None:
        self.coverage.add_finding(finding)
        if not finding.get("ok", True):
            self.findings.append(finding)

    def per_year(self) -> list[dict]:
        years: dict[int, dict] = {}
        for (_, year), f in self.figures.items():
            y = years.setdefault(year, {"year": year, "agencies": 0, "received": 0, "granted": 0, "partly": 0,
                                        "handled": 0})
            y["agencies"] += 1
            for key in ("received", "granted", "partly", "handled"):
                y[key] += f[key]
        return [years[y] for y in sorted(years)]


def summarize(records: Iterable[dict], findings: Iterable[dict] = ()) -> Summary:
    summary = Summary()
    for record in records:
        summary.add(record)
    for finding in findings:
        summary.add_finding(finding)
    return summary


# ------------------------------------------------------------------------------ SVG plots
def _fmt(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 10 or float(value).is_integer() else f"{value:.2f}"


def _ceiling(value: float) -> float:
    """A round top for the axis: four grid steps of 1, 2, 2.5 or 5 × a power of ten."""
    raw = value / 4
    magnitude = 10 ** math.floor(math.log10(raw))
    return 4 * min(s * magnitude for s in (1, 2, 2.5, 5, 10) if s * magnitude >= raw)


def bar_chart(title: str, bars: list[tuple[str, list[float]]], series: list[tuple[str, str]], *,
              percent: bool = False, notes: list[str] | None = None, width: int = 640, height: int = 272) -> str:
    """Stacked bars as an inline SVG: ``bars`` = [(label, [value per series])], ``series`` =
    [(name, colour)]; ``percent``: values are shares of 1; ``notes``: a second line under each label."""
    left, right, top, bottom = 64, 16, 44, 52
    plot_w, plot_h = width - left - right, height - top - bottom
    top_value = 1.0 if percent else _ceiling(max([sum(v) for _, v in bars] + [1]))
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="plot" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">',
           f'<text x="{left}" y="20" class="plot-title">{escape(title)}</text>']
    for i in range(5):  # grid lines and their values
        value = top_value * i / 4
        y = top + plot_h - plot_h * i / 4
        label = f"{value:.0%}" if percent else _fmt(value)
        out.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>'
                   f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" class="axis">{label}</text>')
    if not bars:
        out.append(f'<text x="{left + plot_w / 2}" y="{top + plot_h / 2}" text-anchor="middle" class="axis">'
                   'no parsed table B</text>')
    slot = plot_w / max(len(bars), 1)
    bar_w = min(56, slot * 0.7)
    for i, (label, values) in enumerate(bars):
        x = left + slot * i + (slot - bar_w) / 2
        base = top + plot_h
        for (name, colour), value in zip(series, values):
            h = plot_h * value / top_value if top_value else 0
            base -= h
            shown = f"{value:.1%}" if percent else _fmt(value)
            out.append(f'<rect x="{x:.1f}" y="{base:.1f}" width="{bar_w:.1f}" height="{h:.1f}" fill="{colour}">'
                       f'<title>{escape(label)} {escape(name)}: {shown}</title></rect>')
        total = sum(values)
        out.append(f'<text x="{x + bar_w / 2:.1f}" y="{base - 4:.1f}" text-anchor="middle" class="value">'
                   f'{f"{total:.0%}" if percent else _fmt(total)}</text>'
                   f'<text x="{x + bar_w / 2:.1f}" y="{top + plot_h + 16}" text-anchor="middle" class="axis">'
                   f'{escape(label)}</text>')
        if notes:
            out.append(f'<text x="{x + bar_w / 2:.1f}" y="{top + plot_h + 29}" text-anchor="middle" class="axis">'
                       f'{escape(notes[i])}</text>')
    if len(series) > 1:
        x = left
        for name, colour in series:
            out.append(f'<rect x="{x}" y="{height - 14}" width="10" height="10" fill="{colour}"/>'
                       f'<text x="{x + 14}" y="{height - 5}" class="axis">{escape(name)}</text>')
            x += 14 + 8 * len(name) + 24
    out.append("</svg>")
    return "".join(out)


# ------------------------------------------------------------------------------ the page
CSS = """
body{font-family:"WenQuanYi Zen Hei","Noto Sans CJK SC",sans-serif;margin:24px;color:#212121;background:#fff}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #ddd}
.meta{color:#616161;font-size:13px}table{border-collapse:collapse;font-size:13px}
th,td{border:1px solid #ddd;padding:3px 6px;text-align:left;vertical-align:top}th{background:#f5f5f5}
#coverage-matrix td.cell{width:34px;height:24px;text-align:center;color:#fff;font-weight:bold;padding:0}
#coverage-matrix td.none{background:#fafafa;color:#bbb}
#coverage-matrix th.agency{white-space:nowrap;font-weight:normal}
.legend span{display:inline-block;margin-right:14px;font-size:13px}
.legend i{display:inline-block;width:14px;height:14px;margin-right:4px;vertical-align:-2px}
.plot{margin:8px 24px 8px 0;border:1px solid #eee}.plot-title{font-size:14px;font-weight:bold}
.axis{font-size:11px;fill:#616161}.value{font-size:11px;fill:#212121}.grid{stroke:#eee}
td.detail{max-width:640px;word-break:break-all}.num{text-align:right}
"""


def _text(value) -> str:
    if value is None:
        return "?"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return escape(str(value))


def _link(url) -> str:
    return f'<a href="{escape(url or "", quote=True)}">{escape(url or "")}</a>'


def _matrix(rows: list[dict]) -> str:
    years = sorted({r["year"] for r in rows if r["year"] is not None})
    if years:
        years = list(range(years[0], years[-1] + 1))  # a year nothing was found for shows as a gap
    if any(r["year"] is None for r in rows):
        years.append(None)
    agencies = list(dict.fromkeys(r["agency"] for r in rows))
    cells = {(r["agency"], r["year"]): r for r in rows}
    out = ['<table id="coverage-matrix"><thead><tr><th>agency</th>']
    out += [f'<th>{_text(y)}</th>' for y in years]
    out.append("</tr></thead><tbody>")
    for agency in agencies:
        out.append(f'<tr><th class="agency">{_text(agency)}</th>')
        for year in years:
            row = cells.get((agency, year))
            if row is None:
                out.append(f'<td class="cell none" title="{_text(agency)} {_text(year)}: nothing found">·</td>')
                continue
            status = row["status"]
            tip = (f"{row['agency'] or '?'} {row['year'] or '?'}: {status}; found {row['found']}, parsed "
                   f"{row['parsed']}, tables missing {row['tables_missing']}, image-only {row['image_only']}, "
                   f"unreachable {row['unreachable']}, checks failing {row['checks_failing']}"
                   + (f" ({', '.join(row['failed_rules'])})" if row["failed_rules"] else ""))
            out.append(f'<td class="cell {status.replace(" ", "-")}" data-status="{status}" '
                       f'style="background:{COLOURS[status]}" title="{escape(tip, quote=True)}">'
                       f'{SYMBOLS[status]}{"!" if row["checks_failing"] else ""}</td>')
        out.append("</tr>")
    out.append("</tbody></table>")
    legend = "".join(f'<span><i style="background:{COLOURS[s]}"></i>{SYMBOLS[s]} {s}</span>' for s in coverage.STATUSES)
    return "".join(out) + f'<p class="legend">{legend}<span>· nothing found</span><span>! a check failed</span></p>'


def _table(headings: list[str], rows: list[list[str]], empty: str) -> str:
    if not rows:
        return f"<p>{escape(empty)}</p>"
    head = "".join(f"<th>{escape(h)}</th>" for h in headings)
    body = "".join("<tr>" + "".join(cells) + "</tr>" for cells in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def render(summary: Summary, *, store: str = "", generated: datetime | None = None) -> str:
    rows = summary.coverage.rows()
    totals = coverage.totals(rows)
    per_year = summary.per_year()
    notes = [f"{y['agencies']} {'agency' if y['agencies'] == 1 else 'agencies'}" for y in per_year]
    received = bar_chart("Applications received per year (一、本年新收, all agencies)",
                         [(str(y["year"]), [y["received"]]) for y in per_year], [("received", "#1565c0")],
                         notes=notes)
    shares = bar_chart("Share of handled applications granted (予以公开 / 部分公开 ÷ 总计)",
                       [(str(y["year"]), [y["granted"] / y["handled"] if y["handled"] else 0,
                                          y["partly"] / y["handled"] if y["handled"] else 0]) for y in per_year],
                       [("granted", "#2e7d32"), ("partly granted", "#81c784")], percent=True, notes=notes)
    failed = [[f"<td>{_text(f['agency'])}</td>", f"<td>{_text(f['year'])}</td>", f"<td>{_text(f['rule'])}</td>",
               f'<td class="detail">{_text(f["detail"])}</td>', f'<td class="detail">{_link(f["url"])}</td>']
              for f in sorted(summary.failed, key=lambda f: (f["agency"] or "", f["year"] or 0, f["rule"] or ""))]
    cross = [[f"<td>{_text(f.get('agency'))}</td>", f"<td>{_text(f.get('year'))}</td>",
              f"<td>{_text(f.get('rule'))}</td>", f'<td class="detail">{_text(f.get("detail"))}</td>',
              '<td class="detail">' + "<br>".join(_link(u) for u in f.get("urls") or ()) + "</td>"]
             for f in summary.findings]
    changed = [[f"<td>{_text(c['agency'])}</td>", f"<td>{_text(c['year'])}</td>", f"<td>{_text(c['published'])}</td>",
                f"<td>{_text(c['first_seen'])}</td>", f"<td>{_text(c['last_changed'])}</td>",
                f'<td class="num">{c["versions"]}</td>', f'<td class="detail">{_link(c["url"])}</td>']
               for c in sorted(summary.changed, key=lambda c: (c["agency"] or "", c["year"] or 0))]
    dead = [[f"<td>{_text(d['agency'])}</td>", f"<td>{_text(d['year'])}</td>", f"<td>{_text(d['list_title'])}</td>",
             f"<td>{_text(d['error'])}</td>", f'<td class="detail">{_link(d["url"])}</td>']
            for d in summary.unreachable]
    agencies = len({r["agency"] for r in rows})
    generated = generated or datetime.now().astimezone()
    return "\n".join([
        "<!DOCTYPE html>", '<html lang="zh-Hans"><head><meta charset="utf-8">',
        "<title>gicrawler report: coverage, checks, changes</title>", f"<style>{CSS}</style></head><body>",
        "<h1>政府信息公开工作年度报告 — coverage, checks and changes</h1>",
        f'<p class="meta">store {escape(store)} · generated {generated:%Y-%m-%d %H:%M %Z} · '
        f'{totals["found"]} report links, {agencies} agencies: {totals["parsed"]} parsed, '
        f'{totals["tables_missing"]} with tables missing, {totals["image_only"]} image-only, '
        f'{totals["unreachable"]} unreachable; {totals["checks_failing"]} failed checks</p>',
        "<h2>Coverage: agency × year</h2>", _matrix(rows),
        "<h2>Applications</h2>", f'<div id="plots">{received}{shares}</div>',
        f"<h2>Failed checks ({len(summary.failed)})</h2>",
        _table(["agency", "year", "rule", "detail", "report"], failed, "No report fails a check."),
        f"<h2>Cross-store findings ({len(summary.findings)})</h2>",
        _table(["agency", "year", "rule", "detail", "reports"], cross,
               "No failing cross-store finding (carried forward vs next year's carried over, identical tables, "
               "changed after publication, duplicates across portals)."),
        f"<h2>Changed after publication ({len(summary.changed)})</h2>",
        _table(["agency", "year", "published", "first seen", "last changed", "versions", "report"], changed,
               "No stored report changed after it was first crawled."),
        f"<h2>Unreachable links ({len(summary.unreachable)})</h2>",
        _table(["agency", "year", "list title", "error", "link"], dead, "Every listed link could be fetched."),
        "</body></html>", ""])
