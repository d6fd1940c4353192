"""Who may send which message in which state: the one place that decides.

`TABLE` is the whole permission table: for each message and each role, the states in which
someone holding that role may send it (the roles of `states.messages.MESSAGES` crossed with
the states of `states.machine.ACCEPTS`). On top of the table, three rules about the person:

- **segregation of duties** (PROTOCOL.md 1): the caseworker who proposed the sharing never
  acts as its dpo, information_rights or ict, whatever roles they hold;
- **advice** is given in the role its payload names (`role`), which the sender must hold;
- a **signatory** signs only for their own organisation (9.1).

`may_send` gives the whole decision. The workflow checks what it can before asking the people
directory (`check_without_directory`: the state and segregation, in its Update validator) and
the rest once it has the sender's entry (`check_directory`). `markdown_table` renders the
table for docs/approvers.md, which a test keeps equal to it.
"""

from __future__ import annotations

from dataclasses import dataclass

from states.machine import ACCEPTS, IN_FORCE, PRE_ACTIVE, STATES, TERMINAL
from states.messages import MESSAGES, SEGREGATED_ROLES, Role
from states.types import Person

# message -> role -> the states in which that role may send it (in lifecycle order)
Table = dict[str, dict[Role, tuple[str, ...]]]


def _build_table() -> Table:
    accepted_in = {m: tuple(s for s in STATES if m in ACCEPTS[s]) for m in MESSAGES}
    return {
        name: {role: accepted_in[name] if role in spec.roles else () for role in Role}
        for name, spec in MESSAGES.items()
    }


TABLE: Table = _build_table()


@dataclass(frozen=True)
class Attempt:
    """One person trying to send one message to one proposal."""

    message: str
    state: str
    actor: str
    # who proposed this sharing (segregation of duties)
    caseworker: str
    # `advice`: the role the advice is given in; `sign`: the party signed for
    claimed_role: str | None = None
    party: str | None = None
    # what the proposal waits for now: only for the text of a wrong-state refusal
    awaiting: tuple[str, ...] = ()


@dataclass(frozen=True)
class Verdict:
    """Allowed, or refused with the text the sender sees and the rule that refused it."""

    allowed: bool
    reason: str = ""
    # "state", "segregation", "directory", "role" or "organisation"; "" when allowed
    rule: str = ""
    clauses: tuple[str, ...] = ()


ALLOWED = Verdict(True)


def roles_needed(message: str, claimed_role: str | None = None) -> tuple[Role, ...]:
    """The roles of which the sender must hold one: advice's claimed role, else the table's."""
    if message == "advice" and claimed_role is not None:
        return (Role(claimed_role),)
    return tuple(role for role, states in TABLE[message].items() if states)


def states_for(message: str, role: Role) -> tuple[str, ...]:
    return TABLE[message][role]


def segregated(message: str, claimed_role: str | None = None) -> bool:
    """Whether the proposing caseworker may never send `message` on their own proposal:
    every role that may send it is one they never act as (PROTOCOL.md 1)."""
    roles = set(roles_needed(message, claimed_role))
    return bool(roles) and roles <= SEGREGATED_ROLES


def _refused(attempt: Attempt, rule: str, reason: str) -> Verdict:
    return Verdict(False, reason, rule, MESSAGES[attempt.message].clauses)


def check_state(attempt: Attempt) -> Verdict:
    message, state = attempt.message, attempt.state
    if any(state in states for states in TABLE[message].values()):
        return ALLOWED
    if state in TERMINAL:
        return _refused(
            attempt, "state", f"{message}: the proposal has ended ({state}); no message is accepted"
        )
    accepted = ", ".join(ACCEPTS.get(state, ())) or "nothing"
    waiting = ", ".join(attempt.awaiting) or "nothing from people"
    return _refused(
        attempt,
        "state",
        f"{message} is not accepted in state {state}; it accepts {accepted} "
        f"and waits for {waiting}",
    )


def check_segregation(attempt: Attempt) -> Verdict:
    if attempt.actor.casefold() != attempt.caseworker.casefold():
        return ALLOWED
    if segregated(attempt.message, attempt.claimed_role):
        roles = roles_needed(attempt.message, attempt.claimed_role)
        return _refused(
            attempt,
            "segregation",
            f"{attempt.message}: segregation of duties: {attempt.actor} proposed this sharing "
            f"and cannot act as {' or '.join(sorted(r.value for r in roles))} on it",
        )
    return ALLOWED


