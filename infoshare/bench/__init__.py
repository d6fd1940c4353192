"""`infoshare bench`: ours against the bare engine, on the embedded stack (docs/benchmark.md)."""
