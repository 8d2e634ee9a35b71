"""The script of the world: the networks that exist, and every coordinated campaign with its shape, accounts,
languages and dates. Smear campaigns come first, then the coordinated campaigns that are not smears."""

from __future__ import annotations

import string
from datetime import UTC, datetime, timedelta

import grammar
import negatives_lexicon as neg
import noise
import population as pop
import shapes
import smear_lexicon as sm
import writing
from shapes import Campaign
from world import Account, World, day

_ALNUM = string.ascii_letters + string.digits + "-_"
GIVING = ["https://givinggrid.md/mihaita-5ani"]
WHO = {"free_lungu": "a journalist detained in Tiraspol", "with_vt": "Vot Transparent after the smears",
       "with_sarbu": "Dr Elena Sârbu", "with_teachers": "the striking teachers' union",
       "with_curcubeu": "Curcubeu Moldova after an attack"}


class Cast:
    """The accounts campaigns are run with, made once per world."""

    def __init__(self, world: World, organic: list[Account], influencers: list[Account], scale: float):
        self.world, self.organic, self.influencers, self.scale = world, organic, influencers, scale
        rng = world.rng("cast")
        b = pop.batch
        d = lambda y, m, dd: datetime(y, m, dd, 9, tzinfo=UTC)  # noqa: E731 (a date shorthand for this table)
        st = lambda: noise.random_style(rng, "bot")              # noqa: E731
        # Farm A: a troll farm working for the pro-Kremlin side, in three sign-up batches plus bought old accounts.
        self.a_tw = (b(world, rng, n=30, platform="twitter", role="troll", culture="ro", born=d(2024, 8, 12),
                       spread_hours=5, style=st(), bought=0.2)
                     + b(world, rng, n=30, platform="twitter", role="troll", culture="ru", born=d(2024, 9, 2),
                         spread_hours=9, style=st())
                     + pop.aged(world, rng, n=20, platform="twitter", role="troll_aged", culture="bi", style=st()))
        self.a_fb = (pop.aged(world, rng, n=40, platform="facebook", role="troll_aged", culture="ro", style=st())
                     + b(world, rng, n=25, platform="facebook", role="troll", culture="ru", born=d(2024, 7, 20),
                         spread_hours=30, style=st(), followers=(20, 300)))
        self.a_tg = b(world, rng, n=50, platform="telegram", role="troll", culture="ru", born=d(2024, 6, 15),
                      spread_hours=48, style=st())
        self.a_channels = pop.channels(world, rng, names=["Молдова без цензуры", "Moldova Reală", "Кишинёв Инсайд",
                                                          "Народный контроль MD", "Știri fără cenzură"],
                                       role="smear_channel", culture="ru", followers=(4000, 60000))
        self.a_web = [pop.outlet(world, rng, name=n, domain=dm, platform="web", culture=c, role="smear_outlet")
                      for n, dm, c in [("Știri Curate", "stiricurate.md", "ro"),
                                       ("Gazeta Poporului", "gazetapoporului.md", "ro"),
                                       ("Правда Молдовы Онлайн", "pravda-moldovy.online", "ru")]]
        # Farm B: local political operators (the mayor's and the MP's rivals), mostly hijacked old profiles.
        self.b_fb = pop.aged(world, rng, n=40, platform="facebook", role="troll_aged", culture="ro", style=st())
        self.b_tw = b(world, rng, n=35, platform="twitter", role="troll", culture="bi", born=d(2024, 10, 1),
                      spread_hours=3, style=st())
        self.b_tg = b(world, rng, n=25, platform="telegram", role="troll", culture="ru", born=d(2024, 9, 20),
                      spread_hours=12, style=st())
        self.b_web = [pop.outlet(world, rng, name=n, domain=dm, platform="web", culture="ro", role="smear_outlet")
                      for n, dm in [("Florești Azi Info", "florestiazi.info"), ("Ştiri Reale MD", "stirireale.md")]]
        # Farm C: a nationalist network on the other side (attacks the union as Moscow's, the Gagauz journalist).
        self.c_tw = b(world, rng, n=45, platform="twitter", role="troll", culture="ro", born=d(2024, 9, 10),
                      spread_hours=20, style=st(), bought=0.1)
        self.c_fb = pop.aged(world, rng, n=30, platform="facebook", role="troll_aged", culture="ro", style=st())
        self.c_tg = b(world, rng, n=30, platform="telegram", role="troll", culture="bi", born=d(2024, 8, 28),
                      spread_hours=10, style=st())
        self.c_web = [pop.outlet(world, rng, name=n, domain=dm, platform="web", culture="ro", role="smear_outlet")
                      for n, dm in [("Vocea Civică", "voceacivica.md"), ("Monitorul Patriotic", "monitorulpatriotic.md")]]
        # Spam networks.
        self.s_crypto = b(world, rng, n=60, platform="twitter", role="spam_bot", culture="en", born=d(2024, 5, 3),
                          spread_hours=72, style=st(), bought=0.3)
        self.s_reply = b(world, rng, n=40, platform="twitter", role="spam_bot", culture="en", born=d(2024, 9, 18),
                         spread_hours=4, style=st())
        self.s_giveaway = b(world, rng, n=50, platform="twitter", role="spam_bot", culture="en", born=d(2024, 4, 9),
                            spread_hours=10, style=st(), bought=0.5)
        self.s_bet_tg = b(world, rng, n=35, platform="telegram", role="spam_bot", culture="bi", born=d(2024, 3, 1),
                          spread_hours=100, style=st())
        self.s_bet_tw = b(world, rng, n=30, platform="twitter", role="spam_bot", culture="ro", born=d(2024, 8, 30),
                          spread_hours=6, style=st())
        self.s_pharma = b(world, rng, n=40, platform="facebook", role="spam_bot", culture="ru", born=d(2024, 2, 14),
                          spread_hours=200, style=st(), followers=(0, 150))
        self.s_loans = b(world, rng, n=30, platform="telegram", role="spam_bot", culture="bi", born=d(2024, 7, 7),
                         spread_hours=20, style=st())
        # Brands and their stores.
        self.brands = {name: pop.outlet(world, rng, name=name, domain="", platform=pl, culture=c, role="brand",
                                        followers=(20000, 150000))
                       for name, pl, c in [("Nordcell", "facebook", "ro"), ("Codru Verde", "facebook", "ro"),
                                           ("MarketPlus", "facebook", "ro"), ("TaxiGo", "facebook", "ro")]}
        self.stores = [pop.outlet(world, rng, name=f"MarketPlus {p}", domain="", platform="facebook", culture="ro",
                                  role="brand", followers=(800, 6000))
                       for p in ["Botanica", "Ciocana", "Râșcani", "Bălți", "Cahul", "Orhei", "Ungheni", "Comrat"]]
        self.promoters = b(world, rng, n=14, platform="twitter", role="promoter", culture="bi", born=d(2023, 11, 1),
                           spread_hours=2000, style=noise.random_style(rng), followers=(1500, 9000))
        # News aggregators: Telegram channels, Facebook regional pages, Twitter headline bots.
        self.agg_tg = pop.channels(world, rng, names=["Știri MD 24", "Moldova Live", "Chișinău Online", "Știrile Zilei",
                                                      "Breaking MD", "Actual MD", "Tot ce contează", "Info Nord"],
                                   role="news_aggregator", culture="ro")
        self.agg_tg_ru = pop.channels(world, rng, names=["Новости Молдовы 24", "Молдова Онлайн", "Кишинёв Сейчас",
                                                         "Бельцы Инфо", "Гагаузия Новости", "МД Главное"],
                                      role="news_aggregator", culture="ru")
        self.agg_fb = [pop.outlet(world, rng, name=n, domain="", platform="facebook", culture="ro",
                                  role="news_aggregator", followers=(3000, 40000))
                       for n in ["Florești Info", "Soroca Azi", "Nordul Live", "Ungheni News", "Orhei Online",
                                 "Cahul Știri", "Comrat Info", "Bălți Azi"]]
        self.agg_tw = b(world, rng, n=12, platform="twitter", role="news_aggregator", culture="bi",
                        born=d(2022, 1, 10), spread_hours=8000, style=noise.random_style(rng, "outlet"),
                        followers=(300, 5000))
        # Real outlets (their own news is background; aggregators rebroadcast it).
        self.outlets = [pop.outlet(world, rng, name=n, domain=dm, platform="web", culture=c, role="outlet")
                        for n, dm, c in [("Jurnalul Zilei", "jurnalul-zilei.md", "ro"), ("Nord News", "nordnews.md", "ro"),
                                         ("Ecoul Capitalei", "ecoul-capitalei.md", "ro"),
                                         ("Кишинёвские вести", "kishinev-vesti.md", "ru"),
                                         ("Agenția Info", "agentia-info.md", "ro")]]
        # Fan clubs, NGOs and charities that run the authentic campaigns.
        self.pages = {name: pop.outlet(world, rng, name=name, domain="", platform=pl, culture=c, role=role,
                                       followers=(2000, 30000))
                      for name, pl, c, role in [("Carla Doina Fan Club", "facebook", "ro", "fan_club"),
                                                ("Peluza Nord Olimp", "telegram", "ro", "fan_club"),
                                                ("Centrul Jurnalism Liber", "facebook", "ro", "activist"),
                                                ("Drepturi Acum", "facebook", "ro", "activist"),
                                                ("Centrul de Transfuzie", "facebook", "ro", "volunteer"),
                                                ("Fundația Mâini Calde", "facebook", "ro", "volunteer"),
                                                ("Теплі руки Кишинів", "telegram", "uk", "volunteer")]}

    def n(self, k: int) -> int:
        return max(4, round(k * self.scale))

    def some(self, pool: list[Account], k: int, name: str) -> list[Account]:
        """k accounts of a pool, chosen the same way every run."""
        rng = self.world.rng("pick:" + name)
        return rng.sample(pool, min(len(pool), self.n(k)))

    def people(self, k: int, name: str, platform: str | None = None, role: str | None = None,
               langs: tuple = ()) -> list[Account]:
        pool = [a for a in self.organic if (platform is None or a.platform == platform)
                and (not langs or max(a.langs, key=a.langs.get) in langs)]
        chosen = self.some(pool, k, name)
        if role:
            for a in chosen:
                if a.role == "organic":
                    a.role = role
        return chosen


