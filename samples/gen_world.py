"""The synthetic world: accounts, posts and campaigns, built deterministically from a seed.

A `World` holds accounts and posts of one build. Campaign builders (one function per structure
or hard-negative kind) add posts; `finalize()` assigns platform ids in time order, the way the
platforms would, and resolves repost/reply references. Times are unix seconds (UTC); the
case's local time is Asia/Almaty (+06:00).
"""

import calendar
import hashlib
import itertools
import random
import re
import time

import gen_text as T

ALMT = 6 * 3600
PLATFORMS = ("twitter", "telegram", "vk", "facebook", "instagram", "web")
SOCIAL = ("twitter", "telegram", "vk", "facebook", "instagram")
TWITTER_EPOCH_MS = 1288834974657
TG_CHAT_ID = 1389457210  # the one public Telegram chat where all Telegram posts of a world live
TCO_RE = re.compile(r"https://t\.co/\w{10}")


def at(y, m, d, h=0, mi=0, s=0):
    """Unix time of a local (Almaty) wall-clock time."""
    return calendar.timegm((y, m, d, h, mi, s)) - ALMT


START = at(2020, 4, 20)
END = at(2020, 5, 11)
DAY = 86400


def iso_local(ts):
    return time.strftime("%Y-%m-%dT%H:%M:%S+06:00", time.gmtime(ts + ALMT))


def iso_utc(ts):
    return time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(ts))


def local_tm(ts):
    return time.gmtime(ts + ALMT)


def short_hash(*parts, n=10):
    digest = hashlib.md5("|".join(str(p) for p in parts).encode()).hexdigest()
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    num = int(digest, 16)
    out = []
    for _ in range(n):
        num, r = divmod(num, 62)
        out.append(alphabet[r])
    return "".join(out)


# --- outlets and public figures (all invented) --------------------------------------------

STATE_OUTLETS = [  # state-funded online media that publish near-identical smear articles
    {"title": "Ел Жаршысы", "domain": "el-zharshysy-news.kz", "lang": "kk", "handle": "elzharshysy_news"},
    {"title": "Дала Ақпарат 24", "domain": "dalaaqparat24.kz", "lang": "ru", "handle": "dalaaqparat24"},
    {"title": "Степной вестник", "domain": "stepnoy-vestnik.kz", "lang": "ru", "handle": "stepvestnik"},
    {"title": "Qogam Online", "domain": "qogam-online.kz", "lang": "ru", "handle": "qogam_online"},
]
FRINGE_SITES = [  # anonymous sites that host smear "investigations" for co-link campaigns
    {"title": "Шындық Медиа", "domain": "shyndyq-media.kz", "lang": "ru", "handle": "shyndyq_media"},
    {"title": "Otan Faktisi", "domain": "otanfaktisi.kz", "lang": "kk", "handle": "otanfaktisi"},
]
INDEPENDENT_OUTLETS = [  # real-looking independent media: news about the smear, background news
    {"title": "Жаңа Уақыт", "domain": "zhana-uaqyt.kz", "lang": "kk", "handle": "zhanauaqyt"},
    {"title": "Almaty Daily Report", "domain": "almatydailyreport.kz", "lang": "en", "handle": "almatydaily"},
    {"title": "Городской портал Алматы", "domain": "gorportal-almaty.kz", "lang": "ru", "handle": "gorportal_alm"},
]
SEEDS = [  # nationalist public figures who seed narratives
    {"name": "Ермек Тасболат", "handle": "ermek_tasbolat", "followers": 38400, "year": 2012},
    {"name": "Алибек Жанкожа", "handle": "alibek_zhankozha", "followers": 21700, "year": 2014},
]
OWNERS = [  # owners of the government-linked troll factory "Медиа Өріс"
    {"name": "Руслан Бектуров", "handle": "r_bekturov", "followers": 2300, "year": 2015},
    {"name": "Алмагуль Сеитова", "handle": "almagul_seitova", "followers": 1100, "year": 2016},
]
CELEBRITIES = [
    {"name": "Аяулым Сейткали", "handle": "ayaulym_music", "followers": 412000, "year": 2011},
    {"name": "Дархан Ермеков", "handle": "darkhan_tv", "followers": 157000, "year": 2013},
]
AGREE = {
    "ru": ["Полностью согласен!", "Правильно сказано!", "Наконец-то кто-то сказал правду.", "Поддерживаю!",
           "Так и есть.", "Давно пора было это сказать."],
    "kk": ["Дұрыс айтасыз!", "Толық қолдаймын!", "Шындық осы.", "Рахмет, аға!"],
    "en": ["Exactly.", "Well said!", "Finally someone says it."],
}
TARGET_OWN = {
    "ru": ["Направили замечания к законопроекту о мирных собраниях. Текст на сайте.",
           "Сегодня в 19:00 прямой эфир о правах граждан во время ЧП.",
           "Спасибо всем, кто пишет слова поддержки.", "Наша позиция по законопроекту не изменилась.",
           "Новый материал о том, как работают блокпосты и что делать при нарушениях."],
    "kk": ["Бейбіт жиналыстар туралы заң жобасына ескертпелерімізді жібердік.",
           "Бүгін 19:00-де тікелей эфир болады."],
    "en": ["Our comments on the draft law on public assembly are online.",
           "Live Q&A tonight at 7 pm on rights under the state of emergency."],
}
WEB_NEWS = {
    "ru": ["Режим ЧП: что изменится с понедельника", "В Алматы открылись ещё два блокпоста",
           "Цены на продукты выросли на 8% за месяц", "Мажилис вернул законопроект о мирных собраниях на доработку",
           "Как получить выплату 42 500 тенге: инструкция", "Синоптики обещают дожди до конца недели"],
    "kk": ["Төтенше жағдай: дүйсенбіден не өзгереді", "Азық-түлік бағасы бір айда 8 пайызға өсті",
           "Бейбіт жиналыстар туралы заң жобасы пысықталады"],
    "en": ["State of emergency: what changes on Monday", "Food prices up 8% in a month",
           "Parliament sends the assembly bill back for revision"],
}


