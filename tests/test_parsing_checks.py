"""run_checks: 勾稽关系 of table B / C and the publication deadline, exact details."""
from __future__ import annotations

import copy

from gicrawler.parsing.checks import run_checks

COLS = ("natural_person", "commercial", "research", "social_org", "legal_service", "other_org", "total")


def row(*six, total=None):
    six = list(six) + [0] * (6 - len(six))
    return dict(zip(COLS, six + [sum(six) if total is None else total]))


def zero():
    return row()


def consistent_b():
    """A balanced 2021-template table B: 3 received, 2 granted, 1 carried forward."""
    return {
        "received": row(3), "carried_over": row(0), "granted": row(1), "partially_granted": row(0),
        "denied": {k: zero() for k in ("state_secret", "prohibited_by_law", "security_stability",
                                       "third_party_rights", "internal_affairs", "process_info",
                                       "enforcement_files", "administrative_query")},
        "unable": {"not_held": row(1), "needs_creation": zero(), "unclear_after_correction": zero()},
        "not_processed": {k: zero() for k in ("petition_complaint", "duplicate", "publication",
                                              "excessive", "confirm_or_reissue")},
        "other": {"no_correction": zero(), "unpaid_fee": zero(), "other": zero()},
        "total": row(2), "carried_forward": row(1),
    }


def consistent_c():
    g = {"upheld": 1, "corrected": 2, "other": 0, "pending": 1, "total": 4}
    return {"review": dict(g), "litigation_direct": dict(g), "litigation_after_review": dict(g)}


def by_rule(results):
    rules = [r["rule"] for r in results]
    assert len(rules) == len(set(rules)), "one result per rule"
    return {r["rule"]: r for r in results}


def test_all_passing():
    record = {"tables": {"applications": consistent_b(), "review_litigation": consistent_c()},
              "published": "2024-01-31", "year": 2023, "agency_kind": "department"}
    got = by_rule(run_checks(record))
    assert got == {
        "applications.balance": {"rule": "applications.balance", "ok": True,
                                 "detail": "received + carried_over = total + carried_forward in all 7 columns"},
        "applications.results_sum": {"rule": "applications.results_sum", "ok": True,
                                     "detail": "total = sum of the results in all 7 columns"},
        "applications.row_sums": {"rule": "applications.row_sums", "ok": True,
                                  "detail": "total = sum of the six applicant columns in all 25 rows"},
        "review_litigation.sums": {"rule": "review_litigation.sums", "ok": True,
                                   "detail": "total = upheld + corrected + other + pending in all 3 groups"},
        "published_on_time": {"rule": "published_on_time", "ok": True,
                              "detail": "published 2024-01-31 ≤ deadline 2024-01-31 (a department of a 县级以上 "
                                        "government: art. 49, by 31 January)"},
    }


def test_balance_failure_detail():
    b = consistent_b()
    b["total"] = row(2)
    b["carried_forward"] = row(0)        # 3 + 0 ≠ 2 + 0
    got = by_rule(run_checks({"tables": {"applications": b}}))["applications.balance"]
    assert got["ok"] is False
    assert got["detail"] == (
        "natural_person: received 3 + carried_over 0 = 3 ≠ total 2 + carried_forward 0 = 2; "
        "total: received 3 + carried_over 0 = 3 ≠ total 2 + carried_forward 0 = 2")


def test_results_sum_failure_detail():
    b = consistent_b()
    b["denied"]["process_info"] = row(0, 1)        # commercial: results 1, total 0
    got = by_rule(run_checks({"tables": {"applications": b}}))["applications.results_sum"]
    assert got["ok"] is False
    assert got["detail"] == (
        "commercial: total 0 ≠ granted 0 + partially_granted 0 + denied 1 + unable 0 + not_processed 0 "
        "+ other 0 = 1; "
        "total: total 2 ≠ granted 1 + partially_granted 0 + denied 1 + unable 1 + not_processed 0 "
        "+ other 0 = 3")


