"""deploy/Dockerfile: linted by hadolint (from PyPI), checked for the facts that matter
(multi-stage, non-root, no secrets, the console script as entry point), and its build
context (.dockerignore) shown to hold everything the package is built from: the wheel
built from exactly that context contains every module, migration and the entry point."""

from __future__ import annotations

import fnmatch
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import dockerfile
import pytest

from tests.deploy.conftest import DEPLOY, ROOT, check_command

DOCKERFILE = DEPLOY / "Dockerfile"
BIN = Path(sys.executable).parent
SECRET_WORDS = re.compile(r"PASSWORD|SECRET|TOKEN|KEY", re.IGNORECASE)


def instructions() -> list[dockerfile.Command]:
    return list(dockerfile.parse_file(str(DOCKERFILE)))


def final_stage() -> list[dockerfile.Command]:
    commands = instructions()
    last_from = max(i for i, c in enumerate(commands) if c.cmd == "FROM")
    return commands[last_from:]


def test_hadolint_passes() -> None:
    result = subprocess.run(
        [str(BIN / "hadolint"), "--no-color", str(DOCKERFILE)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_hadolint_is_not_vacuous(tmp_path: Path) -> None:
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM python\nRUN pip install requests\nUSER root\n")
    result = subprocess.run(
        [str(BIN / "hadolint"), "--no-color", str(bad)], capture_output=True, text=True
    )
    assert result.returncode != 0 and "DL3002" in result.stdout


def test_multi_stage_non_root_and_no_secrets() -> None:
    commands = instructions()
    assert sum(c.cmd == "FROM" for c in commands) >= 2
    final = final_stage()
    users = [c.value[0] for c in final if c.cmd == "USER"]
    assert users, "the final stage must set USER"
    uid = users[-1].split(":")[0]
    assert uid.isdigit() and int(uid) >= 1000
    # Only the built environment crosses into the runtime stage, not the sources.
    copies = [c for c in final if c.cmd == "COPY"]
    assert copies and all(any(f.startswith("--from=") for f in c.flags) for c in copies)
    for command in commands:
        if command.cmd in ("ENV", "ARG", "LABEL"):
            names = command.value[::2] if command.cmd != "ARG" else command.value
            for name in names:
                assert not SECRET_WORDS.search(name.split("=")[0]), command.original


def test_the_entry_point_is_the_console_script_and_commands_exist() -> None:
    final = final_stage()
    (entrypoint,) = [c for c in final if c.cmd == "ENTRYPOINT"]
    (cmd,) = [c for c in final if c.cmd == "CMD"]
    assert entrypoint.json and list(entrypoint.value) == ["infoshare"]
    assert cmd.json and list(cmd.value) == ["worker"]
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts["infoshare"] == "infoshare.cli.main:app"
    # Every command the header documents (`docker run IMAGE COMMAND`).
    documented = re.findall(
        r"docker run infoshare:\S+ ([a-z-]+(?: [a-z]+)?)", DOCKERFILE.read_text()
    )
    assert {"worker", "web", "codec-server", "db upgrade"} <= set(documented)
    pending = [check_command(words.split()) for words in documented]
    if any(pending):
        pytest.skip("; ".join(filter(None, pending)))


# ----- the build context -------------------------------------------------------------------


def ignored(path: str, patterns: list[str]) -> bool:
    """Docker's .dockerignore rule for `path` (the subset of the syntax used here: `*`,
    `!name`, `!dir/`, `**/pattern`); the last matching pattern wins."""
    result = False
    parts = path.split("/")
    for raw in patterns:
        negate = raw.startswith("!")
        pattern = raw.removeprefix("!").rstrip("/")
        if pattern.startswith("**/"):
            tail = pattern.removeprefix("**/")
            hit = any(fnmatch.fnmatch("/".join(parts[i:]), tail) for i in range(len(parts)))
            hit = hit or any(fnmatch.fnmatch(part, tail) for part in parts)
        else:
            hit = fnmatch.fnmatch(path, pattern) or path.startswith(pattern + "/")
        if hit:
            result = not negate
    return result


def build_context(target: Path) -> list[str]:
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    patterns = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    tracked = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    copied = []
    for path in tracked:
        if (ROOT / path).is_file() and not ignored(path, patterns):
            (target / path).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / path, target / path)
            copied.append(path)
    return copied


def test_the_context_holds_no_tests_deployment_files_or_secrets(tmp_path: Path) -> None:
    copied = build_context(tmp_path)
    assert "pyproject.toml" in copied and "infoshare/cli/main.py" in copied
    assert not [p for p in copied if p.startswith(("tests/", "deploy/", ".git", ".venv"))]
    assert not [p for p in copied if p.endswith((".env", ".pem", ".key"))]


def test_the_wheel_built_from_the_context_has_every_module(tmp_path: Path) -> None:
    context = tmp_path / "context"
    build_context(context)
    result = subprocess.run(
        [
            str(BIN / "pip"),
            "wheel",
            "--no-deps",
            "--quiet",
            "-w",
            str(tmp_path / "wheel"),
            str(context),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    (wheel,) = (tmp_path / "wheel").glob("infoshare-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    packages = [p.rstrip("*") for p in config["packages"]["find"]["include"]]
    expected = {f"{module}.py" for module in config["py-modules"]}
    for package in packages:
        for source in (ROOT / package).rglob("*.py"):
            relative = source.relative_to(ROOT).as_posix()
            if "__pycache__" not in relative:
                expected.add(relative)
    expected.add("infoshare/database/alembic.ini")
    expected.add("infoshare/examples/intake.json")
    assert expected <= names, sorted(expected - names)
    (entry_points,) = [n for n in names if n.endswith(".dist-info/entry_points.txt")]
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "infoshare = infoshare.cli.main:app" in text
    # Exactly the five top-level names: nothing generic (`settings`, `web`, `cli`) that
    # could clash with another project installed beside it.
    top_level = {n.split("/")[0].removesuffix(".py") for n in names if ".dist-info" not in n}
    assert top_level == {"infoshare", "states", "workflows", "activities", "worker"}
    for listed in [n for n in names if n.endswith(".dist-info/top_level.txt")]:
        assert set(zipfile.ZipFile(wheel).read(listed).decode().split()) == top_level


# ----- the fonts the PDFs are set in ------------------------------------------------------

# The Debian packages holding DejaVu Sans in every style that activities/fonts.py loads.
FONT_PACKAGES = {"fonts-dejavu-core", "fonts-dejavu-extra"}


def installed_packages(commands: list[dockerfile.Command]) -> set[str]:
    """The Debian packages `apt-get install` lines of these instructions install."""
    packages: set[str] = set()
    for command in commands:
        if command.cmd != "RUN":
            continue
        for step in " ".join(command.value).split("&&"):
            words = step.split()
            if words[:2] == ["apt-get", "install"]:
                packages |= {w for w in words[2:] if not w.startswith("-")}
    return packages


def test_the_runtime_image_installs_the_fonts_the_pdfs_use() -> None:
    """Without DejaVu every agreement PDF in production would fall back to a core font."""
    assert installed_packages(final_stage()) >= FONT_PACKAGES


def test_the_font_check_fails_on_a_dockerfile_without_them(tmp_path: Path) -> None:
    text = DOCKERFILE.read_text()
    bare = tmp_path / "Dockerfile"
    bare.write_text(text.replace("fonts-dejavu-extra", "").replace("fonts-dejavu-core", ""))
    commands = list(dockerfile.parse_file(str(bare)))
    last_from = max(i for i, c in enumerate(commands) if c.cmd == "FROM")
    assert not FONT_PACKAGES & installed_packages(commands[last_from:])
