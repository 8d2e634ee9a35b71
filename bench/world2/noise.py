"""How people actually type: dropped Romanian diacritics (or the old cedilla ones), Russian typed in Latin letters,
typos, lowercase, shouting, stretched punctuation and emojis. Each account has a `Style`, so one person (or one
bot script) types the same way across posts."""

from __future__ import annotations

from dataclasses import dataclass

_RO_PLAIN = str.maketrans({"ș": "s", "ş": "s", "ț": "t", "ţ": "t", "ă": "a", "â": "a", "î": "i",
                           "Ș": "S", "Ş": "S", "Ț": "T", "Ţ": "T", "Ă": "A", "Â": "A", "Î": "I"})
_RO_CEDILLA = str.maketrans({"ș": "ş", "ț": "ţ", "Ș": "Ş", "Ț": "Ţ"})

# Two ways Russian speakers write on a Latin keyboard: the common phone style and the old "volapuk" with digits.
_TRANSLIT_PHONE = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z", "и": "i",
    "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
    "у": "u", "ф": "f", "х": "h", "ц": "c", "ч": "ch", "ш": "sh", "щ": "sch", "ъ": "", "ы": "y", "ь": "",
    "э": "e", "ю": "yu", "я": "ya", "і": "i", "ї": "yi", "є": "ye", "ґ": "g",
}
_TRANSLIT_VOLAPUK = {**_TRANSLIT_PHONE, "ж": "j", "ч": "4", "ш": "w", "щ": "w", "ы": "i", "ь": "'", "ю": "iu",
                     "я": "ia", "х": "x", "й": "y"}

# Keys next to each other, for fat-finger typos (a few common ones are enough for realism).
_NEIGHBOURS = {
    "a": "sq", "e": "wr", "i": "uo", "o": "ip", "n": "bm", "r": "et", "t": "ry", "s": "ad", "u": "yi", "m": "n",
    "а": "вп", "е": "кн", "и": "мт", "о": "рл", "н": "ег", "т": "иь", "с": "чм", "р": "по", "в": "ыа", "л": "до",
}

EMOJI = {
    "angry": ["😡", "🤬", "👎", "🤮", "💩", "😤", "🙄", "‼️"],
    "laugh": ["🤣", "😂", "🤡", "😆", "🙈", "😅", "🐑"],
    "sad": ["😢", "😔", "🙏", "💔", "😞"],
    "joy": ["🎉", "🔥", "❤️", "😍", "👏", "💪", "🥳", "✨"],
    "money": ["💰", "💵", "🚀", "📈", "🤑", "💎", "✅"],
    "sport": ["⚽", "🏆", "💙💛", "🥅", "🔥", "💪"],
    "flag": ["🇲🇩", "🇷🇴", "🇪🇺", "🇺🇦", "🇷🇺", "🇬🇧"],
    "news": ["⚡️", "❗️", "🔴", "📌", "📰", "👉"],
    "warm": ["🙏", "❤️", "🤍", "🫶", "🌻", "💛"],
    "food": ["🍷", "🍇", "🥟", "☕", "🍰", "🍎"],
}


@dataclass(frozen=True)
class Style:
    diacritics: float = 0.3   # chance to keep Romanian diacritics in a post
    cedilla: float = 0.1      # chance to use ş/ţ instead of ș/ț
    typo_rate: float = 0.02   # typos per word
    lowercase: float = 0.2    # chance the whole post is lowercase
    shout: float = 0.05       # chance a word goes UPPERCASE
    emoji: float = 0.3        # chance of emojis
    stretch: float = 0.1      # chance of "!!!" or "..."
    translit: float = 0.0     # chance a Russian post is typed in Latin letters
    volapuk: float = 0.0      # within translit, chance of the digit style


