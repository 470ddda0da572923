"""Text normalisation applied to every report body before any parsing.

Traditional → simplified (OpenCC), full-width ASCII → half-width, odd spaces → " ",
and removal of page-converter pinyin debris (``數(shù)據(jù)`` → ``数据``).
Line breaks are kept (the table parser relies on them); ``\\r\\n`` becomes ``\\n``.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import opencc

from gicrawler.parsing.t2s_skip import unchanged_by_t2s

# OpenCC converters are expensive to build (dictionary load); one per process.
_T2S = opencc.OpenCC("t2s")

# Full-width ASCII block U+FF01..U+FF5E maps 1:1 onto U+0021..U+007E.
_TRANSLATE = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_TRANSLATE.update({
    0x00A0: " ", 0x3000: " ", 0x2002: " ", 0x2003: " ", 0x2009: " ", 0x202F: " ",
    0x200B: None, 0xFEFF: None, 0x200C: None, 0x200D: None,   # zero-width junk
    0x2212: "-",                                              # minus sign (signed changes)
    0x2028: "\n", 0x2029: "\n", 0x0D: "\n",
})

# The same mapping as (char → replacement string) for str.replace.
_REPLACE = {chr(cp): (chr(v) if isinstance(v, int) else (v or "")) for cp, v in _TRANSLATE.items()}

_ENTITY_RE = re.compile(r"&(?:nbsp|ensp|emsp|#160|#12288|#xa0);?", re.I)

# A parenthesised latin syllable glued to a CJK character: candidate pinyin debris.
# Only lowercase letters (with tone diacritics) and an optional tone digit.
# (Literal "(" first, CJK predecessor checked in the callback: a lookbehind here makes
# the scan ~10x slower.)
_PINYIN_CANDIDATE_RE = re.compile(r"\(([a-z\u00e0-\u00fc\u0101-\u01dc]{1,7}[1-5]?)\)")
_NEEDS_TRANSLATE_RE = re.compile("[\uff01-\uff5e\u00a0\u3000\u2002\u2003\u2009\u202f"
                                 "\u200b-\u200d\ufeff\u2212\u2028\u2029\r]")
# Shape of a pinyin syllable once the diacritics are folded away (ü → v). Rejects
# things like (pdf), (ppt): initial, 1-3 vowels, optional nasal/er coda.
_SYLLABLE_RE = re.compile(r"(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?[aeiouv]{1,3}(?:ng|n|r)?[1-5]?")


def _fold(syllable: str) -> str:
    decomposed = unicodedata.normalize("NFD", syllable.replace("ü", "v"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=4096)
def _is_syllable(candidate: str) -> bool:
    """Cached: a page converter's debris repeats a few hundred syllables (數(shù)據(jù) …)."""
    return _SYLLABLE_RE.fullmatch(_fold(candidate)) is not None


def _drop_pinyin(m: re.Match) -> str:
    """One candidate: removed when it follows a CJK character and is a syllable (the rule;
    ``_without_pinyin`` applies it to a whole text)."""
    start = m.start()
    if start and "\u3400" <= m.string[start - 1] <= "\u9fff" and _is_syllable(m.group(1)):
        return ""
    return m.group(0)


def _without_pinyin(s: str) -> str:
    """``_PINYIN_CANDIDATE_RE.sub(_drop_pinyin, s)``, cheaper: re.split gives the text between
    the candidates and their syllables (text, syllable, text, …), and deciding per piece costs
    a third of a re.sub callback per match (a page of debris holds hundreds)."""
    pieces = _PINYIN_CANDIDATE_RE.split(s)
    out = [pieces[0]]
    for i in range(1, len(pieces), 2):
        before, syllable = pieces[i - 1], pieces[i]
        # The character before "(" ends the text before it; that text is empty at the start
        # and where two candidates touch ("(a)(b)": then ")" precedes, not CJK).
        if not (before and "\u3400" <= before[-1] <= "\u9fff" and _is_syllable(syllable)):
            out.append(f"({syllable})")
        out.append(pieces[i + 1])
    return "".join(out)


def normalize_text(s: str) -> str:
    """Normalise a whole document's text (see module docstring)."""
    if not s:
        return ""
    if "&" in s:
        s = _ENTITY_RE.sub(" ", s)
    # str.translate costs ~55 ns per character of the whole text; replacing just the mapped
    # characters that occur gives the same result (no replacement is itself mapped). The
    # first hit is the leftmost mapped character, so the next search resumes there.
    if "\r" in s:
        s = s.replace("\r\n", "\n")     # before mapping: "\r\u2028" stays two line breaks
    m = _NEEDS_TRANSLATE_RE.search(s)
    while m:
        ch = m.group()
        s = s.replace(ch, _REPLACE[ch])
        m = _NEEDS_TRANSLATE_RE.search(s, m.start())
    if "(" in s:
        s = _without_pinyin(s)
    return s if unchanged_by_t2s(s) else _T2S.convert(s)
