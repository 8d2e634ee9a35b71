"""Issue 13, the web side: hostile parameters answer 422 (never a 500), every error answer carries the security
headers, sessions end on the server, refused uploads leave nothing behind and name no server path, undo is one's
own, and CSV exports are safe to open in a spreadsheet. On SQLite and PostgreSQL (`world` runs on both)."""

import csv
import io
import re
import time
import zipfile
from datetime import UTC, datetime, timedelta

import api_client
import pytest
from api_client import Client, bearer
from fastapi import params
from fastapi.routing import APIRoute
from sqlalchemy import event
from sqlmodel import Session, select

import api.routes.pages.search
import api.routes.search
from api.main import SECURITY_HEADERS, create_app
from api.render.exports import spreadsheet_safe
from api.routes import ROUTERS
from smearwatch.models import Account, Cluster, ClusterMember, Decision, LoginSession, Post, User
from smearwatch.settings import Settings
from smearwatch.users import disable_user

client, world = api_client.client, api_client.world  # fixtures

PREFIXES = ["=", "+", "-", "@", "\t", "\r"]


def assert_secure(response):
    for name, value in SECURITY_HEADERS.items():
        assert response.headers.get(name) == value, (response.request.url, response.status_code, name)


def _fields(dependant):
    """(kind, field) of every query parameter and form field a route reads, its dependencies' included."""
    for field in dependant.query_params:
        yield "query", field
    for field in dependant.body_params:
        if isinstance(field.field_info, params.Form):
            yield "form", field
    for sub in dependant.dependencies:
        yield from _fields(sub)


def _routes():
    for router in ROUTERS:
        for route in router.routes:
            if isinstance(route, APIRoute):
                yield route


# --- item 8: NUL bytes and malformed parameters ---------------------------------------------------------


def test_nul_in_any_parameter_or_form_field_is_422(client, world):
    """Every query parameter and form field of every route, API and pages: a NUL is a 422 with the headers."""
    admin = world["admin"]
    cid = world["clusters"][0]
    decision = client.post(f"/api/v1/clusters/{cid}/decisions", headers=bearer(admin), json={"answer": "smear"})
    ids = {"cluster_id": cid, "decision_id": decision.json()["id"], "model_id": 1, "run_id": 1, "job_id": 1, "campaign_id": 1}
    assert client.login("adam", admin.password).status_code == 303
    csrf = client.csrf()
    checked = set()
    for route in _routes():
        fields = list(_fields(route.dependant))
        if not fields:
            continue
        path = re.sub(r"\{(\w+)\}", lambda m: str(ids[m.group(1)]), route.path)
        headers = bearer(admin) if path.startswith("/api/") else {}
        form = {f.alias: "x" for kind, f in fields if kind == "form"}
        if "csrf_token" in form:
            form["csrf_token"] = csrf
        for method in route.methods:
            for kind, field in fields:
                if kind == "query":
                    response = client.request(method, path, headers=headers, params={field.alias: "a\x00b"},
                                              data=form or None, follow_redirects=False)
                else:
                    response = client.request(method, path, data={**form, field.alias: "a\x00b"},
                                              follow_redirects=False)
                assert response.status_code == 422, (method, path, kind, field.alias, response.status_code)
                assert_secure(response)
                checked.add((method, path, field.alias))
    assert len(checked) > 70
    assert ("GET", "/api/v1/posts", "q") in checked and ("GET", "/search", "q") in checked
    assert ("POST", "/login", "username") in checked and ("POST", f"/clusters/{cid}/decide", "note") in checked
    assert client.get("/").status_code == 200  # nothing above logged out or broke the session


def test_nul_in_json_bodies_is_422(client, world):
    admin = world["admin"]
    cid = world["clusters"][0]
    for path, body in [(f"/api/v1/clusters/{cid}/decisions", {"answer": "smear", "note": "\x00"}),
                       ("/api/v1/models/1/activate", {"reason": "why\x00"}),
                       ("/api/v1/models/rollback", {"reason": "\x00"}),
                       ("/api/v1/users", {"username": "eve\x00"})]:
        response = client.post(path, headers=bearer(admin), json=body)
        assert response.status_code == 422, (path, response.text)
        assert_secure(response)
    with Session(world["app"].state.engine) as session:
        assert session.exec(select(Decision)).all() == []


