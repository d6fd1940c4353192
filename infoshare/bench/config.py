"""What the benchmark runs: every size is a flag of `infoshare bench`."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path


@dataclass
class BenchConfig:
    # lifecycles in flight at once, ours and bare each
    loads: list[int] = field(default_factory=lambda: [1, 50, 200])
    # lifecycles driven at each load (at least the load itself)
    proposals: int = 20
    # full histories the audit replay rate is measured over (0: skip)
    histories: int = 300
    # open proposals for the worker's memory (0: skip)
    open: int = 10_000
    # agreements taken through `years` of reviews on the time-skipping server (0: skip)
    agreements: int = 1000
    years: float = 10.0
    # how the bare engine gets its messages: "update" (as ours) or "signal"
    bare_via: str = "update"
    out: Path = Path("bench-results")
    # record our worker with py-spy during the loads (out/worker-profile.json, speedscope)
    profile: bool = False
    # keep the stack's files here (default: a temporary folder, removed afterwards)
    home: Path | None = None

    def lifecycles_at(self, load: int) -> int:
        return max(load, self.proposals)

    def as_json(self) -> dict[str, object]:
        data = asdict(self)
        data["out"] = str(self.out)
        data["home"] = str(self.home) if self.home else None
        return data


def quick(config: BenchConfig) -> BenchConfig:
    """Small sizes for CI: every section runs, in well under a minute of its own."""
    config.loads = [1, 3]
    config.proposals = 3
    config.histories = 8
    config.open = 20
    config.agreements = 2
    config.years = 1.5
    return config
