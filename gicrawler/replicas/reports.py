"""The reports the replicas publish: the sample reports plus deterministic variations.

A ``ReportSpec`` is everything needed to render one report (metadata, tables in the
shape of docs/record.md, body paragraphs, writer options) and to say what a correct crawl stores
(:meth:`ReportSpec.expected`). Numbers come from ``random.Random(seed)`` so every run (and every
test) sees the same reports.
"""
from __future__ import annotations

import copy
import random
from dataclasses import dataclass, field

from gicrawler import template
from gicrawler.parsing.checks import TEXT_RULES
from gicrawler.replicas.samples import load_sample


def _subrows(group: str) -> list[str]:
    return [row.key.split(".", 1)[1] for row in template.APPLICATION_ROWS if row.group == group]


APPLICANT_COLS = template.APPLICANT_COLUMNS[:-1]
_DENIED = _subrows("denied")
_UNABLE = _subrows("unable")
_NOT_PROCESSED = _subrows("not_processed")
_OTHER_2021 = _subrows("other")


@dataclass
class ReportSpec:
    portal: str
    title: str
    agency: str
    year: int
    published: str                      # ISO date
    template: str                       # "2019" | "2021"
    tables: dict
    paragraphs: list[str]
    publisher: str | None = None
    index_number: str | None = None
    document_number: str | None = None
    category: str | None = None
    options: dict = field(default_factory=dict)     # writer options (image_sections, label, style)
    delivery: str = "html"              # html | pdf_only | html+pdf | html+docx
    sample: str | None = None           # the sample report it was built from
    revision: int = 0                   # bumped by ReplicaSet.modify()
    # The text checks (docs/checks.md) this report fails: a sample's, read by hand (its
    # expected.json "checks"); the generated bodies (make_paragraphs) pass them all.
    text_failures: tuple = ()

    @property
    def agency_kind(self) -> str:
        """The replicas publish governments' own reports (a city's, a district's), townships'
        (镇/乡 governments, 街道办事处) and departments'."""
        if self.agency.endswith(("镇人民政府", "乡人民政府", "街道办事处")):
            return "township"
        return "government" if self.agency.endswith("人民政府") else "department"

    @property
    def record(self) -> dict:
        return {"title": self.title, "agency": self.agency, "year": self.year, "published": self.published,
                "publisher": self.publisher or self.agency, "index_number": self.index_number,
                "document_number": self.document_number, "category": self.category,
                "template": self.template, "tables": self.tables}

    def body(self) -> list[str]:
        paragraphs = list(self.paragraphs)
        for n in range(1, self.revision + 1):
            paragraphs.append(f"更正说明（第{n}次）：本报告部分文字表述于发布后作了更正，数据未作调整。")
        return paragraphs

    def expected(self, url: str) -> dict:
        images = set(self.options.get("image_sections") or ())
        tables = {k: v for k, v in self.tables.items() if k not in images}
        missing = {k: "image" for k in images}
        missing.update({k: "not found" for k in template.TABLE_KEYS if k not in self.tables and k not in images})
        return {"url": url, "portal": self.portal, "title": self.title, "agency": self.agency, "year": self.year,
                "published": self.published, "publisher": self.publisher or self.agency,
                "index_number": self.index_number, "template": self.template, "has_tables": bool(tables),
                "tables": copy.deepcopy(tables), "missing_tables": missing, "delivery": self.delivery,
                "agency_kind": self.agency_kind,
                "failed_checks": self.failed_checks(tables),
                "checks_ok": not self.failed_checks(tables), "sample": self.sample}

    def failed_checks(self, tables: dict) -> list[str]:
        return failed_checks(tables, self.published, self.year, self.agency_kind) + list(self.text_failures)


def _rows(node: dict):
    """Every applicant row (a dict holding "total") inside table B, nested groups included."""
    for value in node.values():
        if isinstance(value, dict):
            if "total" in value and not isinstance(value["total"], dict):
                yield value
            else:
                yield from _rows(value)


