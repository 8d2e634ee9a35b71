"""In Chromium: upload a dump with bad records and a CSV of no known format, map its columns, open the run page
with the rejected records. Screenshots for looking go to /work/notes/shots/uploads/ when that folder exists."""

from datetime import UTC, datetime
from pathlib import Path

import pytest
from api_world import build_world
from playwright.sync_api import expect
from sqlmodel import Session

from devsupport.services import REPO, ServerProcess
from smearwatch.db import make_engine
from smearwatch.models import IngestRun
from smearwatch.users import create_user

pytestmark = pytest.mark.integration

SHOTS = Path(__file__).parent / "artifacts" / "uploads"  # full-page screenshots to look at (not committed)
GOOD = '{"id": "b%d", "author_id": "a%d", "text": "browser upload", "created_at": "2020-04-30T10:00:00Z"}\n'
DUMP = "".join(GOOD % (i, i) for i in range(1, 6)) + "not json\n" + '{"id": "b9"}\n' + GOOD % (7, 7)
ODD_CSV = ("post;user;body;when\n"
           "c1;u1;mapped in the browser;2020-04-30T10:00:00Z\n"
           "c2;u2;mapped again;2020-04-30T10:01:00Z\n")


@pytest.fixture(scope="module")
def server(tmp_path_factory, migrated_sqlite):
    folder = tmp_path_factory.mktemp("browser-uploads")
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


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / name), full_page=True)


def test_upload_map_columns_and_read_the_rejected_records(watched, server):
    page, _ = watched
    page.goto(server["base"] + "/")
    page.locator("input[name=username]").type("rita")
    page.locator("input[name=password]").type(server["reviewer"].password)
    page.keyboard.press("Enter")
    page.wait_for_url(server["base"] + "/")
    page.goto(server["base"] + "/uploads")
    status = page.locator("#upload-status")

    page.locator("#upload-file").set_input_files({"name": "mine.jsonl", "mimeType": "application/json",
                                                  "buffer": DUMP.encode()})
    page.get_by_role("button", name="Upload", exact=True).click()
    expect(status).to_contain_text("Uploaded; ingest run")
    run_link = status.locator("a")
    run_href = run_link.get_attribute("href")

    page.locator("#upload-file").set_input_files({"name": "odd.csv", "mimeType": "text/csv",
                                                  "buffer": ODD_CSV.encode()})
    page.get_by_role("button", name="Upload", exact=True).click()
    mapping = page.locator("#upload-mapping")
    expect(mapping).to_be_visible()
    expect(status).to_contain_text("odd.csv: no supported format recognises this file")
    expect(page.locator("#map-id option")).to_have_text(["(not in this file)", "post", "user", "body", "when"])
    for field, column in [("id", "post"), ("author_id", "user"), ("text", "body"), ("created_at", "when")]:
        page.locator(f"#map-{field}").select_option(column)
    shot(page, "upload-mapping.png")
    page.get_by_role("button", name="Upload with this mapping").click()
    expect(status).to_contain_text("Uploaded; ingest run")
    expect(mapping).to_be_hidden()
    expect(page.locator("table.runs")).to_contain_text("odd.csv")

    # the runs table links to each run; the first one has the rejected records
    page.goto(server["base"] + run_href)
    for _ in range(100):
        if "records could not be read" in page.locator("#rejected + p").inner_text():
            break
        page.wait_for_timeout(300)
        page.reload()
    expect(page.locator("h1")).to_have_text(f"Ingest run {run_href.rsplit('/', 1)[1]}: mine.jsonl")
    expect(page.locator("ol.rejected li")).to_have_count(2)
    expect(page.locator("ol.rejected li").first).to_contain_text("mine.jsonl:6: ")
    expect(page.locator("ol.rejected li").nth(1)).to_contain_text("mine.jsonl:7: ")
    expect(page.locator("table.counts")).to_contain_text("6")
    shot(page, "run-rejected.png")

    page.goto(server["base"] + "/uploads")
    page.locator(f'table.runs a[href="{run_href}#rejected"]').click()
    expect(page.locator("ol.rejected li")).to_have_count(2)

    # a file picked as CSV gets the column form too, with same-named columns chosen
    page.goto(server["base"] + "/uploads")
    page.locator("#upload-format").select_option("csv")
    page.locator("#upload-file").set_input_files({"name": "named.csv", "mimeType": "text/csv",
                                                  "buffer": b"id,author_id,text,created_at\n"})
    page.get_by_role("button", name="Upload", exact=True).click()
    expect(page.locator("#upload-mapping")).to_be_visible()
    expect(page.locator("#map-author_id")).to_have_value("author_id")
    expect(page.locator("#map-lang")).to_have_value("")


def test_a_failed_run_is_red_and_stops_where_it_failed(watched, server):
    with server["engine"].begin() as connection:
        run_id = connection.execute(IngestRun.__table__.insert().values(
            status="failed", sources=["/srv/var/uploads/0123456789abcdef-broken.jsonl.gz"], bytes_total=1000,
            bytes_done=420, read=120, stored=118, rejected=2, started_at=datetime(2020, 5, 1, tzinfo=UTC),
            error="/srv/var/uploads/0123456789abcdef-broken.jsonl.gz: cannot decompress after 120 records",
        ).returning(IngestRun.__table__.c.id)).scalar_one()
    page, _ = watched
    page.goto(server["base"] + "/")
    page.locator("input[name=username]").type("rita")
    page.locator("input[name=password]").type(server["reviewer"].password)
    page.keyboard.press("Enter")
    page.wait_for_url(server["base"] + "/")
    page.goto(f"{server['base']}/runs/{run_id}")
    bar = page.locator("progress.run-progress")
    expect(bar).to_have_class("run-progress failed")
    expect(bar).to_have_attribute("value", "0.42")
    expect(page.locator("p.error")).to_have_text("broken.jsonl.gz: cannot decompress after 120 records")
    shot(page, "run-failed.png")