# Failed draws of a fresh id before it is lengthened: never reached in the committed worlds (their files stay
# byte-identical); a 10M-post benchmark dump reaches it once the 100,000 ids of early Telegram users, or the 999
# numbered Instagram handles of a public figure, are taken.
WIDEN_AFTER = 1000


class Registry:
    """Used account ids and counters shared by every world of one run (keeps ids unique)."""

    def __init__(self):
        self.used = set()
        self.tw_seq = 0
        self.tg_msg = 1000
        self.fb_seq = 0
        self.ig_seq = 0
        self.web_seq = 0

    def fresh(self, platform, make):
        tries = 0
        while True:
            value = make()
            tries += 1
            if tries > WIDEN_AFTER:  # a benchmark dump of millions fills some id ranges: lengthen the id
                value = type(value)(f"{value}{tries}")
            if (platform, value) not in self.used:
                self.used.add((platform, value))
                return value


class Campaign:
    def __init__(self, cid, kind, structure, target, label, description, split):
        self.id, self.kind, self.structure, self.target = cid, kind, structure, target
        self.label, self.description, self.split = label, description, split
        self.posts, self.accounts = [], {}

    def summary(self):
        times = [p["ts"] for p in self.posts]
        langs = sorted({p["lang"] for p in self.posts})
        platforms = sorted({p["platform"] for p in self.posts})
        return {"id": self.id, "kind": self.kind, "structure": self.structure, "target": self.target,
                "label": self.label, "split": self.split, "description": self.description,
                "accounts": len(self.accounts), "posts": len(self.posts),
                "platforms": platforms, "languages": langs,
                "start": iso_local(min(times)) if times else None,
                "end": iso_local(max(times)) if times else None}


