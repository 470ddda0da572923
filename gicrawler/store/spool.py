"""A disk spool for saves the store has not committed: JSONL lines, bodies in base64.

The store pipeline appends every item to its *journal* before handing it to the store and empties
the journal whenever the store has committed everything. So whatever the store has not committed
(a batch lost to SIGKILL, or the store went away mid-crawl) is on disk, and ``replay`` saves it at
the next start. A journal is flock-ed while its process lives, so concurrent crawls sharing the
directory never replay each other's live journals.
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
from gicrawler.store.sqlite import dumps, loads

logger = logging.getLogger(__name__)

DEFAULT_SPOOL_DIR = "data/spool"
Entry = tuple[dict, list[dict], datetime | None]


def encode_entry(record: dict, raws: list[dict], crawled_at: datetime | None) -> bytes:
    raws = [{**{k: v for k, v in raw.items() if k != "body"},
             "body": base64.b64encode(raw["body"]).decode("ascii")} for raw in raws if raw.get("body") is not None]
    return dumps({"record": record, "raws": raws, "crawled_at": crawled_at}).encode("utf-8")


def decode_entry(line: bytes) -> Entry:
    data = loads(line.decode("utf-8"))
    raws = [{**raw, "body": base64.b64decode(raw["body"])} for raw in data["raws"]]
    return data["record"], raws, data.get("crawled_at")


def read_entries(path: Path) -> Iterator[Entry]:
    with open(path, "rb") as fh:
        for number, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                yield decode_entry(line)
            except (ValueError, KeyError, TypeError):
                # Only the last line can be torn (killed mid-write); anything else is worth a warning.
                logger.warning("spool %s line %d is unreadable, skipped", path, number)


class Journal:
    """The live, locked spool file of one process."""

    def __init__(self, path: Path):
        self.path = path
        self._fh = open(path, "ab")
        fcntl.flock(self._fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        self.count = 0

    def append(self, record: dict, raws: list[dict], crawled_at: datetime | None) -> None:
        self._fh.write(encode_entry(record, raws, crawled_at) + b"\n")
        self._fh.flush()  # in the OS's hands now: survives the process being killed
        self.count += 1

    def entries(self) -> Iterator[Entry]:
        return read_entries(self.path)

    def clear(self) -> None:
        self._fh.truncate(0)
        self.count = 0

    def close(self) -> Path | None:
        """Drop the file when empty; otherwise keep it as a spool file for the next replay."""
        kept = None
        if self.count:
            kept = self.path.with_name("spool-" + self.path.name.removeprefix("journal-"))
            os.replace(self.path, kept)
        else:
            self.path.unlink(missing_ok=True)
        self._fh.close()  # releases the lock
        return kept


class Spool:
    def __init__(self, directory: str | os.PathLike = DEFAULT_SPOOL_DIR):
        self.directory = Path(directory)

    def open_journal(self) -> Journal:
        self.directory.mkdir(parents=True, exist_ok=True)
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
                for record, raws, crawled_at in read_entries(path):
                    try:
                        status = store.save(record, raws, crawled_at)
                    except StoreUnavailable:
                        raise
                    except StoreError as exc:  # one bad record must not block the spool forever
                        logger.error("spooled record %s refused, dropped: %s", record.get("url"), exc)
                        continue
                    replayed += 1
                    if on_saved is not None:
                        on_saved(record, status)
                try:
                    store.flush()
                except WritesRefused as exc:  # the rest is written: replaying again cannot help
                    logger.error("spooled records refused, dropped: %s", exc)
                path.unlink()
        return replayed
