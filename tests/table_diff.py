"""Comparing parsed tables with the values read by hand (the corpus tests)."""
from __future__ import annotations

ABSENT = "<absent>"


def table_diff(expected, got, path: str = "tables", *, absent_is_blank: bool = False) -> list[str]:
    """Paths where ``got`` differs from every value given in ``expected`` (a nested dict).

    ``absent_is_blank``: an expected blank (None) is also met by a cell or row the parser left
    out (the variety corpus lists cut-off tables); otherwise it must be a present null."""
    if isinstance(expected, dict):
        if absent_is_blank and (got is None or got == ABSENT):
            got = {}
        if not isinstance(got, dict):
            return [f"{path}: expected an object, got {got!r}"]
        out = []
        for k, v in expected.items():
            out += table_diff(v, got.get(k, ABSENT), f"{path}.{k}", absent_is_blank=absent_is_blank)
        return out
    if expected is None and absent_is_blank:
        return [] if got in (None, ABSENT) else [f"{path}: expected blank, got {got!r}"]
    if got != expected or type(got) is bool:
        return [f"{path}: expected {expected!r}, got {got!r}"]
    return []