class World:
    def __init__(self, seed, registry, prefix="c", targets=None):
        self.rng = random.Random(f"smearwatch:{seed}")
        self.reg = registry
        self.prefix = prefix
        self.targets = targets if targets is not None else T.WORLD_TARGETS
        self.accounts, self.posts, self.campaigns = [], [], []
        self.seq = 0
        self.pool = {p: [] for p in SOCIAL}
        self.outlets = {}
        self.target_acc = {}
        self.service = []  # Telegram service messages (id, ts, actor account, action)

    # --- accounts --------------------------------------------------------------------------

    def account(self, platform, role, created, followers, handle, name, lang="ru", batch=None, kind="user"):
        rng, reg = self.rng, self.reg
        acc = {"platform": platform, "role": role, "created": created, "followers": followers,
               "handle": handle, "name": name, "lang": lang, "batch": batch, "kind": kind,
               "following": rng.randint(20, 900) if role not in ("outlet", "celebrity") else rng.randint(5, 300),
               "statuses": rng.randint(3, 400) if batch else rng.randint(200, 30000),
               "campaigns": set(), "label": 0}
        if platform == "twitter":
            acc["aid"] = str(reg.fresh("twitter", lambda: twitter_user_id(rng, created)))
        elif platform == "telegram":
            acc["aid"] = reg.fresh("telegram", lambda: telegram_id(rng, created, kind))
        elif platform == "vk":
            num = reg.fresh("vk", lambda: vk_id(rng, created, kind))
            acc["aid"] = str(num)
            if kind == "user" and (batch or rng.random() < 0.4):
                acc["handle"] = "id" + str(num)  # default VK screen name, typical of fakes
        elif platform == "facebook":
            acc["aid"] = str(reg.fresh("facebook", lambda: fb_page_id(rng, created)))
        elif platform == "instagram":
            # the handle itself, else numbered (a public figure in every episode of a benchmark dump)
            candidates = (handle if i == 0 else f"{handle}{rng.randint(1, 999)}" for i in itertools.count())
            acc["handle"] = acc["aid"] = reg.fresh("instagram", lambda: next(candidates))
        else:  # web: the outlet is the author, named by its feed title
            acc["aid"] = name
        self.accounts.append(acc)
        return acc

    def person_name(self, lang=None):
        rng = self.rng
        if rng.random() < 0.75:
            first, last = rng.choice(T.FIRST_KK), rng.choice(T.LAST_KK)
        else:
            first, last = rng.choice(T.FIRST_RU), rng.choice(T.LAST_RU)
        female = first.endswith(("а", "я")) or first in ("Асем", "Самал", "Жулдыз", "Меруерт", "Улжан", "Айгерим")
        if female and last.endswith(("ов", "ев", "ин")):
            last += "а"
        elif not female and last.endswith(("ова", "ева", "ина")):
            last = last[:-1]
        return first, last

    def ordinary(self, platform, role="ordinary", old=True):
        """A genuine-looking account: spread-out creation dates, log-normal followers."""
        rng = self.rng
        first, last = self.person_name()
        year = rng.choice((2009, 2010, 2011, 2012, 2013, 2014, 2015, 2016, 2017, 2018, 2019, 2019, 2020))
        if not old:
            year = 2020
        created = at(year, rng.randint(1, 12 if year < 2020 else 3), rng.randint(1, 28),
                     rng.randint(0, 23), rng.randint(0, 59), rng.randint(0, 59))
        followers = int(rng.lognormvariate(5.0, 1.3))
        handle = self.handle_for(first, last)
        name = f"{first} {last}" if rng.random() < 0.8 else T.kk_latin(f"{first} {last}")
        lang = rng.choices(("ru", "kk", "kk_latn", "en"), (55, 25, 8, 12))[0]
        kind = "user"
        if platform == "facebook":  # CrowdTangle only sees pages: small community pages
            name = rng.choice(("Соседи ", "Жители ", "Мамы ", "Қала ", "Бизнес ")) + rng.choice(
                ("Алатау", "Медеу", "Самал", "Жетысу", "Турксиб", "Орбита", "Аксай", "Тастак")) + " " + str(rng.randint(1, 99))
            handle = T.ascii_latin(name).lower().replace(" ", ".")
        return self.account(platform, role, created, followers, handle, name, lang, kind=kind)

    def handle_for(self, first, last):
        rng = self.rng
        a, b = T.ascii_latin(first).lower(), T.ascii_latin(last).lower()
        style = rng.randrange(5)
        if style == 0:
            return f"{a}_{b}"
        if style == 1:
            return f"{a}{b[:3]}{rng.randint(80, 99)}"
        if style == 2:
            return f"{a[0]}{b}"
        if style == 3:
            return f"{a}.{b}" if rng.random() < 0.5 else f"{b}_{a}{rng.randint(1, 9)}"
        return f"{a}{rng.randint(1985, 2003)}"

    def batch(self, platform, n, role, stems, base_day, lang="ru"):
        """Accounts created in a batch on one or two days, similar handles, few followers."""
        rng = self.rng
        stem = rng.choice(stems)
        tag = f"{stem}@{base_day}"
        out = []
        for i in range(n):
            day = base_day + DAY * rng.choice((0, 0, 1))
            created = day + rng.randint(9 * 3600, 18 * 3600)
            first, last = self.person_name()
            handle = f"{stem}{rng.randint(10, 9999)}" if rng.random() < 0.7 else f"{stem}_{T.ascii_latin(first).lower()}"
            name = rng.choice((f"{first} {last}", first, T.kk_latin(first), handle.replace("_", " ").title()))
            kind = "user"
            if platform == "facebook":
                name = rng.choice(("Біздің Ел", "Наш Казахстан", "Patriot KZ", "Отан Үні", "Правда Степи")) + f" {i + 1}"
                handle = T.ascii_latin(name).lower().replace(" ", "")
            acc = self.account(platform, role, created, rng.randint(0, 40), handle, name, lang, batch=tag, kind=kind)
            out.append(acc)
        return out

    def public_figure(self, platform, role, spec, lang="ru"):
        created = at(spec["year"], 3, 14, 12)
        followers = spec["followers"] if platform == "twitter" else spec["followers"] // self.rng.randint(2, 6)
        kind = "channel" if platform == "telegram" else ("group" if platform == "vk" and role == "outlet" else "user")
        return self.account(platform, role, created, followers, spec["handle"], spec["name"], lang, kind=kind)

    def outlet(self, spec, platform, role):
        """One account per (outlet, platform); the web account is the feed itself."""
        key = (spec["domain"], platform)
        if key not in self.outlets:
            rng = self.rng
            created = at(rng.randint(2010, 2017), rng.randint(1, 12), rng.randint(1, 28), 10)
            kind = {"telegram": "channel", "vk": "group"}.get(platform, "user")
            acc = self.account(platform, role, created, rng.randint(3000, 90000), spec["handle"], spec["title"],
                               spec["lang"], kind=kind)
            acc["domain"] = spec["domain"]
            self.outlets[key] = acc
        return self.outlets[key]

    def pool_pick(self, platform, n):
        """n distinct ordinary accounts of a platform (the pool grows when needed)."""
        pool = self.pool[platform]
        while len(pool) < n:
            pool.append(self.ordinary(platform))
        return self.rng.sample(pool, n)

    def target_account(self, target, platform):
        key = (target["id"], platform)
        if key not in self.target_acc:
            created = at(self.rng.randint(2011, 2016), 6, 1, 12)
            name = target["name"] if platform != "telegram" else target["aliases"]["en"]
            acc = self.account(platform, "target", created, self.rng.randint(2500, 25000), target["handle"], name)
            self.target_acc[key] = acc
        return self.target_acc[key]

    # --- posts -------------------------------------------------------------------------------

    def post(self, acc, text, ts, lang, camp, urls=(), reply=None, repost=None, fwd=None, title=None):
        self.seq += 1
        urls = list(urls) if acc["platform"] not in ("instagram", "web") else []
        if acc["platform"] == "facebook":
            urls = urls[:1]  # CrowdTangle has one Link column
        if acc["platform"] == "twitter" and urls:
            text = text + "".join(f" https://t.co/{short_hash(u, self.seq)}" for u in urls)
        elif acc["platform"] == "telegram" and urls:
            text = text + "".join(" " + u for u in urls)
        p = {"seq": self.seq, "acc": acc, "platform": acc["platform"], "text": text, "ts": int(ts),
             "lang": "kk" if lang == "kk_latn" else lang, "urls": urls, "reply": reply, "repost": repost,
             "fwd": fwd, "title": title, "camp": camp}
        self.posts.append(p)
        camp.posts.append(p)
        camp.accounts[id(acc)] = acc
        acc["campaigns"].add(camp.id)
        if camp.label:
            acc["label"] = 1
        return p

    def retweet(self, acc, orig, ts, camp):
        """A retweet: 'RT @x: text' truncated to 140 characters, as the v2 API returns it."""
        full = f"RT @{orig['acc']['handle']}: {orig['text']}"
        if len(full) > 140:
            full = full[:139] + "…"
        p = self.post(acc, full, max(ts, orig["ts"] + 7), orig["lang"], camp, repost=orig)
        kept = set(TCO_RE.findall(full))
        p["urls"] = [u for code, u in zip(TCO_RE.findall(orig["text"]), orig["urls"], strict=False) if code in kept]
        return p

    def share(self, acc, orig, ts, camp, comment=""):
        """Platform-appropriate repost of `orig` by `acc` (same platform) or a quoted copy."""
        plat = acc["platform"]
        ts = max(ts, orig["ts"] + 11)
        if plat == "twitter" and orig["platform"] == "twitter":
            return self.retweet(acc, orig, ts, camp)
        if plat == "vk" and orig["platform"] == "vk":
            return self.post(acc, comment, ts, orig["lang"], camp, repost=orig)
        if plat == "telegram" and orig["platform"] == "telegram":
            return self.post(acc, orig["text"], ts, orig["lang"], camp, fwd=orig["acc"])
        quote = f"«{orig['text'][:200]}» — {orig['acc']['name']}"
        return self.post(acc, (comment + " " + quote).strip(), ts, orig["lang"], camp, urls=orig["urls"])

    def new_campaign(self, kind, structure, target, label, description, split):
        cid = f"{self.prefix}{len(self.campaigns) + 1:02d}-{structure or kind}" + (f"-{target['id'][2:]}" if target else "")
        camp = Campaign(cid, kind, structure, target["id"] if target else "", label, description, split)
        self.campaigns.append(camp)
        return camp

    # --- id assignment -------------------------------------------------------------------------

    def finalize(self):
        """Assign platform ids in time order and resolve references (children after parents)."""
        rng, reg = self.rng, self.reg
        self.posts.sort(key=lambda p: (p["ts"], p["seq"]))
        vk_counter = {}
        for p in self.posts:
            plat, acc = p["platform"], p["acc"]
            if plat == "twitter":
                reg.tw_seq += 1
                ms = p["ts"] * 1000 + rng.randint(0, 999) - TWITTER_EPOCH_MS
                p["id"] = str((ms << 22) | (reg.tw_seq % 4194304))
            elif plat == "telegram":
                if rng.random() < 0.04:  # joins and pins are interleaved as service messages
                    reg.tg_msg += 1
                    self.service.append((reg.tg_msg, p["ts"] - rng.randint(5, 600), acc))
                reg.tg_msg += 1
                p["msg"] = reg.tg_msg
                p["id"] = f"{TG_CHAT_ID}_{reg.tg_msg}"  # message ids are unique only within a chat
            elif plat == "vk":
                owner = acc["aid"]
                n = vk_counter.get(owner) or rng.randint(40, 4000)
                n += rng.randint(1, 3)
                vk_counter[owner] = n
                p["vk_owner"], p["vk_post"] = int(owner), n
                p["id"] = f"{owner}_{n}"
            elif plat == "facebook":
                reg.fb_seq += 1
                p["id"] = f"https://www.facebook.com/{acc['handle']}/posts/{2790000000000000 + reg.fb_seq * 1013 + rng.randint(0, 999)}"
            elif plat == "instagram":
                reg.ig_seq += 1
                p["id"] = f"https://www.instagram.com/p/{ig_shortcode(reg.ig_seq)}/"
            else:
                reg.web_seq += 1
                p["id"] = p["url"]
        for p in self.posts:
            p["reply_to"] = p["reply"]["id"] if p["reply"] else None
            if p["repost"] is not None:
                p["repost_of"] = p["repost"]["id"]
            elif p["fwd"] is not None:
                p["repost_of"] = p["fwd"]["aid"]  # Telegram: forwarded_from_id names the source, not a message
            else:
                p["repost_of"] = None

    def web_url(self, outlet_acc, ts, slug):
        self.reg.web_seq += 1
        tm = local_tm(ts)
        return f"https://{outlet_acc['domain']}/news/{tm.tm_year}/{tm.tm_mon:02d}/{tm.tm_mday:02d}/{slug}-{100000 + self.reg.web_seq * 7}"

    def article(self, outlet_acc, title, summary, ts, lang, camp, slug):
        p = self.post(outlet_acc, f"{title}\n\n{summary}", ts, lang, camp, title=title)
        p["summary"] = summary
        p["url"] = self.web_url(outlet_acc, ts, slug)
        return p


