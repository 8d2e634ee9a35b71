"""Conditions on posts that the search and the cluster filters share: text and author, matched as typed."""

from sqlalchemy import or_

from smearwatch.models import Post


def like(value: str) -> str:
    return "%" + value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def post_text_matches(text: str):
    """The post's text holds `text` (case-insensitive, wildcards taken literally)."""
    return Post.text.ilike(like(text), escape="\\")


def post_author_matches(account: str):
    """The post's author has this id, or a name holding `account`."""
    return or_(Post.author_id == account, Post.author_name.ilike(like(account), escape="\\"))
