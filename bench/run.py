"""`python bench/run.py [OPTIONS]`: the same as `infoshare bench [OPTIONS]`."""

from __future__ import annotations

import sys
from pathlib import Path

if __name__ == "__main__":
    # run as a script, this folder is on sys.path rather than the repository
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from cli.main import app

    app(["bench", *sys.argv[1:]], prog_name="infoshare")
