"""The public address of a post, for a plain link a reader opens with a click (the app never fetches it)."""

from __future__ import annotations

# Fields of a raw payload that carry the post's own address (CrowdTangle "URL", RSS "link", exports' "url").
URL_FIELDS = ("url", "URL", "link", "Link", "permalink", "post_url", "tweet_url")


def post_link(platform: str, post_id: str, raw: dict | None = None) -> str | None:
    """The post's address from its raw payload, else one built for platforms whose ids make one; else None."""
    for field in URL_FIELDS:
        value = (raw or {}).get(field)
        if isinstance(value, str) and value.startswith(("https://", "http://")) and len(value) <= 2000:
            return value
    if platform == "twitter" and post_id.isdigit():
        return f"https://twitter.com/i/web/status/{post_id}"
    if platform == "vk" and post_id.lstrip("-").replace("_", "", 1).isdigit() and "_" in post_id:
        return f"https://vk.com/wall{post_id}"
    return None