def test_search_still_finds_text_around_the_checks(client, world):
    """Control characters other than NUL, non-ASCII and LIKE wildcards stay ordinary text."""
    for q in ["western", "a\tb", "é€", "100%_", "\\"]:
        response = client.get("/api/v1/posts", headers=bearer(world["reviewer"]), params={"q": q})
        assert response.status_code == 200, (q, response.text)
    assert client.get("/api/v1/posts", headers=bearer(world["reviewer"]), params={"q": "western"}).json()["count"]


def test_a_page_names_a_nul_in_words(client, world):
    assert client.login("adam", world["admin"].password).status_code == 303
    page = client.get("/search", params={"q": "a\x00b"})
    assert page.status_code == 422 and "q: must not contain a NUL character" in page.text


BAD_DATES = ["0.5", "1588000000", "1e9", "-1", "yesterday", "2020-13-01", "2020-04-28T25:00:00Z", "28/04/2020",
             "0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00", ""]


def test_dates_are_iso_8601_only(client, world):
    headers = bearer(world["reviewer"])
    client.login("rita", world["reviewer"].password)
    for path in ["/api/v1/posts", "/api/v1/clusters", "/api/v1/export", "/search", "/clusters"]:
        for name in ["since", "until"]:
            for bad in BAD_DATES:
                if bad == "" and not path.startswith("/api/"):
                    continue  # an empty field of the pages' forms means "no date"
                response = client.get(path, headers=headers, params={name: bad})
                assert response.status_code == 422, (path, name, bad, response.status_code)
                assert_secure(response)
    page = client.get("/search", params={"until": "0.5"})
    assert "ISO 8601" in page.text and "<h1>422</h1>" in page.text  # the error page, not JSON
    # the pages' GET forms send their empty fields: empty is "not given"
    assert "western donors" in client.get("/search", params={"q": "western", "since": "", "until": ""}).text
    assert client.get("/clusters", params={"min_score": "", "since": "", "kind": ""}).status_code == 200
    assert client.get("/search", params={"q": "western", "since": "2020-04-28T06:00"}).status_code == 200
    count = {}
    for value in ["2020-04-29", "2020-04-29T00:00:00Z", "2020-04-29T06:00:00+06:00", "2020-04-29 00:00:00",
                  "2020-04-29T00:00:00"]:
        response = client.get("/api/v1/posts", headers=headers, params={"until": value})
        assert response.status_code == 200, (value, response.text)
        count[value] = response.json()["count"]
    assert len(set(count.values())) == 1 and 0 < count["2020-04-29"] < 296, count  # the same instant, in UTC
    assert client.get("/search", params={"since": "2020-04-28T06:00:00Z"}).status_code == 200


# --- item 8: every error answer carries the security headers ----------------------------------------------


def test_every_error_answer_has_the_security_headers(client, world, monkeypatch):
    headers = bearer(world["reviewer"])
    _upload_limit(world, 10)
    answers = {
        401: client.get("/api/v1/clusters"),
        403: client.get("/api/v1/users", headers=headers),
        404: client.get("/api/v1/clusters/999999", headers=headers),
        405: client.delete("/api/v1/clusters", headers=headers),
        409: client.post("/api/v1/users", headers=bearer(world["admin"]), json={"username": "rita"}),
        413: client.post("/api/v1/uploads", headers=headers, content=b"x" * 100),
        422: client.get("/api/v1/clusters", headers=headers, params={"limit": "many"}),
    }
    for code, response in answers.items():
        assert response.status_code == code, (code, response.status_code)
        assert_secure(response)
    assert_secure(client.get("/no-such-page"))

    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(api.routes.search, "search_posts", broken)
    monkeypatch.setattr(api.routes.pages.search, "search_posts", broken)
    client.login("rita", world["reviewer"].password)
    with Client(world["app"], raise_server_exceptions=False, cookies=client.cookies) as raw:
        api_answer = raw.get("/api/v1/posts", headers=headers)
        assert api_answer.headers["cache-control"] == "no-store"
        for response in [api_answer, raw.get("/search", params={"q": "x"})]:
            assert response.status_code == 500
            assert_secure(response)
            assert "database went away" not in response.text and "Traceback" not in response.text


