"""How much of each column a crawl reached: ``listed N, reached M``.

A column (one index URL of a seed entry and every list page planned from it) often states its
size — ``recordCount`` (TRS listModel), ``totalRecord``/``<totalrecord>`` (Hanweb),
``articleCount`` (Hanweb's newer template), the six-argument ``createPageHTML``'s count, a
``count`` attribute (JPaaS) — or at least its page count (``createPageHTML(n, …)``, a rendered
pager). The family adapters return it with each list page (``ListPage.listed`` / ``pages``);
the spider records every page here. At close, a column that reached fewer distinct entries
(or pages) than it stated was read only in part — a list API that failed, a page cap, a
pager we misread — and that is said, never silent (gicrawler/extensions.py logs it as a
WARNING and keeps it with the run).

Pure bookkeeping: no Scrapy, no I/O.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from gicrawler.discovery import canonical


@dataclass
class Column:
    listed: int | None = None        # entries the column states
    pages: int | None = None         # pages the column states (when it states no entry count)
    seen: set = field(default_factory=set)   # canonical URLs of every entry on its list pages
    pages_read: int = 0              # list pages of it that were read

    @property
    def reached(self) -> int:
        return len(self.seen)

    def short(self) -> bool:
        """Fewer entries (or pages) reached than the column states."""
        if self.listed is not None:
            return self.reached < self.listed
        return self.pages is not None and self.pages_read < self.pages

    def as_dict(self, url: str) -> dict:
        return {"column": url, "listed": self.listed, "reached": self.reached,
                "pages": self.pages, "pages_read": self.pages_read}


class Reach:
    """Per (portal, column): what the column states and what its list pages showed."""

    def __init__(self):
        self.columns: dict[tuple[str, str], Column] = {}

    def add(self, portal: str, column: str, entries, listed: int | None = None, pages: int | None = None) -> None:
        col = self.columns.setdefault((portal, column), Column())
        col.pages_read += 1
        col.seen.update(canonical(e["url"]) for e in entries if e.get("url"))
        if listed is not None:
            col.listed = max(col.listed or 0, int(listed))
        if pages is not None:
            col.pages = max(col.pages or 0, int(pages))

    def portal(self, portal: str) -> dict:
        """``{listed, reached, listed_pages, pages_read, short, columns}`` of one portal: sums
        over its columns that state a size (entries, or else pages); ``short`` = those columns
        that reached less. None values when no column states anything."""
        mine = {url: col for (name, url), col in self.columns.items() if name == portal}
        by_entries = [c for c in mine.values() if c.listed is not None]
        by_pages = [c for c in mine.values() if c.listed is None and c.pages is not None]
        return {
            "listed": sum(c.listed for c in by_entries) if by_entries else None,
            "reached": sum(c.reached for c in by_entries) if by_entries else None,
            "listed_pages": sum(c.pages for c in by_pages) if by_pages else None,
            "pages_read": sum(c.pages_read for c in by_pages) if by_pages else None,
            "short": [c.as_dict(url) for url, c in sorted(mine.items()) if c.short()],
            "columns": [c.as_dict(url) for url, c in sorted(mine.items())],
        }


def reach_phrase(summary: dict) -> str:
    """``listed 20, reached 10`` (and/or ``listed 3 pages, read 2``); "" when nothing is stated."""
    parts = []
    if summary.get("listed") is not None:
        parts.append(f"listed {summary['listed']}, reached {summary['reached']}")
    if summary.get("listed_pages") is not None:
        parts.append(f"listed {_pages(summary['listed_pages'])}, read {summary['pages_read']}")
    return "; ".join(parts)


def column_phrase(col: dict) -> str:
    if col["listed"] is not None:
        return f"listed {col['listed']}, reached {col['reached']}"
    return f"listed {_pages(col['pages'])}, read {col['pages_read']}"


def _pages(n: int) -> str:
    return f"{n} page" if n == 1 else f"{n} pages"
