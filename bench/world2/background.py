"""The organic world around the campaigns: the targets' own posts, outlets' news, viral posts spreading on their
own over hours, everyday chatter with replies and shares among friends, organic criticism by unrelated people,
neutral discussion of the targets, and the cover posts troll accounts make to look like people."""

from __future__ import annotations

from datetime import timedelta

import negatives_lexicon as neg
import organic_lexicon as org
import shapes
import targets
import writing
from world import DAYS, Account, Post, World, day

# Hours people post at (Chișinău wall clock), 0..23.
HOURLY = [1, 0.5, 0.3, 0.2, 0.2, 0.4, 1, 2, 3, 3.5, 3.5, 3.5, 4, 3.5, 3.5, 3.5, 3.5, 4, 4.5, 5, 5, 4.5, 3.5, 2]
# The day each target's story breaks: its first posts then, and the campaigns follow.
HOT_DAY = {"t01-vot-transparent": 27.8, "t02-reporter-liber": 16.0, "t03-elena-sarbu": 23.0,
           "t04-ion-cebotari": 8.0, "t05-educatie-demna": 42.6, "t06-curcubeu": 6.0, "t07-econistru": 19.0,
           "t08-mihail-caraman": 28.7, "t09-oksana-levchenko": 34.8, "t10-victor-ursu": 43.7}
NEWS_DAYS = {"cec_results": [27.95, 41.95], "vt_report": [28.5], "vt_denies": [32.4], "rl_investigation": [15.6],
             "union_strike": [42.5], "floresti_twinning": [7.5], "ursu_hearing": [43.6], "quarry": [18.4],
             "weather": [5.3, 22.3, 38.3], "gas_price": [30.5], "accident": [11.4, 26.7, 40.2], "time_change": [33.4],
             "football": [17.95, 20.95]}
LEADS = {"ro": ["Detalii în articol.", "Mai multe informații pe site.", "Citiți știrea completă.",
                "Revenim cu detalii.", "Reacțiile părților, în material."],
         "ru": ["Подробности в статье.", "Больше информации на сайте.", "Читайте полностью.", "Следим за развитием."]}


def when(rng, first: float = 0.0, last: float = DAYS) -> object:
    d = int(first + rng.random() * (last - first))
    hour = rng.choices(range(24), weights=HOURLY)[0]
    return day(d, hour + rng.random())


def _say(world: World, rng, account: Account, t, core: str, lang: str, *, campaign: str, kind: str, target: str = "",
         mood: str | None = None, reply_to: Post | None = None, repost_of: Post | None = None, tags=()) -> Post:
    text, lang, translit = writing.finish(rng, account, lang, core, tags=tags, mood=mood,
                                          lines=account.platform != "twitter")
    return world.post(account, t, text, lang, label=0, campaign=campaign, kind=kind, target=target,
                      reply_to=reply_to, repost_of=repost_of, translit=translit)


def own_posts(world: World, accounts: dict, scale: float = 1.0) -> dict:
    """Each target's posts: three on the day its story breaks, the rest spread over the weeks."""
    rng = world.rng("own-posts")
    out: dict = {}
    for tid, by_platform in accounts.items():
        out[tid] = {}
        bank = org.OWN_POSTS[tid]
        for platform, account in by_platform.items():
            posts = []
            for i in range(max(3, round(rng.randint(6, 10) * scale))):
                t = day(HOT_DAY[tid], [9.5, 13.2, 18.7][i] + rng.random()) if i < 3 else when(rng)
                lang = rng.choice(sorted(bank))
                core = writing.expand_one(rng, bank[lang], {}, writing.lexicon(lang))
                posts.append(_say(world, rng, account, t, core, lang, campaign="bg-target-posts", kind="background",
                                  target=tid, tags=targets.TARGETS[tid]["ro"]["T_tag"][:1] if rng.random() < 0.3 else ()))
            out[tid][platform] = posts
    return out


