"""The world's state: accounts, posts and campaigns, and the platform rules that turn them into normalized posts
(ids, time zones, how a repost, a quote and a reply look on each platform).

Posts get a provisional key while the world is made; platform ids are given at the end, in time order, so
Telegram message numbers and Twitter snowflakes grow with time as they do on the platforms."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone

import noise

START = datetime(2024, 9, 23, 0, 0, tzinfo=UTC) - timedelta(hours=3)  # Monday 23 September, midnight in Chișinău
DAYS = 49                                                                 # to Sunday 10 November
DST_END = datetime(2024, 10, 27, 1, 0, tzinfo=UTC)                       # clocks go back in Europe
TWITTER_EPOCH_MS = 1288834974657

# Where an account lives decides the offset its post times are written with: (summer, winter) hours.
ZONES = {"md": (3, 2), "ro": (3, 2), "ua": (3, 2), "cet": (2, 1), "uk": (1, 0), "msk": (3, 3)}

# Roughly how big new account ids were in a given year (ids grow with sign-up time on these platforms).
TWITTER_IDS = [(2008, 1e7), (2010, 1e8), (2012, 5e8), (2013, 1.2e9), (2014, 2.5e9), (2016, 4.5e9)]
TELEGRAM_USER_IDS = [(2013.6, 1e5), (2016, 2e8), (2019, 9e8), (2021, 1.8e9), (2022, 5e9), (2024, 6.5e9), (2025, 7.5e9)]
FACEBOOK_IDS = [(2009, 1.00000e14), (2012, 1.00003e14), (2016, 1.00012e14), (2020, 1.0005e14), (2025, 1.0009e14)]
TELEGRAM_CHANNEL_IDS = [(2015, 1.0e9), (2019, 1.3e9), (2021, 1.5e9), (2023, 1.9e9), (2025, 2.4e9)]


def _interpolate(x: float, table: list[tuple[float, float]]) -> float:
    if x <= table[0][0]:
        return table[0][1]
    for (x0, y0), (x1, y1) in zip(table, table[1:], strict=False):
        if x <= x1:
            return y0 + (y1 - y0) * (x - x0) / (x1 - x0)
    return table[-1][1]


HASHTAG = re.compile(r"#(\w+)")
URL = re.compile(r"https?://[^\s)»\"]+")


def offset_hours(zone: str, t: datetime) -> int:
    summer, winter = ZONES[zone]
    return summer if t < DST_END else winter


def iso_local(t: datetime, zone: str) -> str:
    return t.astimezone(timezone(timedelta(hours=offset_hours(zone, t)))).isoformat(timespec="seconds")


def day(n: float, hour: float = 0.0) -> datetime:
    """Day n of the period (0 = 23 September) at a Chișinău wall-clock hour."""
    t = START + timedelta(days=n, hours=hour)
    return t if t < DST_END else t + timedelta(hours=1)


@dataclass
class Account:
    uid: str
    platform: str
    name: str
    created: datetime | None
    followers: int | None
    role: str
    zone: str
    style: noise.Style
    langs: dict[str, float]
    growth: float = 0.0
    born: datetime | None = None       # when the account was really made (Telegram does not show it)
    chats: tuple[str, ...] = ()        # Telegram users: the public chats they write in
    digits: str = ""                   # the numeric part used in Facebook post ids
    campaigns: list[str] = field(default_factory=list)

    def lang(self, rng) -> str:
        r = rng.random()
        acc = 0.0
        for code, weight in self.langs.items():
            acc += weight
            if r < acc:
                return code
        return next(iter(self.langs))

    def followers_at(self, t: datetime) -> int | None:
        if self.followers is None:
            return None
        days = max((t - START).total_seconds() / 86400, 0)
        return int(self.followers * (1 + self.growth * days))


@dataclass
class Post:
    key: int
    account: Account
    t: datetime
    text: str
    lang: str | None
    urls: list[str]
    label: int
    campaign: str
    kind: str
    target: str
    repost_of: Post | None = None
    reply_to: Post | None = None
    chat: str = ""
    translit: bool = False
    id: str = ""


class World:
    def __init__(self, seed: int):
        self.seed = seed
        self.accounts: list[Account] = []
        self.posts: list[Post] = []
        self.campaigns: list[dict] = []
        self._uids: set[str] = set()
        self._rng_ids = self.rng("ids")

    def rng(self, name: str) -> random.Random:
        """An independent, reproducible random stream per part of the world."""
        return random.Random(f"{self.seed}:{name}")

    # ---- accounts -------------------------------------------------------------------------------------------
    def new_uid(self, platform: str, created: datetime, kind: str) -> str:
        rng = self._rng_ids
        while True:
            year = created.year + created.timetuple().tm_yday / 366
            if platform == "twitter":
                ms = int(created.timestamp() * 1000)
                if created.year < 2016:   # sequential ids before snowflakes reached user accounts
                    uid = str(int(_interpolate(year, TWITTER_IDS)) + rng.randrange(10 ** 6))
                else:
                    uid = str(((ms - TWITTER_EPOCH_MS) << 22) | rng.randrange(1 << 22))
            elif platform == "facebook":
                uid = (str(rng.randrange(10 ** 9, 10 ** 13)) if kind == "page"
                       else str(int(_interpolate(year, FACEBOOK_IDS)) + rng.randrange(10 ** 9)))
            elif platform == "telegram":
                table = TELEGRAM_CHANNEL_IDS if kind == "page" else TELEGRAM_USER_IDS
                uid = f"{'channel' if kind == 'page' else 'user'}{int(_interpolate(year, table)) + rng.randrange(10 ** 6)}"
            else:
                uid = kind
            if uid not in self._uids:
                self._uids.add(uid)
                return uid

    def add_account(self, acc: Account) -> Account:
        self.accounts.append(acc)
        return acc

    # ---- posts ----------------------------------------------------------------------------------------------
    def post(self, account: Account, t: datetime, text: str, lang: str | None, *, label: int, campaign: str,
             kind: str, target: str = "", urls: list[str] | None = None, reply_to: Post | None = None,
             repost_of: Post | None = None, chat: str = "", translit: bool = False) -> Post:
        parent = reply_to or repost_of
        if parent is not None and parent.account.platform != account.platform:
            raise ValueError(f"{account.platform} account cannot answer a {parent.account.platform} post")
        if parent is not None and t <= parent.t:
            t = parent.t + timedelta(seconds=1 + len(self.posts) % 7)
        if account.platform == "telegram" and not chat:
            chat = parent.chat if (parent is not None and reply_to is not None) else self._home_chat(account)
        found = [u.rstrip(".,!?") for u in URL.findall(text)]
        urls = list(dict.fromkeys([*(urls or []), *found]))   # links typed in the text are links too
        p = Post(key=len(self.posts), account=account, t=t, text=text, lang=lang, urls=urls, label=label,
                 campaign=campaign, kind=kind, target=target, repost_of=repost_of, reply_to=reply_to, chat=chat,
                 translit=translit)
        self.posts.append(p)
        if campaign not in account.campaigns:
            account.campaigns.append(campaign)
        return p

    def _home_chat(self, account: Account) -> str:
        if account.chats:
            return account.chats[(len(self.posts) * 7919) % len(account.chats)]
        return account.uid

    def repost(self, account: Account, original: Post, t: datetime, *, label: int, campaign: str, kind: str,
               target: str = "", comment: str | None = None, comment_lang: str | None = None,
               comment_urls: list[str] | None = None) -> Post:
        """A share of `original` by `account` (same platform). With a comment it is a quote post."""
        if comment is not None:
            return self.post(account, t, comment, comment_lang, label=label, campaign=campaign, kind=kind,
                             target=target, urls=comment_urls, repost_of=original)
        if account.platform == "facebook":
            text, urls, lang = "", [], None          # a plain share carries no text of its own
        else:
            text, urls, lang = original.text, original.urls, original.lang   # retweets and forwards repeat it
        return self.post(account, t, text, lang, label=label, campaign=campaign, kind=kind, target=target,
                         urls=urls, repost_of=original, translit=original.translit)

    # ---- ids ------------------------------------------------------------------------------------------------
    def assign_ids(self) -> None:
        rng = self.rng("post-ids")
        seq: dict[str, int] = {}
        used: set[str] = set()
        for p in sorted(self.posts, key=lambda p: (p.t, p.key)):
            platform = p.account.platform
            if platform == "twitter":
                ms = int(p.t.timestamp() * 1000) + rng.randrange(1000)
                pid = str(((ms - TWITTER_EPOCH_MS) << 22) | (rng.randrange(1024) << 12) | rng.randrange(4096))
            elif platform == "telegram":
                chat = p.chat
                seq[chat] = seq.get(chat, rng.randrange(800, 60000)) + rng.randrange(1, 40)
                pid = f"{_digits(chat)}_{seq[chat]}"
            elif platform == "facebook":
                key = "fb"
                seq[key] = seq.get(key, 122_140_000_000_000_000) + rng.randrange(10 ** 9, 10 ** 11)
                pid = f"{p.account.digits}_{seq[key]}"
            else:
                pid = p.urls[0]
            while pid in used:
                pid += "0"
            used.add(pid)
            p.id = pid

    # ---- output ---------------------------------------------------------------------------------------------
    def record(self, p: Post) -> dict:
        a = p.account
        lang = platform_lang(p)
        return {
            "id": p.id,
            "platform": a.platform,
            "author_id": a.uid,
            "author_name": a.name,
            "author_created_at": a.created.isoformat(timespec="seconds") if a.created is not None else None,
            "author_followers": a.followers_at(p.t),
            "text": p.text,
            "created_at": iso_local(p.t, a.zone),
            "lang": lang,
            "urls": p.urls,
            "hashtags": HASHTAG.findall(p.text),
            "repost_of": p.repost_of.id if p.repost_of is not None else None,
            "reply_to": p.reply_to.id if p.reply_to is not None else None,
            "label": p.label,
            "campaign": p.campaign,
            "kind": p.kind,
            "target": p.target,
        }


def _digits(s: str) -> str:
    d = "".join(c for c in s if c.isdigit())
    return d or "0"


def platform_lang(p: Post) -> str | None:
    """The language field as each platform fills it: Twitter detects, Facebook sometimes, Telegram never."""
    platform = p.account.platform
    if platform == "telegram" or p.lang is None:
        return None
    if platform == "twitter":
        if p.translit or not any(c.isalpha() for c in p.text):
            return "und"
        return p.lang
    if platform == "facebook":
        return p.lang if (p.key * 2654435761) % 10 < 7 else None
    return p.lang
