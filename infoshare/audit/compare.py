"""Where the database disagrees with the history, say so.

The history is the record; the database (`proposals`, the `decisions` log, `agreements`
and the information sharing `register`) is what the activities wrote from it. Each
difference becomes a finding on the trail.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import MetaData, Table, inspect, select
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import SQLAlchemyError

from infoshare.audit.model import Finding, Severity, Trail

DECISION_FIELDS = ("at", "actor", "message", "accepted", "detail", "clauses", "state")
SHA_COLUMNS = ("sha256", "document_sha256", "agreement_sha256")


class DatabaseUnavailable(Exception):
    """The database cannot be compared: not configured, not there or not migrated."""


def _utc(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return value


def _shown(value: Any) -> str:
    value = _utc(value)
    return value.isoformat() if isinstance(value, datetime) else repr(value)


def open_database(url: str) -> Connection:
    """A connection for comparing, without creating anything (no new SQLite file)."""
    from infoshare.database.session import get_engine

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        from pathlib import Path

        if not parsed.database or not Path(parsed.database).exists():
            raise DatabaseUnavailable(f"there is no database file {parsed.database}")
    try:
        connection = get_engine(url).connect()
    except SQLAlchemyError as err:
        detail = str(getattr(err, "orig", None) or err).strip().splitlines()[0]
        raise DatabaseUnavailable(f"cannot connect: {detail}") from None
    tables = set(inspect(connection).get_table_names())
    if not {"proposals", "decisions"} <= tables:
        connection.close()
        raise DatabaseUnavailable("it is not migrated (no proposals/decisions tables)")
    return connection


def compare(trail: Trail, connection: Connection) -> list[Finding]:
    """The differences between the database and the trail rebuilt from history.

    While the workflow is still recording a step (its record_step activity has not
    completed), the database may lag the history: differences are then notes.
    """
    found: list[Finding] = []
    severity: Severity = "note" if trail.unrecorded else "mismatch"
    lagging = (
        f" (the workflow is still recording events {_seqs(trail.unrecorded)})"
        if trail.unrecorded
        else ""
    )

    def differ(text: str) -> None:
        found.append(Finding(source="database", severity=severity, text=text + lagging))

    meta = MetaData()
    names = set(inspect(connection).get_table_names())
    tables = {n: Table(n, meta, autoload_with=connection) for n in names & _TABLES}
    pid = trail.workflow_id

    def rows(table: str) -> list[dict[str, Any]]:
        t = tables[table]
        if "proposal_id" not in t.c:
            return []
        return [
            dict(r._mapping) for r in connection.execute(select(t).where(t.c.proposal_id == pid))
        ]

    _compare_proposal(trail, rows("proposals"), differ)
    _compare_decisions(trail, rows("decisions"), differ)
    if "agreements" in tables:
        _compare_agreements(trail, rows("agreements"), differ)
    if "register" in tables:
        _compare_register(trail, rows("register"), differ)
    return found


_TABLES = {"proposals", "decisions", "agreements", "register"}


def _compare_proposal(trail: Trail, rows: list[dict[str, Any]], differ: Any) -> None:
    if not rows:
        if trail.decisions:
            differ(f"the proposals table has no row for {trail.workflow_id}")
        return
    row = rows[0]
    expected = {
        "state": trail.state,
        "outcome": trail.outcome,
        "next_review_due": trail.next_review_due,
        "title": trail.title,
        "caseworker": trail.caseworker,
        "parties": trail.parties,
    }
    for column, value in expected.items():
        if column in row and _utc(row[column]) != _utc(value):
            differ(
                f"proposals.{column} is {_shown(row[column])} but the history says {_shown(value)}"
            )


def _compare_decisions(trail: Trail, rows: list[dict[str, Any]], differ: Any) -> None:
    logged = {int(r["seq"]): r for r in rows}
    history = {d.seq: d for d in trail.decisions}
    missing = sorted(set(history) - set(logged))
    if missing:
        differ(f"the decision log lacks timeline events {_seqs(missing)} of the history")
    extra = sorted(set(logged) - set(history))
    if extra:
        differ(f"the decision log has events {_seqs(extra)} that the history does not")
    for seq in sorted(set(logged) & set(history)):
        row, decision = logged[seq], history[seq].model_dump()
        for column in DECISION_FIELDS:
            if column in row and _utc(row[column]) != _utc(decision[column]):
                differ(
                    f"decision {seq}: the log says {column} {_shown(row[column])}, the "
                    f"history {_shown(decision[column])}"
                )


def _compare_agreements(trail: Trail, rows: list[dict[str, Any]], differ: Any) -> None:
    drafted = {a.version: a.sha256 for a in trail.agreements}
    for row in rows:
        version = int(row["version"])
        if version not in drafted:
            differ(f"agreements has version {version}, which the history never drafted")
        elif row.get("sha256") != drafted[version]:
            differ(
                f"agreements version {version} has sha256 {row.get('sha256')} but the "
                f"history drafted {drafted[version]}"
            )
    registered = {int(r["version"]) for r in rows}
    for version in sorted(set(drafted) - registered):
        differ(f"agreements lacks version {version}, drafted in the history")


def _signed_versions(trail: Trail) -> dict[int, str]:
    """Versions every party signed, with their hash."""
    parties = set(trail.parties)
    signed: dict[int, set[str]] = {}
    for s in trail.signatures:
        if s.version is not None:
            signed.setdefault(s.version, set()).add(s.party)
    return {
        a.version: a.sha256
        for a in trail.agreements
        if parties and parties <= signed.get(a.version, set())
    }


_PUBLISHED = re.compile(r"signed version (\d+) published")


def _published_versions(trail: Trail) -> set[int]:
    """Versions the history says were published and entered in the register (9.1, 4.14);
    histories from before publication existed have none."""
    return {
        int(match.group(1))
        for d in trail.decisions
        if d.message == "agreement_published" and (match := _PUBLISHED.search(d.detail))
    }


def _compare_register(trail: Trail, rows: list[dict[str, Any]], differ: Any) -> None:
    signed = _signed_versions(trail)
    published = _published_versions(trail)
    if not rows:
        if published:
            differ(f"the register has no entry, but the history published version {max(published)}")
        return
    if not signed:
        differ("the register has an entry, but no version was signed by every party")
        return
    latest = max(signed)
    for row in rows:
        version = row.get("version")
        if version is not None and int(version) not in signed:
            differ(f"the register names version {version}, which not every party signed")
        sha = next((row[c] for c in SHA_COLUMNS if row.get(c)), None)
        want = signed.get(int(version)) if version is not None else signed[latest]
        if sha is not None and want is not None and sha != want:
            differ(f"the register's document hash {sha} is not that of the signed version ({want})")
    latest_published = max(published, default=None)
    if (
        latest_published is not None
        and all(r.get("version") is not None for r in rows)
        and latest_published not in {int(r["version"]) for r in rows}
    ):
        differ(
            f"the register does not hold version {latest_published}, the latest the history "
            "published"
        )


def _seqs(seqs: list[int]) -> str:
    return ", ".join(map(str, seqs[:10])) + (" ..." if len(seqs) > 10 else "")


def check_database(trail: Trail, url: str, required: bool) -> None:
    """Compare the database at `url` with the trail; the findings go on the trail, and
    `trail.database` says what was compared. Unavailable: noted, or raised if `required`."""
    try:
        connection = open_database(url)
    except DatabaseUnavailable as err:
        if required:
            raise
        trail.database = f"not compared: {err}"
        return
    with connection:
        findings = compare(trail, connection)
    trail.findings.extend(findings)
    trail.database = f"compared with {safe_url(url)}: " + (
        f"{len(findings)} difference{'' if len(findings) == 1 else 's'}"
        if findings
        else "it agrees with the history"
    )


def safe_url(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)
