"""The machine a run was measured on, for the report."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from importlib import metadata
from pathlib import Path


def _cpuinfo(key: str) -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith(key):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return ""


def _memory_gib() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return 0.0


def _temporal_cli() -> str:
    binary = Path(sys.executable).parent / "temporal"
    try:
        out = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=10)
    except OSError:
        return ""
    return out.stdout.strip()


def describe() -> dict[str, object]:
    return {
        "cpus": os.cpu_count(),
        "cpu": _cpuinfo("model name"),
        "memory_gib": _memory_gib(),
        "system": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "temporalio": metadata.version("temporalio"),
        "temporal_cli": _temporal_cli(),
    }