def news(world: World, outlets: list[Account]) -> dict:
    """Outlets' own articles on the news of the period (aggregator networks rebroadcast these)."""
    rng = world.rng("news")
    stub = shapes.Campaign(id="bg-news", kind="background", structure="", target="", label=0, langs={}, write=None)
    items: dict = {}
    for key, target, by_lang in neg.NEWS:
        items[key] = []
        for d in NEWS_DAYS[key]:
            for lang in ("ro", "ru"):
                outlet = rng.choice([o for o in outlets if max(o.langs, key=o.langs.get) == lang])
                headline = writing.expand_one(rng, by_lang[lang], {}, writing.lexicon(lang))
                t = day(d, rng.random() * 0.5)
                items[key].append(shapes.article(world, stub, rng, outlet, t, headline, rng.choice(LEADS[lang]),
                                                 target=target))
    return items


def routine_news(world: World, outlets: list[Account], n: int) -> None:
    rng = world.rng("routine-news")
    stub = shapes.Campaign(id="bg-news", kind="background", structure="", target="", label=0, langs={}, write=None)
    for _ in range(n):
        key, target, by_lang = rng.choice(neg.NEWS)
        outlet = rng.choice(outlets)
        lang = max(outlet.langs, key=outlet.langs.get)
        headline = writing.expand_one(rng, by_lang[lang], {}, writing.lexicon(lang))
        shapes.article(world, stub, rng, outlet, when(rng), headline, rng.choice(LEADS[lang]), target=target)


def viral_originals(world: World, influencers: list[Account], organic: list[Account]) -> list[Post]:
    rng = world.rng("viral")
    out = []
    days = [4.6, 17.9, 33.6, 27.8, 13.4, 38.5]
    for item, d in zip(org.VIRAL, days, strict=True):
        pool = [a for a in influencers if a.platform == "twitter"] if item["lang"] != "uk" else \
            [a for a in organic if a.platform == "telegram" and "uk" in a.langs]
        account = rng.choice(pool)
        out.append(_say(world, rng, account, day(d, 0.0), item["text"], item["lang"],
                        campaign=f"bg-viral-{item['id']}", kind="viral"))
    return out


def spread(world: World, original: Post, people: list[Account], n: int, quotes: dict, *, campaign: str,
           target: str = "", median_hours: float = 2.0) -> None:
    """Organic virality: many unrelated accounts share one post, spread over hours with a long tail."""
    rng = world.rng("spread:" + campaign)
    pool = [a for a in people if a.platform == original.account.platform and a is not original.account]
    for account in rng.sample(pool, min(n, len(pool))):
        t = original.t + timedelta(hours=min(median_hours * rng.lognormvariate(0, 1.2), 72.0))
        r = rng.random()
        if r < 0.78:
            world.repost(account, original, t, label=0, campaign=campaign, kind="viral", target=target)
            continue
        lang = account.lang(rng)
        bank = quotes.get(lang) or quotes[next(iter(quotes))]
        lang = lang if lang in quotes else next(iter(quotes))
        core = rng.choice(bank)
        if r < 0.93:
            _say(world, rng, account, t, core, lang, campaign=campaign, kind="viral", target=target, repost_of=original)
        else:
            _say(world, rng, account, t, core, lang, campaign=campaign, kind="viral", target=target, reply_to=original)


def criticism(world: World, people: list[Account], n: int) -> None:
    rng = world.rng("criticism")
    tids = sorted(targets.TARGETS)
    for _ in range(n):
        account = rng.choice(people)
        lang = account.lang(rng)
        bank = org.CRITICISM.get(lang) or org.CRITICISM["ro"]
        lang = lang if lang in org.CRITICISM else "ro"
        if rng.random() < 0.5:
            tid = rng.choice(tids)
            ctx = writing.target_context(tid, lang)
            core = writing.expand_one(rng, bank["target"], ctx, writing.lexicon(lang))
        else:
            tid = ""
            figures = targets.PUBLIC_FIGURES.get(lang, targets.PUBLIC_FIGURES["ro"])
            core = writing.expand_one(rng, bank["figure"], {"PF": figures}, writing.lexicon(lang))
        _say(world, rng, account, when(rng), core, lang, campaign="bg-criticism", kind="criticism", target=tid,
             mood="angry" if rng.random() < 0.3 else None)


