"""Who is in the world: ordinary people, outlets, brands, the targets, and the networks (troll farms created in
batches with some aged or bought accounts, spam bots, news aggregators, fan clubs)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import noise
import people
from world import Account, World

CULTURES = [("ro", 0.50), ("ru", 0.27), ("bi", 0.09), ("gag", 0.03), ("uk", 0.06), ("en", 0.05)]
LANGS = {
    "ro": {"ro": 0.86, "ru": 0.09, "en": 0.05},
    "ru": {"ru": 0.86, "ro": 0.10, "en": 0.04},
    "bi": {"ro": 0.5, "ru": 0.5},
    "gag": {"ru": 0.9, "ro": 0.1},
    "uk": {"uk": 0.6, "ru": 0.3, "ro": 0.1},
    "en": {"en": 0.75, "ro": 0.25},
}
NAME_CULTURE = {"ro": "ro", "ru": "ru", "bi": "ro", "gag": "gag", "uk": "uk", "en": "west"}
ZONES = [("md", 0.80), ("cet", 0.08), ("uk", 0.04), ("msk", 0.03), ("ro", 0.03), ("ua", 0.02)]
PLATFORMS = {"ro": [("facebook", 0.45), ("telegram", 0.25), ("twitter", 0.30)],
             "ru": [("facebook", 0.30), ("telegram", 0.50), ("twitter", 0.20)],
             "bi": [("facebook", 0.4), ("telegram", 0.35), ("twitter", 0.25)],
             "gag": [("facebook", 0.3), ("telegram", 0.6), ("twitter", 0.1)],
             "uk": [("facebook", 0.3), ("telegram", 0.55), ("twitter", 0.15)],
             "en": [("twitter", 0.7), ("facebook", 0.3)]}
# Public Telegram chats people write in (numeric ids as in a Telegram export).
CHATS = ["1389457211", "1177320954", "1620448813", "1502996640", "1093384127", "1733016052", "1250781390",
         "1847330029"]


def pick(rng, weighted):
    r = rng.random()
    acc = 0.0
    for value, weight in weighted:
        acc += weight
        if r < acc:
            return value
    return weighted[-1][0]


def _created(rng, first: int, last: int) -> datetime:
    """A sign-up time between two years, never after the world's first week (nobody posts before joining)."""
    start = datetime(first, 1, 1, tzinfo=UTC)
    end = min(datetime(last, 12, 31, tzinfo=UTC), datetime(2024, 9, 20, tzinfo=UTC))
    span = (end - start).total_seconds()
    return start + timedelta(seconds=int(rng.random() * span))


def make(world: World, rng, *, platform: str, role: str, culture: str, created: datetime, followers: int | None,
         style: noise.Style, zone: str = "md", name: str | None = None, page: bool = False, bot: bool = False,
         growth: float = 0.002) -> Account:
    p = people.person(rng, NAME_CULTURE.get(culture, culture))
    if name is None:
        if platform == "twitter":
            name = people.bot_handle(p, rng) if bot else people.handle(p, rng)
        else:
            name = people.display_name(p, rng)
    uid = world.new_uid(platform, created, "page" if page else "user")
    chats: tuple[str, ...] = ()
    if platform == "telegram":
        if page:
            chats = (uid,)
        else:
            chats = tuple(sorted(rng.sample(CHATS, rng.choice([1, 1, 2]))))
    # What each platform tells about an account: Telegram nothing for people, subscribers for channels.
    shown_created = created if platform in ("twitter", "facebook") else None
    shown_followers = followers if platform in ("twitter", "facebook") or (platform == "telegram" and page) else None
    acc = Account(uid=uid, platform=platform, name=name, created=shown_created, followers=shown_followers,
                  role=role, zone=zone, style=style, langs=dict(LANGS.get(culture, {culture: 1.0})),
                  growth=growth, born=created, chats=chats, digits="".join(c for c in uid if c.isdigit()))
    return world.add_account(acc)


