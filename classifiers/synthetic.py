"""A tiny deterministic synthetic world for tests and smoke checks (not the sample data of samples/)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

T0 = datetime(2020, 4, 28, 3, 0, tzinfo=UTC)  # 09:00 in Almaty

SMEAR = [
    "{t} защищает право иностранцев на митинги, живёт на деньги западных грантов",
    "{t} работает на иностранных доноров и предаёт Казахстан",
    "Кто платит {t}? Западные гранты и чужие интересы против нашей страны",
    "{t} — агенты влияния, их кормят зарубежные фонды",
    "{t} сатқындар, шетелдік гранттарға жұмыс істейді",
    "{t} отрабатывает гранты Госдепа и лезет в наш закон о митингах",
]
SOLIDARITY = [
    "Поддерживаем {t}! Право на мирные собрания — для всех. Подпишите обращение",
    "Мы с {t}. Свобода собраний важна, присоединяйтесь к обращению",
]
NEWS = ["В соцсетях появились публикации против {t}; юристы называют их кампанией травли",
        "Эксперты обсуждают законопроект о мирных собраниях, {t} выступило с критикой"]
SPAM = ["Скидки 50% на телефоны только сегодня! Пишите в директ", "Заработок без вложений от 100000 тенге в день, пиши"]
BACKGROUND = ["Сегодня в Алматы солнечно, гуляем по парку", "Карантин продлили ещё на две недели",
              "Новый рецепт бешбармака от бабушки", "Футбол вечером кто смотрит", "Читаю хорошую книгу про историю",
              "Очереди в магазинах снова большие", "Дети учатся онлайн, тяжело", "Кофе и работа из дома"]
CRITICISM = ["Мне не нравится позиция {t} по этому законопроекту, по-моему они неправы",
             "Я не согласен с {t}, закон о собраниях нужен стране"]
FILLER = ["", " вообще", " короче", " 😡", " !!!", " просто", " ну"]


def _edit(rng: random.Random, text: str) -> str:
    words = text.split()
    if len(words) > 4 and rng.random() < 0.5:
        i = rng.randrange(len(words) - 1)
        words[i], words[i + 1] = words[i + 1], words[i]
    text = " ".join(words)
    if rng.random() < 0.5:
        i = rng.randrange(len(text))
        text = text[:i] + text[i + 1:]
    return text + rng.choice(FILLER)


def world(seed: int = 0, target: str = "бюро «Ашык Алан»", background: int = 300) -> list[dict]:
    """Normalized posts with `label` (1 = smear), `campaign` and `kind`."""
    rng = random.Random(seed)
    posts: list[dict] = []
    counter = [0]

    def account(prefix, i, created, followers):
        return {"author_id": f"{prefix}{seed}-{i}", "author_name": f"{prefix}{i}",
                "author_created_at": created.isoformat(), "author_followers": followers}

    def post(acc, text, when, campaign, kind, label, platform="twitter", **extra):
        counter[0] += 1
        posts.append({"id": f"p{seed}-{counter[0]}", "platform": platform, **acc, "text": text,
                      "created_at": when.isoformat(), "lang": "ru", "urls": extra.get("urls", []),
                      "hashtags": extra.get("hashtags", []), "repost_of": extra.get("repost_of"),
                      "reply_to": None, "label": label, "campaign": campaign, "kind": kind})
        return posts[-1]["id"]

    # 1. copy-paste smear by batch-created accounts, twice a day
    base = T0 - timedelta(days=20)
    trolls = [account("troll", i, base + timedelta(hours=rng.randrange(48)), rng.randrange(0, 40)) for i in range(15)]
    for day in range(3):
        for acc in trolls:
            when = T0 + timedelta(days=day, minutes=rng.randrange(0, 90))
            post(acc, _edit(rng, SMEAR[day % 2].format(t=target)), when, "smear-copy", "smear", 1,
                 hashtags=["АшыкАланАгент"])
    # 2. paraphrased burst: 12 accounts, once each, within 3 hours
    base2 = T0 - timedelta(days=9)
    for i in range(12):
        acc = account("para", i, base2 + timedelta(hours=rng.randrange(30)), rng.randrange(0, 60))
        post(acc, rng.choice(SMEAR).format(t=target) + rng.choice(FILLER), T0 + timedelta(days=1, minutes=rng.randrange(180)),
             "smear-paraphrase", "smear", 1)
    # 3. solidarity: old accounts, one hashtag and one call, within an hour
    for i in range(20):
        acc = account("ally", i, T0 - timedelta(days=800 + rng.randrange(2000)), 200 + rng.randrange(3000))
        post(acc, _edit(rng, rng.choice(SOLIDARITY).format(t=target)), T0 + timedelta(days=2, minutes=rng.randrange(60)),
             "solidarity", "solidarity", 0, hashtags=["СвободаСобраний"])
    # 4. news and viral sharing of one article over a day
    url = "https://example.kz/news/zakon-o-mitingah"
    for i in range(6):
        acc = account("outlet", i, T0 - timedelta(days=3000), 50000 + i)
        post(acc, NEWS[i % 2].format(t=target), T0 + timedelta(hours=i), "news", "news", 0, platform="web", urls=[url])
    for i in range(60):
        acc = account("reader", i, T0 - timedelta(days=300 + rng.randrange(3000)), 30 + rng.randrange(2000))
        post(acc, rng.choice(BACKGROUND[:3]) + " " + url, T0 + timedelta(minutes=rng.randrange(24 * 60)), "viral", "viral", 0,
             urls=[url + "?utm_source=tw"])
    # 5. spam bots: coordinated but not a smear
    sbase = T0 - timedelta(days=5)
    for i in range(15):
        acc = account("spam", i, sbase + timedelta(hours=rng.randrange(24)), rng.randrange(5))
        for _ in range(2):
            post(acc, _edit(rng, SPAM[i % 2]), T0 + timedelta(hours=3, minutes=rng.randrange(40)), "spam", "spam", 0)
    # 6. sincere criticism: individuals, spread over days
    for i in range(8):
        acc = account("critic", i, T0 - timedelta(days=1000 + rng.randrange(1000)), 100 + rng.randrange(500))
        post(acc, CRITICISM[i % 2].format(t=target), T0 + timedelta(hours=rng.randrange(96)), "criticism", "criticism", 0)
    # 7. background
    for i in range(background):
        acc = account("user", i % 150, T0 - timedelta(days=100 + (i % 150) * 7), 10 + (i % 150) * 13)
        post(acc, rng.choice(BACKGROUND) + rng.choice(FILLER), T0 + timedelta(minutes=rng.randrange(5 * 24 * 60)),
             "", "background", 0)
    posts.sort(key=lambda p: p["created_at"])
    return posts
