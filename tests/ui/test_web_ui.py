"""An approver acts on a proposal in the real Temporal Web UI of the dev server, in
headless Chromium: reads the current details, sends a wrong payload as an Update and
sees the refusal, sends the example payload of the details and sees the new state in the
UI and in `infoshare status`. Each step saves a screenshot (tests/ui/conftest.py).
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import sys
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from playwright.async_api import FrameLocator, Locator, Page, expect
from temporalio.testing import WorkflowEnvironment

from states.messages import MESSAGES
from tests import people
from tests.factories import ALL_FALSE_SCREENING, make_intake
from tests.workflows.driver import Driver
from workflows.details import YOUR_EMAIL

pytestmark = pytest.mark.devserver

BIN = Path(sys.executable).parent
TIMEOUT_MS = 15_000


class WorkflowPage:
    """One proposal's page in the Temporal Web UI."""

    def __init__(self, page: Page, ui_url: str, workflow_id: str, artifacts: Path) -> None:
        self.page = page
        self.ui_url = ui_url
        self.url = f"{ui_url}/namespaces/default/workflows/{workflow_id}"
        self.artifacts = artifacts
        self.shots = 0

    async def shot(self, name: str) -> None:
        self.shots += 1
        path = self.artifacts / f"{self.shots:02d}-{name}.png"
        await self.page.screenshot(path=str(path), full_page=True)

    async def open_tab(self, name: str) -> None:
        """Load the page afresh (what the approver sees now) and open a tab."""
        await self.page.goto(self.url)
        await self.page.get_by_role("tab", name=name).click()

    def summary(self) -> FrameLocator:
        return self.page.frame_locator("iframe#user-metadata-summary")

    def static_details(self) -> Locator:
        return self.page.frame_locator("iframe#user-metadata-details").locator("body")

    def current_details(self) -> FrameLocator:
        """The Markdown the worker serves, rendered by the UI in a frame of its own."""
        return self.page.frame_locator("iframe#user-metadata-current-details")

    def dialog(self) -> Locator:
        return self.page.get_by_role("dialog")

    async def list_workflows(self, query: str, expect_ids: list[str]) -> None:
        """The workflow list filtered by `query` shows exactly `expect_ids` (retried for
        the moment the visibility store takes to catch up)."""
        url = f"{self.ui_url}/namespaces/default/workflows?query={quote(query)}"
        rows = self.page.get_by_role("link", name=re.compile(r"^isp-"))
        for _ in range(20):
            await self.page.goto(url)
            await expect(self.page.get_by_text("Workflow ID").first).to_be_visible()
            try:
                await expect(rows).to_have_text(expect_ids, timeout=1000)
                return
            except AssertionError:
                continue
        await expect(rows).to_have_text(expect_ids)

    def refusal(self) -> Locator:
        """The error the dialog shows when the Update is refused."""
        return self.dialog().locator("div.alert[role=alert]")

    async def open_update_dialog(self) -> None:
        await self.page.get_by_role("button", name="More Actions").click()
        await self.page.get_by_role("menuitem", name="Send an Update").click()
        await self.dialog().get_by_test_id("update-select-button").click()

    async def submit(self, payload: dict[str, Any]) -> None:
        """Replace the Data with `payload` and press Submit."""
        editor = self.dialog().get_by_role("textbox", name="Data")
        await editor.click()
        await self.page.keyboard.press("Control+A")
        await self.page.keyboard.press("Delete")
        await self.page.keyboard.insert_text(json.dumps(payload))
        # Leaving the editor reformats the JSON and moves the buttons: leave it first.
        await editor.blur()
        await self.dialog().get_by_test_id("confirm-modal-button").click()


