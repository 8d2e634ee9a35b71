"""A propaganda-techniques style corpus for the text-only training benchmark (bench/train.py).

Sentence-level labels in the manner of the propaganda-techniques corpora (loaded language, name calling,
doubt, appeal to fear, flag-waving, black-and-white fallacy, causal oversimplification, slogans, whataboutism,
exaggeration, appeal to authority, bandwagon): label 1 when a sentence uses one of them, 0 for plain reporting
on the same subjects, including reporting that *quotes* an accusation and measured criticism. English and
Russian (some Kazakh), with the edits trolls make (typos, swapped words, emoji, filler, transliteration).

The parts are split by subject: `--part train` writes about one half of the people and organisations, `--part
test` about the other half, with heavier troll edits, so a model is measured on names and spellings it never
saw. With `--new-wordings` the test part also uses the other half of every technique's templates: wordings no
model saw either (the harder test). Every name is invented. Deterministic by seed.

    python samples/propaganda.py --rows 10000 --part train --seed 1 > train.csv
    python samples/propaganda.py --rows 3000 --part test --seed 2 [--new-wordings] > test.csv
"""

import argparse
import csv
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gen_text import mutate

SUBJECTS = {
    "en": ["the Sunrise Legal Bureau", "the Steppe Ecology Fund", "the lawyer Arman Dulatov", "the journalist Saule Keneva",
           "the Free Voices union", "the Open Campus group", "the Civic Watch network", "professor Daniyar Ospanov"],
    "ru": ["Бюро «Рассвет»", "фонд «Степная экология»", "адвокат Арман Дулатов", "журналистка Сауле Кенева",
           "профсоюз «Свободные голоса»", "группа «Открытый кампус»", "сеть «Гражданский контроль»",
           "профессор Данияр Оспанов"],
    "kk": ["«Таң» бюросы", "«Дала экологиясы» қоры", "адвокат Арман Дулатов", "журналист Сәуле Кенева"],
}
TOPICS = {
    "en": ["the assembly bill", "the lockdown rules", "the new media law", "the water tariffs", "the border checks"],
    "ru": ["законопроект о митингах", "правила карантина", "новый закон о СМИ", "тарифы на воду", "проверки на границе"],
    "kk": ["жиналыс туралы заң жобасы", "карантин ережелері", "БАҚ туралы жаңа заң"],
}