def _links(world: World, name: str, kind: str, k: int = 2) -> list[str]:
    rng = world.rng("links:" + name)
    out = []
    for _ in range(k):
        code = "".join(rng.choice(_ALNUM) for _ in range(11))
        if kind == "video":
            out.append(f"https://youtu.be/{code}")
        elif kind == "tg":
            out.append(f"https://t.me/{rng.choice(['moldova_reala', 'md_insider', 'adevarul_ascuns'])}/{rng.randrange(200, 9000)}")
        else:
            out.append(f"https://{kind}/{code[:6].lower()}")
    return out


# ---- smear ----------------------------------------------------------------------------------------------------

def smear(world: World, cid: str, structure: str, target: str, narratives: list[str], langs: dict, *,
          tags: list[str], patron: str | None = None, links: list[str] = (), description: str = "") -> Campaign:
    def write(rng, lang):
        return writing.smear_core(rng, lang, target, narratives, patron)

    def short(rng, lang):
        ctx = writing.target_context(target, lang, hostile=True)
        lex = writing.lexicon(lang, patron)
        if structure == "reply_swarm":
            bank = sm.SWARM.get(lang, sm.SWARM["en"])
        elif structure == "hashtag_push":
            bank = sm.PUSH.get(lang, sm.PUSH["en"]) if rng.random() < 0.7 else None
        else:
            bank = sm.SHARE_COMMENT.get(lang, sm.SHARE_COMMENT["en"]) if rng.random() < 0.6 else None
        if bank is None or not grammar.usable(bank, set(ctx) | set(lex)):
            return write(rng, lang)
        return writing.expand_one(rng, bank, ctx, lex), "laugh" if "ridicule" in narratives[:1] else "angry"

    def headline(rng, lang):
        ctx = writing.target_context(target, lang, hostile=True)
        lex = writing.lexicon(lang, patron)
        return (writing.expand_one(rng, sm.HEADLINES.get(lang, sm.HEADLINES["en"]), ctx, lex),
                writing.expand_one(rng, sm.LEADS.get(lang, sm.LEADS["en"]), ctx, lex))

    c = Campaign(id=cid, kind="smear", structure=structure, target=target, label=1, langs=langs, write=write,
                 short=short, headline=headline, tags=tags, description=description,
                 link=(lambda rng: rng.choice(links)) if links else None, link_rate=0.4)
    world.campaigns.append(c)
    return c


