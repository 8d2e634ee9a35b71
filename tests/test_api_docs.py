"""Docs are tests: every keyboard shortcut and `users` action is documented in docs/review.md."""

import hashlib
from pathlib import Path

from api.shortcuts import SHORTCUTS
from devsupport.commands import build_parser

DOC = (Path(__file__).resolve().parents[1] / "docs" / "review.md").read_text()


def test_every_shortcut_is_documented():
    for _key, label, _action, _arg, _text in SHORTCUTS:
        assert f"| `{label}` |" in DOC, label


def test_users_and_serve_are_documented():
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    users = next(a for a in sub.choices["users"]._actions if a.dest == "action")
    for action in users.choices:
        assert f"smearwatch users {action}" in DOC, action
    for option in ("--host", "--port"):
        assert option in DOC


def test_vendored_files_are_listed_with_their_hash():

    vendor = Path(__file__).resolve().parents[1] / "api" / "static" / "vendor"
    listed = dict(line.split()[::-1] for line in (vendor / "SHA256SUMS").read_text().splitlines() if line)
    files = {p.name for p in vendor.iterdir() if p.name != "SHA256SUMS"}
    assert files == set(listed)
    for name, digest in listed.items():
        assert hashlib.sha256((vendor / name).read_bytes()).hexdigest() == digest
        assert any(ch.isdigit() for ch in name), f"{name} carries no version"
