"""Campaign builders: one function per smear structure and per hard-negative kind.

Smears differ from the negatives mainly by coordination (batch-created accounts, tight timing,
near-duplicate texts, shared rare links and hashtags) together with the smear narrative; the
negatives reuse the same vocabulary, names, links and some of the same timing patterns.
"""

import math

import gen_text as T
from gen_world import (
    AGREE,
    CELEBRITIES,
    DAY,
    END,
    FRINGE_SITES,
    INDEPENDENT_OUTLETS,
    OWNERS,
    PLATFORMS,
    SEEDS,
    SOCIAL,
    START,
    STATE_OUTLETS,
    TARGET_OWN,
    WEB_NEWS,
    World,
    at,
    local_tm,
)

SMEAR_STRUCTURES = ("troll_factory", "seed_amplify", "outlets", "small", "colink", "reply_swarm", "hashtag")
NEGATIVE_KINDS = ("solidarity", "news", "viral", "copypasta", "repost", "spam", "criticism")
LANGS = ("ru", "kk", "kk_latn", "en")


# --- text helpers --------------------------------------------------------------------------------

def fill(text, target, lang):
    """Put the target's name (in the post's script) into a template; capitalise sentences."""
    name = T.target_name(target, "kk" if lang == "kk_latn" else lang)
    text = text.replace("{t}", name).replace("{h}", target["aliases"]["handle"])
    text = text[:1].upper() + text[1:]
    return T.finish(text, lang)


def smear_text(rng, target, lang, main=None, sentences=None):
    """One smear message: optional opener, one or two narrative sentences, optional closer."""
    lb = T.base_lang(lang)
    pool = T.SMEAR[lb] + target["angle"][lb] * 2
    parts = [main or rng.choice(pool)]
    if sentences == 2 or (sentences is None and rng.random() < 0.45):
        extra = rng.choice(pool)
        if extra != parts[0]:
            parts.append(extra)
    opener, closer = rng.choice(T.SMEAR_OPENERS[lb]), rng.choice(T.SMEAR_CLOSERS[lb])
    sents = [fill(s, target, lang) for s in parts]
    text = " ".join(x for x in [T.finish(opener, lang)] + sents + [T.finish(closer, lang)] if x)
    return text


def target_key(target):
    """A short stem for rare hashtags: the surname, or the quoted part of an organisation's name."""
    name = target["name"]
    if "«" in name:
        return name.split("«")[1].split("»")[0].replace(" ", "")
    return name.split()[-1]


def smear_tag(rng, target):
    key = target_key(target)
    return "#" + rng.choice((f"{key}Грантоед", f"{key}Сатқын", f"Грантоеды{key}", f"{T.ascii_latin(key)}_5kolonna",
                             f"Stop{T.ascii_latin(key)}", f"{key}БесіншіКолонна"))


def solidarity_tag(target):
    key = target["name"].split()[0] if "«" not in target["name"] else target_key(target)
    suffix = "НеОдни" if target["kind"] == "org" else ("НеОдна" if key.endswith(("а", "ь")) else "НеОдин")
    return f"#{key}{suffix}"


def with_tags(text, tags):
    return text + "".join(" " + t for t in tags if t and t not in text)


def pick_lang(rng, weights=(55, 20, 10, 15)):
    return rng.choices(LANGS, weights)[0]


# --- time helpers ---------------------------------------------------------------------------------

def midnight(ts):
    tm = local_tm(ts)
    return at(tm.tm_year, tm.tm_mon, tm.tm_mday)


def weekday_from(day):
    """The first weekday on or after a local midnight."""
    while local_tm(day).tm_wday >= 5:
        day += DAY
    return day


def diurnal(rng, day):
    """A time of day weighted like human activity (quiet at night)."""
    hour = rng.choices(range(24), (1, 1, 1, 1, 1, 2, 4, 6, 8, 9, 9, 9, 10, 10, 9, 9, 9, 10, 11, 12, 12, 10, 6, 3))[0]
    return day + hour * 3600 + rng.randint(0, 3599)


def lognormal_delay(rng, median_s, sigma=1.0, cap=20 * 3600):
    return min(cap, int(rng.lognormvariate(math.log(median_s), sigma)))


def tw_reply_text(parent, text):
    return f"@{parent['acc']['handle']} {text}" if parent["platform"] == "twitter" else text


# --- smear structures --------------------------------------------------------------------------------

