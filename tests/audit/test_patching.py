"""docs/developers/changing-the-workflow.md, proved on the recorded corpus: a change
guarded by `workflow.patched` replays every history of every release, and the same change
unguarded is caught by the replay check."""

from __future__ import annotations

from collections.abc import AsyncIterator

from infoshare.audit.history import Problem, Source, load_file
from infoshare.audit.replay import replay
from tests.audit.conftest import CORPUS_FILES, CORPUS_FOLDERS
from tests.audit.variants import PatchedSharingProposal, UnguardedSharingProposal


async def corpus() -> AsyncIterator[Source | Problem]:
    for path in CORPUS_FILES:
        yield Source(load_file(path), str(path))


def test_the_corpus_has_every_release() -> None:
    assert [f.name for f in CORPUS_FOLDERS][:1] == ["v1"]
    assert len(CORPUS_FILES) >= 12


async def test_a_patched_change_replays_the_whole_corpus() -> None:
    summary = await replay(corpus(), workflows=[PatchedSharingProposal])
    assert len(summary.results) == len(CORPUS_FILES)
    assert summary.ok, [f"{r.origin}: {r.reason}" for r in summary.failures]


async def test_the_same_change_unguarded_is_caught() -> None:
    summary = await replay(corpus(), workflows=[UnguardedSharingProposal])
    assert len(summary.results) == len(CORPUS_FILES)
    # every recorded run records a step, so every one of them now diverges
    failed = {r.origin for r in summary.failures}
    assert failed == {str(p) for p in CORPUS_FILES}
    assert all("nondetermin" in r.reason.lower() for r in summary.failures), [
        r.reason for r in summary.failures
    ][:3]