def amplify_role(accounts: list[Account]) -> list[Account]:
    for a in accounts:
        if a.role == "organic":
            a.role = "amplifier"
    return accounts


def run_smears(world: World, cast: Cast, own_posts: dict) -> None:
    w = world
    tw_a, fb_a, tg_a = cast.a_tw, cast.a_fb, cast.a_tg

    c = smear(w, "w2-s01-vt-copypaste", "copy_paste", "t01-vot-transparent", ["money", "lies"], {"ro": 0.7, "ru": 0.3},
              tags=["VotComandat", "Alegeri2024"], links=_links(w, "s01", "video"),
              description="Twitter bots of farm A post two texts about foreign grants, three waves after the first round")
    shapes.copy_paste(w, c, cast.some(tw_a, 40, c.id), [day(28, 10.25), day(29, 19.6), day(33, 8.4)], texts=2)

    c = smear(w, "w2-s02-vt-outlets", "outlet_amplified", "t01-vot-transparent", ["money", "treason"],
              {"ro": 0.6, "ru": 0.4}, tags=["VotTransparent"],
              description="three pseudo-news sites run 'exclusive documents', shared by Facebook profiles and channels")
    shapes.outlet_amplified(w, c, cast.a_web, cast.some(fb_a, 30, c.id), day(30, 8.5), channels=cast.a_channels[:3])

    c = smear(w, "w2-s03-vt-hashtag", "hashtag_push", "t01-vot-transparent", ["treason", "lies", "ridicule"],
              {"ro": 0.5, "ru": 0.35, "en": 0.15}, tags=["VotTransparentMinte", "ГрантоедыVT"],
              description="two-day hashtag push in three languages, with retweets inside the net")
    shapes.hashtag_push(w, c, cast.some(tw_a, 55, c.id), day(31, 9), hours=32, waves=4, posts_per=(1, 4))

    c = smear(w, "w2-s04-rl-seed", "seed_repost", "t02-reporter-liber", ["money", "treason"], {"ru": 0.8, "ro": 0.2},
              tags=["ReporterFake"], links=_links(w, "s04", "tg", 1),
              description="a Telegram channel 'exposes' the outlet's funding; mass forwards, quote comments, replies")
    shapes.seed_repost(w, c, cast.a_channels[0], cast.some(tg_a, 60, c.id), day(16, 20.5),
                       late=amplify_role(cast.people(6, c.id + ":late", "telegram", langs=("ru",))))

    c = smear(w, "w2-s05-rl-swarm", "reply_swarm", "t02-reporter-liber", ["lies", "ridicule", "money"],
              {"ro": 0.5, "ru": 0.5}, tags=["ReporterFake"],
              description="reply swarm under the outlet's tweets about its investigation")
    shapes.reply_swarm(w, c, own_posts["t02-reporter-liber"]["twitter"][:3], cast.some(tw_a, 30, c.id))

    c = smear(w, "w2-s06-sarbu-paraphrase", "paraphrase", "t03-elena-sarbu", ["corruption", "lies"], {"ro": 0.8, "ru": 0.2},
              tags=["SpitalulFurat"],
              description="aged Facebook profiles each write their own version within two hours: bribes, lies")
    shapes.paraphrase(w, c, cast.some(fb_a[:40], 25, c.id), day(23, 12), hours=2, posts_per=(1, 3))

    c = smear(w, "w2-s07-sarbu-swarm", "reply_swarm", "t03-elena-sarbu", ["corruption", "immoral", "lies"],
              {"ro": 0.6, "ru": 0.4}, tags=[],
              description="comment swarm under the doctor's Facebook posts")
    shapes.reply_swarm(w, c, own_posts["t03-elena-sarbu"]["facebook"][:3], cast.some(fb_a, 28, c.id + "x"))

    c = smear(w, "w2-s08-cebotari-copypaste", "copy_paste", "t04-ion-cebotari", ["corruption"], {"ro": 1.0},
              tags=["FloreștiFurată"],
              description="hijacked old Facebook profiles post the same text about tenders, three waves in a week")
    shapes.copy_paste(w, c, cast.some(cast.b_fb, 30, c.id), [day(8, 18.3), day(10, 12.1), day(15, 20.75)],
                      texts=1, window_min=25)

    c = smear(w, "w2-s09-cebotari-paraphrase", "paraphrase", "t04-ion-cebotari", ["ethnic", "treason"], {"ru": 1.0},
              tags=[], description="Telegram chat users write their own lines: 'Romanian', 'sells the town'")
    shapes.paraphrase(w, c, cast.some(cast.b_tg, 22, c.id), day(9, 19), hours=3)

    c = smear(w, "w2-s10-union-hashtag", "hashtag_push", "t05-educatie-demna", ["money", "treason"], {"ro": 0.8, "ru": 0.2},
              tags=["GrevaPlătită", "SindicatulKremlinului"], patron="kremlin",
              description="the other side's network: the strike is 'paid by Moscow'; Twitter and Facebook")
    shapes.hashtag_push(w, c, cast.some(cast.c_tw, 35, c.id) + cast.some(cast.c_fb, 15, c.id), day(43, 8), hours=28,
                        posts_per=(1, 4))

    c = smear(w, "w2-s11-union-outlets", "outlet_amplified", "t05-educatie-demna", ["money", "treason"],
              {"ro": 0.7, "ru": 0.3}, tags=["GrevaPlătită"], patron="kremlin",
              description="two nationalist sites publish 'Moscow money' stories, shared by profiles")
    shapes.outlet_amplified(w, c, cast.c_web, cast.some(cast.c_fb, 25, c.id), day(45, 10))

    c = smear(w, "w2-s12-curcubeu-seed", "seed_repost", "t06-curcubeu", ["immoral", "money"], {"ro": 0.85, "ru": 0.15},
              tags=["ProtejațiCopiii", "StopPropagandaLGBT"],
              description="a Facebook post about 'perversion in schools', shared en masse with comments")
    shapes.seed_repost(w, c, fb_a[0], cast.some(fb_a[1:], 60, c.id), day(6, 21), quote=0.3, reply=0.15,
                       late=amplify_role(cast.people(8, c.id + ":late", "facebook", langs=("ro",))))

    c = smear(w, "w2-s13-curcubeu-copypaste", "copy_paste", "t06-curcubeu", ["immoral", "money"], {"ru": 1.0},
              tags=["НетЛГБТ"], description="Telegram users paste one Russian text into city chats")
    shapes.copy_paste(w, c, cast.some(tg_a, 35, c.id), [day(7, 9.5), day(8, 20.3)], texts=1, window_min=40)

    c = smear(w, "w2-s14-econistru-paraphrase", "paraphrase", "t07-econistru", ["ridicule", "money"],
              {"ro": 0.6, "ru": 0.4}, tags=["EcoGrant"],
              description="own-words ridicule of the 'grant-eating ecologists', Twitter and Facebook")
    shapes.paraphrase(w, c, cast.some(tw_a, 14, c.id) + cast.some(fb_a, 12, c.id), day(19, 17), hours=3)

    c = smear(w, "w2-s15-econistru-swarm", "reply_swarm", "t07-econistru", ["ridicule", "lies"], {"ro": 1.0},
              tags=[], description="reply swarm under EcoNistru's tweets")
    shapes.reply_swarm(w, c, own_posts["t07-econistru"]["twitter"][:2], cast.some(tw_a, 20, c.id + "x"))

    c = smear(w, "w2-s16-caraman-hashtag", "hashtag_push", "t08-mihail-caraman", ["ethnic", "treason"],
              {"ru": 0.6, "ro": 0.4}, tags=["КараманПредатель", "CaramanMinte"],
              description="Telegram and Twitter push against the Gagauz journalist: slurs, 'traitor'")
    shapes.hashtag_push(w, c, cast.some(cast.c_tg, 25, c.id) + cast.some(cast.c_tw, 15, c.id + "t"), day(29, 11),
                        hours=24, waves=3, posts_per=(1, 4))

    c = smear(w, "w2-s17-levchenko-copypaste", "copy_paste", "t09-oksana-levchenko", ["ethnic", "corruption"],
              {"ru": 0.6, "ro": 0.4}, tags=["ХватитКормить"],
              description="two texts against the refugee-centre coordinator pasted by Facebook profiles")
    shapes.copy_paste(w, c, cast.some(fb_a, 35, c.id), [day(35, 13.5), day(36, 9)], texts=2, window_min=18)

    c = smear(w, "w2-s18-levchenko-seed", "seed_repost", "t09-oksana-levchenko", ["ethnic", "money"],
              {"ru": 0.9, "uk": 0.1}, tags=["ОксанаДомой"], links=_links(w, "s18", "video", 1),
              description="channel post with a 'video', forwarded by the Telegram net")
    shapes.seed_repost(w, c, cast.a_channels[2], cast.some(tg_a, 50, c.id), day(37, 18), quote=0.15, reply=0.1)

    c = smear(w, "w2-s19-ursu-outlets", "outlet_amplified", "t10-victor-ursu", ["corruption", "immoral"],
              {"ro": 0.7, "ru": 0.3}, tags=["UrsuVilă"],
              description="farm B's sites: the MP's 'villa' and 'mistress', shared by old profiles")
    shapes.outlet_amplified(w, c, cast.b_web, cast.some(cast.b_fb, 30, c.id + "x"), day(44, 7.5))

    c = smear(w, "w2-s20-ursu-copypaste", "copy_paste", "t10-victor-ursu", ["corruption", "ridicule"],
              {"ro": 0.5, "ru": 0.5}, tags=["UrsuDemisia"], links=_links(w, "s20", "video", 1),
              description="new Twitter accounts paste three texts in two waves, Russian partly in Latin letters")
    shapes.copy_paste(w, c, cast.some(cast.b_tw, 35, c.id), [day(46, 11), day(47, 20.5)], texts=3, window_min=9)


