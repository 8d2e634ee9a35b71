"""Search, the Clusters filters, account pages and the paged posts of a cluster, in a real browser (Debian's
chromium through pytest-playwright; the settings and the `watched` page are in conftest.py). Every form is
submitted empty and filled; an empty field is ignored; a bad value is one line in the page, never JSON."""

import re

import pytest
from api_world import build_world
from playwright.sync_api import expect
from sqlmodel import Session, select

from devsupport.services import REPO, ServerProcess
from smearwatch.db import make_engine
from smearwatch.models import Cluster, ClusterMember, Post
from smearwatch.users import create_user

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def server(tmp_path_factory, migrated_sqlite):
    folder = tmp_path_factory.mktemp("browser-search")
    url = migrated_sqlite(folder / "smearwatch.db")
    engine = make_engine(url)
    world = build_world(engine)
    with Session(engine) as session:
        world["reviewer"] = create_user(session, username="rita", role="reviewer")
        # one cluster called a smear, and one post whose address on its platform is known
        first = session.get(Cluster, world["clusters"][0])
        first.label = "smear"
        for other in world["clusters"][1:]:  # the others organic, whatever the fixture world calls them
            session.get(Cluster, other).label = "organic"
        post = session.exec(select(Post).where(Post.post_id == "c0p0")).one()
        post.raw = {"url": "https://example.org/status/c0p0"}
        session.add_all([first, post])
        # a cluster of 60 more posts, all different: two pages of posts
        big = session.get(Cluster, world["clusters"][2])
        for i in range(60):
            extra = Post(platform="twitter", post_id=f"extra{i}", author_id="c2a0", author_name="patriot_2_0",
                         text=f"filler {i} " + "x" * i, created_at=big.end)
            session.add(extra)
            session.flush()
            session.add(ClusterMember(cluster_id=big.id, post_id=extra.id))
        big.n_posts += 60
        session.add(big)
        session.commit()
    process = ServerProcess({"SMEARWATCH_DATABASE_URL": url, "PYTHONPATH": str(REPO)}, folder / "serve.log",
                            cwd=folder).start()
    yield {"base": process.base, "engine": engine, **world}
    process.stop()
    engine.dispose()


def login(page, server):
    page.goto(server["base"] + "/login")
    page.locator("input[name=username]").type("rita")
    page.locator("input[name=password]").type(server["reviewer"].password)
    page.keyboard.press("Enter")
    page.wait_for_url(server["base"] + "/")


def expected_console_error(record):
    """A 422 answer is logged by the browser itself ("Failed to load resource"): the one error a bad value makes."""
    assert all("422" in error for error in record["errors"]), record["errors"]
    record["errors"].clear()


def test_search_form_empty_and_filled(watched, server):
    page, record = watched
    login(page, server)
    page.goto(server["base"] + "/search")
    form = page.locator("#search-form")
    form.locator("button[type=submit]").click()  # all empty: `?q=&account=&...&since=&until=` is no filter
    expect(page.locator("#results")).to_contain_text("empty fields are ignored")
    expect(page.locator("#results .error")).to_have_count(0)

    form.locator("input[name=q]").fill("western donors")
    form.locator("button[type=submit]").click()
    posts = page.locator("#results .search-posts h2")
    expect(posts).to_have_text(re.compile(r"Posts \(\d+\)"))
    n_text = int(re.search(r"\d+", posts.inner_text()).group())
    assert n_text > 0
    expect(page.locator("#results .search-clusters h2")).to_have_text("Clusters (8)")
    assert "since=&" in page.url or "since=" in page.url  # the empty dates were sent, and ignored

    # label, score, target, platform and dates narrow the same text search
    form.locator("select[name=label]").select_option("smear")
    expect(page.locator("#results .search-clusters h2")).to_have_text("Clusters (1)")
    form.locator("select[name=label]").select_option("")
    form.locator("input[name=min_score]").fill("0.9")
    form.locator("input[name=target]").fill("Ashyq Alan Legal Bureau")
    form.locator("button[type=submit]").click()
    expect(page.locator("#results .search-clusters h2")).to_have_text("Clusters (1)")  # 0.95 and 0.90; one attacks Ashyq
    form.locator("input[name=min_score]").fill("")
    form.locator("input[name=target]").fill("")
    form.locator("input[name=platform]").fill("vk")
    form.locator("input[name=since]").fill("2020-04-28T00:00")
    form.locator("input[name=until]").fill("2020-04-28T23:59")
    form.locator("button[type=submit]").click()
    expect(page.locator("#results .search-clusters h2")).to_have_text("Clusters (1)")  # cluster 0: vk, 28 April
    for meta in page.locator("#results .search-posts .post .muted").all_inner_texts():
        assert meta.startswith("vk · 2020-04-28"), meta

    # an account: its hits link to its page and to the clusters it posted in
    page.goto(server["base"] + "/search?account=patriot_1_2")
    expect(page.locator(".search-accounts li")).to_have_count(1)
    page.locator(".search-posts .cluster-link").first.click()
    page.wait_for_url(re.compile(r".*/clusters/\d+$"))
    page.go_back()
    page.locator(".search-accounts a").first.click()
    page.wait_for_url("**/accounts/twitter/c1a2")
    expect(page.locator("h1")).to_contain_text("patriot_1_2")

    # a bad value, typed into the address: one readable line in place of the results, not JSON
    page.goto(server["base"] + "/search")
    page.evaluate("document.querySelector('#search-form input[name=min_score]').type = 'text'")
    form.locator("input[name=min_score]").fill("2")
    form.locator("button[type=submit]").click()
    error = page.locator("#results .error")
    expect(error).to_contain_text("min_score")
    assert "{" not in error.inner_text()
    expected_console_error(record)