def _upload_limit(world, size: int) -> None:
    world["app"].state.settings = world["app"].state.settings.model_copy(update={"upload_max_bytes": size})


# --- item 8: sessions ------------------------------------------------------------------------------------


def _settings(environment: str) -> Settings:
    return Settings(_env_file=None, environment=environment, secret_key="a-real-secret-for-tests-0123456789")


@pytest.mark.parametrize("environment", ["development", "test", "production"])
def test_session_cookie_is_secure_outside_development(engine, environment, tmp_path):
    app = create_app(engine, settings=_settings(environment), upload_dir=tmp_path)
    with Client(app, base_url="https://testserver") as browser:
        cookie = browser.get("/login").headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=strict" in cookie
        assert ("; secure" in cookie) == (environment != "development"), cookie


def test_login_works_over_https_with_secure_cookies(world, tmp_path):
    app = create_app(world["app"].state.engine, settings=_settings("production"), upload_dir=tmp_path)
    with Client(app, base_url="https://testserver") as browser:
        assert browser.login("rita", world["reviewer"].password).status_code == 303
        assert browser.get("/api/v1/me").json()["username"] == "rita"


def test_logout_ends_the_session_on_the_server(client, world):
    app, engine = world["app"], world["app"].state.engine
    assert client.login("rita", world["reviewer"].password).status_code == 303
    copied = client.cookies.get("smearwatch_session")
    with Client(app) as laptop:  # a second login of the same user, elsewhere
        assert laptop.login("rita", world["reviewer"].password).status_code == 303
        client.post("/logout", data={"csrf_token": client.csrf()})
        assert client.get("/", follow_redirects=False).status_code == 303
        with Client(app) as thief:  # the cookie as it was before logging out
            thief.cookies.set("smearwatch_session", copied)
            assert thief.get("/", follow_redirects=False).status_code == 303
            assert thief.get("/api/v1/me").status_code == 401
            assert thief.post("/api/v1/clusters/1/decisions", json={"answer": "smear"}).status_code == 401
        assert laptop.get("/").status_code == 200  # the other login goes on
    with Session(engine) as session:
        rows = session.exec(select(LoginSession).order_by(LoginSession.created_at)).all()
        assert len(rows) == 2 and rows[0].ended_at is not None and rows[1].ended_at is None
        assert all(len(row.id) == 64 and row.id != copied for row in rows)  # only a hash is stored


def test_a_disabled_users_sessions_stop_working(client, world):
    engine = world["app"].state.engine
    assert client.login("rita", world["reviewer"].password).status_code == 303
    assert client.get("/").status_code == 200
    with Session(engine) as session:  # as `smearwatch users disable` does it
        user = session.exec(select(User).where(User.username == "rita")).one()
        user.active = False
        session.add(user)
        session.commit()
    assert client.get("/", follow_redirects=False).status_code == 303
    assert client.get("/api/v1/me").status_code == 401
    assert client.get("/api/v1/me", headers=bearer(world["reviewer"])).status_code == 401
    with Session(engine) as session:  # enabled again: the login of before is still there (no ended_at) ...
        user = session.exec(select(User).where(User.username == "rita")).one()
        user.active = True
        session.add(user)
        session.commit()
        assert client.get("/").status_code == 200
        disable_user(session, user=user)  # ... unless disable_user ended it
        user.active = True
        session.add(user)
        session.commit()
    assert client.get("/", follow_redirects=False).status_code == 303


def test_the_session_check_is_one_query(client, world):
    """Who is asking costs one query, by primary key, as it did before sessions were kept on the server."""
    engine = world["app"].state.engine
    client.login("rita", world["reviewer"].password)
    statements = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        assert client.get("/api/v1/me").json()["username"] == "rita"
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert len(statements) == 1, statements
    assert "loginsession" in statements[0].lower() and "loginsession.id =" in statements[0].lower()


