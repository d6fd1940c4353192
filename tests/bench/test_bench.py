"""`infoshare bench --quick` runs every section on a real embedded stack and writes the
table, the JSON and the plot. No timing is asserted: only that the figures are there and
make sense together (the machine's speed is not the test's business)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.devserver, pytest.mark.timeskipping]

INFOSHARE = Path(sys.executable).parent / "infoshare"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def test_quick_bench_writes_the_table_json_and_plot(tmp_path: Path) -> None:
    out = tmp_path / "results"
    env = {k: v for k, v in os.environ.items() if not k.startswith("INFOSHARE_")}
    done = subprocess.run(
        [str(INFOSHARE), "bench", "--quick", "--out", str(out)],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    table = done.stdout
    print(table)

    report = json.loads((out / "bench.json").read_text())
    assert report["command"] == f"infoshare bench --quick --out {out}"
    assert report["machine"]["cpus"] >= 1
    shape, bare_shape = report["shape"], report["bare_shape"]
    # the bare engine was given exactly our lifecycle's messages and activities
    assert shape["messages"] == 12 == bare_shape["messages"]
    assert shape["activities"] == bare_shape["activities"] == sum(shape["plan"]) > 12
    assert shape["activity_names"]["lookup_person"] == 12

    assert [row["load"] for row in report["loads"]] == [1, 3]
    for row in report["loads"]:
        for system in ("ours", "bare"):
            result = row[system]
            assert result["lifecycles"] == 3
            assert result["messages"] == 3 * 12
            assert result["lifecycles_per_second"] > 0
            assert 0 < result["latency_p50_ms"] <= result["latency_p99_ms"]
        ours, bare = row["ours"]["lifecycles_per_second"], row["bare"]["lifecycles_per_second"]
        assert row["ratio"] == pytest.approx(ours / bare, rel=0.01)

    replay = report["replay"]
    assert replay["histories"] == 8 and replay["failures"] == 0
    assert replay["histories_per_second"] > 0

    memory = report["memory"]
    assert memory["open_proposals"] == 20
    assert 0 < memory["worker_rss_idle_mib"] <= memory["worker_rss_peak_mib"]

    reviews = report["reviews"]
    assert reviews["agreements"] == 2
    # 1.5 years: reviews at 1, 3, 6 and 12 months
    assert reviews["review_periods"] == 4 and reviews["reviews"] == 8
    history = reviews["history"]
    # a new run per review period after the first: the history is cut at each review
    assert history["runs"] == 4 == len(history["events_per_run"])
    assert history["events_last_run"] < history["events_per_run"][0]

    for line in ("full lifecycles per second", "audit replay:", "worker memory:", "reviews:"):
        assert line in table
    assert f"{report['loads'][0]['ours']['lifecycles_per_second']:.2f}" in table
    assert (out / "bench.png").read_bytes().startswith(PNG_MAGIC)