def troll_factory(w, target, day, platform, split):
    """15-40 batch-created accounts post near-duplicates in office hours on weekdays."""
    rng = w.rng
    camp = w.new_campaign("smear", "troll_factory", target, 1,
                          f"Troll factory: batch-created accounts post near-duplicate attacks on {target['aliases']['en']}.", split)
    trolls = w.batch(platform, rng.randint(15, 40), "troll", T.TROLL_STEMS, midnight(day - DAY * rng.randint(8, 25)))
    tag = smear_tag(rng, target) if rng.random() < 0.7 else ""
    langs = ["ru"] + rng.sample(["kk", "kk_latn", "en"], rng.randint(1, 2))
    masters = [(lang, with_tags(smear_text(rng, target, lang), [tag] if rng.random() < 0.6 else [])) for lang in langs]
    w1 = weekday_from(day)
    waves = [(d + rng.randint(9, 14) * 3600, rng.randint(2, 3) * 3600) for d in (w1, weekday_from(w1 + DAY))]
    posts = []
    for acc in trolls:
        for _ in range(rng.choice((1, 1, 2, 2, 3))):
            start, span = rng.choice(waves)
            lang, master = rng.choices(masters, [4] + [1] * (len(masters) - 1))[0]
            posts.append(w.post(acc, T.mutate(rng, master, lang), start + rng.randint(0, span), lang, camp))
    if platform in ("twitter", "vk", "telegram"):
        for acc in rng.sample(trolls, len(trolls) // 4):
            orig = rng.choice(posts)
            if orig["acc"] is not acc:
                w.share(acc, orig, orig["ts"] + rng.randint(60, 3 * 3600), camp)
    if rng.random() < 0.6:  # an owner of the factory joins in under his own name
        owner = w.figure(rng.choice(OWNERS), platform, "factory_owner")
        lang, master = masters[0]
        w.post(owner, T.mutate(rng, master, lang, 1), waves[0][0] + rng.randint(0, 7200), lang, camp)
    spill(w, camp, target, trolls[0]["created"])
    return camp


def seed_amplify(w, target, day, platform, split):
    """A nationalist figure posts first; trolls and some real users repost and reply within hours."""
    rng = w.rng
    camp = w.new_campaign("smear", "seed_amplify", target, 1,
                          f"Seed and amplify: a nationalist public figure attacks {target['aliases']['en']}, accounts repost and reply.", split)
    seed = w.figure(rng.choice(SEEDS), platform, "seed")
    lang = rng.choice(("ru", "ru", "kk"))
    tag = smear_tag(rng, target) if rng.random() < 0.5 else ""
    t0 = day + rng.randint(18 * 3600, 22 * 3600)
    seed_post = w.post(seed, with_tags(smear_text(rng, target, lang, sentences=2), [tag]), t0, lang, camp)
    n = rng.randint(25, 50)
    trolls = w.batch(platform, int(n * 0.6), "troll", T.TROLL_STEMS, midnight(day - DAY * rng.randint(5, 30)))
    amps = trolls + w.pool_pick(platform, n - len(trolls))
    if rng.random() < 0.7:
        amps.append(w.figure(rng.choice(OWNERS), platform, "factory_owner"))
    for acc in amps:
        ts = t0 + 60 + lognormal_delay(rng, 5400)
        if platform in ("twitter", "telegram") and rng.random() < 0.35:
            lb = T.base_lang(acc["lang"] if acc["lang"] in LANGS else "ru")
            lang2 = lang if lb == T.base_lang(lang) else lb
            text = T.finish(rng.choice(AGREE[T.base_lang(lang2)]), lang2)
            if rng.random() < 0.5:
                text += " " + smear_text(rng, target, lang2, sentences=1)
            w.post(acc, tw_reply_text(seed_post, text), ts, lang2, camp, reply=seed_post)
        elif platform in ("twitter", "telegram", "vk"):
            comment = "" if rng.random() < 0.7 else T.finish(rng.choice(AGREE[T.base_lang(lang)]), lang)
            w.share(acc, seed_post, ts, camp, comment)
        else:
            w.post(acc, T.mutate(rng, seed_post["text"], lang, 1), ts, lang, camp)
    # the figure cross-posts the same message elsewhere
    for plat in rng.sample([p for p in SOCIAL if p != platform], 2):
        w.post(w.figure(seed_spec(seed), plat, "seed"), seed_post["text"], t0 + rng.randint(120, 1800), lang, camp)
    spill(w, camp, target, trolls[0]["created"])
    return camp


def seed_spec(acc):
    for spec in SEEDS + OWNERS:
        if spec["handle"] == acc["handle"]:
            return spec
    return SEEDS[0]


ARTICLE_TITLES = {
    "ru": ["{t}: гранты, иностранцы и «пятая колонна»", "{t} и иностранные деньги: что скрывают «правозащитники»",
           "Защитники иностранцев: на чьи деньги работает {t}"],
    "kk": ["{t} кімнің ақшасына жұмыс істейді?", "Шетелдік гранттар және {t}: шындық неде?"],
}


def outlets(w, target, day, platform, split):
    """State-funded outlets publish near-identical articles within a day; trolls share the same URLs."""
    rng = w.rng
    camp = w.new_campaign("smear", "outlets", target, 1,
                          f"State-funded outlets publish near-identical articles about {target['aliases']['en']}; trolls share the links.", split)
    chosen = rng.sample(STATE_OUTLETS, rng.randint(3, 4))
    base = {lb: (rng.choice(ARTICLE_TITLES[lb]), [rng.choice(T.SMEAR[lb] + target["angle"][lb]) for _ in range(3)])
            for lb in ("ru", "kk")}
    t0 = day + rng.randint(8, 11) * 3600
    articles = []
    for spec in chosen:
        acc = w.outlet(spec, "web", "outlet")
        acc["role"] = "state_outlet"
        lb = "kk" if spec["lang"] == "kk" else "ru"
        title, sents = base[lb]
        sents = sents[:]
        if rng.random() < 0.5:
            rng.shuffle(sents)
        summary = T.mutate(rng, " ".join(fill(s, target, lb) for s in sents), lb, rng.randint(0, 2))
        art = w.article(acc, fill(title, target, lb), summary, t0 + rng.randint(0, 10 * 3600), lb, camp, "pravda-o-grantah")
        articles.append(art)
        for plat in ("twitter", "telegram", "facebook"):
            sacc = w.outlet(spec, plat, "state_outlet")
            w.post(sacc, art["title"], art["ts"] + rng.randint(300, 3600), lb, camp, urls=[art["url"]])
    trolls = []
    for plat in ("twitter", "twitter", "vk", "facebook", "telegram"):
        trolls += w.batch(plat, rng.randint(3, 6), "troll", T.TROLL_STEMS, midnight(day - DAY * rng.randint(10, 20)))
    for acc in trolls:
        for art in rng.sample(articles, rng.choice((1, 1, 2))):
            lang = pick_lang(rng)
            text = smear_text(rng, target, lang, sentences=1) if rng.random() < 0.6 else T.finish(
                rng.choice(("Читайте!", "Вот кто они на самом деле.", "Оқыңыздар!", "Must read.")), lang)
            w.post(acc, text, art["ts"] + 300 + lognormal_delay(rng, 3 * 3600), lang, camp, urls=[art["url"]])
    spill(w, camp, target, trolls[0]["created"])
    return camp


def small(w, target, day, platform, split):
    """Exactly 12 accounts post once each within 3 hours, paraphrased (no near-duplicates)."""
    rng = w.rng
    camp = w.new_campaign("smear", "small", target, 1,
                          f"Small campaign: 12 accounts post paraphrased attacks on {target['aliases']['en']} within 3 hours.", split)
    plats = [platform] * 7 + [p for p in PLATFORMS if p != platform][:5]
    if len(plats) < 12:
        plats += [platform] * (12 - len(plats))
    used, t0 = set(), day + rng.randint(10, 19) * 3600
    for i, plat in enumerate(plats):
        lang = ("ru", "ru", "kk", "en", "kk_latn", "ru", "en", "kk", "ru", "en", "ru", "kk")[i]
        pool = [s for s in T.SMEAR[T.base_lang(lang)] + target["angle"][T.base_lang(lang)] if (lang, s) not in used]
        main = rng.choice(pool)
        used.add((lang, main))
        ts = t0 + rng.randint(0, 3 * 3600 - 1)
        if plat == "web":
            acc = w.outlet(rng.choice(FRINGE_SITES), "web", "fringe_site")
            w.article(acc, fill(main, target, T.base_lang(lang)).rstrip(".!?"), smear_text(rng, target, T.base_lang(lang), sentences=2),
                      ts, T.base_lang(lang), camp, "kto-oni")
            continue
        if i % 3 == 0:  # some are bought/aged accounts, not fresh ones: age alone does not tell
            acc = w.ordinary(plat, role="troll")
        else:
            acc = w.batch(plat, 1, "troll", T.TROLL_STEMS, midnight(day - DAY * rng.randint(3, 60)))[0]
        w.post(acc, smear_text(rng, target, lang, main=main), ts, lang, camp)
    return camp


def colink(w, target, day, platform, split):
    """Accounts push the same smear article links (a fringe site), varied texts, a rare hashtag."""
    rng = w.rng
    camp = w.new_campaign("smear", "colink", target, 1,
                          f"Co-link campaign: accounts push the same smear links about {target['aliases']['en']}.", split)
    site = w.outlet(rng.choice(FRINGE_SITES), "web", "fringe_site")
    arts = []
    for k in range(rng.randint(2, 3)):
        lb = rng.choice(("ru", "kk"))
        title = fill(rng.choice(ARTICLE_TITLES[lb]), target, lb)
        arts.append(w.article(site, title, smear_text(rng, target, lb, sentences=2), day - DAY + rng.randint(9, 20) * 3600,
                              lb, camp, f"rassledovanie-{k + 1}"))
    tag = smear_tag(rng, target)
    accs = w.batch(platform, rng.randint(14, 20), "troll", T.TROLL_STEMS, midnight(day - DAY * rng.randint(6, 40)))
    accs += w.batch(rng.choice([p for p in SOCIAL if p != platform]), rng.randint(4, 8), "troll", T.TROLL_STEMS,
                    midnight(day - DAY * rng.randint(6, 40)))
    accs += w.pool_pick(platform, rng.randint(1, 3))
    for acc in accs:
        for _ in range(rng.choice((1, 2, 2, 3))):
            lang = pick_lang(rng)
            text = with_tags(smear_text(rng, target, lang), [tag] if rng.random() < 0.35 else [])
            links = [a["url"] for a in rng.sample(arts, rng.choice((1, 1, 2)))]
            w.post(acc, text, diurnal(rng, day + DAY * rng.choice((0, 0, 1))), lang, camp, urls=links)
    spill(w, camp, target, accs[0]["created"])
    return camp


def reply_swarm(w, target, day, platform, split):
    """The target posts; 20-35 accounts reply with insults and accusations within two hours."""
    rng = w.rng
    camp = w.new_campaign("smear", "reply_swarm", target, 1,
                          f"Co-reply swarm under a post by {target['aliases']['en']}.", split)
    tacc = w.target_account(target, platform)
    lang = rng.choice(("ru", "kk", "en"))
    t0 = day + rng.randint(10, 17) * 3600
    own = w.post(tacc, fill(rng.choice(TARGET_OWN[lang]), target, lang), t0, lang, w.background)
    accs = w.batch(platform, rng.randint(20, 35), "troll", T.TROLL_STEMS, midnight(day - DAY * rng.randint(4, 30)))
    for acc in accs:
        for _ in range(rng.choice((1, 1, 1, 2))):
            rl = pick_lang(rng, (55, 25, 5, 15))
            text = T.finish(rng.choice(T.SWARM_REPLIES[T.base_lang(rl)]), rl)
            if rng.random() < 0.4:
                text += " " + smear_text(rng, target, rl, sentences=1)
            w.post(acc, tw_reply_text(own, text), t0 + 120 + lognormal_delay(rng, 1800, 0.7, 2 * 3600 - 200), rl, camp, reply=own)
    spill(w, camp, target, accs[0]["created"])
    return camp


def hashtag(w, target, day, platform, split):
    """A rare hashtag pushed by a group of accounts over a day and a half, varied texts."""
    rng = w.rng
    camp = w.new_campaign("smear", "hashtag", target, 1,
                          f"Rare-hashtag campaign against {target['aliases']['en']}.", split)
    tag = smear_tag(rng, target)
    accs = w.batch(platform, rng.randint(15, 25), "troll", T.TROLL_STEMS, midnight(day - DAY * rng.randint(5, 25)))
    for acc in accs:
        for _ in range(rng.choice((2, 2, 3))):
            lang = pick_lang(rng)
            extra = rng.choice(("", "#Казахстан", "#Qazaqstan", "#ҚР"))
            w.post(acc, with_tags(smear_text(rng, target, lang), [tag, extra]), day + rng.randint(8 * 3600, 44 * 3600), lang, camp)
    spill(w, camp, target, accs[0]["created"])
    return camp


def spill(w, camp, target, created):
    """Coordinated operations cross-post: make sure the campaign shows up on every platform."""
    rng = w.rng
    present = {p["platform"] for p in camp.posts}
    texts = [p for p in camp.posts if p["text"] and not p["text"].startswith("RT @") and p["platform"] != "web"]
    t_lo = min(p["ts"] for p in camp.posts)
    t_hi = max(p["ts"] for p in camp.posts)
    for plat in PLATFORMS:
        if plat in present:
            continue
        if plat == "web":
            spec = rng.choice(STATE_OUTLETS + FRINGE_SITES)
            acc = w.outlet(spec, "web", "state_outlet" if spec in STATE_OUTLETS else "fringe_site")
            lb = "kk" if spec["lang"] == "kk" else "ru"
            title = fill(rng.choice(ARTICLE_TITLES[lb]), target, lb)
            w.article(acc, title, smear_text(rng, target, lb, sentences=2), rng.randint(t_lo, t_hi), lb, camp, "fakty")
            continue
        for acc in w.batch(plat, rng.randint(2, 4), "troll", T.TROLL_STEMS, midnight(created)):
            src = rng.choice(texts)
            text = src["text"]
            if src["reply"] is not None and text.startswith("@"):
                text = text.split(" ", 1)[1]
            w.post(acc, T.mutate(rng, text, src["lang"]), rng.randint(t_lo, t_hi + 3600), src["lang"], camp, urls=src["urls"])


SMEAR_BUILDERS = {"troll_factory": troll_factory, "seed_amplify": seed_amplify, "outlets": outlets, "small": small,
                  "colink": colink, "reply_swarm": reply_swarm, "hashtag": hashtag}


# --- hard negatives -------------------------------------------------------------------------------------

def ally(w, platform):
    """An established supporter: old account, real followers."""
    rng = w.rng
    acc = w.ordinary(platform, role="ally")
    acc["created"] = at(rng.randint(2009, 2016), rng.randint(1, 12), rng.randint(1, 28), rng.randint(8, 22))
    acc["followers"] = rng.randint(300, 20000)
    return acc


def solidarity(w, target, day, split):
    """Allies post one call to action with one hashtag within an hour (coordinated, authentic)."""
    rng = w.rng
    camp = w.new_campaign("solidarity", None, target, 0, f"Solidarity with {target['aliases']['en']}: one call, one hashtag, one hour.", split)
    tag = solidarity_tag(target)
    t0 = day + rng.randint(12, 20) * 3600
    plats = rng.choices(SOCIAL, (60, 8, 7, 15, 10), k=rng.randint(40, 70))
    first = None
    for i, plat in enumerate(plats):
        acc = ally(w, plat)
        lang = rng.choices(("ru", "kk", "kk_latn", "en"), (60, 20, 5, 15))[0]
        ts = t0 if i == 0 else t0 + rng.randint(30, 3600)
        if first is not None and plat == "twitter" and rng.random() < 0.2:
            w.retweet(acc, first, ts, camp)
            continue
        text = fill(rng.choice(T.SOLIDARITY[T.base_lang(lang)]).replace("{tag}", tag), target, lang)
        p = w.post(acc, text, ts, lang, camp)
        if first is None and plat == "twitter":
            first = p
    return camp


def news(w, target, day, split):
    """News coverage of a smear: quotes the accusations, everyone shares the one article."""
    rng = w.rng
    camp = w.new_campaign("news", None, target, 0, f"News coverage of the smear against {target['aliases']['en']}.", split)
    spec = rng.choice(INDEPENDENT_OUTLETS)
    web = w.outlet(spec, "web", "news_outlet")
    lb = {"kk": "kk", "en": "en"}.get(spec["lang"], "ru")
    quote = fill(rng.choice(T.SMEAR[lb]), target, lb)
    summary = {"ru": f"В соцсетях и на ряде сайтов появились десятки похожих публикаций. Цитата: «{quote}» Эксперты видят признаки координации.",
               "kk": f"Әлеуметтік желілерде ондаған ұқсас жазба пайда болды. Дәйексөз: «{quote}» Сарапшылар үйлестіру белгілерін көреді.",
               "en": f"Dozens of similar posts appeared on social networks and websites. Quote: '{quote}' Experts see signs of coordination."}[lb]
    art = w.article(web, fill(T.NEWS_HEADLINES[lb], target, lb), summary, day + rng.randint(9, 12) * 3600, lb, camp, "kampaniya")
    url = art["url"]
    outlet_posts = [w.post(w.outlet(spec, plat, "news_outlet"), art["title"], art["ts"] + rng.randint(200, 2400), lb, camp, urls=[url])
                    for plat in ("twitter", "facebook", "telegram")]
    n = rng.randint(20, 40)
    for _ in range(n):
        plat = rng.choices(SOCIAL, (60, 10, 10, 15, 5))[0]
        acc = ally(w, plat) if rng.random() < 0.4 else w.pool_pick(plat, 1)[0]
        if rng.random() < 0.4:
            acc["role"] = "journalist"
        ts = art["ts"] + lognormal_delay(rng, 6 * 3600, 1.0, 40 * 3600)
        if plat == "twitter" and rng.random() < 0.25:
            w.retweet(acc, outlet_posts[0], ts, camp)
            continue
        lang = rng.choices(("ru", "kk", "en"), (65, 15, 20))[0]
        text = fill(rng.choice(T.NEWS_SHARES[lang]).replace("{url}", ""), target, lang).rstrip(": ")
        w.post(acc, text, ts, lang, camp, urls=[url])
    return camp


def viral(w, day, split):
    """Hundreds of ordinary accounts share one news link over a day."""
    rng = w.rng
    lang0, title, slug = rng.choice(T.VIRAL_NEWS)
    camp = w.new_campaign("viral", None, None, 0, f"Organic virality: '{title}' shared by hundreds over a day.", split)
    spec = rng.choice([s for s in INDEPENDENT_OUTLETS if s["lang"] == lang0] or INDEPENDENT_OUTLETS)
    art = w.article(w.outlet(spec, "web", "news_outlet"), title, title + ". " + "Подробности в материале.", day + rng.randint(7, 10) * 3600,
                    lang0, camp, slug)
    tw = w.post(w.outlet(spec, "twitter", "news_outlet"), title, art["ts"] + 120, lang0, camp, urls=[art["url"]])
    n = rng.randint(140, 200)
    plats = rng.choices(SOCIAL, (60, 12, 12, 12, 4), k=n)
    counts = {p: plats.count(p) for p in SOCIAL}
    accs = [a for p in SOCIAL for a in w.pool_pick(p, counts[p])]
    for acc in accs:
        ts = art["ts"] + lognormal_delay(rng, 4 * 3600, 0.9, 26 * 3600)
        if acc["platform"] == "twitter" and rng.random() < 0.15:
            w.retweet(acc, tw, ts, camp)
            continue
        lang = acc["lang"] if acc["lang"] in LANGS else "ru"
        text = T.finish(rng.choice(T.VIRAL_COMMENTS[T.base_lang(lang)]), lang)
        w.post(acc, text, ts, lang, camp, urls=[art["url"]])
    return camp


def copypasta(w, day, split):
    """A meme copied by many over several days (near-duplicates, but organic and not a smear)."""
    rng = w.rng
    lang = rng.choice(("ru", "ru", "kk", "en"))
    meme = rng.choice(T.COPYPASTA[lang])
    camp = w.new_campaign("copypasta", None, None, 0, "Copypasta: a lockdown meme copied over several days.", split)
    n_day = (day - at(2020, 3, 16)) // DAY
    span = rng.randint(3, 5)
    for plat in rng.choices(SOCIAL, (50, 15, 15, 10, 10), k=rng.randint(40, 70)):
        acc = w.pool_pick(plat, 1)[0]
        ts = diurnal(rng, day + DAY * rng.randrange(span))
        text = meme.replace("{n}", str(n_day + rng.choice((0, 0, 0, 1, 2))))
        if rng.random() < 0.4:
            text = T.mutate(rng, text, lang, 1)
        w.post(acc, text, ts, lang, camp)
    return camp


def repost(w, day, split):
    """Reposts of a popular post by a celebrity (many accounts, one origin, a day or two)."""
    rng = w.rng
    spec = rng.choice(CELEBRITIES)
    lang, text = rng.choice(T.POPULAR_POSTS)
    camp = w.new_campaign("repost", None, None, 0, f"Reposts of a popular post by {spec['name']}.", split)
    t0 = day + rng.randint(9, 20) * 3600
    origins = {plat: w.post(w.figure(spec, plat, "celebrity"), text, t0 + rng.randint(0, 600), lang, camp)
               for plat in ("twitter", "vk", "telegram")}
    for plat in rng.choices(("twitter", "vk", "telegram"), (70, 20, 10), k=rng.randint(80, 130)):
        acc = w.pool_pick(plat, 1)[0]
        w.share(acc, origins[plat], t0 + 60 + lognormal_delay(rng, 5 * 3600, 1.1, 44 * 3600), camp)
    return camp


def spam(w, day, split):
    """Commercial spam bots: batch-created, coordinated, near-duplicate ads (inauthentic, not a smear)."""
    rng = w.rng
    camp = w.new_campaign("spam", None, None, 0, "Commercial spam bots: near-duplicate ads from batch-created accounts.", split)
    lang = rng.choice(("ru", "ru", "kk"))
    ad = rng.choice(T.SPAM[lang])
    phone = f"+7 70{rng.randint(1, 8)} {rng.randint(100, 999)} {rng.randint(10, 99)} {rng.randint(10, 99)}"
    shop = f"https://{rng.choice(('maski-optom', 'zaim-tez', 'tabys-online', 'antiseptik-almaty'))}.kz/"
    ad = ad.replace("{phone}", phone)
    bots = []
    for plat in ("twitter", "instagram", "telegram", "vk"):
        bots += w.batch(plat, rng.randint(4, 9), "spam_bot", T.SPAM_STEMS, midnight(day - DAY * rng.randint(2, 20)))
    t0 = day + rng.randint(0, 20) * 3600
    for acc in bots:
        for _ in range(rng.randint(2, 5)):
            text = T.mutate(rng, ad.replace(" {url}", "").replace("{url}", ""), lang)
            w.post(acc, text, t0 + rng.randint(0, 6 * 3600), lang, camp, urls=[shop])
    return camp


def criticism(w, target, day, split):
    """One to three people's sincere criticism of the same organisation, in their own words."""
    rng = w.rng
    camp = w.new_campaign("criticism", None, target, 0, f"Sincere criticism of {target['aliases']['en']} by a few individuals.", split)
    options = [(lang, s) for lang in ("ru", "kk", "en") for s in T.CRITICISM[lang]]
    rng.shuffle(options)
    for _ in range(rng.randint(1, 3)):
        acc = w.ordinary(rng.choice(("twitter", "facebook", "telegram", "vk")), role="critic")
        for _ in range(rng.randint(1, 3)):
            if not options:
                break
            lang, s = options.pop()
            w.post(acc, fill(s.replace("(о)", "о" if target["kind"] == "org" else ""), target, lang),
                   diurnal(rng, day + DAY * rng.randint(0, 5)), lang, camp)
    return camp


NEGATIVE_BUILDERS = {"solidarity": solidarity, "news": news, "viral": viral, "copypasta": copypasta,
                     "repost": repost, "spam": spam, "criticism": criticism}
TARGETED = ("solidarity", "news", "criticism")


# --- background --------------------------------------------------------------------------------------------

def background(w, n_posts, targets):
    """Ordinary chatter: news, weather, lockdown, football, prices; replies and reposts among users."""
    rng = w.rng
    camp = w.background
    for plat, n in (("twitter", 200), ("telegram", 70), ("vk", 70), ("facebook", 30), ("instagram", 40)):
        w.pool_pick(plat, n)
    days = (END - START) // DAY
    times = sorted(diurnal(rng, START + DAY * rng.randrange(days)) for _ in range(n_posts))
    recent = {p: [] for p in SOCIAL}
    for ts in times:
        roll = rng.random()
        if roll < 0.05:
            spec = rng.choice(INDEPENDENT_OUTLETS)
            lb = {"kk": "kk", "en": "en"}.get(spec["lang"], "ru")
            title = rng.choice(WEB_NEWS[lb])
            w.article(w.outlet(spec, "web", "news_outlet"), title, title + ".", ts, lb, camp, "novosti")
            continue
        if roll < 0.08 and targets:
            target = rng.choice(targets)
            plat = rng.choice(("twitter", "telegram", "facebook"))
            lang = rng.choice(("ru", "ru", "kk", "en"))
            w.post(w.target_account(target, plat), fill(rng.choice(TARGET_OWN[lang]), target, lang), ts, lang, camp)
            continue
        plat = rng.choices(SOCIAL, (45, 15, 20, 8, 12))[0]
        acc = rng.choice(w.pool[plat])
        lang = acc["lang"] if acc["lang"] in LANGS else "ru"
        prev = recent[plat]
        if prev and roll < 0.16 and plat in ("twitter", "telegram"):
            parent = rng.choice(prev[-30:])
            text = T.finish(rng.choice(("Согласен", "Да, у нас так же", "Шынымен бе?", "Same here", "Ха-ха, точно")), lang)
            p = w.post(acc, tw_reply_text(parent, text), ts + 1, lang, camp, reply=parent)
        elif prev and roll < 0.22 and plat in ("twitter", "vk", "telegram"):
            p = w.share(acc, rng.choice(prev[-30:]), ts, camp)
        else:
            text = rng.choice(T.BACKGROUND[T.base_lang(lang)]).format(
                temp=rng.randint(8, 24), price=rng.randint(350, 900), rate=rng.randint(420, 448), n=rng.randint(5, 8))
            text = T.finish(text, lang)
            if rng.random() < 0.15:
                text += " " + rng.choice(T.BACKGROUND_TAGS)
            p = w.post(acc, text, ts, lang, camp)
        if p["acc"]["kind"] != "channel" or plat != "telegram":
            prev.append(p)
    return camp


# --- plans ---------------------------------------------------------------------------------------------------

# The committed world: 10 smear campaigns over 7 targets, two hard negatives of every kind.
WORLD_SMEARS = [
    ("troll_factory", "t-lawyer", (4, 29), "twitter", "heldout"),
    ("seed_amplify", "t-bureau", (4, 28), "twitter", "heldout"),
    ("outlets", "t-bureau", (5, 1), "web", "heldout"),
    ("small", "t-journalist", (4, 30), "twitter", "heldout"),
    ("seed_amplify", "t-lawyer", (5, 2), "vk", "heldout"),
    ("colink", "t-eco", (4, 29), "facebook", "train"),
    ("reply_swarm", "t-activist", (4, 30), "twitter", "train"),
    ("hashtag", "t-union", (5, 1), "instagram", "train"),
    ("troll_factory", "t-lecturer", (4, 28), "telegram", "train"),
    ("small", "t-lecturer", (5, 2), "telegram", "train"),
]
WORLD_NEGATIVES = [
    ("solidarity", "t-lawyer", (4, 30), "heldout"), ("solidarity", "t-activist", (5, 1), "train"),
    ("news", "t-bureau", (5, 2), "heldout"), ("news", "t-union", (5, 3), "train"),
    ("viral", None, (5, 1), "heldout"), ("viral", None, (4, 25), "train"),
    ("copypasta", None, (4, 29), "heldout"), ("copypasta", None, (4, 24), "train"),
    ("repost", None, (4, 30), "heldout"), ("repost", None, (4, 27), "train"),
    ("spam", None, (4, 28), "heldout"), ("spam", None, (5, 5), "train"),
    ("criticism", "t-bureau", (4, 27), "heldout"), ("criticism", "t-eco", (4, 26), "train"),
]
STRUCTURE_PLATFORMS = {"troll_factory": ("twitter", "telegram", "vk", "facebook"), "seed_amplify": ("twitter", "vk", "telegram"),
                       "outlets": ("web",), "small": ("twitter", "telegram", "vk"), "colink": ("facebook", "twitter", "vk"),
                       "reply_swarm": ("twitter", "telegram"), "hashtag": ("instagram", "twitter", "vk")}


def build(w, smears, negatives, n_background, targets):
    """Run a plan on a world: campaigns first (they create accounts), then background, then ids."""
    by_id = {t["id"]: t for t in targets}
    w.background = w.new_campaign("background", None, None, 0, "Ordinary chatter from ordinary accounts.", "by-account")
    for structure, tid, (m, d), platform, split in smears:
        SMEAR_BUILDERS[structure](w, by_id[tid], at(2020, m, d), platform, split)
    for kind, tid, (m, d), split in negatives:
        builder = NEGATIVE_BUILDERS[kind]
        if kind in TARGETED:
            builder(w, by_id[tid], at(2020, m, d), split)
        else:
            builder(w, at(2020, m, d), split)
    background(w, n_background, targets)
    w.finalize()
    return w


def random_plan(rng, targets, n_smears, negatives_per_kind, split):
    """A random plan (training world, benchmark episodes): structures cycled, days spread."""
    structures = list(SMEAR_STRUCTURES) * (n_smears // len(SMEAR_STRUCTURES) + 1)
    rng.shuffle(structures)
    smears = []
    for i in range(n_smears):
        s = structures[i]
        target = targets[i % len(targets)]
        day = (4, rng.randint(21, 30)) if rng.random() < 0.5 else (5, rng.randint(1, 8))
        smears.append((s, target["id"], day, rng.choice(STRUCTURE_PLATFORMS[s]), split))
    negatives = []
    for kind in NEGATIVE_KINDS:
        for _ in range(negatives_per_kind):
            day = (4, rng.randint(21, 30)) if rng.random() < 0.5 else (5, rng.randint(1, 6))
            # criticism templates address an organisation ("wrote to the bureau")
            pool = [t for t in targets if t["kind"] == "org"] if kind == "criticism" else targets
            negatives.append((kind, rng.choice(pool)["id"] if kind in TARGETED else None, day, split))
    return smears, negatives


def world_figure(w, spec, platform, role):
    """One account per (public figure, platform), reused across campaigns of a world."""
    key = ("figure", spec["handle"], platform)
    if key not in w.outlets:
        acc = w.public_figure(platform, role, spec)
        w.outlets[key] = acc
    return w.outlets[key]


World.figure = world_figure