def random_style(rng, kind: str = "person") -> Style:
    """A typing style. Bots of one network share one style (the generator passes the same one)."""
    if kind == "bot":
        return Style(diacritics=rng.choice([0.0, 0.9]), cedilla=rng.choice([0.0, 1.0]),
                     typo_rate=rng.choice([0.0, 0.0, 0.01]), lowercase=rng.choice([0.0, 0.05]),
                     shout=rng.uniform(0.0, 0.12), emoji=rng.uniform(0.2, 0.9), stretch=rng.uniform(0.1, 0.5),
                     translit=rng.choice([0.0, 0.0, 0.3]), volapuk=0.0)
    if kind == "outlet":
        return Style(diacritics=0.97, cedilla=rng.choice([0.0, 0.0, 1.0]), typo_rate=0.002, lowercase=0.0,
                     shout=0.01, emoji=rng.uniform(0.0, 0.6), stretch=0.02)
    return Style(diacritics=rng.choice([0.05, 0.15, 0.4, 0.8, 0.95]), cedilla=rng.choice([0.0, 0.0, 0.0, 0.7]),
                 typo_rate=rng.choice([0.0, 0.01, 0.02, 0.04, 0.07]), lowercase=rng.choice([0.0, 0.1, 0.3, 0.6]),
                 shout=rng.choice([0.0, 0.02, 0.08]), emoji=rng.choice([0.05, 0.2, 0.4, 0.7]),
                 stretch=rng.choice([0.02, 0.1, 0.3]), translit=rng.choice([0.0, 0.0, 0.0, 0.1, 0.5, 0.9]),
                 volapuk=rng.choice([0.0, 0.0, 0.3]))


def translit(text: str, volapuk: bool = False) -> str:
    table = _TRANSLIT_VOLAPUK if volapuk else _TRANSLIT_PHONE
    out = []
    for ch in text:
        low = ch.lower()
        if low in table:
            t = table[low]
            out.append(t.capitalize() if ch != low and t else t)
        else:
            out.append(ch)
    return "".join(out)


def _typo(word: str, rng) -> str:
    if len(word) < 4 or not word.isalpha():
        return word
    i = rng.randrange(1, len(word) - 1)
    move = rng.random()
    if move < 0.3:
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    if move < 0.55:
        return word[:i] + word[i + 1:]
    if move < 0.75:
        return word[:i] + word[i] + word[i:]
    near = _NEIGHBOURS.get(word[i].lower())
    return word[:i] + rng.choice(near) + word[i + 1:] if near else word


def apply(text: str, lang: str, style: Style, rng, mood: str | None = None) -> tuple[str, str]:
    """The text as this account types it, and the language it ends up in ("ru" typed in Latin stays "ru")."""
    if lang == "ro":
        if rng.random() >= style.diacritics:
            text = text.translate(_RO_PLAIN)
        elif rng.random() < style.cedilla:
            text = text.translate(_RO_CEDILLA)
    elif lang in ("ru", "uk") and style.translit and rng.random() < style.translit:
        text = translit(text, volapuk=rng.random() < style.volapuk)
    if style.typo_rate:
        words = text.split(" ")
        text = " ".join(_typo(w, rng) if rng.random() < style.typo_rate else w for w in words)
    if style.shout and rng.random() < style.shout * 4:
        words = text.split(" ")
        k = rng.randrange(len(words))
        if len(words[k]) > 3 and "http" not in words[k] and not words[k].startswith("#"):
            words[k] = words[k].upper()
        text = " ".join(words)
    if rng.random() < style.lowercase:
        text = " ".join(w if w.startswith(("http", "#", "@")) else w.lower() for w in text.split(" "))
    if rng.random() < style.stretch:
        if text.endswith(("!", "?")):
            text = text + text[-1] * rng.randrange(1, 4)
        elif text.endswith("."):
            text = text[:-1] + rng.choice(["...", "..", "!!!", "))", ")))"])
    if mood and rng.random() < style.emoji:
        marks = "".join(rng.choice(EMOJI[mood]) for _ in range(rng.choice([1, 1, 1, 2, 3])))
        text = f"{marks} {text}" if rng.random() < 0.2 else f"{text} {marks}"
    return text, lang
