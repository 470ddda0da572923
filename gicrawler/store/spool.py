"""A disk spool for saves the store has not committed.

The store pipeline journals every record it hands to the store and empties the journal whenever
the store has committed everything. So whatever the store has not committed (a batch lost to
SIGKILL, or the store went away mid-crawl) is on disk, and ``replay`` saves it at the next start.
A journal is flock-ed while its process lives, so concurrent crawls sharing the directory never
replay each other's live journals.

A journal is two files: ``journal-<id>.jsonl``, one JSON line per entry, and ``bodies-<id>.bin``,
the raw bodies as binary frames, zlib-compressed (the bytes the store keeps; never base64). A
line is written after its bodies, so a line is only there once everything it names is; a line
cut short by a kill is skipped at replay. Two kinds of entries:

- ``state``: written by ``Store.save`` after it wrote the record into its open transaction: the
  record as stored (for SQLite, the very JSON text of its ``reports.record`` column, encoded
  once for both), replayed by ``Store.restore``;
- ``record``: a record the store could not save (it was down), replayed by ``Store.save``.

A journal that cannot be written (a full disk) says so (``failed``) and keeps its last whole
entry; the store then commits each record at once instead. A journal whose file was deleted
mid-crawl (its directory removed) is created again when next emptied, and a journal closed with
entries goes back on disk even if its file was removed.
"""
from __future__ import annotations

import base64
import fcntl
import logging
import os
import uuid
from datetime import datetime
from pathlib import Path
from typing import Callable, Iterator

from gicrawler.store.base import StoreError, StoreUnavailable, WritesRefused
from gicrawler.store.records import packed
from gicrawler.store.sqlite import dumps, loads

logger = logging.getLogger(__name__)

DEFAULT_SPOOL_DIR = "data/spool"
_VERSION = b'{"journal":2,'   # first bytes of every line of this format
_STATE_KEY = b',"state":'


class Entry(tuple):
    """(record, raws, crawled_at) as saved, plus what a replay needs: ``kind`` ("record" or
    "state"), ``status`` (a state's save status), ``text`` (a state's stored JSON text)."""

    kind: str = "record"
    status: str | None = None
    text: str | None = None

    def __new__(cls, record, raws, crawled_at, kind="record", status=None, text=None):
        entry = super().__new__(cls, (record, raws, crawled_at))
        entry.kind, entry.status, entry.text = kind, status, text
        return entry


def _meta(raw: dict, offset: int, length: int) -> dict:
    return {"url": raw.get("url"), "sha1": raw.get("sha1"), "content_type": raw.get("content_type"),
            "role": raw.get("role"), "size": len(raw["body"]) if raw.get("body") is not None else raw.get("size"),
            "offset": offset, "length": length}


def _header(kind: str, crawled_at, raws_meta: list[dict], status: str | None = None) -> bytes:
    head = {"kind": kind, "crawled_at": crawled_at, "raws": raws_meta}
    if status is not None:
        head["status"] = status
    # without its closing brace: the payload follows
    return _VERSION + dumps(head).encode("utf-8")[1:-1]


def _bodies_of(meta: list[dict], bodies) -> list[dict]:
    raws = []
    for raw in meta:
        bodies.seek(raw["offset"])
        data = bodies.read(raw["length"])
        if len(data) != raw["length"]:
            raise ValueError("bodies cut short")
        raws.append({k: raw[k] for k in ("url", "sha1", "content_type", "role", "size")} | {"packed": data})
    return raws