def normalized(p):
    """The DESIGN.md normalized post. Author fields are only filled where the platform's native
    export carries them (creation date: twitter, facebook; followers: all but telegram and web)."""
    acc = p["acc"]
    known = acc["platform"] in ("twitter", "facebook")
    return {
        "id": p["id"], "platform": p["platform"], "author_id": acc["aid"], "author_name": author_name(acc),
        "author_created_at": iso_local(acc["created"]) if known else None,
        "author_followers": acc["followers"] if acc["platform"] not in ("web", "telegram") else None,
        "text": p["text"], "created_at": iso_local(p["ts"]), "lang": p["lang"], "urls": p["urls"],
        "hashtags": post_hashtags(p), "repost_of": p["repost_of"], "reply_to": p["reply_to"],
    }


def author_name(acc):
    """Handle where the format has one (twitter, vk, facebook, instagram), else the display name."""
    return acc["name"] if acc["platform"] in ("telegram", "web") else acc["handle"]


def post_hashtags(p):
    if p["platform"] == "web":
        return []
    text = p["text"]
    if text.endswith("…"):  # truncated retweet: a cut-off last word is not an entity
        text = text.rsplit(" ", 1)[0]
    return T.hashtags_of(text)


# --- platform id schemes ------------------------------------------------------------------------