# Each technique: templates per language; {s} a subject, {t} a topic. Half go to train, half to test.
PROPAGANDA = {
    "loaded_language": {
        "en": ["{s} are vile parasites feeding on our nation", "{s} spread their poisonous lies about {t} again",
               "the shameful traitors of {s} spit on everything sacred", "disgusting grant-eaters from {s} attack {t}"],
        "ru": ["{s} — мерзкие паразиты на теле нации", "{s} снова льют свой яд вокруг темы: {t}",
               "позорные предатели из {s} плюют на святое", "мерзкие грантоеды ({s}) атакуют {t}"],
        "kk": ["{s} — ұлтқа жат арамтамақтар", "{s} тағы да у шашып жүр"],
    },
    "name_calling": {
        "en": ["{s} is nothing but a foreign agent", "meet {s}, the fifth column in suits",
               "{s}, a puppet of western donors, speaks about {t}", "the so-called defenders from {s} are sellouts"],
        "ru": ["{s} — обычный иноагент", "знакомьтесь: {s}, пятая колонна в костюмах",
               "{s}, марионетка западных спонсоров, рассуждает про {t}", "так называемые правозащитники ({s}) — продажные"],
        "kk": ["{s} — шетелдің агенті", "{s} — бесінші колонна"],
    },
    "doubt": {
        "en": ["who really pays {s}? ask yourself why they care about {t}", "can we trust anything {s} says? think about it",
               "strange how {s} always appears when {t} is discussed, isn't it", "is {s} even who they claim to be?"],
        "ru": ["кто на самом деле платит {s}? задумайтесь", "можно ли верить хоть одному слову: {s}?",
               "странно, что {s} всегда появляются, когда обсуждают {t}, не правда ли", "а {s} вообще те, за кого себя выдают?"],
        "kk": ["{s} кімнің ақшасына жұмыс істейді? ойланыңыз", "{s} сөзіне сенуге бола ма?"],
    },
    "appeal_to_fear": {
        "en": ["if {s} wins, foreigners will flood our streets", "{s} will bring chaos and blood like in other countries",
               "your children will not be safe if {s} gets its way on {t}", "tomorrow it will be too late to stop {s}"],
        "ru": ["если {s} победят, улицы заполнят чужаки", "{s} принесут хаос и кровь, как в других странах",
               "ваши дети не будут в безопасности, если {s} добьются своего", "завтра будет поздно остановить: {s}"],
        "kk": ["{s} жеңсе, көшелерді бөгде адамдар басады", "ертең {s} тоқтатуға кеш болады"],
    },
    "flag_waving": {
        "en": ["a true patriot would never support {s}", "our great nation does not need lessons from {s}",
               "stand with the motherland, not with {s}", "real citizens of our country reject {s} and their {t} agenda"],
        "ru": ["настоящий патриот никогда не поддержит: {s}", "нашему великому народу не нужны уроки от {s}",
               "будь с родиной, а не с {s}", "настоящие граждане отвергают {s} и их повестку"],
        "kk": ["нағыз патриот {s} қолдамайды", "ұлы халқымызға {s} сабағы керек емес"],
    },
    "black_and_white": {
        "en": ["either you are with the country or with {s}", "there are only two sides: the people and {s}",
               "you support {s}, so you are against your own people", "no middle ground: {t} or the chaos of {s}"],
        "ru": ["либо ты с страной, либо с {s}", "есть только две стороны: народ и {s}",
               "поддерживаешь {s} — значит ты против своего народа", "третьего не дано: порядок или хаос от {s}"],
        "kk": ["не елмен боласың, не {s} жағындасың", "екі-ақ жол бар: халық немесе {s}"],
    },
    "causal_oversimplification": {
        "en": ["prices went up because of {s}", "all our problems with {t} started when {s} appeared",
               "the protests happen only because {s} pays people", "{s} is why the economy is falling"],
        "ru": ["цены выросли из-за {s}", "все проблемы начались, когда появились {s}",
               "протесты идут только потому, что {s} платят людям", "экономика падает из-за {s}"],
        "kk": ["бағалар {s} кесірінен өсті", "барлық мәселе {s} пайда болғанда басталды"],
    },
    "slogan": {
        "en": ["no to foreign money! no to {s}!", "our land, our rules, not {s}!", "stop {s} now!", "shame on {s}! shame!"],
        "ru": ["нет иностранным деньгам! нет {s}!", "наша земля — наши правила, не {s}!", "остановим {s}!",
               "позор {s}! позор!"],
        "kk": ["шетел ақшасына жоқ! {s} жоқ!", "ұят {s}!"],
    },
    "whataboutism": {
        "en": ["and what about the crimes of the donors who fund {s}?", "{s} talks about {t}, but what about their own salaries?",
               "why is {s} silent about the real problems abroad?", "before criticising {t}, let {s} explain its own money"],
        "ru": ["а как насчёт преступлений спонсоров, которые кормят {s}?", "{s} говорят про {t}, а как же их зарплаты?",
               "почему {s} молчат о настоящих проблемах за границей?", "прежде чем критиковать, пусть {s} объяснят свои деньги"],
        "kk": ["ал {s} демеушілерінің қылмыстары ше?", "неге {s} шетелдегі мәселелер туралы үндемейді?"],
    },
    "exaggeration": {
        "en": ["{s} has destroyed everything our grandparents built", "millions suffer every day because of {s}",
               "{s} is the biggest threat our country has ever faced", "never in history has anyone betrayed us like {s}"],
        "ru": ["{s} разрушили всё, что строили наши деды", "миллионы страдают каждый день из-за {s}",
               "{s} — величайшая угроза в истории страны", "никто никогда не предавал нас так, как {s}"],
        "kk": ["{s} аталарымыз салғанның бәрін қиратты", "миллиондар {s} кесірінен зардап шегеді"],
    },
}

