"""The benchmark's outputs: a table on stdout, `bench.json` and `bench.png`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

JSON_NAME = "bench.json"
PNG_NAME = "bench.png"


def table(report: dict[str, Any]) -> str:
    """The figures as plain text: lifecycles, latency, then the other sections."""
    m = report["machine"]
    lines = [
        f"infoshare bench on {m['cpus']} CPUs ({m['cpu'] or 'unknown CPU'}), "
        f"{m['memory_gib']} GiB, Python {m['python']}, temporalio {m['temporalio']}",
        f"command: {report['command']}",
    ]
    shape = report.get("shape")
    if shape:
        lines.append(
            f"lifecycle intake -> active: {shape['messages']} messages, "
            f"{shape['activities']} activities, {shape['events']} history events, "
            f"{shape['history_bytes']} bytes, {shape['search_attribute_upserts']} "
            "search-attribute upserts"
        )
    bare = report.get("bare_shape")
    if bare:
        lines.append(
            f"bare lifecycle:             {bare['messages']} messages, {bare['activities']} "
            f"activities, {bare['events']} history events, {bare['history_bytes']} bytes"
        )
    if report.get("loads"):
        header = (
            f"{'load':>5} {'n':>5} {'ours/s':>8} {'bare/s':>8} {'ours/bare':>10} "
            f"{'ours p50':>9} {'ours p99':>9} {'bare p50':>9} {'bare p99':>9} "
            f"{'resent':>6} {'q-tmo':>6} {'failed':>6}"
        )
        lines += [
            "",
            "full lifecycles per second; message -> visible state latency (ms); messages of "
            "ours resent when told 'send the message again shortly'; status queries that "
            "timed out (asked again); failed lifecycles",
            header,
        ]
        for row in report["loads"]:
            ours, bare = row["ours"], row["bare"]
            ratio = f"{row['ratio']:.2f}" if row["ratio"] is not None else "-"
            lines.append(
                f"{row['load']:>5} {ours['lifecycles']:>5} {ours['lifecycles_per_second']:>8.2f} "
                f"{bare['lifecycles_per_second']:>8.2f} {ratio:>10} "
                f"{ours['latency_p50_ms']:>9.0f} {ours['latency_p99_ms']:>9.0f} "
                f"{bare['latency_p50_ms']:>9.0f} {bare['latency_p99_ms']:>9.0f} "
                f"{ours['resent']:>6} {ours['query_timeouts'] + bare['query_timeouts']:>6} "
                f"{ours['failed'] + bare['failed']:>6}"
            )
            for system in (ours, bare):
                if system["first_error"]:
                    lines.append(f"      {system['system']} failed: {system['first_error']}")
    lines.append("")
    if "replay" in report:
        r = report["replay"]
        lines.append(
            f"audit replay: {r['histories']} histories ({r['events']} events) in "
            f"{r['replay_seconds']:.1f} s = {r['histories_per_second']:.1f} histories/s, "
            f"{r['failures']} failures"
        )
    failed = {name for name in ("memory", "reviews") if "error" in report.get(name, {})}
    for name in sorted(failed):
        where = report[name].get("at")
        lines.append(
            f"{name}: failed: {report[name]['error']}" + (f" (at {where})" if where else "")
        )
    if "memory" in report and "memory" not in failed:
        mem = report["memory"]
        lines.append(
            f"worker memory: {mem['open_proposals']} open proposals, RSS "
            f"{mem['worker_rss_open_mib']:.0f} MiB (idle {mem['worker_rss_idle_mib']:.0f}, "
            f"peak {mem['worker_rss_peak_mib']:.0f}); started at "
            f"{mem['starts_per_second']:.1f}/s"
        )
    if "reviews" in report and "reviews" not in failed:
        rv = report["reviews"]
        h = rv["history"]
        lines.append(
            f"reviews: {rv['agreements']} agreements x {rv['years']:g} years = "
            f"{rv['reviews']} reviews in {rv['review_periods']} periods: "
            f"{rv['reviews_wall_seconds']:.0f} s wall (to active first: "
            f"{rv['lifecycle_wall_seconds']:.0f} s)"
        )
        lines.append(
            f"history after {rv['years']:g} years: {h['runs']} runs, "
            f"{h['events_last_run']} events in the last run "
            f"(largest {max(h['events_per_run'], default=0)}), "
            f"{h['bytes_per_run'][-1] if h['bytes_per_run'] else 0} bytes in the last run"
        )
        retried = rv.get("retried") or {}
        lines.append(
            "reviews: made again after a transient RPC error: "
            + (", ".join(f"{call} {count}" for call, count in retried.items()) or "none")
        )
    if "profile" in report:
        lines.append(f"profile of our worker during the loads: {report['profile']}")
    lines.append(f"wall time of the whole run: {report.get('wall_seconds', 0):.0f} s")
    return "\n".join(lines)


def write_json(report: dict[str, Any], out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    path = out / JSON_NAME
    path.write_text(json.dumps(report, indent=2) + "\n")
    return path


def write_png(report: dict[str, Any], out: Path) -> Path:
    """Lifecycles per second and latency by load, ours beside bare (needs matplotlib)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = report.get("loads", [])
    loads = [str(r["load"]) for r in rows]
    x = list(range(len(rows)))
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    width = 0.38
    for offset, system, colour in ((-width / 2, "ours", "#1f5fa8"), (width / 2, "bare", "#999")):
        left.bar(
            [i + offset for i in x],
            [r[system]["lifecycles_per_second"] for r in rows],
            width,
            label=system,
            color=colour,
        )
        right.plot(
            x, [r[system]["latency_p50_ms"] for r in rows], "o-", color=colour,
            label=f"{system} p50",
        )  # fmt: skip
        right.plot(
            x, [r[system]["latency_p99_ms"] for r in rows], "s--", color=colour,
            label=f"{system} p99",
        )  # fmt: skip
    for i, r in enumerate(rows):
        if r["ratio"] is not None:
            left.annotate(f"{r['ratio']:.2f}x", (i, r["ours"]["lifecycles_per_second"]),
                          ha="right", va="bottom", fontsize=8)  # fmt: skip
    left.set_xticks(x, loads)
    left.set_xlabel("lifecycles in flight")
    left.set_ylabel("full lifecycles per second")
    left.set_title("Throughput (label: ours / bare)")
    left.legend()
    right.set_xticks(x, loads)
    right.set_xlabel("lifecycles in flight")
    right.set_ylabel("message -> visible state (ms)")
    right.set_yscale("log")
    right.set_title("Latency")
    right.legend(fontsize=8)
    m = report["machine"]
    fig.suptitle(f"infoshare bench, {m['cpus']} CPUs, {report['started_at']}", fontsize=10)
    fig.tight_layout()
    out.mkdir(parents=True, exist_ok=True)
    path = out / PNG_NAME
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