# ---- coordinated, not smear -------------------------------------------------------------------------------------

def campaign(world: World, cid: str, kind: str, structure: str, langs: dict, write, *, target: str = "",
             tags=(), links=(), short=None, mood_link_rate: float = 0.6, description: str = "") -> Campaign:
    c = Campaign(id=cid, kind=kind, structure=structure, target=target, label=0, langs=langs, write=write,
                 short=short, tags=list(tags), description=description,
                 link=(lambda rng: rng.choice(links)) if links else None, link_rate=mood_link_rate)
    world.campaigns.append(c)
    return c


def bank_writer(bank: dict, mood: str, extra: dict | None = None):
    def write(rng, lang):
        return writing.from_bank(rng, bank, lang if lang in bank else next(k for k in bank if k != "tags"),
                                 extra=extra), mood
    return write


def run_negatives(world: World, cast: Cast, viral_posts: list, own_posts: dict, news_items: dict) -> None:
    w = world
    friends = [a.name for a in cast.organic if a.platform == "twitter"][:200]

    # Spam.
    c = campaign(w, "w2-n01-crypto-copypaste", "spam", "copy_paste", {"en": 0.7, "ru": 0.3},
                 bank_writer(neg.SPAM["crypto"], "money", {"link": _links(w, "n01", "bit.ly", 3)}), tags=["crypto", "BTC"],
                 description="crypto bots paste pump texts in waves every ten days")
    for i, (d_, h) in enumerate([(3, 14), (13, 2.5), (24, 16), (34, 9), (44, 22)]):
        shapes.copy_paste(w, c, w.rng(f"n01:{i}").sample(cast.s_crypto, cast.n(45)), [day(d_, h)], texts=2)

    c = campaign(w, "w2-n02-crypto-replies", "spam", "reply_swarm", {"en": 0.6, "ru": 0.25, "ro": 0.15},
                 bank_writer(neg.SPAM["reply_spam"], "money", {"link": _links(w, "n02", "bit.ly", 2)}),
                 short=bank_writer(neg.SPAM["reply_spam"], "money", {"link": _links(w, "n02", "bit.ly", 2)}),
                 description="bots reply under viral and popular posts")
    anchors = [p for p in viral_posts if p.account.platform == "twitter"] + own_posts["t01-vot-transparent"]["twitter"][:1]
    shapes.reply_swarm(w, c, anchors, cast.some(cast.s_reply, 40, c.id), delay_min=(1, 240), per_account=(1, 3))

    c = campaign(w, "w2-n03-betting-telegram", "spam", "paraphrase", {"ro": 0.5, "ru": 0.5},
                 bank_writer(neg.SPAM["betting"], "money", {"link": _links(w, "n03", "lucky7.bet/r", 3)}),
                 description="betting bots write into city chats before every match weekend")
    for i, d_ in enumerate([4, 11, 18, 25, 32, 39, 46]):
        shapes.paraphrase(w, c, w.rng(f"n03:{i}").sample(cast.s_bet_tg, cast.n(14)), day(d_, 15), hours=5,
                          posts_per=(1, 1))

    c = campaign(w, "w2-n04-betting-hashtags", "spam", "hashtag_push", {"ro": 0.6, "ru": 0.4},
                 bank_writer(neg.SPAM["betting"], "money", {"link": _links(w, "n04", "betmaxx.io/p", 2)}),
                 tags=["Alegeri2024", "HaiMoldova", "VotTransparent"],
                 description="betting bots hijack trending political and football hashtags")
    shapes.hashtag_push(w, c, cast.some(cast.s_bet_tw, 30, c.id), day(27, 9), hours=36, waves=4, repost=0.1)

    c = campaign(w, "w2-n05-pharmacy", "spam", "copy_paste", {"ru": 0.6, "ro": 0.4},
                 bank_writer(neg.SPAM["pharmacy"], "money", {"link": _links(w, "n05", "zdorovie-shop.ru/p", 3)}),
                 description="Facebook pharmacy spam in four waves")
    shapes.copy_paste(w, c, cast.some(cast.s_pharma, 40, c.id), [day(5, 11), day(17, 19), day(30, 7), day(42, 13)],
                      texts=2, window_min=30, share=0.7)

    c = campaign(w, "w2-n06-loans-jobs", "spam", "paraphrase", {"ro": 0.5, "ru": 0.5},
                 bank_writer(neg.SPAM["loans_jobs"], "money", {"link": _links(w, "n06", "credit-rapid.md/a", 2)}),
                 description="quick loans and jobs abroad, Telegram chats, most days")
    for i in range(0, 48, 3):
        shapes.paraphrase(w, c, w.rng(f"n06:{i}").sample(cast.s_loans, cast.n(6)), day(i, 10), hours=8,
                          posts_per=(1, 1))

    c = campaign(w, "w2-n07-crypto-giveaway", "spam", "seed_repost", {"en": 1.0},
                 bank_writer(neg.SPAM["crypto"], "money", {"link": _links(w, "n07", "claim-drop.io", 1)}),
                 short=bank_writer(neg.SPAM["reply_spam"], "money", {"link": _links(w, "n07", "claim-drop.io", 1)}),
                 description="a fake giveaway tweet retweeted by 50 bots within minutes")
    shapes.seed_repost(w, c, cast.s_giveaway[0], cast.some(cast.s_giveaway[1:], 49, c.id), day(20, 3), quote=0.1,
                       reply=0.05, fast_min=8)

    # Promotion.
    promo(w, cast, "w2-n08-nordcell", "nordcell", cast.brands["Nordcell"], day(14, 10), giveaway=True, friends=friends)
    promo(w, cast, "w2-n09-codru-verde", "codru_verde", cast.brands["Codru Verde"], day(12, 9), giveaway=False,
          friends=friends)
    promo(w, cast, "w2-n10-marketplus", "marketplus", cast.brands["MarketPlus"], day(46, 8), giveaway=False,
          friends=friends, stores=cast.stores)
    promo(w, cast, "w2-n11-taxigo", "taxigo", cast.brands["TaxiGo"], day(38, 12), giveaway=True, friends=friends)

    # News networks: aggregators rebroadcast outlets' headlines within minutes.
    plans = [
        ("w2-n12-news-telegram-ro", cast.agg_tg, ["cec_results", "vt_report", "rl_investigation", "vt_denies", "time_change",
                                                  "football", "weather"], "telegram channels rebroadcasting election news"),
        ("w2-n13-news-facebook-regional", cast.agg_fb, ["floresti_twinning", "ursu_hearing", "quarry", "union_strike",
                                                        "accident", "gas_price"], "regional Facebook pages sharing the same items"),
        ("w2-n14-news-twitter-bots", cast.agg_tw, ["vt_denies", "vt_report", "cec_results", "rl_investigation",
                                                   "union_strike", "ursu_hearing"], "headline bots on Twitter, smear coverage included"),
        ("w2-n15-news-telegram-ru", cast.agg_tg_ru, ["cec_results", "weather", "gas_price", "accident", "time_change",
                                                     "vt_denies", "quarry"], "Russian-language channels rebroadcasting"),
    ]
    for cid, aggs, keys, desc in plans:
        c = campaign(w, cid, "news_network", "rebroadcast", {"ro": 0.5, "ru": 0.5}, None, description=desc)
        for key in keys:
            for original in news_items[key]:
                if (original.lang == "ru") == (cid == "w2-n15-news-telegram-ru") or cid in ("w2-n14-news-twitter-bots",):
                    shapes.rebroadcast(w, c, cast.some(aggs, len(aggs), cid + key), original,
                                       footers=neg.CHANNEL_FOOTERS)

    # Fans.
    c = campaign(w, "w2-n16-fans-carla", "fan", "hashtag_push", {"ro": 0.6, "ru": 0.25, "en": 0.15},
                 bank_writer(neg.FAN["carla_doina"], "joy", {"link": _links(w, "n16", "video", 1)}),
                 tags=neg.FAN["carla_doina"]["tags"], description="fans push the singer's new single for three days")
    fans = cast.people(45, c.id, role="fan") + cast.some(cast.promoters, 4, c.id + "p")
    shapes.seed_repost(w, c, cast.pages["Carla Doina Fan Club"], [a for a in fans if a.platform == "facebook"],
                       day(22, 18), quote=0.3, fast_min=90)
    shapes.hashtag_push(w, c, fans, day(22, 19), hours=60, waves=5, repost=0.25)

    c = campaign(w, "w2-n17-fans-olimp", "fan", "hashtag_push", {"ro": 0.7, "ru": 0.3},
                 bank_writer(neg.FAN["fc_olimp"], "sport"), tags=neg.FAN["fc_olimp"]["tags"],
                 description="supporters on three match days")
    fans = cast.people(40, c.id, role="fan")
    for i, d_ in enumerate([6, 20, 41]):
        shapes.hashtag_push(w, c, w.rng(f"n17:{i}").sample(fans, cast.n(28)), day(d_, 14), hours=8, waves=2)

    c = campaign(w, "w2-n18-fans-national", "fan", "hashtag_push", {"ro": 0.7, "ru": 0.25, "en": 0.05},
                 bank_writer(neg.FAN["national_team"], "sport"), tags=neg.FAN["national_team"]["tags"],
                 description="national-team evenings in the Nations League")
    fans = cast.people(60, c.id, role="fan")
    for i, d_ in enumerate([17, 20]):
        shapes.hashtag_push(w, c, w.rng(f"n18:{i}").sample(fans, cast.n(40)), day(d_, 20.5), hours=5, waves=2)

    # Solidarity: they name people and defend them.
    solidarity(w, cast, "w2-n19-free-lungu", "free_lungu", day(10, 10), hours=70, page="Centrul Jurnalism Liber")
    solidarity(w, cast, "w2-n20-with-vt", "with_vt", day(32, 12), hours=30, page="Drepturi Acum")
    solidarity(w, cast, "w2-n21-with-sarbu", "with_sarbu", day(24, 16), hours=20, page="",
               anchors=own_posts["t03-elena-sarbu"]["facebook"][:3])
    solidarity(w, cast, "w2-n22-with-teachers", "with_teachers", day(43, 9), hours=30, page="")
    solidarity(w, cast, "w2-n23-with-curcubeu", "with_curcubeu", day(8, 11), hours=24, page="Drepturi Acum")

    # Charity.
    c = campaign(w, "w2-n24-blood-drive", "charity", "hashtag_push", {"ro": 0.7, "ru": 0.3},
                 bank_writer(neg.CHARITY["blood"], "warm"), tags=neg.CHARITY["blood"]["tags"],
                 description="a week of blood-donation posts")
    shapes.hashtag_push(w, c, cast.people(40, c.id, role="volunteer") + [cast.pages["Centrul de Transfuzie"]],
                        day(1, 9), hours=140, waves=6, posts_per=(1, 2), repost=0.1)

    c = campaign(w, "w2-n25-mihaita", "charity", "seed_repost", {"ro": 0.8, "ru": 0.2},
                 bank_writer(neg.CHARITY["mihaita"], "warm", {"link": GIVING}), tags=neg.CHARITY["mihaita"]["tags"],
                 short=bank_writer(neg.CHARITY["mihaita"], "warm", {"link": GIVING}),
                 description="a fundraiser for a child's surgery, shared and re-shared")
    shapes.seed_repost(w, c, cast.pages["Fundația Mâini Calde"], cast.people(70, c.id, "facebook", role="volunteer"),
                       day(26, 19), quote=0.35, fast_min=180, late=cast.people(20, c.id + "l", "facebook"))

    village = w.rng("village").choice(neg.SLOTS["village"])
    tag = "AjutorPentru" + "".join(ch for ch in village.title() if ch.isalpha())
    c = campaign(w, "w2-n26-fire-relief", "charity", "paraphrase", {"ro": 0.8, "ru": 0.2},
                 bank_writer(neg.CHARITY["fire_relief"], "warm", {"village": [village]}), tags=[tag],
                 description=f"help for the village of {village} after a fire")
    shapes.paraphrase(w, c, cast.people(30, c.id, role="volunteer"), day(39, 8), hours=10)

    c = campaign(w, "w2-n27-refugee-winter", "charity", "seed_repost", {"uk": 0.6, "ro": 0.25, "ru": 0.15},
                 bank_writer(neg.CHARITY["refugee_winter"], "warm"), tags=neg.CHARITY["refugee_winter"]["tags"],
                 short=bank_writer(neg.CHARITY["refugee_winter"], "warm"),
                 description="winter clothes for refugee children, Telegram")
    shapes.seed_repost(w, c, cast.pages["Теплі руки Кишинів"], cast.people(35, c.id, "telegram", role="volunteer"),
                       day(36, 10), quote=0.3, fast_min=240)


