"""The recorder only adds: it refuses a release folder that already holds histories and
never overwrites a recorded file (recorded histories are never rewritten)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.histories import record


def test_the_recorder_refuses_a_recorded_release() -> None:
    for release in ("v1", "v2", "v3"):
        with pytest.raises(record.AlreadyRecorded, match="never rewritten"):
            record.refuse_recorded(record.HERE / release)


def test_the_recorder_records_a_new_release_into_a_new_folder(tmp_path: Path) -> None:
    new = record.next_release_folder()
    assert not new.exists()
    # releases are numbered folders (v1-first/ and v2-first/ are earlier recordings of 1, 2)
    releases = [int(p.name[1:]) for p in record.HERE.glob("v*") if p.name[1:].isdigit()]
    assert new.name == f"v{max(releases) + 1}"
    record.refuse_recorded(tmp_path / "v9")  # an empty or absent folder is fine


def test_the_recorder_never_overwrites_a_file(tmp_path: Path) -> None:
    path = tmp_path / "emergency-run1.json"
    record.write_new(path, "{}")
    with pytest.raises(record.AlreadyRecorded, match="never rewritten"):
        record.write_new(path, '{"events": []}')
    assert path.read_text() == "{}"
