"""The web form in a real browser (Debian's Chromium, headless, driven by Playwright) against
the app served by uvicorn, with the Temporal dev server and a worker behind it.

A screenshot of every page visited is saved under $INFOSHARE_TEST_ARTIFACTS/web (default
test-artifacts/web); the test prints where.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import pytest_asyncio
from playwright.async_api import Browser, Page, async_playwright, expect
from temporalio.testing import WorkflowEnvironment

from tests import people
from tests.web.conftest import SCREENSHOTS, artifacts_dir, track
from tests.workflows.driver import Driver

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = [
    pytest.mark.devserver,
    # In CI (.ci/run installs it) a missing browser fails the tests instead.
    pytest.mark.skipif(
        shutil.which(CHROMIUM) is None and not os.environ.get("CI"), reason=f"no {CHROMIUM}"
    ),
]


@pytest_asyncio.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        await chromium.close()


@pytest_asyncio.fixture
async def page(browser: Browser, web_url: str) -> AsyncIterator[Page]:
    context = await browser.new_context(base_url=web_url, viewport={"width": 1200, "height": 900})
    context.set_default_timeout(15_000)
    page = await context.new_page()
    yield page
    await context.close()


class Screenshots:
    def __init__(self, test: str) -> None:
        self.folder = artifacts_dir()
        self.test = test
        self.saved: list[Path] = []
        for stale in self.folder.glob(f"{test}-*.png"):  # an earlier run's
            stale.unlink()

    async def take(self, page: Page, name: str) -> None:
        # Nothing (a hash, a long line of JSON) makes the page wider than the window.
        width = await page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert width <= 0, f"{name}: the page is {width}px wider than the window"
        path = self.folder / f"{self.test}-{len(self.saved) + 1:02d}-{name}.png"
        await page.screenshot(path=str(path), full_page=True)
        self.saved.append(path)
        SCREENSHOTS.append(path)

    def report(self) -> None:
        print(f"\nscreenshots ({len(self.saved)}) in {self.folder}:")
        for path in self.saved:
            print(f"  {path.name}")


@pytest.fixture
def shots(request: pytest.FixtureRequest) -> Iterator[Screenshots]:
    """Screenshots named after the test; where they went is printed at the end."""
    taken = Screenshots(request.node.name.removeprefix("test_"))
    yield taken
    taken.report()


async def sign_in(page: Page, email: str, shots: Screenshots | None = None) -> None:
    await page.goto("/proposals/new")
    await expect(page).to_have_url("/signin?next=/proposals/new")
    if shots:
        await shots.take(page, "sign-in")
    await page.get_by_label("Who are you?").select_option(email)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Propose sharing information")


async def yes_no(page: Page, name: str, answer: str) -> None:
    await page.locator(f"#{name}-{answer}").check()


async def fill_intake(page: Page, title: str, *, imminent_risk: str = "no") -> None:
    """Answer every question like the CONTRACT.md example intake."""
    await yes_no(page, "imminent_risk_of_harm", imminent_risk)
    await page.get_by_label("A short title for this sharing").fill(title)
    await page.get_by_label("Why do you want to share this information?").fill(
        "Share complaint details for a joint health and social care investigation"
    )
    await page.locator("#recipients-0-name").fill("LGSCO")
    await page.locator("#recipients-0-kind").select_option("public_body")
    await page.locator("#recipients-0-location").select_option("england")
    await yes_no(page, "personal_data", "yes")
    await yes_no(page, "anonymised", "no")
    await page.get_by_label("Health, including medical records").check()
    await yes_no(page, "criminal_offence_data", "no")
    await page.get_by_label("About how many records will be shared?").fill("250")
    await page.get_by_label("Regularly").check()
    await page.get_by_label("PHSO proposing to share information").check()
    await page.locator("#specified_in_law-0").check()
    await yes_no(page, "onward_use_controls", "yes")
    await yes_no(page, "business_critical", "no")
    await yes_no(page, "maintained_technology", "no")


async def timeline_rows(page: Page) -> int:
    return await page.locator('[data-testid="timeline"] tbody tr').count()


async def test_a_caseworker_proposes_and_follows_the_proposal(
    page: Page, dev_env: WorkflowEnvironment, dev_worker: str, shots: Screenshots
) -> None:
    await sign_in(page, people.CASEWORKER, shots)
    await shots.take(page, "form")
    # Keyboard: the first Tab reaches the skip link.
    await page.keyboard.press("Tab")
    await expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()

    # A bad submission: every problem listed, each next to its field, answers kept.
    await page.get_by_label("A short title for this sharing").fill("Joint investigation")
    await page.get_by_label("About how many records will be shared?").fill("lots")
    await page.locator("#submit").click()
    summary = page.get_by_test_id("error-summary")
    await expect(summary).to_be_visible()
    await expect(summary).to_contain_text("Say why you want to share this information")
    await expect(page.locator("#volume-error")).to_contain_text("as a whole number")
    await expect(page.get_by_label("A short title for this sharing")).to_have_value(
        "Joint investigation"
    )
    await expect(page.locator("#volume")).to_have_attribute("aria-invalid", "true")
    await shots.take(page, "form-errors")
    # The summary's links take the keyboard to the field.
    await summary.get_by_role("link", name="Say why you want to share this information").click()
    await expect(page.locator("#purpose")).to_be_focused()

    # Recipients are added and removed with plain form buttons.
    await fill_intake(page, "Joint investigation with LGSCO")
    await page.get_by_role("button", name="Add another organisation").click()
    await expect(page.get_by_test_id("recipient")).to_have_count(2)
    await expect(page.locator("#recipients-1-name")).to_be_focused()
    await page.locator("#recipients-1-name").fill("CQC")
    await shots.take(page, "form-two-recipients")
    await page.get_by_role("button", name="Remove organisation 2").click()
    await expect(page.get_by_test_id("recipient")).to_have_count(1)
    await expect(page.locator("#recipients-0-name")).to_have_value("LGSCO")
    await expect(page.get_by_label("Regularly")).to_be_checked()

    # Sent: the caseworker lands on the proposal's page.
    await page.locator("#submit").click()
    await expect(page.get_by_test_id("started")).to_be_visible()
    workflow_id = page.url.split("/proposals/")[1].split("?")[0]
    track(dev_worker, workflow_id)
    await expect(page.get_by_test_id("state")).to_have_text("screening")
    await expect(page.get_by_test_id("awaiting")).to_contain_text("submit screening")
    await expect(page.locator("svg .state.current")).to_have_attribute("data-state", "screening")
    link = page.get_by_test_id("temporal-link")
    await expect(link).to_have_attribute(
        "href", f"http://127.0.0.1:8233/namespaces/default/workflows/{workflow_id}"
    )
    first_events = await timeline_rows(page)
    await shots.take(page, "proposal-screening")

    # Decisions move it on; the page follows, the timeline grows.
    driver = Driver(dev_env.client, workflow_id)
    await driver.screen(dpia_required=True)
    await page.reload()
    await expect(page.get_by_test_id("state")).to_have_text("dpia")
    await expect(page.get_by_test_id("recommendations")).to_contain_text(people.DPO)
    assert await timeline_rows(page) > first_events
    await shots.take(page, "proposal-dpia")

    await driver.dpia()
    await driver.send("isa_decision", people.INFORMATION_RIGHTS, isa_required=True)
    await driver.to_active_from_lawful_basis()
    await page.reload()
    await expect(page.get_by_test_id("state")).to_have_text("active")
    await expect(page.locator("svg .state.current")).to_have_attribute("data-state", "active")
    await expect(page.get_by_test_id("next-review")).not_to_have_text("None scheduled")
    await expect(page.get_by_test_id("timeline")).to_contain_text(people.SIGNATORY_LGSCO)
    await shots.take(page, "proposal-active")

    # Found in the filtered list.
    await page.get_by_role("link", name="My proposals").click()
    await page.get_by_label("State").select_option("active")
    await page.get_by_label("Partner").fill("LGSCO")
    await page.get_by_role("button", name="Filter").click()
    await expect(page).to_have_url("/proposals/mine?state=active&awaiting=&partner=LGSCO")
    row = page.locator(f'tr[data-workflow-id="{workflow_id}"]')
    for _ in range(50):  # visibility follows the workflow a moment later
        if await row.count():
            break
        await page.wait_for_timeout(100)
        await page.reload()
    await expect(row).to_contain_text("active")
    await shots.take(page, "my-proposals-active")
    await page.get_by_label("State").select_option("dpia")
    await page.get_by_role("button", name="Filter").click()
    # other tests share the dev server: only this proposal's absence is certain
    await expect(page).to_have_url("/proposals/mine?state=dpia&awaiting=&partner=LGSCO")
    await expect(row).to_have_count(0)
    await page.get_by_role("link", name="All proposals").click()
    await page.get_by_label("Caseworker's email").fill(people.CASEWORKER)
    await page.get_by_role("button", name="Filter").click()
    await expect(row).to_be_visible()
    await shots.take(page, "all-proposals")

    # Signed, so the workflow published it: the public register lists it, without signing in.
    await driver.wait_for(lambda s: bool(s["published"]))
    public = await page.context.browser.new_page(  # type: ignore[union-attr]
        base_url=page.url.split("/proposals")[0]
    )
    await public.goto("/register")
    await shots.take(public, "register")
    await public.get_by_role("link", name="Joint investigation with LGSCO").first.click()
    await expect(public.get_by_role("heading", level=1)).to_have_text(
        "Joint investigation with LGSCO"
    )
    await expect(public.get_by_test_id("documents")).to_contain_text("The signed agreement")
    await shots.take(public, "register-entry")
    await expect(public.get_by_role("link", name="The signed agreement as PDF")).to_be_visible()
    await public.get_by_role("link", name="The signed agreement", exact=True).click()
    await expect(public.locator("body")).to_contain_text("LGSCO")
    await public.close()


async def test_an_imminent_risk_says_call_999_now(
    page: Page, dev_worker: str, shots: Screenshots
) -> None:
    await sign_in(page, people.CASEWORKER)
    banner = page.locator(".emergency.on-choice")
    await expect(banner).to_be_hidden()
    await yes_no(page, "imminent_risk_of_harm", "yes")
    # At once, before anything is sent (and without JavaScript: CSS alone).
    await expect(banner).to_be_visible()
    await expect(banner).to_contain_text("Call 999 now.")
    await shots.take(page, "form-risk-chosen")

    # Sent with nothing else answered: the emergency first, then what is missing.
    await page.locator("#submit").click()
    await expect(page.get_by_test_id("emergency")).to_contain_text("Call 999 now.")
    await expect(page.get_by_test_id("emergency")).to_contain_text("Helphub")
    await expect(page.get_by_test_id("error-summary")).to_be_visible()
    await shots.take(page, "form-risk-sent")

    await fill_intake(page, "Welfare concern", imminent_risk="yes")
    await page.locator("#submit").click()
    await expect(page.get_by_test_id("emergency")).to_contain_text("Call 999 now.")
    await expect(page.get_by_test_id("state")).to_have_text("emergency referred")
    track(dev_worker, page.url.split("/proposals/")[1].split("?")[0])
    await shots.take(page, "proposal-emergency")


@pytest.mark.parametrize("javascript", [False])
async def test_the_form_works_without_javascript(
    browser: Browser, web_url: str, dev_worker: str, javascript: bool
) -> None:
    context = await browser.new_context(base_url=web_url, java_script_enabled=javascript)
    try:
        page = await context.new_page()
        await sign_in(page, people.CASEWORKER)
        await fill_intake(page, "Sent without JavaScript")
        await page.get_by_role("button", name="Add another organisation").click()
        await expect(page.get_by_test_id("recipient")).to_have_count(2)
        await page.locator("#submit").click()
        await expect(page.get_by_test_id("state")).to_have_text("screening")
        track(dev_worker, page.url.split("/proposals/")[1].split("?")[0])
    finally:
        await context.close()
