"""Two versions of a change to SharingProposal, to prove what
docs/developers/changing-the-workflow.md says about changing the workflow safely: after
each recorded step, a new activity files a copy of the step. Registered under the same
name, each replays the recorded corpus.

- `PatchedSharingProposal` guards the new step with `workflow.patched`: old histories (no
  patch marker) take the old path and replay; new proposals take the new one.
- `UnguardedSharingProposal` adds it as it is: replaying an old history, the code asks
  for an activity the history never scheduled, and the replay fails.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from states.intake import Intake
    from states.proposal import ProposalData
    from workflows.sharing_proposal import SharingProposal

PATCH_ID = "file-step-copy"
NEW_ACTIVITY = "file_step_copy"


class _FilesEachStep(SharingProposal):
    """The change: after each recorded step, file a copy of it (a new activity)."""

    def take_new_step(self) -> bool:
        raise NotImplementedError

    async def _settle(self) -> None:
        before = self.proposal.data.recorded_upto
        await super()._settle()
        if self.proposal.data.recorded_upto > before and self.take_new_step():
            await workflow.execute_activity(
                NEW_ACTIVITY,
                self.proposal.data.proposal_id,
                start_to_close_timeout=timedelta(seconds=30),
            )


@workflow.defn(name="SharingProposal")
class PatchedSharingProposal(_FilesEachStep):
    @workflow.run
    async def run(self, intake: Intake, carried: ProposalData | None = None) -> dict[str, Any]:
        result: dict[str, Any] = await super().run(intake, carried)
        return result

    def take_new_step(self) -> bool:
        # False while replaying a history recorded before the change, True from then on
        return workflow.patched(PATCH_ID)


@workflow.defn(name="SharingProposal")
class UnguardedSharingProposal(_FilesEachStep):
    @workflow.run
    async def run(self, intake: Intake, carried: ProposalData | None = None) -> dict[str, Any]:
        result: dict[str, Any] = await super().run(intake, carried)
        return result

    def take_new_step(self) -> bool:
        return True
