"""Addresses of the app's own pages, made in one place for the routes and the templates."""

from urllib.parse import quote

from smearwatch.models import Post


def account_url(platform: str, account_id: str) -> str:
    """The account's page; ids are the platform's own, so any character is escaped."""
    return f"/accounts/{quote(platform, safe='')}/{quote(account_id, safe='')}"


_URL_KEYS = ("url", "link", "permalink", "URL", "Link", "post_url")


def post_url(post: Post) -> str | None:
    """The post's address on its platform: from its raw payload (feeds, CrowdTangle, normalized JSONL with a `url`),
    or made from a numeric tweet id; None when unknown. Only http(s) addresses: the page links them, and the user's
    click alone opens them."""
    raw = post.raw if isinstance(post.raw, dict) else {}
    for key in _URL_KEYS:
        value = raw.get(key)
        if isinstance(value, str) and value.lower().startswith(("https://", "http://")):
            return value
    if post.platform == "twitter" and post.post_id.isascii() and post.post_id.isdigit():
        return f"https://twitter.com/i/web/status/{post.post_id}"
    return None