def test_results_sum_with_2019_single_other_row():
    b = consistent_b()
    b["other"] = row(0)
    assert by_rule(run_checks({"tables": {"applications": b}}))["applications.results_sum"]["ok"] is True
    b["other"] = row(5)
    got = by_rule(run_checks({"tables": {"applications": b}}))["applications.results_sum"]
    assert got["ok"] is False
    assert got["detail"].startswith("natural_person: total 2 ≠ granted 1 + partially_granted 0 + denied 0 "
                                    "+ unable 1 + not_processed 0 + other 5 = 7")


def test_row_sums_failure_detail():
    b = consistent_b()
    b["unable"]["not_held"] = row(1, 2, total=1)
    got = by_rule(run_checks({"tables": {"applications": b}}))["applications.row_sums"]
    assert got == {"rule": "applications.row_sums", "ok": False,
                   "detail": "unable.not_held: total 1 ≠ 1 + 2 + 0 + 0 + 0 + 0 = 3"}


def test_blank_counts_as_zero():
    b = consistent_b()
    b["carried_over"] = dict.fromkeys(COLS)               # all blank
    b["partially_granted"]["commercial"] = None
    got = by_rule(run_checks({"tables": {"applications": b}}))
    assert got["applications.balance"]["ok"] is True
    assert got["applications.results_sum"]["ok"] is True
    # an all-blank row is not counted
    assert got["applications.row_sums"]["detail"] == "total = sum of the six applicant columns in all 24 rows"


def test_blank_total_counts_as_zero_in_row_sums():
    b = consistent_b()
    b["granted"]["total"] = None
    got = by_rule(run_checks({"tables": {"applications": b}}))["applications.row_sums"]
    assert got == {"rule": "applications.row_sums", "ok": False,
                   "detail": "granted: total 0 ≠ 1 + 0 + 0 + 0 + 0 + 0 = 1"}


def test_row_sums_skipped_without_total_column():
    b = consistent_b()
    for _, row in _rows(b):
        row["total"] = None
    got = by_rule(run_checks({"tables": {"applications": b}}))
    assert "applications.row_sums" not in got


def _rows(table):
    for v in table.values():
        if "natural_person" in v:
            yield None, v
        else:
            yield from _rows(v)


def test_review_litigation_failure_detail():
    c = consistent_c()
    c["litigation_direct"]["total"] = 3
    c["review"]["pending"] = None
    got = by_rule(run_checks({"tables": {"review_litigation": c}}))
    assert got["review_litigation.sums"] == {
        "rule": "review_litigation.sums", "ok": False,
        "detail": "review: total 4 ≠ upheld 1 + corrected 2 + other 0 + pending 0 = 3; "
                  "litigation_direct: total 3 ≠ upheld 1 + corrected 2 + other 0 + pending 1 = 4"}


def test_published_late():
    got = by_rule(run_checks({"tables": {}, "published": "2024-02-03", "year": 2023, "agency_kind": "department"}))
    assert got == {"published_on_time": {"rule": "published_on_time", "ok": False,
                                         "detail": "published 2024-02-03 > deadline 2024-01-31 (3 days late; a "
                                                   "department of a 县级以上 government: art. 49, by 31 January)"}}


def test_published_on_time_accepts_dates_and_int_strings():
    import datetime as dt
    got = by_rule(run_checks({"published": dt.date(2021, 1, 26), "year": "2020"}))
    assert got["published_on_time"]["ok"] is True


def test_skipped_when_inputs_absent():
    assert run_checks({}) == []
    assert run_checks({"tables": {}, "published": None, "year": 2023}) == []
    assert run_checks({"tables": {}, "published": "2024-01-02", "year": None}) == []
    assert run_checks({"tables": {}, "published": "not a date", "year": 2023}) == []
    # table B without received/total rows: the balance and results checks have no inputs
    partial = {"granted": row(1)}
    got = by_rule(run_checks({"tables": {"applications": partial}}))
    assert set(got) == {"applications.row_sums"}


def test_checks_do_not_modify_the_record():
    record = {"tables": {"applications": consistent_b(), "review_litigation": consistent_c()},
              "published": "2024-01-31", "year": 2023}
    before = copy.deepcopy(record)
    run_checks(record)
    assert record == before
