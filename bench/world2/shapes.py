"""Campaign shapes: how a group of accounts acts together in time. Smear campaigns and the coordinated hard
negatives (spam, promotion, news networks, fans, solidarity, charity) use the same shapes, so the shape alone
never tells a smear from the rest; what is said does.

- copy_paste: one to three texts posted verbatim (a few small edits) by many accounts within minutes, in waves;
- paraphrase: each account writes its own version within a couple of hours;
- seed_repost: one post, then mass reposts, quote posts with comments and replies under it;
- reply_swarm: replies under someone's posts within minutes to hours of each post;
- hashtag_push: short posts carrying the campaign hashtags over a day or two, in waves, with reposts inside the net;
- outlet_amplified: articles on web sites, shared with their links and comments by accounts and channels;
- rebroadcast: aggregator accounts post an outlet's headline and link within minutes of it, event after event.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import writing
from world import Account, Post, World


@dataclass
class Campaign:
    id: str
    kind: str
    structure: str
    target: str
    label: int
    langs: dict[str, float]
    write: Callable            # (rng, lang) -> (core text, mood): a full post
    description: str = ""
    tags: list[str] = field(default_factory=list)
    link: Callable | None = None      # (rng) -> url
    short: Callable | None = None     # (rng, lang) -> (text, mood): a one-liner (pushes, replies, comments)
    headline: Callable | None = None  # (rng, lang) -> (headline, lead) for outlets
    link_rate: float = 0.5


def _seconds(rng, minutes: float) -> timedelta:
    return timedelta(seconds=int(rng.random() * minutes * 60))


def say(world: World, c: Campaign, rng, account: Account, t: datetime, *, core: str, lang: str, mood: str | None,
        tags=(), link: str | None = None, reply_to: Post | None = None, repost_of: Post | None = None) -> Post:
    text, lang, translit = writing.finish(rng, account, lang, core, tags=tags, link=link, mood=mood,
                                          lines=account.platform != "twitter")
    return world.post(account, t, text, lang, label=c.label, campaign=c.id, kind=c.kind, target=c.target,
                      reply_to=reply_to, repost_of=repost_of, translit=translit)   # links are read from the text


def _mutate(rng, text: str, c: Campaign) -> str:
    """The small edits copy-paste networks make so that texts are not byte-identical."""
    move = rng.random()
    if move < 0.35:
        return text
    if move < 0.5:
        return text + " " + rng.choice(["🔥", "‼️", "👇", "😡", "!!!", "💯", "🇲🇩", "👉"])
    if move < 0.6 and c.tags:
        return text + " #" + rng.choice(c.tags)
    if move < 0.7:
        return rng.choice(["‼️ ", "⚡ ", ">> ", "🔴 ", ""]) + text
    if move < 0.8:
        return re.sub(r"(https?://\S+)", lambda m: m.group(1) + f"?ref={rng.randrange(100, 999)}", text)
    if move < 0.9:
        return text.replace(". ", ".\n", 1)
    return text.rstrip(".!") + rng.choice(["", ".", "!", "..."])


def copy_paste(world: World, c: Campaign, accounts: list[Account], starts: list[datetime], *, texts: int = 2,
               window_min: float = 12.0, share: float = 0.85) -> None:
    rng = world.rng(c.id)
    for w, start in enumerate(starts):
        lang = max(c.langs, key=c.langs.get) if w == 0 else writing.pick_lang(rng, accounts[0], c.langs)
        masters = []
        for _ in range(texts):
            core, mood = c.write(rng, lang)
            link = c.link(rng) if c.link and rng.random() < c.link_rate else None
            tags = rng.sample(c.tags, min(len(c.tags), rng.choice([1, 2]))) if c.tags else []
            text, out_lang, translit = writing.finish(rng, accounts[0], lang, core, tags=tags, link=link, mood=mood)
            masters.append((text, out_lang, translit))
        t = start
        for account in accounts:
            if rng.random() > share:
                continue
            t = t if rng.random() < 0.2 else t + timedelta(seconds=int(rng.expovariate(len(accounts) / (window_min * 60))))
            text, out_lang, translit = rng.choice(masters)
            world.post(account, t, _mutate(rng, text, c), out_lang, label=c.label, campaign=c.id, kind=c.kind,
                       target=c.target, translit=translit)


def paraphrase(world: World, c: Campaign, accounts: list[Account], start: datetime, *, hours: float = 2.0,
               posts_per=(1, 2)) -> None:
    rng = world.rng(c.id + ":paraphrase")
    for account in accounts:
        for _ in range(rng.randint(*posts_per)):
            t = start + timedelta(seconds=int(rng.gammavariate(2.0, hours * 1800)))
            lang = writing.pick_lang(rng, account, c.langs)
            core, mood = c.write(rng, lang)
            tags = [tg for tg in c.tags if rng.random() < 0.5]
            link = c.link(rng) if c.link and rng.random() < c.link_rate else None
            say(world, c, rng, account, t, core=core, lang=lang, mood=mood, tags=tags, link=link)


def seed_repost(world: World, c: Campaign, seed: Account, accounts: list[Account], start: datetime, *,
                quote: float = 0.2, reply: float = 0.1, fast_min: float = 25.0,
                late: list[Account] = (), late_hours: float = 8.0) -> Post:
    rng = world.rng(c.id + ":seed")
    lang = max(c.langs, key=c.langs.get)
    core, mood = c.write(rng, lang)
    more, _ = c.write(rng, lang)
    link = c.link(rng) if c.link else None
    original = say(world, c, rng, seed, start, core=f"{core}\n\n{more}" if seed.platform != "twitter" else core,
                   lang=lang, mood=mood, tags=c.tags[:2], link=link)
    late_ones = {id(a) for a in late}
    for account in list(accounts) + list(late):
        if id(account) in late_ones:
            t = start + timedelta(seconds=int(rng.lognormvariate(0, 0.8) * late_hours * 1800))
        else:
            t = start + timedelta(seconds=int(rng.expovariate(1 / (fast_min * 60))))
        r = rng.random()
        if r < quote or r < quote + reply:
            comment_lang = writing.pick_lang(rng, account, c.langs)
            text, cmood = (c.short or c.write)(rng, comment_lang)
            if r < quote:
                say(world, c, rng, account, t, core=text, lang=comment_lang, mood=cmood, repost_of=original)
            else:
                say(world, c, rng, account, t, core=text, lang=comment_lang, mood=cmood, reply_to=original)
        else:
            world.repost(account, original, t, label=c.label, campaign=c.id, kind=c.kind, target=c.target)
    return original


def reply_swarm(world: World, c: Campaign, anchors: list[Post], accounts: list[Account], *,
                delay_min=(2.0, 90.0), per_account=(1, 3)) -> None:
    rng = world.rng(c.id + ":swarm")
    for account in accounts:
        for anchor in rng.sample(anchors, min(len(anchors), rng.randint(*per_account))):
            lo, hi = delay_min
            t = anchor.t + timedelta(seconds=int(60 * (lo + (hi - lo) * rng.random() ** 2)))
            lang = writing.pick_lang(rng, account, c.langs)
            text, mood = (c.short or c.write)(rng, lang)
            say(world, c, rng, account, t, core=text, lang=lang, mood=mood, reply_to=anchor,
                tags=[c.tags[0]] if c.tags and rng.random() < 0.2 else ())


def hashtag_push(world: World, c: Campaign, accounts: list[Account], start: datetime, *, hours: float = 30.0,
                 waves: int = 3, posts_per=(1, 3), repost: float = 0.2) -> None:
    rng = world.rng(c.id + ":push")
    made: list[Post] = []
    wave_starts = sorted(start + timedelta(hours=hours * i / waves + rng.uniform(0, 2)) for i in range(waves))
    for account in accounts:
        for _ in range(rng.randint(*posts_per)):
            t = rng.choice(wave_starts) + timedelta(seconds=int(rng.expovariate(1 / 2400)))
            same = [p for p in made if p.account.platform == account.platform and p.account is not account
                    and p.repost_of is None and p.t < t]
            if same and rng.random() < repost:
                world.repost(account, rng.choice(same[-30:]), t, label=c.label, campaign=c.id, kind=c.kind,
                             target=c.target)
                continue
            lang = writing.pick_lang(rng, account, c.langs)
            text, mood = (c.short or c.write)(rng, lang)
            tags = c.tags if rng.random() < 0.6 else c.tags[:1]
            link = c.link(rng) if c.link and rng.random() < c.link_rate * 0.5 else None
            made.append(say(world, c, rng, account, t, core=text, lang=lang, mood=mood, tags=tags, link=link))


def slug(text: str, rng) -> str:
    plain = writing.noise.translit(text.lower()).translate(str.maketrans("ășțâîşţ", "astaist"))
    words = re.findall(r"[a-z0-9]+", plain)[:7]
    return "-".join(words) + f"-{rng.randrange(10000, 99999)}"


def article(world: World, c: Campaign, rng, outlet: Account, t: datetime, headline: str, lead: str,
            *, label: int | None = None, campaign: str | None = None, kind: str | None = None,
            target: str | None = None) -> Post:
    url = f"https://{outlet.uid}/{t:%Y/%m/%d}/{slug(headline, rng)}"
    return world.post(outlet, t, f"{headline}\n{lead}", max(outlet.langs, key=outlet.langs.get),
                      label=c.label if label is None else label, campaign=campaign or c.id, kind=kind or c.kind,
                      target=c.target if target is None else target, urls=[url])


def outlet_amplified(world: World, c: Campaign, outlets: list[Account], amplifiers: list[Account],
                     start: datetime, *, channels: list[Account] = (), spread_hours: float = 5.0) -> None:
    rng = world.rng(c.id + ":outlets")
    articles = []
    for i, outlet in enumerate(outlets):
        lang = max(outlet.langs, key=outlet.langs.get)
        headline, lead = c.headline(rng, lang)
        t = start + timedelta(hours=i * rng.uniform(0.5, 4.0), seconds=rng.randrange(600))
        articles.append(article(world, c, rng, outlet, t, headline, lead))
    for channel in channels:
        a = rng.choice(articles)
        t = a.t + timedelta(minutes=rng.uniform(3, 40))
        lang = writing.pick_lang(rng, channel, c.langs)
        headline = a.text.split("\n")[0]
        text = f"{rng.choice(['⚡️', '❗️', '🔴', '📌'])} {headline}\n\n{a.urls[0]}"
        world.post(channel, t, text, lang, label=c.label, campaign=c.id, kind=c.kind, target=c.target, urls=a.urls)
    for account in amplifiers:
        for a in rng.sample(articles, min(len(articles), rng.choice([1, 1, 2, 3]))):
            t = a.t + timedelta(seconds=int(rng.expovariate(1 / (spread_hours * 1200))))
            lang = writing.pick_lang(rng, account, c.langs)
            comment, mood = (c.short or c.write)(rng, lang)
            if rng.random() < 0.35:
                comment = f"{comment} {a.text.split(chr(10))[0]}"
            say(world, c, rng, account, t, core=comment, lang=lang, mood=mood, link=a.urls[0],
                tags=c.tags[:1] if c.tags and rng.random() < 0.3 else ())


def rebroadcast(world: World, c: Campaign, aggregators: list[Account], original: Post, *, window_min: float = 20.0,
                share: float = 0.8, footers: dict | None = None) -> None:
    """Aggregators post the outlet's headline and link within minutes, each with its own prefix and footer."""
    rng = world.rng(f"{c.id}:{original.key}")
    headline = original.text.split("\n")[0]
    for account in aggregators:
        if rng.random() > share:
            continue
        t = original.t + timedelta(seconds=30 + int(rng.expovariate(1 / (window_min * 30))))
        prefix = rng.choice(["", "⚡️ ", "🔴 ", "❗️", "ȘTIRI | " if original.lang == "ro" else "НОВОСТИ | ", "📰 "])
        text = f"{prefix}{headline}"
        if account.platform != "twitter" and rng.random() < 0.5:
            text += "\n" + original.text.split("\n", 1)[-1]
        text += f"\n{original.urls[0]}"
        if footers and account.platform == "telegram":
            lang = original.lang if original.lang in footers else "ro"
            text += "\n\n" + rng.choice(footers[lang]).format(chan=account.name.lower().replace(" ", "_"),
                                                               name=account.name)
        world.post(account, t, text, original.lang, label=c.label, campaign=c.id, kind=c.kind,
                   target=original.target, urls=original.urls)
