"""Replica fixtures (owned by the replicas work; see gicrawler/replicas).

- ``replicas``: one ``ReplicaSet`` for the whole session (started lazily, stopped at the end).
  Tests that count requests call ``replicas.reset_log()`` first; tests that ``modify()`` a report
  change it for the rest of the session, so they should only assert relative changes.
- ``replica_seeds``: path of a seeds YAML (tmp dir) pointing at those replicas.
"""
from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def replicas():
    from gicrawler.replicas import ReplicaSet

    rs = ReplicaSet.start()
    try:
        yield rs
    finally:
        rs.stop()


@pytest.fixture(scope="session")
def replica_seeds(replicas, tmp_path_factory):
    path = tmp_path_factory.mktemp("replica-seeds") / "replica-seeds.yaml"
    replicas.write_seeds(path)
    return path