async def infoshare(env: WorkflowEnvironment, home: Path, *args: str) -> str:
    """The `infoshare` command as a user runs it, against the dev server. Run without
    blocking: the worker answering its query runs on this event loop."""
    environ = {
        **os.environ,
        "INFOSHARE_TEMPORAL_ADDRESS": env.client.service_client.config.target_host,
        "INFOSHARE_TEMPORAL_NAMESPACE": env.client.namespace,
        "INFOSHARE_HOME": str(home),
    }
    environ.pop("INFOSHARE_DATABASE_URL", None)
    process = await asyncio.create_subprocess_exec(
        str(BIN / "infoshare"),
        *args,
        env=environ,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 0, stderr.decode()
    return stdout.decode()


async def test_an_approver_decides_in_the_web_ui(
    dev_env: WorkflowEnvironment,
    dev_worker: str,
    dev_ui_url: str,
    infoshare_home: Path,
    page: Page,
    artifacts: Path,
) -> None:
    page.set_default_timeout(TIMEOUT_MS)
    expect.set_options(timeout=TIMEOUT_MS)
    d = await Driver.start(dev_env.client, make_intake(), dev_worker)
    await d.send("submit_screening", people.CASEWORKER, answers=ALL_FALSE_SCREENING)
    ui = WorkflowPage(page, dev_ui_url, d.workflow_id, artifacts)

    # 1. The proposal's summary and current details: the state, who may act, a payload.
    await ui.open_tab("User Metadata")
    await expect(
        ui.summary().get_by_text("Joint investigation with LGSCO — with LGSCO")
    ).to_be_visible()
    await expect(ui.static_details()).to_contain_text("Recipients: LGSCO (public body, england)")
    details = ui.current_details()
    await expect(details.get_by_text("State: screening — at DPIA screening")).to_be_visible()
    who = details.get_by_role("listitem").filter(has_text="screening_decision")
    await expect(who).to_contain_text("dpo")
    await expect(who).to_contain_text(f"anyone with the role but {people.CASEWORKER}")
    example_code = details.locator("code").filter(has_text='"dpia_required"').first
    example = json.loads(await example_code.inner_text())
    assert example["actor"] == YOUR_EMAIL
    await ui.shot("current-details")

    # 2. More Actions → Send an Update: every message, each with its one-line description.
    await ui.open_update_dialog()
    option = ui.dialog().get_by_role("option", name="screening_decision")
    await expect(option).to_contain_text(MESSAGES["screening_decision"].description)
    await ui.shot("messages")
    await option.click()

    # 3. A wrongly typed payload, then a sender not in the directory: refused, at once.
    await ui.submit({"actor": people.DPO, "dpia_required": "perhaps"})
    await expect(ui.refusal()).to_contain_text(
        "screening_decision: field 'dpia_required': Input should be a valid boolean"
    )
    await ui.shot("refused-wrong-type")
    await ui.submit({**example, "actor": people.NOBODY})
    # the refusal travels in clear, so the sender's address is masked in it
    await expect(ui.refusal()).to_contain_text(
        "screening_decision: <actor> is not in the people directory"
    )
    await ui.shot("refused-unknown-sender")
    shown = await ui.refusal().inner_text()
    assert "File " not in shown  # the reason alone, no traceback
    assert people.NOBODY not in shown
    status = await d.status()
    assert status["state"] == "screening"
    assert [w["message"] for w in status["awaiting"]] == ["screening_decision"]

    # 4. The example payload of the details, with the DPO's own email: accepted.
    await ui.submit({**example, "actor": people.DPO})
    await expect(page.get_by_test_id("toast-live-region-polite")).to_contain_text(
        "Update successful"
    )
    await expect(ui.dialog()).to_have_count(0)
    await ui.shot("sent")

    # 5. The new state, in the UI (current details, search attributes) and in the CLI.
    await ui.open_tab("User Metadata")
    details = ui.current_details()
    await expect(details.get_by_text("State: dpia — at the DPIA")).to_be_visible()
    await expect(details.get_by_role("listitem").filter(has_text="submit_dpia")).to_contain_text(
        f"caseworker: submit_dpia (the proposing caseworker is {people.CASEWORKER})"
    )
    await ui.shot("new-state")
    await ui.open_tab("Search Attributes")
    await expect(page.locator("main")).to_contain_text('"IspState": "dpia"')
    await ui.shot("search-attributes")

    # 6. The README's filter for the caseworker's work, pasted in the workflow list.
    query = f'IspAwaiting = "caseworker" AND IspState = "dpia" AND TaskQueue = "{dev_worker}"'
    await ui.list_workflows(query, expect_ids=[d.workflow_id])
    await ui.shot("filtered-list")

    status = json.loads(await infoshare(dev_env, infoshare_home, "status", d.workflow_id))
    assert status["state"] == "dpia"
    assert status["awaiting"] == [{"message": "submit_dpia", "roles": ["caseworker"]}]
    assert ui.shots == 8