def failed_checks(tables: dict, published: str | None, year: int | None, kind: str = "department") -> list[str]:
    """The docs/record.md check rules of the tables and the deadline this report breaks (blank
    cells count as 0; absent tables are not checked): a government publishes its own report by
    31 March, a department by 31 January."""
    n = lambda v: v or 0  # noqa: E731
    failed = []
    apps = tables.get("applications")
    if apps:
        cols = template.APPLICANT_COLUMNS
        if any(n(apps["received"].get(c)) + n(apps["carried_over"].get(c))
               != n(apps["total"].get(c)) + n(apps["carried_forward"].get(c)) for c in cols):
            failed.append("applications.balance")
        results = [apps["granted"], apps["partially_granted"]]
        for group in ("denied", "unable", "not_processed"):
            results += list(apps[group].values())
        other = apps["other"]
        results += list(other.values()) if isinstance(other.get("total"), dict) or "no_correction" in other else [other]
        if any(n(apps["total"].get(c)) != sum(n(r.get(c)) for r in results) for c in cols):
            failed.append("applications.results_sum")
        if any(n(row.get("total")) != sum(n(row.get(c)) for c in cols[:-1]) for row in _rows(apps)):
            failed.append("applications.row_sums")
    review = tables.get("review_litigation")
    if review and any(n(g.get("total")) != sum(n(g.get(k)) for k in ("upheld", "corrected", "other", "pending"))
                      for g in review.values()):
        failed.append("review_litigation.sums")
    if published and year and published > f"{year + 1}-{'03-31' if kind == 'government' else '01-31'}":
        failed.append("published_on_time")
    return failed


# --------------------------------------------------------------------------- numbers

def _split(rng: random.Random, total: int, parts: int) -> list[int]:
    cuts = sorted(rng.randint(0, total) for _ in range(parts - 1))
    return [b - a for a, b in zip([0] + cuts, cuts + [total])]


