"""Fixtures shared by the API tests: an app on the `engine` fixture's database with fixture clusters and users."""

import re

import pytest
from api_world import build_world
from fastapi.testclient import TestClient
from sqlmodel import Session

from api.main import create_app
from smearwatch.users import create_user


class Client(TestClient):
    def login(self, username: str, password: str):
        page = self.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        return self.post("/login", data={"username": username, "password": password, "csrf_token": token},
                         follow_redirects=False)

    def csrf(self) -> str:
        return re.search(r'name="csrf-token" content="([^"]+)"', self.get("/").text).group(1)


def build_users_world(engine) -> dict:
    data = build_world(engine)
    with Session(engine) as session:
        data["reviewer"] = create_user(session, username="rita", role="reviewer")
        data["admin"] = create_user(session, username="adam", role="admin")
    return data


@pytest.fixture
def world(engine, prepared, tmp_path):
    """build_users_world's store (built once per session, copied here) and an app on it."""
    data = dict(prepared("api world", build_users_world))
    data["app"] = create_app(engine, upload_dir=tmp_path / "uploads")
    return data


@pytest.fixture
def client(world):
    with Client(world["app"]) as c:
        yield c


def bearer(credentials) -> dict:
    return {"Authorization": f"Bearer {credentials.token}"}
