"""Report parsing: pure functions from document bytes/text to the record of docs/record.md.

``parse_report`` reads any format (HTML, text, PDF, DOCX; legacy binaries are recorded with an
error); ``UnreadableDocument`` is raised only when nothing at all could be read.
"""
from __future__ import annotations

from gicrawler.parsing.decode import UnreadableDocument

__all__ = ["UnreadableDocument", "parse_report"]


def parse_report(data, *, filename=None, content_type=None, url=None, explain=None) -> dict:
    """See gicrawler.parsing.document.parse_report."""
    from gicrawler.parsing.document import parse_report as _parse_report
    return _parse_report(data, filename=filename, content_type=content_type, url=url, explain=explain)