def make_tables(rng: random.Random, template: str, size: int = 20) -> dict:
    """Consistent tables A/B/C (every 勾稽 identity holds); ``size`` ~ applications received."""
    if template == "2021":
        active = {"regulations": {"issued": 0, "repealed": 0, "in_force": rng.choice([0, 0, 2, 5])}}
        issued = rng.randint(0, 6)
        active["normative_documents"] = {"issued": issued, "repealed": rng.randint(0, 2),
                                         "in_force": issued + rng.randint(3, 40)}
        active["licensing"] = {"decisions": rng.choice([0, rng.randint(10, 30000)])}
        active["punishment"] = {"decisions": rng.choice([0, rng.randint(1, 900)])}
        active["enforcement"] = {"decisions": rng.choice([0, rng.randint(1, 60)])}
        active["fees"] = {"amount_10k_yuan": rng.choice([0, round(rng.uniform(1, 900), 2)])}
    else:
        made = rng.randint(0, 8)
        active = {"regulations": {"made": 0, "published": 0, "public_total": rng.choice([0, 3, 79])},
                  "normative_documents": {"made": made, "published": made, "public_total": made + rng.randint(5, 90)}}
        for key in ("licensing", "other_services", "punishment", "enforcement"):
            active[key] = {"prior_items": rng.randint(0, 400), "change": rng.randint(-30, 30),
                           "decisions": rng.randint(0, 50000)}
        active["fees"] = {"prior_items": rng.randint(0, 40), "change": rng.randint(-5, 5)}
        active["procurement"] = {"projects": rng.randint(0, 60), "amount_yuan": rng.randint(0, 9000) * 10000
                                 + rng.choice([0, 1200, 3456])}
    applications: dict = {}
    cols = {}
    for col in APPLICANT_COLS:
        scale = size if col == "natural_person" else max(1, size // 8)
        received = rng.randint(0, scale) if col != "natural_person" else rng.randint(size // 2, size)
        carried_over = rng.randint(0, max(1, received // 10))
        forward = rng.randint(0, (received + carried_over) // 8)
        cols[col] = (received, carried_over, forward, received + carried_over - forward)
    other_keys = _OTHER_2021 if template == "2021" else [None]
    result_keys = (["granted", "partially_granted"] + [("denied", k) for k in _DENIED]
                   + [("unable", k) for k in _UNABLE] + [("not_processed", k) for k in _NOT_PROCESSED]
                   + [("other", k) if k else "other" for k in other_keys])
    weights = [8, 2] + [0.2] * 8 + [2, 0.5, 0.2] + [0.3] * 5 + [0.5] * len(other_keys)
    per_col = {}
    for col, (received, carried_over, forward, handled) in cols.items():
        counts = [0] * len(result_keys)
        for _ in range(handled):
            counts[rng.choices(range(len(result_keys)), weights)[0]] += 1
        per_col[col] = counts
    row = lambda values: {**values, "total": sum(values.values())}  # noqa: E731
    applications["received"] = row({c: cols[c][0] for c in APPLICANT_COLS})
    applications["carried_over"] = row({c: cols[c][1] for c in APPLICANT_COLS})
    for i, key in enumerate(result_keys):
        values = row({c: per_col[c][i] for c in APPLICANT_COLS})
        if isinstance(key, tuple):
            applications.setdefault(key[0], {})[key[1]] = values
        else:
            applications[key] = values
    applications["total"] = row({c: cols[c][3] for c in APPLICANT_COLS})
    applications["carried_forward"] = row({c: cols[c][2] for c in APPLICANT_COLS})
    review_litigation = {}
    for group, n in (("review", rng.randint(0, max(1, size // 10))),
                     ("litigation_direct", rng.randint(0, max(1, size // 15))),
                     ("litigation_after_review", rng.randint(0, max(1, size // 20)))):
        parts = _split(rng, n, 4)
        review_litigation[group] = dict(zip(("upheld", "corrected", "other", "pending"), parts), total=n)
    return {"active": active, "applications": applications, "review_litigation": review_litigation}


def break_balance(tables: dict, kind: str) -> dict:
    """A deliberate 勾稽 error, the kinds real reports carry."""
    tables = copy.deepcopy(tables)
    if kind == "row_sum":            # the 总计 column does not add up
        tables["applications"]["received"]["total"] += 2
    elif kind == "balance":          # 结转下年度 typed wrong
        cf = tables["applications"]["carried_forward"]
        cf["natural_person"] += 1
        cf["total"] += 1
    elif kind == "review_sum":
        tables["review_litigation"]["review"]["total"] += 1
    else:
        raise ValueError(kind)
    return tables


# --------------------------------------------------------------------------- text

def make_paragraphs(rng: random.Random, agency: str, year: int, tables: dict, *, short: str | None = None) -> list[str]:
    """A plausible body in the six national sections; numbers quoted from the tables."""
    short = short or agency.replace("嘉兴市", "市").replace("淄博市", "市").replace("黄石市", "市")
    apps = tables.get("applications") or {}
    received = (apps.get("received") or {}).get("total", 0)
    rev = (tables.get("review_litigation") or {}).get("review", {}).get("total", 0)
    items = rng.randint(80, 3000)
    return [
        f"本报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）和《国务院办公厅政府信息与政务公开办公室"
        f"关于印发〈中华人民共和国政府信息公开工作年度报告格式〉的通知》要求编制。本报告中所列数据的统计期限自{year}年1月1日"
        f"起至{year}年12月31日止。如对本报告有疑问，请与{agency}办公室联系。",
        "一、总体情况",
        f"{year}年，{short}坚持以习近平新时代中国特色社会主义思想为指导，认真贯彻落实《条例》和上级关于政务公开工作的"
        f"部署要求，持续推进决策、执行、管理、服务、结果公开，全年主动公开政府信息{items}条。",
        f"（一）主动公开。围绕中心工作，通过门户网站、政务新媒体等渠道及时发布政策文件、工作动态、人事信息等，"
        f"发布政策解读{rng.randint(1, 30)}篇。",
        f"（二）依申请公开。全年共收到政府信息公开申请{received}件，均在法定期限内予以答复。",
        f"（三）政府信息管理。严格落实“三审三校”和保密审查制度，动态更新政府信息公开目录{rng.randint(1, 12)}次。",
        "（四）平台建设。加强政府网站和政务新媒体管理，优化政府信息公开专栏设置。",
        "（五）监督保障。将政务公开纳入年度工作考核，组织开展业务培训。",
        "二、主动公开政府信息情况",
        "三、收到和处理政府信息公开申请情况",
        "四、政府信息公开行政复议、行政诉讼情况",
        f"{year}年，因政府信息公开被申请行政复议{rev}件。",
        "五、存在的主要问题及改进情况",
        "存在的问题：一是政策解读形式还不够丰富；二是信息发布的及时性有待提高。改进措施：一是丰富解读形式；"
        "二是完善信息发布审核机制，提升公开质量。",
        "六、其他需要报告的事项",
        f"本年度未收取信息处理费。{year}年办理人大代表建议{rng.randint(0, 20)}件、政协提案{rng.randint(0, 30)}件，"
        "办理结果均已公开。",
    ]


def published_for(rng: random.Random, year: int, late: bool = False) -> str:
    if late:
        return f"{year + 1}-03-{rng.randint(1, 28):02d}"
    return f"{year + 1}-01-{rng.randint(10, 31):02d}"


def variant(rng: random.Random, portal: str, agency: str, year: int, *, template: str | None = None,
            size: int = 20, error: str | None = None, title_suffix: str = "", late: bool = False,
            index_prefix: str = "", **kwargs) -> ReportSpec:
    template = template or ("2021" if year >= 2021 else "2019")
    tables = make_tables(rng, template, size)
    if error:
        tables = break_balance(tables, error)
    published = published_for(rng, year, late)
    title = kwargs.pop("title", None) or f"{agency}{year}年政府信息公开工作年度报告{title_suffix}"
    index_number = kwargs.pop("index_number", None) or (
        f"{index_prefix}/{year + 1}-{rng.randint(1, 99999):05d}" if index_prefix else None)
    return ReportSpec(portal=portal, title=title, agency=agency, year=year, published=published,
                      template=template, tables=tables,
                      paragraphs=make_paragraphs(rng, agency, year, tables), index_number=index_number,
                      **kwargs)


def from_sample(name: str, portal: str, **overrides) -> ReportSpec:
    sample = load_sample(name)
    rec = sample.record
    spec = ReportSpec(portal=portal, title=rec["title"], agency=rec["agency"], year=rec["year"],
                      published=rec.get("published") or f"{rec['year'] + 1}-01-28", template=rec["template"],
                      tables=rec["tables"], paragraphs=sample.paragraphs, publisher=rec.get("publisher"),
                      index_number=rec.get("index_number"), document_number=rec.get("document_number"),
                      category=rec.get("category"), options=dict(sample.options), sample=sample.name,
                      text_failures=tuple(rule for rule, ok in (rec.get("checks") or {}).items()
                                          if not ok and rule in TEXT_RULES))
    for key, value in overrides.items():
        setattr(spec, key, value)
    return spec


# --------------------------------------------------------------------------- ids

def hexid(key: str, n: int) -> str:
    """A stable hex id (ObjectId-like 24, md5-like 32) for ``key``."""
    import hashlib
    return hashlib.sha256(key.encode()).hexdigest()[:n]


def numid(key: str, digits: int) -> int:
    import hashlib
    return int(hashlib.sha256(key.encode()).hexdigest(), 16) % (9 * 10 ** (digits - 1)) + 10 ** (digits - 1)


def tiny_png(seed: str = "") -> bytes:
    """A small valid grey PNG (the 图片版 table images)."""
    import struct
    import zlib

    width, height = 40, 20
    shade = int(hexid(seed, 2), 16) // 2 + 100
    raw = b"".join(b"\x00" + bytes([shade]) * width for _ in range(height))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


@dataclass
class ListItem:
    title: str
    url: str            # as written in the list (absolute, root-relative, relative or protocol-relative)
    date: str           # ISO date
    kind: str = "report"   # report | distractor | offsite | dead


DISTRACTORS = ("{agency}{next}年政务公开工作要点", "{agency}政府信息公开指南", "{agency}政府信息主动公开目录",
               "关于做好{year}年政府信息公开工作年度报告编制和发布工作的通知")