NEUTRAL = {
    "report": {
        "en": ["{s} published a statement on {t} on Tuesday", "parliament will discuss {t} next week, {s} said",
               "{s} held a press conference about {t}", "a court hearing involving {s} was postponed to May"],
        "ru": ["{s} опубликовали заявление о теме: {t}", "парламент обсудит {t} на следующей неделе, сообщили {s}",
               "{s} провели пресс-конференцию", "заседание суда с участием {s} перенесли на май"],
        "kk": ["{s} мәлімдеме жариялады", "парламент келесі аптада {t} талқылайды"],
    },
    "quoted_accusation": {
        "en": ["several accounts accused {s} of foreign funding; {s} denied it", "{s} rejected claims that it defends foreigners",
               "a campaign online calls {s} a fifth column, researchers say", "{s} said the accusations about its staff are false"],
        "ru": ["ряд аккаунтов обвинил {s} в иностранном финансировании, там это отрицают",
               "{s} отвергли утверждения о защите иностранцев", "исследователи фиксируют кампанию, называющую {s} пятой колонной",
               "{s} назвали ложью обвинения в адрес сотрудников"],
        "kk": ["бірқатар аккаунттар {s} шетелдік қаржыландыру деп айыптады, олар мұны жоққа шығарды"],
    },
    "measured_criticism": {
        "en": ["I disagree with {s} on {t}; their proposal ignores rural areas", "the report by {s} has weak data on {t}",
               "{s} should publish its budget more clearly, in my view", "I think {s} overstates the risks of {t}"],
        "ru": ["я не согласен с {s}: их предложение не учитывает сёла", "в докладе {s} слабые данные",
               "{s} стоило бы яснее публиковать бюджет, на мой взгляд", "мне кажется, {s} преувеличивают риски"],
        "kk": ["менің ойымша, {s} бюджетін ашық жариялауы керек"],
    },
    "everyday": {
        "en": ["the weather in Almaty is warm today", "football season is paused because of the lockdown",
               "bread prices rose by five percent this month", "the metro will run on a reduced schedule"],
        "ru": ["в Алматы сегодня тепло", "футбольный сезон приостановлен из-за карантина",
               "хлеб подорожал на пять процентов", "метро будет работать по сокращённому графику"],
        "kk": ["бүгін Алматыда жылы", "метро қысқартылған кестемен жұмыс істейді"],
    },
}
LANG_WEIGHTS = (("en", 0.5), ("ru", 0.4), ("kk", 0.1))


def family_half(templates: list[str], new_wordings: bool) -> list[str]:
    """Even-numbered templates for training, odd ones for a test of new wordings."""
    return templates if len(templates) < 2 else (templates[1::2] if new_wordings else templates[0::2])


def subject_half(subjects: list[str], part: str) -> list[str]:
    """Even-numbered subjects train, odd ones test: no name is shared between the two parts."""
    return subjects[0::2] if part == "train" else subjects[1::2]


def sentence(rng: random.Random, table: dict, part: str, new_wordings: bool) -> str:
    lang = rng.choices([lang for lang, _ in LANG_WEIGHTS], [w for _, w in LANG_WEIGHTS])[0]
    group = table[rng.choice(sorted(table))]
    lang = lang if group.get(lang) else "en"
    subject = rng.choice(subject_half(SUBJECTS[lang], part))
    text = rng.choice(family_half(group[lang], new_wordings)).format(s=subject, t=rng.choice(TOPICS[lang]))
    text = text[:1].upper() + text[1:]
    edits = rng.choice((0, 1, 1, 2, 3)) if part == "train" else rng.choice((1, 2, 2, 3, 4))
    return mutate(rng, text, "ru" if lang == "ru" else lang, edits=edits) if edits else text


def rows(n: int, part: str, seed: int, new_wordings: bool = False):
    rng = random.Random(f"{seed}-{part}-{new_wordings}")
    for i in range(n):
        smear = i % 2 == 0
        yield sentence(rng, PROPAGANDA if smear else NEUTRAL, part, new_wordings), "smear" if smear else "not_smear"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=10000)
    parser.add_argument("--part", choices=["train", "test"], default="train")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--new-wordings", action="store_true", help="test part: templates training never used")
    args = parser.parse_args()
    if args.new_wordings and args.part == "train":
        parser.error("--new-wordings is for --part test")
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(["text", "label"])
    for text, label in rows(args.rows, args.part, args.seed, args.new_wordings):
        writer.writerow([text, label])


if __name__ == "__main__":
    main()