def check_without_directory(attempt: Attempt) -> Verdict:
    """What is decided without the people directory: the state, then segregation of duties."""
    if attempt.message not in MESSAGES:
        return Verdict(False, f"unknown message {attempt.message!r}", "state")
    verdict = check_state(attempt)
    return verdict if not verdict.allowed else check_segregation(attempt)


def check_directory(attempt: Attempt, person: Person | None) -> Verdict:
    """The sender's directory entry: present, holding a role the message needs and, for a
    signature, of the organisation signed for."""
    message, actor = attempt.message, attempt.actor
    if person is None:
        return _refused(
            attempt,
            "directory",
            f"{message}: {actor} is not in the people directory; "
            f"ask an administrator to run `infoshare people add {actor} --role ...`",
        )
    allowed = {r.value for r in roles_needed(message, attempt.claimed_role)}
    held = set(person.roles)
    if not allowed & held:
        return _refused(
            attempt,
            "role",
            f"{message}: {actor} does not hold the role {' or '.join(sorted(allowed))} "
            f"(roles held: {', '.join(sorted(held)) or 'none'})",
        )
    if message == "sign" and person.organisation != attempt.party:
        return _refused(
            attempt,
            "organisation",
            f"sign: {actor} signs for {person.organisation}, not for {attempt.party}",
        )
    return ALLOWED


def may_send(attempt: Attempt, person: Person | None) -> Verdict:
    """The whole decision: may this person send this message in this state?"""
    verdict = check_without_directory(attempt)
    return verdict if not verdict.allowed else check_directory(attempt, person)


# ----- the approvers' table (docs/approvers.md) -------------------------------------------

# Groups of states, so that the table stays readable.
GROUPS: dict[str, tuple[str, ...]] = {"pre-active": PRE_ACTIVE, "in force": IN_FORCE}
ADVICE_MARK, SEGREGATED_MARK, SIGN_MARK = "¹", "²", "³"


def _cell(states: tuple[str, ...]) -> str:
    if not states:
        return "—"
    words: list[str] = []
    rest = list(states)
    for group, members in GROUPS.items():
        if set(members) <= set(rest):
            words.append(f"*{group}*")
            rest = [s for s in rest if s not in members]
    return ", ".join([*words, *rest])


def _either(roles: frozenset[Role]) -> str:
    names = sorted(f"`{r.value}`" for r in roles)
    return ", ".join(names[:-1]) + " or " + names[-1]


def _marks(message: str) -> str:
    marks = ""
    if message == "advice":
        marks += ADVICE_MARK
    if segregated(message):
        marks += SEGREGATED_MARK
    if message == "sign":
        marks += SIGN_MARK
    return marks


def markdown_table(table: Table | None = None) -> str:
    """The permission table as Markdown, with its legend and footnotes."""
    table = TABLE if table is None else table
    roles = list(Role)
    lines = [
        "| message | " + " | ".join(f"`{r.value}`" for r in roles) + " |",
        "|---|" + "---|" * len(roles),
    ]
    for message, cells in table.items():
        row = [f"`{message}`{_marks(message)}", *(_cell(cells[r]) for r in roles)]
        lines.append("| " + " | ".join(row) + " |")
    groups = "; ".join(f"*{name}*: {', '.join(states)}" for name, states in GROUPS.items())
    silent = ", ".join(s for s in STATES if not ACCEPTS[s])
    lines += [
        "",
        f"States: {groups}. No message is accepted in {silent}.",
        "",
        "The sender must be in the people directory (anyone else is refused in every state) "
        "and hold a role whose column lists the proposal's state. Auditors send nothing.",
        "",
        f"{ADVICE_MARK} `advice` is given in the role its payload names (`role`: `dpo` or "
        "`information_rights`); the sender must hold that role.",
        "",
        f"{SEGREGATED_MARK} Segregation of duties: the caseworker who proposed the sharing "
        f"never acts as its {_either(SEGREGATED_ROLES)}, whatever roles they hold, so they "
        "never send these messages on their own proposal.",
        "",
        f"{SIGN_MARK} A signatory signs only for their own organisation: `party` must be the "
        "organisation of their directory entry.",
        "",
        "Within a cell a message may still be refused for what the proposal needs first "
        "(e.g. `advice` before a lawful basis is proposed, `withdraw` once the agreement has "
        "been in force). An exact repeat of a message accepted just before the state moved "
        "on is acknowledged and changes nothing.",
    ]
    return "\n".join(lines) + "\n"