def discussion(world: World, people: list[Account], n: int, own: dict, scale: float = 1.0) -> None:
    rng = world.rng("discussion")
    tids = sorted(targets.TARGETS)
    for _ in range(n):
        account = rng.choice(people)
        lang = account.lang(rng)
        lang = lang if lang in org.DISCUSSION else "ro"
        tid = rng.choice(tids)
        ctx = writing.target_context(tid, lang)
        core = writing.expand_one(rng, org.DISCUSSION[lang], ctx, writing.lexicon(lang))
        _say(world, rng, account, when(rng, max(HOT_DAY[tid] - 3, 0)), core, lang, campaign="bg-discussion",
             kind="discussion", target=tid)
    # Supporters and people with questions under the targets' own posts.
    for tid in sorted(own):
        for platform in sorted(own[tid]):
            pool = [a for a in people if a.platform == platform]
            for post in own[tid][platform]:
                for _ in range(rng.randint(0, max(1, round(5 * scale)))):
                    account = rng.choice(pool)
                    lang = account.lang(rng)
                    lang = lang if lang in org.OWN_REPLIES else "ro"
                    t = post.t + timedelta(minutes=rng.lognormvariate(3.5, 1.2))
                    _say(world, rng, account, t, rng.choice(org.OWN_REPLIES[lang]), lang, campaign="bg-discussion",
                         kind="discussion", target=tid, reply_to=post)


def chatter(world: World, people: list[Account], n: int, campaign: str = "bg-chatter") -> None:
    """Everyday posts; some are replies to a friend's recent post, a few are shares of it."""
    rng = world.rng("chatter:" + campaign)
    weights = [rng.paretovariate(1.6) for _ in people]
    recent: dict[str, list[Post]] = {}
    authors = rng.choices(people, weights=weights, k=n)
    stamps = sorted(when(rng) for _ in range(n))
    for account, t in zip(authors, stamps, strict=True):
        lang = account.lang(rng)
        lang = lang if lang in org.CHATTER else "ro"
        mine = recent.setdefault(account.platform, [])
        friends = [p for p in mine[-40:] if p.account is not account]
        r = rng.random()
        if friends and r < 0.14:
            parent = rng.choice(friends)
            lang = lang if lang in org.REPLIES else "ro"
            _say(world, rng, account, t, rng.choice(org.REPLIES[lang]), lang, campaign=campaign, kind="background",
                 reply_to=parent, mood="joy" if rng.random() < 0.3 else None)
            continue
        if friends and r < 0.19:
            world.repost(account, rng.choice(friends), t, label=0, campaign=campaign, kind="background")
            continue
        core = writing.chatter_core(rng, lang)
        mine.append(_say(world, rng, account, t, core, lang, campaign=campaign, kind="background",
                         mood=rng.choice([None, "joy", "food", "sad", "laugh"])))


def cover(world: World, accounts: list[Account]) -> None:
    """Troll accounts post ordinary things now and then, to look like people."""
    rng = world.rng("cover")
    for account in accounts:
        first = max(0.0, (account.born - day(0)).total_seconds() / 86400 + 1) if account.born else 0.0
        for _ in range(rng.choice([0, 0, 1, 2, 3, 5])):
            lang = account.lang(rng)
            lang = lang if lang in org.CHATTER else "ro"
            _say(world, rng, account, when(rng, first), writing.chatter_core(rng, lang), lang, campaign="bg-chatter",
                 kind="background", mood=rng.choice([None, "joy", "flag"]))