# --- item 8: uploads -------------------------------------------------------------------------------------


def _leftovers(world) -> list[str]:
    folder = world["app"].state.upload_dir
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_refused_uploads_leave_nothing_and_name_no_server_path(client, world):
    headers = bearer(world["reviewer"])
    folder = str(world["app"].state.upload_dir.resolve())
    _upload_limit(world, 1000)
    cases = [
        ("too large, declared", {"content": b"x" * 1001}, 413),
        ("too large, streamed", {"content": iter([b"x" * 600, b"y" * 600])}, 413),
        ("empty", {"content": b""}, 400),
        ("unknown format", {"content": b"\x80\x04\x95\x00", "params": {"filename": "../../etc/model.pkl"}}, 400),
        ("not gzip", {"content": b"not gzip at all", "params": {"filename": "dump.jsonl.gz"}}, 400),
        ("not zstd", {"content": b"garbage", "params": {"filename": "dump.zst"}}, 400),
        ("binary", {"content": bytes(range(256)), "params": {"filename": "dump.jsonl"}}, 400),
    ]
    for label, request, code in cases:
        response = client.post("/api/v1/uploads", headers=headers, **request)
        assert response.status_code == code, (label, response.text)
        detail = response.json()["detail"]
        assert folder not in detail and "/" not in detail.split(":")[0], (label, detail)
        assert _leftovers(world) == [], (label, _leftovers(world))
    detail = client.post("/api/v1/uploads", headers=headers, content=b"\x80\x04",
                         params={"filename": "../../etc/model.pkl"}).json()["detail"]
    assert detail.startswith("model.pkl: unknown format"), detail


def test_runs_show_file_names_not_server_paths(client, world):
    headers = bearer(world["reviewer"])
    dump = b'{"id": "u1", "author_id": "a1", "text": "x", "created_at": "2020-04-30T10:00:00Z"}\nnot json\n'
    response = client.post("/api/v1/uploads", headers=headers, params={"filename": "mine.jsonl"}, content=dump)
    assert response.status_code == 202
    run_id = response.json()["run_id"]
    for _ in range(600):
        run = client.get(f"/api/v1/runs/{run_id}", headers=headers).json()
        if run["status"] in ("done", "failed") and run["rejections"]:
            break
        time.sleep(0.05)
    folder = str(world["app"].state.upload_dir.resolve())
    assert folder not in str(run) and run["sources"] == [response.json()["upload"]]
    assert run["rejections"][0]["source"] == response.json()["upload"]
    client.login("rita", world["reviewer"].password)
    assert folder not in client.get("/uploads").text and folder not in client.get("/partials/runs").text


# --- item 8: undo is one's own -----------------------------------------------------------------------------


def test_undo_is_limited_to_ones_own_decisions_unless_admin(client, world):
    cid = world["clusters"][2]
    rita, adam = bearer(world["reviewer"]), bearer(world["admin"])
    engine = world["app"].state.engine
    with Session(engine) as session:
        session.add(User(username="bob", password_hash="x", role="reviewer"))
        session.commit()
    mine = client.post(f"/api/v1/clusters/{cid}/decisions", headers=rita, json={"answer": "smear"}).json()
    admins = client.post(f"/api/v1/clusters/{cid}/decisions", headers=adam, json={"answer": "organic"}).json()
    refused = client.post(f"/api/v1/decisions/{admins['id']}/undo", headers=rita)
    assert refused.status_code == 403 and "admins" in refused.json()["detail"]
    assert_secure(refused)
    client.login("rita", world["reviewer"].password)  # the review page calls the API with its session cookie
    csrf = {"X-CSRF-Token": client.csrf()}
    assert client.post(f"/api/v1/decisions/{admins['id']}/undo", headers=csrf).status_code == 403
    with Session(engine) as session:
        assert session.exec(select(Decision).where(Decision.answer == "undo")).all() == []
    assert client.post(f"/api/v1/decisions/{mine['id']}/undo", headers=csrf).status_code == 201
    assert client.post(f"/api/v1/decisions/{admins['id']}/undo", headers=adam).status_code == 201  # admins may
    assert client.post("/api/v1/decisions/999999/undo", headers=rita).status_code == 404
    history = client.get(f"/api/v1/clusters/{cid}/decisions", headers=rita).json()["data"]
    assert [(d["user"], d["answer"]) for d in history] == [("rita", "smear"), ("adam", "organic"), ("rita", "undo"),
                                                            ("adam", "undo")]