def organic(world: World, n: int) -> list[Account]:
    rng = world.rng("organic-accounts")
    out = []
    for _ in range(n):
        culture = pick(rng, CULTURES)
        platform = pick(rng, PLATFORMS[culture])
        zone = pick(rng, ZONES) if culture not in ("uk", "en") else rng.choice(["md", "md", "uk", "cet"])
        followers = int(rng.lognormvariate(5.0 if platform == "facebook" else 4.2, 1.1))
        out.append(make(world, rng, platform=platform, role="organic", culture=culture,
                        created=_created(rng, 2009, 2024), followers=followers, style=noise.random_style(rng),
                        zone=zone, growth=rng.uniform(0, 0.002)))
    return out


def influencers(world: World, n: int) -> list[Account]:
    rng = world.rng("influencers")
    out = []
    for _ in range(n):
        culture = pick(rng, CULTURES[:3])
        platform = rng.choice(["twitter", "facebook", "telegram"])
        out.append(make(world, rng, platform=platform, role="influencer", culture=culture, page=platform == "telegram",
                        created=_created(rng, 2011, 2019), followers=int(rng.uniform(8000, 90000)),
                        style=noise.random_style(rng), growth=rng.uniform(0.0005, 0.003)))
    return out


def outlet(world: World, rng, *, name: str, domain: str, platform: str, culture: str, role: str,
           years=(2010, 2016), followers=(20000, 300000)) -> Account:
    if platform == "web":
        acc = Account(uid=domain, platform="web", name=name, created=None, followers=None, role=role, zone="md",
                      style=noise.random_style(rng, "outlet"), langs=dict(LANGS[culture]))
        world._uids.add(domain)
        return world.add_account(acc)
    return make(world, rng, platform=platform, role=role, culture=culture, name=name, page=True,
                created=_created(rng, *years), followers=int(rng.uniform(*followers)),
                style=noise.random_style(rng, "outlet"), growth=0.001)


def batch(world: World, rng, *, n: int, platform: str, role: str, culture: str, born: datetime,
          spread_hours: float, style: noise.Style, followers=(0, 40), bought: float = 0.0) -> list[Account]:
    """Accounts made by one sign-up script: created within hours of each other, few followers, one typing style."""
    out = []
    for _ in range(n):
        created = born + timedelta(seconds=int(rng.random() * spread_hours * 3600))
        f = int(rng.uniform(1000, 4000)) if rng.random() < bought else int(rng.uniform(*followers))
        out.append(make(world, rng, platform=platform, role=role, culture=culture, created=created, followers=f,
                        style=style, bot=True, growth=rng.uniform(0.0, 0.01)))
    return out


def aged(world: World, rng, *, n: int, platform: str, role: str, culture: str, style: noise.Style) -> list[Account]:
    """Old accounts bought or taken over: real-looking names, years of age, a few hundred followers."""
    return [make(world, rng, platform=platform, role=role, culture=culture, created=_created(rng, 2011, 2017),
                 followers=int(rng.uniform(80, 900)), style=style, growth=rng.uniform(0.0, 0.003))
            for _ in range(n)]


def channels(world: World, rng, *, names: list[str], role: str, culture: str, years=(2021, 2023),
             followers=(1500, 40000)) -> list[Account]:
    return [make(world, rng, platform="telegram", role=role, culture=culture, page=True, name=name,
                 created=_created(rng, *years), followers=int(rng.uniform(*followers)),
                 style=noise.random_style(rng, "outlet"), growth=0.002) for name in names]


def target_accounts(world: World, targets: dict) -> dict[str, dict[str, Account]]:
    """Each target's own Twitter and Facebook accounts."""
    rng = world.rng("target-accounts")
    out = {}
    for tid, t in targets.items():
        culture = "ru" if tid in ("t08-mihail-caraman",) else ("uk" if tid == "t09-oksana-levchenko" else "ro")
        followers = int(rng.uniform(2000, 30000))
        out[tid] = {
            "twitter": make(world, rng, platform="twitter", role="target", culture=culture, name=t["handle"],
                            created=_created(rng, 2012, 2020), followers=followers, style=noise.random_style(rng, "outlet")),
            "facebook": make(world, rng, platform="facebook", role="target", culture=culture, name=t["name"],
                             page=t["type"] == "org", created=_created(rng, 2011, 2019), followers=followers * 3,
                             style=noise.random_style(rng, "outlet")),
        }
    return out
