"""The review app in a real browser (Debian's chromium through pytest-playwright; never `playwright install`;
the browser settings and the `watched` page are in conftest.py).

One server on a temporary SQLite database with fixture clusters, started with `smearwatch serve`.
"""

from pathlib import Path

import networkx as nx
import pytest
from api_world import build_world
from playwright.sync_api import expect
from sqlmodel import Session, select

from devsupport.browser import open_offline
from devsupport.services import REPO, ServerProcess
from smearwatch.db import make_engine
from smearwatch.models import Decision
from smearwatch.users import create_user

pytestmark = pytest.mark.integration

ARTIFACTS = Path(__file__).parent / "artifacts"


@pytest.fixture(scope="module")
def server(tmp_path_factory, migrated_sqlite):
    folder = tmp_path_factory.mktemp("browser")
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


def login(page, server):
    page.goto(server["base"] + "/")
    assert "/login" in page.url
    page.locator("input[name=username]").type("rita")
    page.locator("input[name=password]").type(server["reviewer"].password)
    page.keyboard.press("Enter")
    page.wait_for_url(server["base"] + "/")


def test_review_with_the_keyboard(watched, server):

    page, _ = watched
    login(page, server)
    page.goto(server["base"] + "/queue/clusters")  # cluster by cluster (the home page is the campaign queue)
    progress = page.locator(".progress-text")
    expect(progress).to_have_text("0 of 7 reviewed")
    expect(page.locator("tr.cluster-row.selected")).to_have_count(1)
    for key in ["a", "x", " ", "2", "4"]:
        page.keyboard.press(key)
    expect(progress).to_have_text("5 of 7 reviewed")
    page.keyboard.press("Backspace")  # withdraws the fifth decision
    expect(progress).to_have_text("4 of 7 reviewed")
    page.reload()
    expect(progress).to_have_text("4 of 7 reviewed")
    answers = page.locator("tr.cluster-row td.answer")
    expected = ["coordinated smear", "organic", "unsure", "coordinated, not smear", ""]
    for index, label in enumerate(expected):
        expect(answers.nth(index)).to_have_text(label)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "queue.png"), full_page=True)
    with Session(server["engine"]) as session:
        rows = session.exec(select(Decision).order_by(Decision.id)).all()
    assert [d.answer for d in rows] == ["smear", "organic", "unsure", "coordinated", "unsure", "undo"]
    assert rows[-1].undoes == rows[-2].id

    # the help overlay, then open the selected cluster with the keyboard
    page.keyboard.press("?")
    expect(page.locator("#help")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("#help")).to_be_hidden()
    page.keyboard.press("k")
    page.keyboard.press("Enter")
    page.wait_for_url("**/clusters/*")
    expect(page.locator("svg.chart-timeline rect.bar-cluster").first).to_be_visible()
    assert page.locator("svg.chart-timeline rect.bar-background").count() > 0
    assert page.locator("svg.chart-network circle.net-node").count() >= 4
    assert page.locator("svg.chart-network path.net-edge").count() >= 3
    # every account of the fixture cluster is named beside its circle, in the page's own font, not hidden
    labels = page.locator("svg.chart-network text.net-label")
    assert labels.count() == page.locator("svg.chart-network circle.net-node").count()
    expect(labels.first).to_be_visible()
    assert labels.first.bounding_box()["width"] > 20
    assert all(labels.nth(i).text_content().startswith("patriot_") for i in range(labels.count()))
    assert page.locator("svg.chart-network line.net-legend").count() >= 3  # one line sample per signal drawn
    assert page.locator("svg.chart-histogram rect.bar-created").count() >= 2
    box = page.locator("#network svg").bounding_box()
    assert box["width"] > 300 and box["height"] > 200
    expect(page.locator("li.signal").first).to_contain_text("pairs of posts")
    page.locator(".posts details.dup-group summary").first.click()  # near-identical posts are collapsed
    expect(page.locator(".posts mark").first).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "cluster.png"), full_page=True)

    # decide on the cluster page with a note, typed after pressing n
    cluster_url = page.url
    page.keyboard.press("n")
    page.keyboard.type("same text, same hour")
    page.keyboard.press("Escape")
    page.keyboard.press("1")
    page.wait_for_url(lambda url: url != cluster_url)
    page.goto(cluster_url)
    expect(page.locator("#history")).to_contain_text("same text, same hour")
    expect(page.locator("#history")).to_contain_text("rita")

    # export the report: a self-contained file with the charts
    with page.expect_download() as download_info:
        page.locator("#export-html").click()
    report = Path(download_info.value.path()).read_text()
    assert "<svg" in report and "net-node" in report and 'src="http' not in report and "<script" not in report
    # it opens offline, as a researcher would read it from disk: no request leaves the file
    assert open_offline(page, report, ARTIFACTS / "report.html") == []

    # take the network to Gephi: the GEXF link next to the chart, one node per account of the cluster
    with page.expect_download() as download_info:
        page.locator("#network-gexf").click()
    assert download_info.value.suggested_filename.endswith("-network.gexf")
    graph = nx.read_gexf(download_info.value.path())
    assert graph.number_of_nodes() == page.locator("section.accounts tbody tr").count() >= 4