# --- item 6: CSV exports escape spreadsheet formulas ------------------------------------------------------


def _hostile_cluster(engine) -> int:
    """A cluster whose post texts, authors, account names, key and kind begin with every formula prefix."""
    start = datetime(2020, 5, 1, 9, 0, tzinfo=UTC)
    with Session(engine) as session:
        posts = []
        for i, prefix in enumerate(PREFIXES):
            author = f"{prefix}author{i}"
            session.add(Account(platform="twitter", account_id=author, name=f"{prefix}HYPERLINK(\"http://x\")"))
            post = Post(platform="twitter", post_id=f"{prefix}p{i}", author_id=author,
                        author_name=f"{prefix}cmd|' /C calc'!A0", text=f"{prefix}SUM(1+1)*cmd|' /C calc'!A0",
                        created_at=start + timedelta(minutes=i), urls=[f"{prefix}http://x"],
                        hashtags=[f"{prefix}tag"])
            session.add(post)
            posts.append(post)
        session.flush()
        cluster = Cluster(key="=cluster", score=0.9, flagged=True, kind="-kind", n_posts=len(posts),
                          n_accounts=len(posts), start=posts[0].created_at, end=posts[-1].created_at,
                          targets=[{"name": "@target", "aliases": [], "type": "account"}], signals={})
        session.add(cluster)
        session.flush()
        for post in posts:
            session.add(ClusterMember(cluster_id=cluster.id, post_id=post.id))
        session.commit()
        return cluster.id


def _cells(archive: zipfile.ZipFile, name: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(archive.read(name).decode(), newline="")))


def test_csv_exports_escape_formula_prefixes(client, world):
    cid = _hostile_cluster(world["app"].state.engine)
    headers = bearer(world["reviewer"])
    client.post(f"/api/v1/clusters/{cid}/decisions", headers=headers, json={"answer": "smear", "note": "+note"})
    for response in [client.get(f"/api/v1/clusters/{cid}/export", headers=headers),
                     client.get("/api/v1/export", headers=headers, params={"kind": "-kind"})]:
        assert response.status_code == 200
        archive = zipfile.ZipFile(io.BytesIO(response.content))
        posts = _cells(archive, "posts.csv")
        assert len(posts) == len(PREFIXES)
        for row in posts:
            for column in ("post_id", "author_id", "author_name", "text"):
                assert row[column].startswith("'") and row[column][1] in PREFIXES, (column, row[column])
        assert sorted(row["text"][1] for row in posts) == sorted(PREFIXES)  # tab and CR kept after the quote
        accounts = _cells(archive, "accounts.csv")
        assert sorted(row["name"][:2] for row in accounts) == sorted("'" + p for p in PREFIXES)
        assert all(row["account_id"].startswith("'") for row in accounts)
        (cluster,) = _cells(archive, "clusters.csv")
        assert cluster["key"] == "'=cluster" and cluster["kind"] == "'-kind" and cluster["targets"] == "'@target"  # flat: names, no JSON
        assert _cells(archive, "decisions.csv")[0]["note"] == "'+note"
        for name in archive.namelist():
            if name.endswith(".csv"):
                for row in _cells(archive, name):
                    for value in row.values():
                        assert not value.startswith(tuple(PREFIXES)), (name, value)
        assert b"'=" not in archive.read("clusters.json")  # JSON keeps the data as it is


def test_spreadsheet_safe():
    assert [spreadsheet_safe(p + "x") for p in PREFIXES] == ["'" + p + "x" for p in PREFIXES]
    assert spreadsheet_safe("") == "" and spreadsheet_safe("plain = text") == "plain = text"
    assert spreadsheet_safe("'already") == "'already"
