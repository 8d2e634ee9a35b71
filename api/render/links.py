"""Addresses of the app's own pages, made in one place for the routes and the templates."""

from urllib.parse import quote


def account_url(platform: str, account_id: str) -> str:
    """The account's page; ids are the platform's own, so any character is escaped."""
    return f"/accounts/{quote(platform, safe='')}/{quote(account_id, safe='')}"
