"""A decision the rules take, with the protocol clauses it rests on."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict


class Decision(BaseModel):
    """What a rule decided and why: `value` rests on `clauses`, explained by `reasons`.

    `decision` names the question (e.g. ``"isa_required"``), `value` its answer.
    """

    model_config = ConfigDict(frozen=True)

    decision: str
    value: Any
    clauses: tuple[str, ...]
    reasons: tuple[str, ...] = ()

    def explain(self) -> str:
        """One line for a timeline: ``isa_required = True: 3.1 regular sharing``."""
        why = "; ".join(self.reasons) if self.reasons else "no reason recorded"
        return f"{self.decision} = {self.value!r}: {why} (clauses {', '.join(self.clauses)})"
