"""Shared test fixtures. Replica fixtures live in tests/replica_fixtures.py (a pytest plugin)."""
from __future__ import annotations

import json
import shutil
from importlib import resources
from pathlib import Path

import pytest

CORPUS = Path(__file__).parent / "corpus"
# The five sample reports ship with the replicas (package data); the tests read that one copy.
SAMPLES = Path(str(resources.files("gicrawler.replicas").joinpath("data", "samples")))

pytest_plugins = ["tests.replica_fixtures"]


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    return CORPUS


@pytest.fixture(scope="session")
def samples_dir() -> Path:
    return SAMPLES


@pytest.fixture(scope="session")
def sample_expected() -> dict:
    return json.loads((SAMPLES / "expected.json").read_text(encoding="utf-8"))


def pytest_collection_modifyitems(config, items):
    # Tests that need a system binary are skipped (never silently passed) when it is absent;
    # .ci/run installs both, so CI runs them all.
    missing = {
        "browser": shutil.which("chromium") is None and not Path("/usr/bin/chromium").exists(),
        "redis": shutil.which("redis-server") is None,
    }
    for item in items:
        for mark, absent in missing.items():
            if absent and item.get_closest_marker(mark):
                item.add_marker(pytest.mark.skip(reason=f"{mark}: binary not installed (run .ci/run)"))
