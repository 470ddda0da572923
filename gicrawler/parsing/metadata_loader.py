"""Metadata of a report page (标题, 索引号, 文号, 发布日期, 发布机构, 分类) as an ItemLoader.

``parse_report`` calls ``metadata_from`` with the lines it already has; spiders reach the same
code through ``gicrawler.loaders.extract_metadata(response.selector)``. Values are added in
priority order (label block, then ``<meta>`` tags, then headings / ``<title>`` / a title-like
body line) and ``TakeFirst`` keeps the first usable one. itemloaders drops ``None``, so absent
keys are filled with ``None`` explicitly at the end.
"""
from __future__ import annotations

from itemloaders import ItemLoader
from itemloaders.processors import MapCompose, TakeFirst

from gicrawler.parsing.metadata import (LABELS, clean_document_number, clean_title, fold, is_placeholder,
                                        label_values, parse_date, title_from_html_title,
                                        title_from_lines)
from gicrawler.parsing.normalize import normalize_text
from gicrawler.schema import METADATA_FIELDS

METADATA_KEYS = METADATA_FIELDS


def normalize(value: str) -> str:
    return fold(normalize_text(value))


def _not_empty(value: str) -> str | None:
    value = value.strip(" |:")
    return value if value and not is_placeholder(value) else None     # 主题分类：无 → none, as 文号


class MetadataLoader(ItemLoader):
    default_item_class = dict
    default_input_processor = MapCompose(normalize, _not_empty)
    default_output_processor = TakeFirst()
    title_in = MapCompose(normalize, clean_title)
    published_in = MapCompose(normalize, parse_date)
    document_number_in = MapCompose(normalize, clean_document_number)
    # The defaults named per field: a field without its own ``_in``/``_out`` is looked up in the
    # item's field metadata, an ItemAdapter made per lookup (a tenth of the metadata's cost).
    publisher_in = index_number_in = category_in = default_input_processor
    title_out = published_out = publisher_out = default_output_processor
    index_number_out = document_number_out = category_out = default_output_processor


def _candidates(key: str, found: dict, info, lines: list[str]):
    """Candidate value lists for ``key`` in priority order (label block first), each worked out
    only when the ones before it gave nothing usable (a generator: most keys stop at the first)."""
    labels = LABELS[key]
    if key == "published" and info is not None:
        i = labels.index("发文日期")     # the page's own date beats 成文-type dates
        yield from _found(found, labels[:i])
        yield info.meta.get("pubdate", [])
        yield from _found(found, labels[i:])
        return
    yield from _found(found, labels)
    if info is not None and key == "title":
        yield info.meta.get("articletitle", [])
        yield [h for h in info.headings if "报告" in normalize(h)]
        title = normalize(info.title) if info.title else ""
        yield [title_from_html_title(title)] if "报告" in title else []
    elif info is not None and key == "publisher":
        yield info.meta.get("contentsource", [])
    if key == "title":
        yield title_from_lines(lines)


def _found(found: dict, labels: tuple[str, ...]):
    """The values of the labels the block has, in the labels' order."""
    for label in labels:
        values = found.get(label)
        if values:
            yield values


def _normalized(lines: list[str], known: dict[str, str] | None) -> list[str]:
    """normalize_text each line; ``known`` maps lines already normalised (the body's)."""
    known = known or {}
    todo = [line for line in lines if line not in known]
    if todo:
        normed = normalize_text("\n".join(todo)).split("\n")
        if len(normed) != len(todo):
            return normalize_text("\n".join(lines)).split("\n")
        extra = dict(zip(todo, normed))        # (not merged into known: that copies the body's lines)
        return [extra[line] if line in extra else known[line] for line in lines]
    return [known[line] for line in lines]


def metadata_from(meta_lines: list[str], info=None, known: dict[str, str] | None = None) -> dict:
    """Metadata dict from page lines (table rows as ``a | b``) and, for HTML, the page's
    <meta>/<title>/headings (``gicrawler.parsing.html.PageInfo``). ``known``: lines already
    normalised, raw → normalised."""
    lines = _normalized(meta_lines, known) if meta_lines else []
    found = label_values(lines)
    loader = MetadataLoader()
    for key in LABELS:
        for values in _candidates(key, found, info, lines):   # up to the first usable value
            if values:
                loader.add_value(key, values)
                if loader.get_collected_values(key):
                    break
    item = loader.load_item()
    record = {key: item.get(key) for key in METADATA_KEYS}
    if record["document_number"] and record["document_number"] == record["index_number"]:
        record["document_number"] = None    # Jiangsu pages repeat the 索引号 as 发文字号
    return record