def promo(w: World, cast: Cast, cid: str, theme: str, brand: Account, start, *, giveaway: bool, friends: list[str],
          stores: list[Account] = ()) -> None:
    spec = neg.PROMO[theme]
    domain = {"nordcell": "nordcell.md", "codru_verde": "codruverde.md", "marketplus": "marketplus.md",
              "taxigo": "taxigo.md"}[theme]
    links = [f"https://{domain}/{s}" for s in ("oferta", "promo-toamna", "app")]
    structure = "seed_repost" if giveaway else ("copy_paste" if stores else "paraphrase")
    c = campaign(w, cid, "promotion", structure, {"ro": 0.7, "ru": 0.3},
                 bank_writer(spec["voice"], "joy", {"link": links}), tags=spec["tags"], links=links,
                 short=bank_writer(neg.GIVEAWAY, "joy", {"friend": friends}),
                 description=f"{brand.name}: brand posts, paid influencers with one code"
                 + (", a share-to-win giveaway" if giveaway else "") + (", stores paste one text" if stores else ""))
    brand_writer = bank_writer(spec["brand"], "joy", {"link": links})
    rng = w.rng(cid)
    for i in range(3):
        lang = "ro" if i != 1 else "ru"
        core, mood = brand_writer(rng, lang if lang in spec["brand"] else "ro")
        shapes.say(w, c, rng, brand, start + timedelta(hours=20 * i), core=core, lang=lang, mood=mood,
                   tags=spec["tags"])
    shapes.paraphrase(w, c, cast.some(cast.promoters, 10, cid) + cast.some(cast.influencers, 5, cid + "i"),
                      start + timedelta(hours=1), hours=6)
    if stores:
        shapes.copy_paste(w, c, list(stores), [start + timedelta(hours=2)], texts=1, window_min=20, share=1.0)
    if giveaway:
        shapes.seed_repost(w, c, brand, cast.people(60, cid + ":entries", "facebook"), start + timedelta(hours=30),
                           quote=0.4, reply=0.2, fast_min=300)


