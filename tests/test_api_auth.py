"""Every route needs a login or a token (except health); reviewers cannot reach admin routes; CSRF; rate limit."""

import json

import api_client
from api_client import bearer
from fastapi.routing import APIRoute
from sqlmodel import Session, select

from api.routes import ROUTERS
from devsupport.commands import call_cli
from smearwatch.models import ApiToken, User
from smearwatch.users import authenticate, ensure_demo_user

OPEN = {("GET", "/api/v1/health"), ("GET", "/login"), ("POST", "/login"), ("POST", "/logout")}
ADMIN_API = [("GET", "/api/v1/users"), ("POST", "/api/v1/users"), ("GET", "/api/v1/feeds"),
             ("POST", "/api/v1/models/1/activate")]
ADMIN_PAGES = [("GET", "/admin/users"), ("POST", "/admin/users"), ("GET", "/admin/feeds")]

client, world = api_client.client, api_client.world  # fixtures


def _routes(app):

    for route in [*app.routes, *(route for router in ROUTERS for route in router.routes)]:
        if isinstance(route, APIRoute):
            path = route.path.replace("{cluster_id}", "1").replace("{decision_id}", "1") \
                .replace("{run_id}", "1").replace("{model_id}", "1")
            for method in route.methods:
                yield method, path


def test_every_route_needs_credentials(client, world):
    checked = 0
    for method, path in _routes(world["app"]):
        if (method, path) in OPEN:
            continue
        response = client.request(method, path, follow_redirects=False)
        if path.startswith("/api/"):
            assert response.status_code == 401, (method, path, response.status_code)
            assert response.headers.get("www-authenticate") == "Bearer"
        else:
            assert response.status_code == 303, (method, path, response.status_code)
            assert response.headers["location"].startswith("/login?next=")
        checked += 1
    assert checked > 25
    assert client.get("/api/v1/openapi.json").status_code == 401


def test_health_is_open(client):
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_bad_token_is_refused(client):
    assert client.get("/api/v1/clusters", headers={"Authorization": "Bearer sw_nope"}).status_code == 401


def test_reviewer_gets_403_on_admin_routes(client, world):
    for method, path in ADMIN_API:
        response = client.request(method, path, headers=bearer(world["reviewer"]),
                                  json={"username": "eve"} if method == "POST" else None)
        assert response.status_code == 403, (method, path)
    assert client.login("rita", world["reviewer"].password).status_code == 303
    csrf = client.csrf()
    for method, path in ADMIN_PAGES:
        data = {"username": "eve", "csrf_token": csrf} if method == "POST" else None
        assert client.request(method, path, data=data).status_code == 403, (method, path)


def test_admin_manages_users(client, world):
    response = client.post("/api/v1/users", headers=bearer(world["admin"]), json={"username": "eve"})
    assert response.status_code == 201
    created = response.json()
    assert created["role"] == "reviewer" and created["token"].startswith("sw_")
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {created['token']}"}).json()["username"] == "eve"
    assert client.post("/api/v1/users", headers=bearer(world["admin"]), json={"username": "eve"}).status_code == 409
    names = [u["username"] for u in client.get("/api/v1/users", headers=bearer(world["admin"])).json()]
    assert names == ["rita", "adam", "eve"]


def test_login_session_and_logout(client, world):
    response = client.get("/clusters/1", follow_redirects=False)
    assert response.headers["location"] == "/login?next=/clusters/1"
    assert client.login("rita", "wrong").status_code == 401
    assert client.login("rita", world["reviewer"].password).status_code == 303
    assert client.get("/").status_code == 200
    assert client.get("/api/v1/me").json()["role"] == "reviewer"  # the session works for the API too
    client.post("/logout", data={"csrf_token": client.csrf()})
    assert client.get("/", follow_redirects=False).status_code == 303


def test_csrf_required_for_session_writes(client, world):
    client.login("rita", world["reviewer"].password)
    assert client.post("/api/v1/clusters/1/decisions", json={"answer": "smear"}).status_code == 403
    assert client.post("/api/v1/clusters/1/decisions", json={"answer": "smear"},
                       headers={"X-CSRF-Token": "forged"}).status_code == 403
    ok = client.post("/api/v1/clusters/1/decisions", json={"answer": "smear"}, headers={"X-CSRF-Token": client.csrf()})
    assert ok.status_code == 201
    assert client.post("/clusters/1/decide", data={"answer": "organic"}).status_code == 403
    page = client.get("/login")  # a login form without its token is refused
    assert page.status_code == 303 or "csrf_token" in page.text


def test_login_is_rate_limited(client, world):
    for _ in range(5):
        assert client.login("rita", "wrong").status_code == 401
    response = client.login("rita", world["reviewer"].password)
    assert response.status_code == 429
    assert int(response.headers["retry-after"]) > 0


def test_security_headers(client):
    response = client.get("/login")
    csp = response.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["x-frame-options"] == "DENY"
    cookie = client.cookies.get("smearwatch_session")
    assert cookie is not None


def test_users_cli(database_url, engine):
    env = {"SMEARWATCH_DATABASE_URL": database_url}
    result = call_cli("users", "add", "carol", "--role", "admin", "--json", env=env)
    assert result.returncode == 0, result.stderr
    created = json.loads(result.stdout)
    assert set(created) == {"username", "password", "token"} and created["username"] == "carol"
    again = call_cli("users", "add", "carol", env=env)
    assert again.returncode == 1 and again.stderr.strip() == "smearwatch: error: user 'carol' already exists"
    bad = call_cli("users", "add", "x y", env=env)
    assert bad.returncode == 1 and "invalid username" in bad.stderr

    with Session(engine) as session:
        user = session.exec(select(User).where(User.username == "carol")).one()
        assert user.role == "admin" and created["password"] not in user.password_hash
        assert user.password_hash.startswith("$argon2")
        stored = session.exec(select(ApiToken.token_hash)).all()
        assert created["token"] not in stored and len(stored[0]) == 64


def test_demo_user(engine):


    name, first = ensure_demo_user(engine)
    name2, second = ensure_demo_user(engine)
    assert name == name2 == "demo" and first != second
    with Session(engine) as session:
        assert authenticate(session, username="demo", password=first) is None
        assert authenticate(session, username="demo", password=second).role == "reviewer"
