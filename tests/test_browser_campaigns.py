"""The campaign queue in a real browser (Debian's chromium): the home page lists campaigns, one key decides a
whole campaign, its page shows the decision on each of its clusters, backspace withdraws it whole.

One server on a temporary SQLite database with the fixture clusters (tests/api_world.py: 7 flagged clusters
against two targets, so two smear campaigns), started with `smearwatch serve`.
"""

from pathlib import Path

import pytest
from api_world import build_world
from playwright.sync_api import expect
from sqlmodel import Session, select

from devsupport.services import REPO, ServerProcess
from smearwatch.db import make_engine
from smearwatch.models import Decision
from smearwatch.users import create_user

pytestmark = pytest.mark.integration

ARTIFACTS = Path(__file__).parent / "artifacts"


@pytest.fixture(scope="module")
def server(tmp_path_factory, migrated_sqlite):
    folder = tmp_path_factory.mktemp("browser-campaigns")
    url = migrated_sqlite(folder / "smearwatch.db")
    engine = make_engine(url)
    world = build_world(engine)
    with Session(engine) as session:
        world["reviewer"] = create_user(session, username="rita", role="reviewer")
    process = ServerProcess({"SMEARWATCH_DATABASE_URL": url, "PYTHONPATH": str(REPO)}, folder / "serve.log",
                            cwd=folder).start()
    yield {"base": process.base, "engine": engine, **world}
    process.stop()
    engine.dispose()


def test_decide_a_campaign_with_one_key(watched, server):
    page, _ = watched
    page.goto(server["base"] + "/")
    page.locator("input[name=username]").type("rita")
    page.locator("input[name=password]").type(server["reviewer"].password)
    page.keyboard.press("Enter")
    page.wait_for_url(server["base"] + "/")
    progress = page.locator(".progress-text")
    expect(page.locator("h1")).to_have_text("Campaign queue")
    expect(progress).to_have_text("0 of 2 reviewed")
    rows = page.locator("tr.campaign-row")
    expect(rows).to_have_count(3)  # the 2 flagged campaigns, then one unflagged mixed in for a check
    expect(rows.nth(2)).to_contain_text("not flagged, sampled for review")
    first = rows.nth(0)
    expect(first).to_have_class("cluster-row campaign-row selected")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "campaign-queue.png"), full_page=True)

    page.keyboard.press("a")  # one key: the whole campaign, each of its clusters
    expect(progress).to_have_text("1 of 2 reviewed")
    expect(first.locator("td.answer")).to_have_text("coordinated smear")
    campaign_id = first.get_attribute("data-id")
    with Session(server["engine"]) as session:
        rows_stored = session.exec(select(Decision).where(Decision.campaign_id == int(campaign_id))).all()
    assert len(rows_stored) == 4 and {d.answer for d in rows_stored} == {"smear"}

    page.keyboard.press("k")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/campaigns/{campaign_id}")
    expect(page.locator("#campaign-summary")).to_contain_text("attacking")
    expect(page.locator("#current-answer")).to_have_text("coordinated smear")
    parts = page.locator("#campaign-clusters tr.part-row")
    expect(parts).to_have_count(4)
    for i in range(4):
        expect(parts.nth(i).locator("td.answer")).to_have_text("coordinated smear")
    assert page.locator("svg.chart-campaign rect.bar-part").count() == 4
    expect(page.locator("#narratives")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "campaign.png"), full_page=True)

    # backspace on the campaign page withdraws the campaign decision on every cluster
    page.keyboard.press("Backspace")
    expect(page.locator("#current-answer")).to_have_text("none")
    for i in range(4):
        expect(parts.nth(i).locator("td.answer")).to_have_text("")

    # its accounts link to their pages, which list the campaign
    page.locator("#campaign-accounts a").first.click()
    page.wait_for_url("**/accounts/**")
    expect(page.locator(".account-campaigns")).to_contain_text(f"Campaign {campaign_id}")
    page.screenshot(path=str(ARTIFACTS / "account.png"), full_page=True)
    page.go_back()

    # a cluster of it opens from its row and can be decided on its own
    parts.nth(0).locator("a").first.click()
    page.wait_for_url("**/clusters/*")
    expect(page.locator("h1")).to_contain_text("Cluster")