_TW_ANCHORS = [(at(2009, 1, 1), 18_000_000), (at(2010, 1, 1), 100_000_000), (at(2011, 1, 1), 230_000_000),
               (at(2012, 1, 1), 460_000_000), (at(2013, 1, 1), 1_100_000_000), (at(2014, 1, 1), 2_250_000_000),
               (at(2015, 1, 1), 2_950_000_000), (at(2016, 1, 1), 4_700_000_000)]


def twitter_user_id(rng, created):
    """Sequential-looking ids before 2016, snowflake ids after (as Twitter did)."""
    if created >= at(2016, 6, 1):
        ms = created * 1000 + rng.randint(0, 999) - TWITTER_EPOCH_MS
        return (ms << 22) | rng.randint(0, 4194303)
    for (t0, v0), (t1, v1) in zip(_TW_ANCHORS, _TW_ANCHORS[1:] + [(at(2016, 6, 1), 5_200_000_000)], strict=True):
        if created < t1:
            frac = max(0.0, (created - t0) / (t1 - t0))
            return int(v0 + frac * (v1 - v0)) + rng.randint(0, 99_999)
    return 5_200_000_000 + rng.randint(0, 99_999)


def telegram_id(rng, created, kind):
    years = (created - at(2013, 8, 1)) / (365 * DAY)
    if kind == "channel":
        return f"channel{1000000000 + int(max(0, years) * 60_000_000) + rng.randint(0, 999_999)}"
    return f"user{max(10_000_000, int(max(0, years) * 180_000_000)) + rng.randint(0, 99_999)}"


def vk_id(rng, created, kind):
    years = (created - at(2006, 10, 1)) / (365 * DAY)
    if kind == "group":
        return -(int(years * 14_000_000) + rng.randint(0, 99_999))
    return int(years * 44_000_000) + rng.randint(0, 99_999)


def fb_page_id(rng, created):
    years = (created - at(2008, 1, 1)) / (365 * DAY)
    return 100_000_000_000_000 + int(years * 850_000_000_000) + rng.randint(0, 9_999_999)


def ig_shortcode(n):
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    num = (n * 0x9E3779B97F4A7C15 + 0x2545F4914F6CDD1D) % (1 << 66)  # a bijection on 66 bits
    return "".join(alphabet[(num >> (6 * i)) & 63] for i in range(11))
