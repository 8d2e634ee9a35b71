"""The demo, walked in a real browser (Debian's chromium) as a researcher would: `smearwatch demo --no-serve`
sets up the embedded default on the sample feeds, `smearwatch serve` shows it.

The queue lists the flagged campaigns the demo printed; one key decides a campaign and its clusters show the
decision; a cluster's network names its accounts and its GEXF export has one node per account; the report opens
offline; an account page lists its campaigns; the Search and Clusters forms work empty and filled. Every page
makes no outside request and logs no console error (the `watched` fixture). Full-page screenshots of each step
go to tests/artifacts/demo-*.png, to be looked at.
"""

import re
from pathlib import Path

import networkx as nx
import pytest
from playwright.sync_api import expect

from devsupport.browser import open_offline
from devsupport.commands import run_cli
from devsupport.services import REPO, ServerProcess

pytestmark = pytest.mark.integration

ARTIFACTS = Path(__file__).parent / "artifacts"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("browser-demo")
    env = {"SMEARWATCH_DATABASE_URL": f"sqlite:///{folder / 'demo.db'}"}
    done = run_cli("demo", "--no-serve", "--feeds", str(REPO / "samples" / "feeds"), env=env, cwd=folder)
    assert done.returncode == 0, done.stderr
    said = done.stdout + done.stderr
    password = re.search(r"user 'demo', password '([^']+)'", said).group(1)
    flagged_campaigns = int(re.search(r"campaigns in the span, (\d+) flagged", said).group(1))
    process = ServerProcess({**env, "PYTHONPATH": str(REPO)}, folder / "serve.log", cwd=folder).start()
    yield {"base": process.base, "password": password, "flagged_campaigns": flagged_campaigns}
    process.stop()


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"demo-{name}.png"), full_page=True)


def test_walk_the_demo(watched, demo):
    page, _ = watched
    base = demo["base"]
    page.goto(base + "/")
    page.locator("input[name=username]").type("demo")
    page.locator("input[name=password]").type(demo["password"])
    page.keyboard.press("Enter")
    page.wait_for_url(base + "/")

    # the queue: the flagged campaigns the demo printed, best first, each naming its target
    expect(page.locator("h1")).to_have_text("Campaign queue")
    progress = page.locator(".progress-text")
    total = demo["flagged_campaigns"]
    assert total >= 1
    expect(progress).to_have_text(f"0 of {total} reviewed")
    rows = page.locator("tr.campaign-row")
    expect(rows.first).to_have_class(re.compile(r"\bselected\b"))
    assert rows.count() >= total  # the flagged ones, and any unflagged ones mixed in for a check
    first = rows.first
    campaign_id = first.get_attribute("data-id")
    assert first.locator("td").nth(3).inner_text().strip()  # targets
    shot(page, "queue")

    # one key decides the whole campaign; its page shows the decision on each of its clusters
    page.keyboard.press("a")
    expect(progress).to_have_text(f"1 of {total} reviewed")
    page.goto(f"{base}/campaigns/{campaign_id}")
    expect(page.locator("#current-answer")).to_have_text("coordinated smear")
    parts = page.locator("#campaign-clusters tr.part-row")
    n_parts = parts.count()
    assert n_parts >= 1
    for i in range(n_parts):
        expect(parts.nth(i).locator("td.answer")).to_have_text("coordinated smear")
    expect(page.locator("#narratives")).to_be_visible()
    shot(page, "campaign")

    # a cluster of it: the network names its accounts, and goes to Gephi with one node per account
    parts.nth(0).locator("a").first.click()
    page.wait_for_url(re.compile(r".*/clusters/\d+$"))
    labels = page.locator("#network svg text").all_text_contents()
    accounts = page.locator("section.accounts tbody tr")
    assert accounts.count() >= 3 and len([t for t in labels if t.strip()]) >= 3
    shot(page, "cluster")
    with page.expect_download() as download:
        page.locator("#network-gexf").click()
    graph = nx.read_gexf(download.value.path())
    assert graph.number_of_nodes() == accounts.count()

    # its report opens offline, from the file, with no request leaving it
    with page.expect_download() as download:
        page.locator("#export-html").click()
    report = Path(download.value.path()).read_text()
    assert open_offline(page, report, ARTIFACTS / "demo-report.html") == []

    # an account of it: its page lists the campaign
    page.locator("section.accounts tbody tr a").first.click()
    page.wait_for_url("**/accounts/**")
    expect(page.locator(".account-campaigns")).to_contain_text(f"Campaign {campaign_id}")
    shot(page, "account")

    # Search: empty is no filter; the campaign's target finds its clusters
    target = page.locator(".account-campaigns a").first.inner_text()
    page.goto(base + "/search")
    form = page.locator("#search-form")
    form.locator("button[type=submit]").click()
    expect(page.locator("#results")).to_contain_text("empty fields are ignored")
    expect(page.locator("#results .error")).to_have_count(0)
    name = re.search(r"against (.+?), \d+ cluster", target)
    assert name, target
    form.locator("input[name=target]").fill(name.group(1))
    form.locator("button[type=submit]").click()
    found = page.locator("#results .search-clusters h2")
    expect(found).to_have_text(re.compile(r"Clusters \(\d+\)"))
    assert int(re.search(r"\d+", found.inner_text()).group()) >= n_parts
    shot(page, "search")

    # Clusters: every field empty lists them all; a minimum score narrows them
    page.goto(base + "/clusters")
    filters = page.locator("#cluster-filters")
    filters.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/clusters\?.*min_score=&.*"))
    expect(page.locator("p.error")).to_have_count(0)
    everything = page.locator("tr.cluster-row").count()
    filters.locator("input[name=min_score]").fill("0.9")
    filters.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r".*min_score=0.9.*"))
    narrowed = page.locator("tr.cluster-row").count()
    assert 0 < narrowed < everything
    shot(page, "clusters")
