"""The recorded histories are the ones first recorded: each file's sha256 is in
MANIFEST.sha256, and no history file is there that the manifest does not name.

Histories are never rewritten (not re-recorded, not reformatted, not "fixed"): they are
what proposals started by a released version look like in production, and the current
code must replay them as they were. A new release adds a new folder and new lines to the
manifest (`python -m tests.histories.record` does both); a line is never changed or removed.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.histories.manifest import HERE, NAME, NEVER_REWRITTEN, problems, read_manifest


def test_every_recorded_history_is_in_the_manifest_unchanged() -> None:
    found = problems()
    assert not found, "\n".join([*found, NEVER_REWRITTEN])


def test_the_manifest_covers_every_release() -> None:
    releases = {Path(path).parts[0] for _, path in read_manifest()}
    assert {"v1", "v2", "v3"} <= releases
    assert len(read_manifest()) >= 40


@pytest.mark.parametrize("change", ["rewritten", "removed", "added", "line changed"])
def test_the_check_catches_a_change(change: str, tmp_path: Path) -> None:
    """Negative control: the same check over a copy of the corpus, changed."""
    copy = tmp_path / "histories"
    shutil.copytree(HERE, copy, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    assert problems(copy) == []
    target = copy / "v1" / "emergency-run1.json"
    if change == "rewritten":
        target.write_text(target.read_text().replace("\n", "\r\n", 1))
    elif change == "removed":
        target.unlink()
    elif change == "added":
        shutil.copy(target, copy / "v1" / "emergency-run2.json")
    else:
        manifest = copy / NAME
        text = manifest.read_text()
        sha = next(s for s, p in read_manifest(copy) if p == "v1/emergency-run1.json")
        manifest.write_text(text.replace(sha, "0" * 64))
    (found,) = problems(copy)
    assert "v1/emergency-run" in found