def solidarity(w: World, cast: Cast, cid: str, theme: str, start, *, hours: float, page: str, anchors=()) -> None:
    spec = neg.SOLIDARITY[theme]
    c = campaign(w, cid, "solidarity", "hashtag_push" if not anchors else "reply_swarm",
                 {k: v for k, v in {"ro": 0.65, "ru": 0.25, "en": 0.1}.items() if k in spec},
                 bank_writer(spec, "warm"), target=spec["target"], tags=spec["tags"],
                 short=bank_writer(spec, "warm"),
                 description=f"support for {WHO[theme]}: " + ("supportive replies under her posts and a hashtag"
                                                              if anchors else "an organisation's call and its hashtag"))
    supporters = cast.people(45, cid, role="activist") + cast.some(cast.influencers, 4, cid + "i")
    if page:
        shapes.copy_paste(w, c, [cast.pages[page]] + cast.people(8, cid + "orgs", role="activist"), [start],
                          texts=1, window_min=45, share=1.0)
    if anchors:
        fb = [a for a in supporters if a.platform == "facebook"] + cast.people(20, cid + "fb", "facebook", role="activist")
        shapes.reply_swarm(w, c, list(anchors), fb, delay_min=(10, 600))
    shapes.hashtag_push(w, c, supporters, start + timedelta(hours=1), hours=hours, waves=4, repost=0.3)
