"""The configuration as documentation: the operators' table, and what a process sees.

The configuration table of docs/operators/configuration.md is generated from the
`Settings` model (names, defaults, field docstrings), so it cannot drift:

    python -m infoshare.cli.config --update docs/operators/configuration.md
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from pydantic.fields import FieldInfo

from infoshare.settings import ENV_PREFIX, Settings

# The document that carries the table (relative to the repository's root), and its markers.
CONFIGURATION_DOC = "docs/operators/configuration.md"
TABLE_START = (
    f"<!-- settings table: python -m infoshare.cli.config --update {CONFIGURATION_DOC} -->"
)
TABLE_END = "<!-- end of settings table -->"

# Values shown as *** by `infoshare config`: field names containing one of these words.
SECRET_WORDS = ("password", "secret", "token", "keys")


def env_name(field: str) -> str:
    return f"{ENV_PREFIX}{field.upper()}"


def show_value(value: Any) -> str:
    """A value as it would be written in the environment."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dict | list):
        import json

        return json.dumps(value)
    return str(value)


def _description(info: FieldInfo) -> str:
    text = " ".join((info.description or "").split())
    return text.replace("|", "\\|")


def settings_table() -> str:
    """The Markdown table of every setting: variable, default, meaning."""
    rows = ["| variable | default | meaning |", "|---|---|---|"]
    for name, info in Settings.model_fields.items():
        default = show_value(info.get_default(call_default_factory=True))
        shown = f"`{default}`" if default else "empty"
        rows.append(f"| `{env_name(name)}` | {shown} | {_description(info)} |")
    return "\n".join(rows)


def update_table(path: Path) -> bool:
    """Replace the table between the markers in `path`; True if the file changed."""
    text = path.read_text(encoding="utf-8")
    start, end = text.find(TABLE_START), text.find(TABLE_END)
    if start < 0 or end < start:
        raise ValueError(f"{path} has no {TABLE_START} ... {TABLE_END} section")
    new = text[: start + len(TABLE_START)] + "\n" + settings_table() + "\n" + text[end:]
    if new == text:
        return False
    path.write_text(new, encoding="utf-8")
    return True


def is_secret(field: str) -> bool:
    return any(word in field for word in SECRET_WORDS)


def effective_lines(settings: Settings) -> list[str]:
    """`INFOSHARE_X=value` for every setting as this process sees it, secrets hidden."""
    from infoshare.cli.common import safe_url

    lines = []
    for name in Settings.model_fields:
        value = show_value(getattr(settings, name))
        if name == "database_url" and value:
            value = safe_url(value)
        elif is_secret(name) and value:
            value = "***"
        lines.append(f"{env_name(name)}={value}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--update",
        type=Path,
        metavar="FILE.md",
        help=f"rewrite the table between the markers of FILE.md (e.g. {CONFIGURATION_DOC})",
    )
    args = parser.parse_args(argv)
    if args.update is None:
        print(settings_table())
        return 0
    changed = update_table(args.update)
    state = "updated" if changed else "already up to date"
    print(f"{args.update}: {state}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
