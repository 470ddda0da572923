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


def _candidates(found: dict, info) -> dict[str, list]:
    """Per key, thunks yielding candidate values in priority order (label block first)."""
    out: dict[str, list] = {key: [(lambda lb=lb: found.get(lb, [])) for lb in labels]
                            for key, labels in LABELS.items()}
    if info is not None:
        meta = info.meta
        i = LABELS["published"].index("发文日期")   # the page's own date beats 成文-type dates
        out["published"].insert(i, lambda: meta.get("pubdate", []))
        out["title"].append(lambda: meta.get("articletitle", []))
        out["publisher"].append(lambda: meta.get("contentsource", []))
        out["title"].append(lambda: [h for h in info.headings if "报告" in normalize(h)])
        out["title"].append(lambda: [title_from_html_title(normalize(info.title))]
                            if info.title and "报告" in normalize(info.title) else [])
    return out


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
    candidates = _candidates(found, info)
    candidates["title"].append(lambda: title_from_lines(lines))
    for key, thunks in candidates.items():
        for thunk in thunks:           # stop at the first source that gives a usable value
            values = thunk()
            if values:
                loader.add_value(key, values)
                if loader.get_collected_values(key):
                    break
    item = loader.load_item()
    record = {key: item.get(key) for key in METADATA_KEYS}
    if record["document_number"] and record["document_number"] == record["index_number"]:
        record["document_number"] = None    # Jiangsu pages repeat the 索引号 as 发文字号
    return record
