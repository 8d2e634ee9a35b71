"""Turn what a campaign wants said into one post as one account would type it: pick and expand a template, add
the extras people add (openers, closers, a second sentence), put hashtags and links where people put them, then
apply the account's typing style."""

from __future__ import annotations

import grammar
import negatives_lexicon as neg
import noise
import organic_lexicon as org
import smear_lexicon as sm
import targets

_CYRILLIC = set("абвгдеёжзийклмнопрстуфхцчшщъыьэюяіїєґ")


def lexicon(lang: str, patron: str | None = None, extra: dict | None = None) -> dict:
    lex = dict(sm.LEX.get(lang, sm.LEX["en"]))
    if patron:
        lex.update(sm.PATRON[patron].get(lang, {}))
    lex.update(neg.SLOTS)
    lex.update(org.SLOTS.get(lang, org.SLOTS["en"]))
    if extra:
        lex.update(extra)
    return lex


def target_context(target_id: str, lang: str, hostile: bool = False) -> dict:
    return targets.context(target_id, lang, hostile) if target_id else {}


def expand_one(rng, templates: list[str], ctx: dict, lex: dict) -> str:
    choices = grammar.usable(templates, set(ctx) | set(lex))
    return grammar.expand(rng.choice(choices), rng, ctx, lex)


def smear_core(rng, lang: str, target_id: str, narratives: list[str], patron: str | None) -> tuple[str, str]:
    """One smear statement (sometimes two, from different narratives) and its mood."""
    ctx = target_context(target_id, lang, hostile=True)
    lex = lexicon(lang, patron)
    bank = sm.NARRATIVES.get(lang, sm.NARRATIVES["en"])
    available = [n for n in narratives if grammar.usable(bank.get(n, []), set(ctx) | set(lex))] or ["lies"]
    first = rng.choice(available)
    text = expand_one(rng, bank[first], ctx, lex)
    if rng.random() < 0.35 and len(available) > 1:
        second = rng.choice([n for n in available if n != first])
        extra = expand_one(rng, bank[second], ctx, lex)
        text = f"{extra} {text}" if rng.random() < 0.4 else f"{text} {extra}"
    if rng.random() < 0.3:
        text = f"{rng.choice(sm.OPENERS.get(lang, sm.OPENERS['en']))} {text}"
    if rng.random() < 0.4:
        text = f"{text} {rng.choice(sm.CLOSERS.get(lang, sm.CLOSERS['en']))}"
    return text, "laugh" if first == "ridicule" else "angry"


def from_bank(rng, bank: dict, lang: str, ctx: dict | None = None, extra: dict | None = None) -> str:
    templates = bank.get(lang) or next(v for k, v in bank.items() if isinstance(v, list) and k != "tags")
    return expand_one(rng, templates, ctx or {}, lexicon(lang, extra=extra))


def chatter_core(rng, lang: str) -> str:
    topics = org.CHATTER.get(lang, org.CHATTER["en"])
    topic = rng.choice(sorted(topics))
    text = expand_one(rng, topics[topic], {}, lexicon(lang))
    if rng.random() < 0.25:
        text = f"{rng.choice(org.HEADS[lang])} {text}"
    if rng.random() < 0.35:
        text = f"{text} {rng.choice(org.TAILS[lang])}"
    return text


def finish(rng, account, lang: str, core: str, *, tags=(), link: str | None = None, mood: str | None = None,
           lines: bool = False) -> tuple[str, str, bool]:
    """The post as typed by `account`: style applied to the words, then hashtags and the link placed.
    Returns (text, lang, typed-in-Latin)."""
    text, lang = noise.apply(core, lang, account.style, rng, mood)
    translit = lang in ("ru", "uk") and not (set(text.lower()) & _CYRILLIC)
    tag_words = [f"#{t}" for t in tags]
    sep = "\n\n" if lines and rng.random() < 0.5 else " "
    if tag_words:
        where = rng.random()
        if where < 0.62:
            text = f"{text}{sep}{' '.join(tag_words)}"
        elif where < 0.78:
            text = f"{' '.join(tag_words)} {text}"
        else:
            text = f"{tag_words[0]} {text} {' '.join(tag_words[1:])}".rstrip()
    if link:
        where = rng.random()
        if where < 0.6:
            text = f"{text} {link}"
        elif where < 0.85:
            text = f"{text}{sep}👉 {link}"
        else:
            text = f"{link}\n{text}"
    return text, lang, translit


def pick_lang(rng, account, langs: dict[str, float]) -> str:
    """The campaign's languages, leaning to the ones this account writes in."""
    own = account.lang(rng)
    if own in langs and rng.random() < 0.85:
        return own
    r = rng.random()
    acc = 0.0
    for code, weight in langs.items():
        acc += weight
        if r < acc:
            return code
    return next(iter(langs))