def decode_entry(line: bytes, bodies=None) -> Entry:
    if line.startswith(_VERSION) and line[len(_VERSION):].startswith(b'"crawled_at"') and _STATE_KEY in line:
        # the header's strings cannot hold `,"state":` (their quotes are escaped): the first is the key
        head_end = line.index(_STATE_KEY)
        head = loads(line[:head_end].decode("utf-8") + "}")
        text = line[head_end + len(_STATE_KEY):].rstrip(b"\r\n")
        if not text.endswith(b"}"):
            raise ValueError("torn line")
        text = text[:-1].decode("utf-8")
        raws = _bodies_of(head["raws"], bodies)
        return Entry(loads(text), raws, head.get("crawled_at"), "state", head.get("status"), text)
    data = loads(line.decode("utf-8"))
    if data.get("kind") == "record":
        return Entry(data["record"], _bodies_of(data["raws"], bodies), data.get("crawled_at"))
    # the format of earlier versions: one line, bodies in base64
    raws = [{**raw, "body": base64.b64decode(raw["body"])} for raw in data["raws"]]
    return Entry(data["record"], raws, data.get("crawled_at"))


def bodies_path(path: Path) -> Path:
    """The bodies file of a journal or spool file (the same for both: a journal kept as a spool
    file keeps its bodies file)."""
    return path.with_name("bodies-" + path.stem.split("-", 1)[1] + ".bin")


def read_entries(path: Path) -> Iterator[Entry]:
    bodies_path_ = bodies_path(path)
    bodies = open(bodies_path_, "rb") if bodies_path_.exists() else None
    try:
        with open(path, "rb") as fh:
            for number, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    yield decode_entry(line, bodies)
                except (ValueError, KeyError, TypeError, AttributeError):
                    # Only the last line can be torn (killed mid-write); anything else is worth a warning.
                    logger.warning("spool %s line %d is unreadable, skipped", path, number)
    finally:
        if bodies is not None:
            bodies.close()


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


class Journal:
    """The live, locked spool files of one process."""

    def __init__(self, path: Path):
        self.path = path
        self.count = 0
        self.failed: OSError | None = None   # why the last append could not be written
        self._open()

    def _open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o644)
        fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        self._bodies = os.open(bodies_path(self.path), os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o644)
        self._identity = os.fstat(self._fd)[1:3]  # (inode, device): to notice the file was removed

    # -- writing -------------------------------------------------------------------------------

    def append(self, record: dict, raws: list[dict], crawled_at: datetime | None) -> bool:
        """Journal a record not saved yet (replayed by Store.save)."""
        raws = [raw for raw in raws if raw.get("body") is not None]
        return self._append(lambda meta: _header("record", crawled_at, meta) + b',"record":'
                            + dumps(record).encode("utf-8") + b"}\n", raws)

    def append_state(self, text: str, raws: list[dict], crawled_at: datetime | None, status: str) -> bool:
        """Journal a record as the store wrote it (``text``: its stored JSON; replayed by Store.restore)."""
        return self._append(lambda meta: _header("state", crawled_at, meta, status) + _STATE_KEY
                            + text.encode("utf-8") + b"}\n", raws)

    def _append(self, line_of: Callable[[list[dict]], bytes], raws: list[dict]) -> bool:
        """Bodies first, then the line that names them; False (and ``failed`` set) when the disk
        refused, the journal then as it was before this entry."""
        bodies_at = lines_at = None
        try:
            bodies_at = os.lseek(self._bodies, 0, os.SEEK_END)
            lines_at = os.lseek(self._fd, 0, os.SEEK_END)
            meta, offset = [], bodies_at
            for raw in raws:
                data = packed(raw)
                _write_all(self._bodies, data)
                meta.append(_meta(raw, offset, len(data)))
                offset += len(data)
            _write_all(self._fd, line_of(meta))  # in the OS's hands now: survives the process being killed
        except OSError as exc:  # ENOSPC, EFBIG (RLIMIT_FSIZE), EIO …
            for fd, size in ((self._fd, lines_at), (self._bodies, bodies_at)):
                if size is not None:
                    try:
                        os.ftruncate(fd, size)  # no torn entry left behind
                    except OSError:
                        pass
            self.failed = exc
            return False
        self.failed = None
        self.count += 1
        return True

    # -- reading, clearing, closing ------------------------------------------------------------

    def entries(self) -> Iterator[Entry]:
        return read_entries(self.path) if self.path.exists() else self._entries_from_descriptors()

    def _entries_from_descriptors(self) -> Iterator[Entry]:
        # the files were removed (their directory deleted): read them through our descriptors
        with open(os.dup(self._fd), "rb") as fh, open(os.dup(self._bodies), "rb") as bodies:
            fh.seek(0)
            for line in fh:
                if line.strip():
                    try:
                        yield decode_entry(line, bodies)
                    except (ValueError, KeyError, TypeError):
                        continue

    def clear(self) -> None:
        os.ftruncate(self._fd, 0)
        os.ftruncate(self._bodies, 0)
        self.count = 0
        if not self._still_there():  # deleted mid-crawl: a new (empty) journal at the same path
            self._close_descriptors()
            self._open()

    def _still_there(self) -> bool:
        try:
            return os.stat(self.path)[1:3] == self._identity
        except OSError:
            return False

    def close(self) -> Path | None:
        """Drop the files when empty; otherwise keep them as a spool file for the next replay."""
        kept = None
        if self.count:
            kept = self.path.with_name("spool-" + self.path.name.removeprefix("journal-"))
            if self._still_there():
                os.replace(self.path, kept)
            else:  # removed mid-crawl: written again from what this process still holds open
                kept.parent.mkdir(parents=True, exist_ok=True)
                for fd, target in ((self._bodies, bodies_path(kept)), (self._fd, kept)):
                    with open(os.dup(fd), "rb") as src, open(target, "wb") as dst:
                        src.seek(0)
                        while chunk := src.read(1 << 20):
                            dst.write(chunk)
        else:
            if self._still_there():
                self.path.unlink(missing_ok=True)
                bodies_path(self.path).unlink(missing_ok=True)
        self._close_descriptors()  # releases the lock
        return kept

    def _close_descriptors(self) -> None:
        for fd in (self._bodies, self._fd):
            try:
                os.close(fd)
            except OSError:
                pass