def test_clusters_filters_empty_and_filled(watched, server):
    page, record = watched
    login(page, server)
    page.goto(server["base"] + "/clusters")
    form = page.locator("#cluster-filters")
    form.locator("button[type=submit]").click()  # every field empty
    page.wait_for_url(re.compile(r".*/clusters\?.*min_score=&.*"))
    expect(page.locator("table.clusters tbody tr.cluster-row")).to_have_count(8)
    expect(page.locator("p.error")).to_have_count(0)

    form.locator("input[name=min_score]").fill("0.9")
    form.locator("button[type=submit]").click()
    expect(page.locator("tr.cluster-row")).to_have_count(2)
    form.locator("input[name=min_score]").fill("")
    form.locator("select[name=label]").select_option("smear")
    form.locator("button[type=submit]").click()
    expect(page.locator("tr.cluster-row")).to_have_count(1)
    form.locator("select[name=label]").select_option("")
    for field, value, rows in [("target", "Dauren Zhaksylykov", 4), ("platform", "vk", 3), ("q", "western", 8),
                               ("account", "c2a1", 1)]:
        form.locator(f"input[name={field}]").fill(value)
        form.locator("button[type=submit]").click()
        expect(page.locator("tr.cluster-row")).to_have_count(rows)
        expect(form.locator(f"input[name={field}]")).to_have_value(value)  # the form keeps what was asked
        form.locator(f"input[name={field}]").fill("")
    form.locator("input[name=since]").fill("2020-04-29T00:00")
    form.locator("button[type=submit]").click()
    expect(page.locator("tr.cluster-row")).to_have_count(5)  # clusters 3 to 7 are active after 29 April

    page.goto(server["base"] + "/clusters?min_score=2")
    expect(page.locator("p.error")).to_contain_text("min_score")
    assert "{" not in page.locator("main").inner_text()
    expected_console_error(record)


def test_cluster_posts_collapse_and_link(watched, server):
    page, _ = watched
    login(page, server)
    cluster_id = server["clusters"][0]
    page.goto(server["base"] + f"/clusters/{cluster_id}")
    posts = page.locator("#posts")
    expect(posts.locator("h2")).to_contain_text("Posts (12)")
    summary = posts.locator("details.dup-group summary").first
    expect(summary).to_contain_text("near-identical posts")
    hidden = posts.locator("details.dup-group .post").first
    expect(hidden).to_be_hidden()
    summary.click()
    expect(hidden).to_be_visible()
    link = posts.locator("a.post-url").first
    expect(link).to_have_attribute("href", "https://example.org/status/c0p0")
    expect(link).to_have_attribute("rel", "noopener noreferrer nofollow")
    expect(link).to_have_attribute("target", "_blank")  # opened by a click only: never clicked here
    account = page.locator("section.accounts a.account-link").first
    account.click()
    page.wait_for_url("**/accounts/vk/*")
    expect(page.locator("section.account-clusters tbody tr")).to_have_count(1)
    expect(page.locator("section.account-posts article.post")).to_have_count(2)
    page.locator("section.account-clusters a").first.click()
    page.wait_for_url(f"**/clusters/{cluster_id}")


def test_cluster_posts_are_paged(watched, server):
    page, _ = watched
    login(page, server)
    cluster_id = server["clusters"][2]
    page.goto(server["base"] + f"/clusters/{cluster_id}")
    posts = page.locator("#posts")
    expect(posts.locator("h2")).to_contain_text("Posts (76)")
    expect(posts.locator(".posts-pager span")).to_have_text("groups page 1 of 2")
    expect(posts.locator("> .group")).to_have_count(50)
    first = posts.locator("> .group .post").first.get_attribute("data-post")
    posts.locator(".posts-pager a", has_text="next").click()  # by htmx, in place
    expect(page.locator("#posts .posts-pager span")).to_have_text("groups page 2 of 2")
    assert page.url.endswith(f"/clusters/{cluster_id}")
    assert page.locator("#posts > .group").count() > 0
    assert page.locator("#posts > .group .post").first.get_attribute("data-post") != first
    page.goto(server["base"] + f"/clusters/{cluster_id}/posts?page=2")  # without JavaScript: a page of its own
    expect(page.locator("h1")).to_contain_text(f"Cluster {cluster_id}: posts, page 2")
    page.locator(".posts-pager a", has_text="previous").click()
    expect(page.locator("#posts .posts-pager span")).to_have_text("groups page 1 of 2")
