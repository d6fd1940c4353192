"""On a real dev server: the raw history holds no personal data of the intake, and an
old key still decodes it after rotation."""

from __future__ import annotations

import base64
import json
import subprocess

import pytest
from temporalio.testing import WorkflowEnvironment

from infoshare.codec.converter import data_converter
from infoshare.codec.keys import KeyRing, load_keyring, new_keyring
from infoshare.runtime.temporal import make_replayer
from infoshare.settings import get_settings
from tests import people
from tests.conftest import BIN
from tests.factories import ALL_FALSE_SCREENING, make_intake
from tests.workflows.driver import Driver

pytestmark = pytest.mark.devserver

TITLE = "Quokka-Zebra joint review"
PURPOSE = "Share the details of Mrs Ottoline Prendergast-Vane for the complaint about her care"


def raw_history(env: WorkflowEnvironment, workflow_id: str) -> str:
    """What an operator sees with the Temporal CLI: `temporal workflow show`."""
    shown = subprocess.run(
        [
            str(BIN / "temporal"), "workflow", "show",
            "--workflow-id", workflow_id,
            "--address", env.client.service_client.config.target_host,
            "--namespace", env.client.namespace,
            "--output", "json",
        ],
        capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    return shown.stdout


async def test_raw_history_has_no_plaintext_of_the_intake(
    dev_env: WorkflowEnvironment, dev_worker: str
) -> None:
    intake = make_intake(title=TITLE, purpose=PURPOSE)
    d = await Driver.start(dev_env.client, intake, dev_worker)
    await d.send("submit_screening", people.CASEWORKER, answers=ALL_FALSE_SCREENING)
    await d.refused("screening_decision", people.NOBODY, dpia_required=False)
    status = await d.status()  # decrypted for whoever holds the key
    assert status["title"] == TITLE

    raw = raw_history(dev_env, d.workflow_id)
    assert json.loads(raw)["events"], "the dump holds the history"
    for secret in (
        TITLE,
        "Quokka",
        "Prendergast",
        people.CASEWORKER,
        "casey",
        people.NOBODY,
        "stranger",
    ):
        assert secret not in raw, f"{secret!r} is in the raw history"
    # the payloads say what they are (metadata is base64 in the dump)
    assert base64.b64encode(b"binary/encrypted").decode() in raw


async def test_a_history_written_with_an_old_key_replays_after_rotation(
    dev_env: WorkflowEnvironment, dev_worker: str
) -> None:
    d = await Driver.start(dev_env.client, make_intake(), dev_worker)
    await d.send("submit_screening", people.CASEWORKER, answers=ALL_FALSE_SCREENING)
    history = await d.handle.fetch_history()
    current = load_keyring(get_settings())
    rotated = current.with_new_key("rotated")
    result = await make_replayer(data_converter(rotated)).replay_workflow(
        history, raise_on_replay_failure=False
    )
    assert result.replay_failure is None
    # without the key that wrote it, the history cannot be read
    stranger = KeyRing({current.active: new_keyring().active_key}, current.active)
    result = await make_replayer(data_converter(stranger)).replay_workflow(
        history, raise_on_replay_failure=False
    )
    assert result.replay_failure is not None