class Spool:
    def __init__(self, directory: str | os.PathLike = DEFAULT_SPOOL_DIR):
        self.directory = Path(directory)

    def open_journal(self) -> Journal:
        stamp = datetime.now().strftime("%Y%m%dT%H%M%S")
        return Journal(self.directory / f"journal-{stamp}-{os.getpid()}-{uuid.uuid4().hex[:8]}.jsonl")

    def files(self) -> list[Path]:
        if not self.directory.is_dir():
            return []
        return sorted(p for p in self.directory.glob("*.jsonl")
                      if p.name.startswith(("journal-", "spool-")))

    def replay(self, store, on_saved: Callable[[dict, str], None] | None = None) -> int:
        """Save every entry of every spool file nobody holds; delete a file once committed.

        Raises the store's error (the file then stays for the next try)."""
        replayed = 0
        for path in self.files():
            try:
                fh = open(path, "rb+")
            except FileNotFoundError:
                continue
            with fh:
                try:
                    fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:  # a live journal of another process
                    continue
                if not path.exists():  # replayed and removed by someone else meanwhile
                    continue
                for entry in read_entries(path):
                    record = entry[0]
                    try:
                        status = apply(store, entry)
                    except StoreUnavailable:
                        raise
                    except StoreError as exc:  # one bad record must not block the spool forever
                        logger.error("spooled record %s refused, dropped: %s", record.get("url"), exc)
                        dropped(store)
                        continue
                    replayed += 1
                    if on_saved is not None:
                        on_saved(record, status)
                try:
                    store.flush()
                except WritesRefused as exc:  # the rest is written: replaying again cannot help
                    logger.error("spooled records refused, dropped: %s", exc)
                    dropped(store)
                bodies_path(path).unlink(missing_ok=True)
                path.unlink()
        return replayed


def apply(store, entry: Entry) -> str:
    """Save one journal entry again; its save status."""
    record, raws, crawled_at = entry
    if entry.kind == "state":
        store.restore(record, raws, crawled_at, text=entry.text)
        return entry.status or "new"
    return store.save(record, raws, crawled_at)


def dropped(store) -> None:
    """Counted on the store (``spool_dropped``): the crawl reports it (a non-zero exit)."""
    store.spool_dropped = getattr(store, "spool_dropped", 0) + 1

