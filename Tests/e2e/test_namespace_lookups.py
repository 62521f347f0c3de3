"""Namespace lookups off the event loop and many namespace changes, end to end against
Tests/KubernetesClientTests/fake_apiserver.py (its get-delay control answers GETs late; a "silent"
put stores a namespace the watch never delivers, as one created a moment before its first pod).

The fast, deterministic part of scripts/scale: few requests, generous bounds. Measured latencies are
printed (`pytest -s` shows them).
"""
import concurrent.futures
import time

from server import wait_until
from test_live_sources import (BATCH, NAMESPACES, NAMESPACES_PATH, PLAIN, answer_patch, api, entries_after,  # noqa: F401
                               expected_patch, metric, report, review, specs_of, start_api)


def put_unwatched(fake, name, labels):
    fake.control("object", {"resource": "namespaces", "op": "put", "name": name, "labels": labels, "silent": True})


def gets_of(fake, mark, name):
    return entries_after(fake, mark, kind="get", path=f"{NAMESPACES_PATH}/{name}")


def test_a_slow_lookup_holds_neither_the_loop_nor_a_second_get(api):
    fake, server = api.fake, api.server
    fake.control("get-delay", {"seconds": 0.5})
    put_unwatched(fake, "slow-ns", NAMESPACES["batch"])
    mark = len(fake.requests())

    def timed(namespace=None):
        started = time.monotonic()
        patch = answer_patch(server, review(BATCH, namespace))
        return patch, time.monotonic() - started

    with concurrent.futures.ThreadPoolExecutor(6) as pool:
        waiting = [pool.submit(timed, "slow-ns") for _ in range(6)]
        time.sleep(0.1)
        # Known-namespace reviews while the lookup runs: on both loops, none waits for it.
        known = [timed() for _ in range(8)]
        slow = [future.result() for future in waiting]
    report("known-namespace review during a 500 ms lookup (slowest of 8)", max(t for _, t in known))
    report("pods waiting for the lookup (slowest of 6)", max(t for _, t in slow))
    assert [patch for patch, _ in known] == [expected_patch(BATCH)] * 8
    assert max(t for _, t in known) < 0.25
    assert [patch for patch, _ in slow] == [expected_patch(BATCH)] * 6
    assert all(0.3 < t < 1.0 for _, t in slow), slow
    assert len(gets_of(fake, mark, "slow-ns")) == 1


def test_a_lookup_past_its_budget_fails_open_and_is_not_repeated_at_once(api):
    fake, server = api.fake, api.server
    fake.control("get-delay", {"seconds": 1.5})
    put_unwatched(fake, "late-ns", NAMESPACES["batch"])
    failed_open = metric(server, "eci_profile_admission_requests_total", operation="CREATE", result="failed_open")
    mark = len(fake.requests())
    started = time.monotonic()
    assert answer_patch(server, review(BATCH, "late-ns")) == []
    elapsed = time.monotonic() - started
    report("pod whose lookup outlasts the 1 s budget", elapsed)
    assert 0.9 < elapsed < 1.4
    started = time.monotonic()
    assert answer_patch(server, review(BATCH, "late-ns")) == []
    assert time.monotonic() - started < 0.3
    assert metric(server, "eci_profile_admission_requests_total", operation="CREATE",
                  result="failed_open") == failed_open + 2
    # The late answer still fills the cache for the next pod.
    assert wait_until(lambda: answer_patch(server, review(BATCH, "late-ns")) == expected_patch(BATCH), 6)
    assert len(gets_of(fake, mark, "late-ns")) == 1


def test_the_watch_delivering_the_namespace_answers_the_waiting_pods(api):
    fake, server = api.fake, api.server
    fake.control("get-delay", {"seconds": 5})
    put_unwatched(fake, "raced-ns", NAMESPACES["batch"])
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        started = time.monotonic()
        waiting = pool.submit(answer_patch, server, review(BATCH, "raced-ns"))
        time.sleep(0.2)
        fake.put_namespace("raced-ns", NAMESPACES["batch"])
        assert waiting.result() == expected_patch(BATCH)
    elapsed = time.monotonic() - started
    report("pod answered by the watch while its lookup was pending", elapsed)
    assert elapsed < 0.9


def test_a_thousand_namespace_label_changes_apply_without_a_relist(api):
    fake, server = api.fake, api.server
    names = [f"bulk-{i:04d}" for i in range(1000)]
    fake.control("objects", {"objects": [{"resource": "namespaces", "op": "put", "name": n, "labels": {}} for n in names]})
    assert wait_until(lambda: metric(server, "eci_profile_namespace_cache_size") >= 1000 + len(NAMESPACES), 10)
    assert answer_patch(server, review(PLAIN, names[-1])) == []
    mark = len(fake.requests())
    started = time.monotonic()
    # batch-any (eci=true: fair, tolerations and 1-2Gi) now matches every one of them.
    fake.control("objects", {"objects": [
        {"resource": "namespaces", "op": "put", "name": n, "labels": {"eci": "true"}} for n in names]})
    assert wait_until(lambda: specs_of(answer_patch(server, review(PLAIN, names[-1]))) == "1-2Gi", 10)
    report("1,000 namespace label changes -> live", time.monotonic() - started)
    assert all(specs_of(answer_patch(server, review(PLAIN, n))) == "1-2Gi" for n in names[::100])
    assert entries_after(fake, mark, kind="list") == []
    assert entries_after(fake, mark, kind="get") == []
