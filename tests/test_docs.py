"""The docs hold together: a short README that opens with the two set-up commands, every
relative link leads to a file (and heading) that exists, and every source path the docs
name in backticks exists.

The paths are read pragmatically: a backticked token with a `/`, no spaces, starting with
one of the repository's own top-level names (`states/`, `infoshare/`, `tests/`, ...) and
naming a file (`.py`, `.md`, `.toml`, `.yaml`, ...) or a folder (a trailing `/`). A module
may become a package of the same name or the reverse (`states/proposal.py` and
`states/proposal/` are one thing to a reader), so either form satisfies the other.
"""

from __future__ import annotations

import re
import subprocess
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
# About 10 KB: the README is for a newcomer; everything else lives in docs/.
README_MAX_BYTES = 10_500
DOCS = sorted([README, ROOT / "deploy" / "README.md", *(ROOT / "docs").rglob("*.md")])

FENCE = re.compile(r"^```[^\n]*\n(.*?)^```", re.MULTILINE | re.DOTALL)
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)")
CODE_SPAN = re.compile(r"`([^`\n]+)`")
PATH_LIKE = re.compile(r"[A-Za-z0-9_.-]+(?:/[A-Za-z0-9_.-]+)*/?")
FILE_SUFFIXES = (".py", ".md", ".toml", ".yaml", ".yml", ".json", ".sh", ".ini", ".html")


def rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


@cache
def top_level_names() -> frozenset[str]:
    """The repository's own top-level files and folders (what git tracks)."""
    listed = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=False
    ).stdout.split()
    names = {name.split("/", 1)[0] for name in listed}
    return frozenset(names or {p.name for p in ROOT.iterdir()})


def without_code_blocks(text: str) -> str:
    return FENCE.sub("", text)


def slug(heading: str) -> str:
    """GitHub's anchor for a heading."""
    text = re.sub(r"[`*_]|\[([^\]]*)\]\([^)]*\)", r"\1", heading.strip().lower())
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    headings = re.findall(r"^#{1,6} +(.+?) *#*$", without_code_blocks(path.read_text()), re.M)
    return {slug(h) for h in headings}


def exists(candidate: Path) -> bool:
    """The path, or the same module as a package (or the package as a module)."""
    if candidate.exists():
        return True
    text = candidate.as_posix()
    if text.endswith(".py"):
        return Path(text[: -len(".py")]).is_dir()
    return Path(text.rstrip("/") + ".py").is_file()


# ----- the README -------------------------------------------------------------------------


def test_the_readme_is_short() -> None:
    size = len(README.read_bytes())
    assert size <= README_MAX_BYTES, (
        f"README.md is {size:,} bytes (at most {README_MAX_BYTES:,}): move the detail to docs/"
    )


def test_the_readme_opens_with_the_two_set_up_commands() -> None:
    text = README.read_text()
    first_block = FENCE.search(text)
    assert first_block is not None, "README.md has no command block"
    assert "\n## " not in text[: first_block.start()], "the commands must come before any section"
    commands = [
        line.strip()
        for block in FENCE.findall(text)
        for line in block.splitlines()
        if line.strip() and not line.strip().startswith("#")
    ]
    assert commands[:2] == ["./run up", "./run test"], commands[:2]


def test_the_readme_maps_every_doc() -> None:
    text = README.read_text()
    linked = {(ROOT / target.split("#", 1)[0]).resolve() for target in LINK.findall(text)}
    missing = [rel(p) for p in DOCS if p != README and p.resolve() not in linked]
    missing = [p for p in missing if p.startswith("docs/")]
    assert missing == [], f"README.md's map of the docs lacks {missing}"


# ----- links and paths in every doc -------------------------------------------------------


@pytest.mark.parametrize("doc", DOCS, ids=rel)
def test_every_relative_link_leads_somewhere(doc: Path) -> None:
    broken = []
    for target in LINK.findall(without_code_blocks(doc.read_text())):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target):
            continue  # http:, https:, mailto:
        path_part, _, anchor = target.partition("#")
        destination = (doc.parent / path_part).resolve() if path_part else doc
        if not destination.exists():
            broken.append(f"{target} (no such file)")
        elif anchor and destination.suffix == ".md" and anchor not in anchors(destination):
            broken.append(f"{target} (no such heading in {rel(destination)})")
    assert broken == [], f"{rel(doc)}: {broken}"


def named_paths(text: str) -> set[str]:
    """The repository paths a doc names in backticks."""
    found = set()
    for span in CODE_SPAN.findall(text):
        token = span.strip()
        if "/" not in token or not PATH_LIKE.fullmatch(token):
            continue
        if token.split("/", 1)[0] not in top_level_names():
            continue  # a path under the home folder, a URL path, a relative placeholder
        if token.endswith("/") or token.endswith(FILE_SUFFIXES):
            found.add(token)
    return found


@pytest.mark.parametrize("doc", DOCS, ids=rel)
def test_every_named_source_path_exists(doc: Path) -> None:
    text = without_code_blocks(doc.read_text())
    missing = sorted(
        token
        for token in named_paths(text)
        if not (exists(ROOT / token) or exists(doc.parent / token))
    )
    assert missing == [], f"{rel(doc)} names paths that do not exist: {missing}"


def test_the_path_check_catches_a_missing_path() -> None:
    """The negative control: the same reading flags a path that is not there, and lets a
    module stand for its package (and the reverse)."""
    text = "`states/no_such_module.py`, `infoshare/nowhere/`, `documents/ISP-ID/`, `a b/c.py`"
    assert named_paths(text) == {"states/no_such_module.py", "infoshare/nowhere/"}
    assert not exists(ROOT / "states/no_such_module.py")
    assert exists(ROOT / "infoshare/cli.py")  # the package infoshare/cli/
    assert exists(ROOT / "workflows/starter.py")
    assert slug("The outbox: email that was not sent") == "the-outbox-email-that-was-not-sent"
