"""Named entities of posts: who and what a text names, one entity across inflections, scripts, hashtags, handles.

Two levels share one key:
- `fast_mentions(text)`: rules only — capitalised word runs that do not start a sentence, «quoted» names,
  CamelCase hashtags, @handles — for the narrative-burst signal over every post (tens of thousands a second).
- `extract_entities(texts)`: the same rule spans plus natasha's NER model on Russian texts, typed with
  pymorphy3's dictionary, and an `EntityTable` that merges a name's forms into one entity with its aliases.
  Run it on the unique texts that matter (clustered posts and their originals): NER reads a few hundred a second.

A name's key (`name_key`) is script-independent: each word is mapped to the Latin skeleton of
`classifiers.text.normalize_text` (Russian and Kazakh Cyrillic, Kazakh Latin and English transliteration agree),
its case ending is cut (Russian and Kazakh), and a long word keeps only its first five consonants, so
"Жаксылыкову", "Жақсылықовтың", "Jaqsylyqov", "Zhaksylykov" and "@dzhaksylykov_law" share the key "jkslk". A
person is keyed by the surname ("Даурен Жаксылыков" -> "jkslk"); any other multiword name by all its words
("Таза Озен" -> "tazaozen", never "Озен" and "Таза").

What is not an entity is decided by data shipped in packages, not by a vocabulary tuned to our samples: a lone
word whose wordfreq Zipf frequency in Russian or English is high is a word, unless pymorphy3's dictionary knows it
as a proper noun (Name, Surn, Patr, Geox, Orgn); very frequent words are cut off the edges of a run ("Почему",
"#StopX", "... Legal Bureau"); NER's places are typed "place" so that callers can rank them last; and
`BOILERPLATE` is the one small hand list (channel footers and media labels).
"""

from __future__ import annotations

import bisect
import functools
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import pymorphy3
import wordfreq

from classifiers.text import normalize_text

PERSON, ORGANISATION, PLACE, OTHER = "person", "organisation", "place", "other"
TYPE_RANK = {PERSON: 0, ORGANISATION: 1, PLACE: 2, OTHER: 3}  # ties of a type vote go to the first

# Footers and media labels that channels put around every post ("Подписаться", "Подборка", "📷 Photo"). Kept tiny
# on purpose: everything else is decided by frequency data and the dictionary.
BOILERPLATE = frozenset({
    "фото", "видео", "подписаться", "подписывайтесь", "подпишись", "подборка", "источник", "реклама",
    "photo", "video", "subscribe", "source", "repost", "репост", "rt", "via",
    "жазылыңыз", "жазылу", "бейне", "сурет",
})
SINGLE_ZIPF = 3.0  # a lone word at least this frequent (ru or en) is a word, not a name...
EDGE_ZIPF = 3.5  # ...and a word this frequent is cut off the ends of a multiword run, never from its inside
_PROPER_TAGS = (("Surn", PERSON), ("Name", PERSON), ("Patr", PERSON), ("Orgn", ORGANISATION), ("Geox", PLACE))
_NER_TYPES = {"PER": PERSON, "ORG": ORGANISATION, "LOC": PLACE}

_KAZAKH_LETTERS = set("әғқңөұүһіӘҒҚҢӨҰҮҺІ")
_CYRILLIC_RE = re.compile(r"[\u0400-\u04ff]")  # Russian and Kazakh letters
_DOUBLE_RE = re.compile(r"(.)\1+")


# ---------------------------------------------------------------- lexicon: frequency and dictionary

@functools.cache
def morph() -> pymorphy3.MorphAnalyzer:
    return pymorphy3.MorphAnalyzer(lang="ru")


# Russian-style romanisation read back into Cyrillic, only to ask the Russian dictionary about a Latin word.
_LATIN_DIGRAPHS = (("shch", "щ"), ("sh", "ш"), ("ch", "ч"), ("zh", "ж"), ("kh", "х"), ("ts", "ц"), ("ya", "я"),
                   ("yu", "ю"), ("yo", "ё"))
_LATIN_LETTERS = str.maketrans({
    "a": "а", "b": "б", "c": "к", "d": "д", "e": "е", "f": "ф", "g": "г", "h": "х", "i": "и", "j": "ж", "k": "к",
    "l": "л", "m": "м", "n": "н", "o": "о", "p": "п", "q": "к", "r": "р", "s": "с", "t": "т", "u": "у", "v": "в",
    "w": "у", "x": "х", "y": "ы", "z": "з", "á": "а", "ä": "а", "ǵ": "г", "ğ": "г", "ı": "и", "ń": "н", "ñ": "н",
    "ó": "о", "ö": "о", "ş": "ш", "ú": "у", "ü": "у", "ý": "у", "ū": "у",
})


def _as_cyrillic(lower: str) -> str:
    if _CYRILLIC_RE.search(lower):
        return lower
    for latin, cyrillic in _LATIN_DIGRAPHS:
        lower = lower.replace(latin, cyrillic)
    return lower.translate(_LATIN_LETTERS)


@functools.lru_cache(maxsize=262_144)
def zipf(lower: str) -> float:
    """Zipf frequency of a lower-case word in Russian; a Latin word's in English or, read back into Cyrillic, in
    Russian ("Ne Odın" is "не один" in Kazakh Latin), whichever is higher. 0 when unknown."""
    forms = {lower, _DOUBLE_RE.sub(r"\1", lower)}  # "Пяятая" is "Пятая" with a slip of the finger
    if _CYRILLIC_RE.search(lower):
        return max(wordfreq.zipf_frequency(f, "ru") for f in forms)
    return max(max(wordfreq.zipf_frequency(f, "en"), wordfreq.zipf_frequency(_as_cyrillic(f), "ru")) for f in forms)


@functools.lru_cache(maxsize=262_144)
def proper_type(lower: str) -> str | None:
    """person / organisation / place when pymorphy3's dictionary (not its guesser) reads the word first as a proper
    noun.

    A Latin word is read back into Cyrillic first and must then be a name's dictionary form, so "Alan" is a name
    as "Алан" is, and "Home" is not the dative of "Хома"."""
    latin = not _CYRILLIC_RE.search(lower)
    word = _as_cyrillic(lower)
    analyzer = morph()
    if not word or not analyzer.word_is_known(word):
        return None
    best = next((p for p in analyzer.parse(word) if p.is_known), None)  # the likeliest reading decides:
    if best is None or (latin and best.normal_form != word):       # "Короче" is "in short", not in Короча
        return None
    return next((kind for gram, kind in _PROPER_TAGS if gram in best.tag), None)


@functools.lru_cache(maxsize=262_144)
def _common(lower: str, threshold: float) -> bool:
    if lower in BOILERPLATE:
        return True
    return zipf(lower) >= threshold and proper_type(lower) is None


def is_common(word: str, threshold: float = SINGLE_ZIPF) -> bool:
    """A frequent word or boilerplate, not a name (a dictionary proper noun is never common)."""
    return _common(word.lower(), threshold)


@functools.lru_cache(maxsize=262_144)
def _not_a_noun(lower: str) -> bool:
    """The dictionary knows the word and never as a noun ("Пятая", "Согласен"): NER's span is a mistake."""
    analyzer = morph()
    if not _CYRILLIC_RE.search(lower) or not analyzer.word_is_known(lower):
        return False
    return not any(p.is_known and "NOUN" in p.tag for p in analyzer.parse(lower))


@functools.lru_cache(maxsize=262_144)
def _lemma(lower: str) -> str | None:
    """The dictionary form of a Cyrillic proper noun ("Павла" -> "павел"), when pymorphy3 sees one."""
    if not _CYRILLIC_RE.search(lower):
        return None
    for parse in morph().parse(lower)[:1]:
        if any(gram in parse.tag for gram, _ in _PROPER_TAGS):
            return parse.normal_form
    return None


# ---------------------------------------------------------------- keys

_VOWELS = frozenset("aeiou")
_NON_LETTER_RE = re.compile(r"[^a-z]+")
# Case endings in skeleton letters (Kazakh: genitive, ablative, instrumental, locative, dative, accusative; Russian
# nominal), cut longest first while four letters of stem remain, until none is left or the stem ends like a
# surname. Cutting to a fixed point makes every form of a word meet: "Алматы" and "Алматыда", "Максим" and
# "Максима", "Абилкаироваға" and "Абилкаировой" -> "abilkairov".
_ENDINGS = tuple(sorted((
    "nin", "din", "tin", "dan", "tan", "nan", "den", "ten", "nen", "men", "ben", "pen", "nda", "nde",
    "ga", "ka", "ge", "ke", "da", "ta", "de", "te", "ni", "di", "ti",
    "ogo", "ego", "omu", "emu", "oiu", "eiu", "ami", "iami", "imi", "oi", "ei", "om", "em", "im", "ih", "ah",
    "iu", "ia", "a", "u", "i", "e",
), key=lambda e: (-len(e), e)))
_SURNAME_STEM = ("ov", "ev", "in", "sk", "ski", "ska", "nko")
KEY_CONSONANTS = 5


def skeleton(word: str) -> str:
    """One word in the Latin skeleton of `normalize_text`, letters only ("Dzhaksylykov" -> "jaksilikov")."""
    s = _NON_LETTER_RE.sub("", normalize_text(word)).replace("dj", "j")
    return s[1:] if s.startswith("ie") else s  # "Yerlan" / "Ерлан"


def _stem(word: str) -> str:
    """The skeleton of a word without its case endings."""
    s = skeleton(word)
    if word[-1:] in ("ң", "Ң", "ń", "Ń"):  # Kazakh genitive: cut it before "-ин" could pass for a surname
        s = next((s[: -len(e)] for e in ("nin", "din", "tin", "in") if s.endswith(e) and len(s) - len(e) >= 4), s)
    return _strip_ending(s)


def _strip_ending(s: str) -> str:
    for _ in range(4):
        if len(s) >= 5 and s.endswith(_SURNAME_STEM):
            break  # "Тлеубердин" keeps its -дин
        cut = next((e for e in _ENDINGS if s.endswith(e) and len(s) - len(e) >= 4), None)
        if cut is None:
            break
        s = s[: -len(cut)]
    return s


@functools.lru_cache(maxsize=262_144)
def word_key(word: str) -> str:
    """Script- and inflection-independent key of one word: its stem, or the stem's first five consonants when it
    has that many (vowels are where Russian, Kazakh and English spellings of a name differ: Тлеу-/Төлеу-)."""
    stem = _DOUBLE_RE.sub(r"\1", _stem(word).replace("h", "k"))  # Russian х is Kazakh қ: Казахстан, Qazaqstan
    consonants = [c for c in stem if c not in _VOWELS]
    return "".join(consonants[:KEY_CONSONANTS]) if len(consonants) >= KEY_CONSONANTS else stem


@functools.lru_cache(maxsize=262_144)
def surname_like(word: str) -> bool:
    """A Russian/Kazakh surname shape (-ов/-ева/-ина/-ский/-енко, in any case and script)."""
    stem = _stem(word)
    return len(stem) >= 5 and stem.endswith(_SURNAME_STEM)


def name_key(words: Sequence[str]) -> str:
    """Key of a name: a person's surname when a two- or three-word name has one, else all its words' keys."""
    if 2 <= len(words) <= 3:
        for word in reversed(words):
            if surname_like(word):
                return word_key(word)
    return "".join(word_key(w) for w in words)


def _spelled_out(words: Sequence[str]) -> str:
    """`name_key` without the cut to five consonants: the stems the key was made from."""
    stems = [_DOUBLE_RE.sub(r"\1", _stem(w)) for w in words]
    if 2 <= len(words) <= 3:
        for word, stem in zip(reversed(words), reversed(stems), strict=True):
            if surname_like(word):
                return stem
    return "".join(stems)


def handle_key(handle: str) -> str:
    return "@" + skeleton(handle.lstrip("@"))


# ---------------------------------------------------------------- rule spans

@dataclass(frozen=True, slots=True)
class Span:
    """A candidate name in a text: `words` are the name's words, `surface` what the text shows."""
    start: int
    end: int
    kind: str  # run | quote | tag | handle
    words: tuple[str, ...]
    surface: str
    sentence_start: bool  # the name's first word starts a sentence (a capital there is no evidence)
    before_quote: bool = False  # an opening quote follows: "Экофонд «Таза Озен»"

    @property
    def key(self) -> str:
        return handle_key(self.surface) if self.kind == "handle" else name_key(self.words)


_UPPER = "".join(re.escape(c) for c in map(chr, range(0x41, 0x530)) if c.isupper())  # Latin, Greek, Cyrillic
_CAP_WORD = rf"[{_UPPER}][^\W\d_]*(?:['’\-][^\W\d_]+)*"
# capitalised words separated by spaces only: a comma, a quote or a lower-case word ends a run
_RUN_RE = re.compile(rf"(?<![\w@#/.\-]){_CAP_WORD}(?:[ \t\u00a0]+{_CAP_WORD})*(?![\w])")
_CAP_WORD_RE = re.compile(_CAP_WORD)
_SPECIAL_RE = re.compile(r"(?P<url>(?:https?://|www\.)\S+)|(?P<handle>(?<![\w@])@\w{2,})|(?P<tag>(?<![\w#&])#\w{2,})")
_STOPS = frozenset(".!?…:;|\n")
_NOT_WORDS_RE = re.compile(r"(?:https?://|www\.)\S+|[@#]\w+")  # NER reads "RT @dlebedev" or "#StayHome" as names
_OPENING_QUOTE_RE = re.compile(r"\s*[«“„\"]")
_WORD_RE = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*")
_QUOTE_RE = re.compile(r"«([^«»\n]{1,60})»|“([^“”\n]{1,60})”|„([^„“”\n]{1,60})[“”]|\"([^\"\n]{1,60})\"")
_QUOTED_NAME_RE = re.compile(r"[\w'’\-. &]+")
_CAMEL_RE = re.compile(r"[^\W\d_][^\W\d_A-ZА-ЯЁӘҒҚҢӨҰҮҺІ]*|\d+", re.UNICODE)
# "RT @author:" names the source; the handles a reply starts with are the platform's addressing: neither is a target
_ADDRESS_RE = re.compile(r"^\s*(?:RT\s+@\w+:?\s*)?(?:@\w+[\s,]*)*")
MAX_RUN = 5  # a longer capitalised run is a headline or a list, not a name
FOOTER_MAX_WORDS = 8


class _Ranges:
    """Non-overlapping character ranges, sorted, with a logarithmic overlap test (hostile texts hold thousands)."""

    def __init__(self, ranges: Iterable[tuple[int, int]]):
        self.ranges = sorted(ranges)
        self.starts = [a for a, _ in self.ranges]

    def find(self, start: int, end: int) -> int | None:
        """Index of a range that overlaps [start, end), or None."""
        i = bisect.bisect_left(self.starts, end) - 1  # the last range that starts before end
        if i >= 0 and self.ranges[i][1] > start:
            return i
        return None

    def hits(self, start: int, end: int) -> bool:
        return self.find(start, end) is not None


def split_camel(tag: str) -> list[str]:
    """'StopAbilkairova' -> ['Stop', 'Abilkairova']; 'ЖаксылыковПредатель' -> ['Жаксылыков', 'Предатель']."""
    parts = []
    for part in re.split(r"[_\d]+", tag):
        if part.isupper() or part.islower():
            parts.append(part)  # "COVID", "карантин": one word
        else:
            parts.extend(m.group(0) for m in _CAMEL_RE.finditer(part))
    return [p for p in parts if p]


def _trim(words: Sequence[str], threshold: float = EDGE_ZIPF) -> tuple[int, int]:
    """Bounds of a run without the frequent words and boilerplate at its ends; its inside stays whole."""
    lo, hi = 0, len(words)
    while lo < hi and is_common(words[lo], threshold):
        lo += 1
    while hi > lo and is_common(words[hi - 1], threshold):
        hi -= 1
    return lo, hi


def _name_runs(parts: list[str]) -> list[list[str]]:
    """Runs of a hashtag's or handle's parts, split at frequent words ('Ашык Алан | Не | Одни')."""
    runs, current = [], []
    for part in parts:
        if is_common(part, EDGE_ZIPF) or not part[0].isalpha():
            if current:
                runs.append(current)
            current = []
        else:
            current.append(part)
    if current:
        runs.append(current)
    return runs


def _footer_ranges(text: str) -> list[tuple[int, int]]:
    """Short lines of a multi-line text that carry a boilerplate word: a channel's footer, not its news."""
    if "\n" not in text.strip():
        return []
    ranges, pos = [], 0
    for line in text.split("\n"):
        words = _WORD_RE.findall(line)
        if 0 < len(words) <= FOOTER_MAX_WORDS and any(w.lower() in BOILERPLATE for w in words):
            ranges.append((pos, pos + len(line)))
        pos += len(line) + 1
    return ranges


def _quotes(text: str) -> list[tuple[int, int, list[str]]]:
    """Quoted names (content start, end, words): «Ашык Алан», "Ashyq Alan" — a name kept whole."""
    out = []
    for m in _QUOTE_RE.finditer(text):
        group = next(g for g in range(1, 5) if m.group(g) is not None)
        content = m.group(group)
        words = _WORD_RE.findall(content)
        if not (1 <= len(words) <= MAX_RUN) or not words[0][0].isupper() or not _QUOTED_NAME_RE.fullmatch(content):
            continue
        out.append((m.start(group), m.end(group), words))
    return out


def _starts_sentence(text: str, pos: int, specials: dict[int, int]) -> bool:
    """Nothing but punctuation, @handles, #hashtags and links between the last sentence end (or the text's
    start) and pos: a capital there is grammar, not evidence of a name."""
    i = pos
    while i > 0:
        c = text[i - 1]
        if c in _STOPS:
            return True
        if i in specials:
            i = specials[i]
        elif c.isalnum() or c == "_":
            return False
        else:
            i -= 1
    return True


def rule_spans(text: str) -> list[Span]:
    """Candidate names of a text, in text order, before the one-word frequency decision (see `fast_spans`):
    runs of capitalised words, «quoted» names, hashtags and @handles (not the ones a reply or a retweet starts
    with: those are the platform's addressing, not the author's words)."""
    if not text:
        return []
    skip_until = _ADDRESS_RE.match(text).end()
    specials, links = {}, []
    spans: list[Span] = []
    for m in _SPECIAL_RE.finditer(text):
        specials[m.end()] = m.start()
        if m.lastgroup == "url":
            links.append((m.start(), m.end()))
        if m.start() < skip_until or m.lastgroup == "url":
            continue
        surface = m.group()
        if m.lastgroup == "handle":
            spans.append(Span(m.start(), m.end(), "handle", (surface[1:],), surface, False))
        else:
            spans.append(Span(m.start(), m.end(), "tag", tuple(split_camel(surface[1:])), surface, False))
    quotes = _quotes(text)
    for start, end, words in quotes:
        spans.append(Span(start, end, "quote", tuple(words), text[start:end], _starts_sentence(text, start, specials)))
    quoted, linked = _Ranges((a, b) for a, b, _ in quotes), _Ranges(links)
    for m in _RUN_RE.finditer(text, skip_until):
        start, end = m.start(), m.end()
        if quoted.hits(start, end) or linked.hits(start, end):
            continue  # a quoted name is its own span; a link is no name
        # a name is written in one script: "Поддерживаем | Ashyq Alan"
        words = [(w.group(), w.start(), w.end()) for w in _CAP_WORD_RE.finditer(text, start, end)]
        pieces, current = [], [words[0]]
        for word in words[1:]:
            if bool(_CYRILLIC_RE.match(word[0])) == bool(_CYRILLIC_RE.match(current[-1][0])):
                current.append(word)
            else:
                pieces.append(current)
                current = [word]
        pieces.append(current)
        for piece in pieces:
            a, b = piece[0][1], piece[-1][2]
            spans.append(Span(a, b, "run", tuple(w for w, _, _ in piece), text[a:b],
                              _starts_sentence(text, a, specials), bool(_OPENING_QUOTE_RE.match(text, b))))
    footers = _footer_ranges(text)
    if footers:
        in_footer = _Ranges(footers)
        spans = [s for s in spans if not in_footer.hits(s.start, s.start + 1)]
    spans.sort(key=lambda s: s.start)
    return spans


def _name_spans(span: Span) -> list[Span]:
    """The names inside one rule span: trimmed runs and quotes, hashtag runs; [] when there is none."""
    if span.kind == "handle":
        return [span]
    if span.kind == "tag":
        return [Span(span.start, span.end, "tag", tuple(words), span.surface, False)
                for words in _name_runs(list(span.words))
                if 1 < len(words) <= MAX_RUN or (len(words) == 1 and len(words[0]) >= 3 and not is_common(words[0]))]
    words = span.words
    if len(words) > MAX_RUN:
        return []
    lo, hi = _trim(words)
    if lo == hi:
        return []
    if span.kind == "quote":  # a quoted name stays whole ("«Ак жол»") unless all of it is frequent words
        lo, hi = 0, len(words)
    if hi - lo == 1 and (is_common(words[lo]) or len(words[lo]) < 2 or (span.before_quote and hi == len(words))):
        return []  # a lone word before a quote describes the quoted name: "Экофонд «Таза Озен»"
    if (lo, hi) == (0, len(words)):
        return [span]
    positions = list(_WORD_RE.finditer(span.surface))  # the run's words, one match each
    first, last = positions[lo].start(), positions[hi - 1].end()
    return [Span(span.start + first, span.start + last, span.kind, words[lo:hi], span.surface[first:last],
                 span.sentence_start and lo == 0)]


def fast_spans(text: str) -> list[Span]:
    """Rule-only names of a text: what `fast_mentions` keys. A lone capitalised word that starts a sentence is
    left out (that capital is grammar); a run of two or more is a name even there ("Даурен Жаксылыков заявил")."""
    out = []
    for span in rule_spans(text):
        for name in _name_spans(span):
            if name.sentence_start and len(name.words) == 1 and name.kind in ("run", "quote"):
                continue
            out.append(name)
    return out


@functools.lru_cache(maxsize=65_536)
def _handle_part_keys(handle: str) -> tuple[str, ...]:
    """Keys of the name-like parts of a handle ("dzhaksylykov_law" -> ["jkslk"]; "law" is a frequent word)."""
    keys: list[str] = []
    for words in _name_runs(split_camel(handle.lstrip("@"))):
        words = [w for w in words if len(w) >= 4]
        if 0 < len(words) <= MAX_RUN:
            key = name_key(words)
            if key not in keys:
                keys.append(key)
    return tuple(keys)


def fast_mentions(text: str) -> list[str]:
    """Entity keys a text names, rules only, unique, in text order (the same keys `extract_entities` gives the
    same names; a handle adds the keys of its name-like parts)."""
    keys: list[str] = []
    for span in fast_spans(text):
        extra = _handle_part_keys(span.surface) if span.kind == "handle" else ()
        for key in (span.key, *extra):
            if key and key not in keys:
                keys.append(key)
    return keys


# ---------------------------------------------------------------- the heavy path: NER, types, merged table

@dataclass(frozen=True, slots=True)
class Mention:
    key: str  # the entity's canonical key (after merging)
    surface: str  # as the text writes it: "Жаксылыкову", "#StopAbilkairova", "@dzhaksylykov_law"
    type: str  # the entity's type


@dataclass(frozen=True, slots=True)
class Entity:
    key: str
    name: str  # the most frequent full form
    aliases: tuple[str, ...]  # every surface form, sorted
    type: str  # person | organisation | place | other (handles and untyped names)
    mentions: int
    surfaces: tuple[tuple[str, int], ...] = ()  # (surface, count), most frequent first, ties by surface

    def as_target(self, max_aliases: int | None = None) -> dict:
        aliases = [s for s, _ in self.surfaces[:max_aliases]] if max_aliases else list(self.aliases)
        return {"name": self.name, "aliases": sorted(aliases), "type": self.type}


class EntityTable:
    """Entities by canonical key; `resolve` maps any mention key (a `fast_mentions` key too) to its entity."""

    def __init__(self, entities: dict[str, Entity], canonical: dict[str, str]):
        self.entities = dict(sorted(entities.items()))
        self._canonical = canonical

    def resolve(self, key: str) -> str | None:
        return self._canonical.get(key)

    def get(self, key: str) -> Entity | None:
        canonical = self._canonical.get(key)
        return self.entities.get(canonical) if canonical else None

    def __len__(self) -> int:
        return len(self.entities)

    def __iter__(self):
        return iter(self.entities.values())


@dataclass(frozen=True)
class Extraction:
    mentions: list[list[Mention]]  # per input text, in text order
    table: EntityTable

    def keys(self, i: int) -> list[str]:
        """Unique canonical entity keys of text i, in text order."""
        return list(dict.fromkeys(m.key for m in self.mentions[i]))


@dataclass(slots=True)
class _Raw:
    """One mention before merging."""
    key: str
    kind: str  # run | quote | tag | handle | ner
    words: tuple[str, ...]
    surface: str
    type: str
    lemma_key: str | None = None
    parts: tuple[str, ...] = ()  # a handle's part keys


NER_MAX_CHARS = 20_000  # NER reads a post's first 20k characters (an article's lead); the rules read all of it
NER_BATCH = 32  # texts the tagger reads at once: a list cut into pieces of multiples of this is tagged the same
# texts (each cut to NER_MAX_CHARS) -> each text's NER spans (start, stop, type), in order; ner_spans by default,
# or a caller's that spreads the pieces over processes or machines (worker/stream_scoring.py)
NerMap = Callable[[list[str]], Sequence[Sequence]]


@functools.cache
def ner_tagger():
    """natasha's news NER (slovnet + navec embeddings shipped in its wheel), loaded once per process."""
    from natasha import NewsEmbedding, NewsNERTagger  # noqa: PLC0415 -- 0.3 s import, 0.8 s load: only the heavy path needs it

    tagger = NewsNERTagger(NewsEmbedding())
    tagger.batch_size = NER_BATCH
    return tagger


class NerSpan(NamedTuple):
    start: int
    stop: int
    type: str  # natasha's PER, ORG or LOC


def ner_spans(texts: list[str]) -> list[list[NerSpan]]:
    """natasha's NER spans of each text, in this process."""
    if not texts:
        return []
    return [[NerSpan(s.start, s.stop, s.type) for s in markup.spans] for markup in ner_tagger().map(texts)]


def is_russian(text: str) -> bool:
    """Cyrillic text without Kazakh letters: where natasha's Russian NER can be trusted (on Kazakh it tags
    sentence-initial words as persons)."""
    cyrillic = len(_CYRILLIC_RE.findall(text))
    return cyrillic >= 3 and not any(c in _KAZAKH_LETTERS for c in text)


def span_type(span: Span) -> str:
    if span.kind == "handle":
        return OTHER
    if span.kind == "quote":
        return ORGANISATION
    words = span.words
    if len(words) <= 3 and any(surname_like(w) for w in words):
        return PERSON
    kinds = {proper_type(w.lower()) for w in words}
    if len(words) == 1:
        return next(iter(kinds)) or OTHER
    return PLACE if kinds == {PLACE} else OTHER


def _lemma_key(words: Sequence[str]) -> str | None:
    lemmas = [_lemma(w.lower()) for w in words]
    if not any(lemmas):
        return None
    return name_key([lemma or w for lemma, w in zip(lemmas, words, strict=True)])


def _raw(span: Span, type_: str, kind: str | None = None) -> _Raw:
    kind = kind or span.kind
    if span.kind == "handle":
        return _Raw(span.key, kind, span.words, span.surface, OTHER, parts=_handle_part_keys(span.surface))
    return _Raw(span.key, kind, span.words, span.surface, type_, _lemma_key(span.words))


def _ner_mentions(text: str, ner_spans, rules: list[Span]) -> tuple[list[tuple[int, _Raw]], list[tuple[int, int]]]:
    """(position, mention) from NER spans, cleaned with the rules' tokens; and the character ranges NER covered."""
    out, covered = [], []
    blocked = _Ranges((m.start(), m.end()) for m in _NOT_WORDS_RE.finditer(text))
    quotes = sorted((s for s in rules if s.kind == "quote"), key=lambda q: q.start)
    quoted = _Ranges((q.start, q.end) for q in quotes)
    sentence_starts = {s.start for s in rules if s.sentence_start}
    for ner in ner_spans:
        start, stop = ner.start, ner.stop
        if blocked.hits(start, stop):
            continue
        covered.append((start, stop))
        type_ = _NER_TYPES.get(ner.type, OTHER)
        q = quoted.find(start, stop)
        if q is not None:
            quote = quotes[q]  # "Бюро «Ашык Алан" -> the quoted name; a person's name is never quoted
            out.append((quote.start, _raw(quote, ORGANISATION if type_ == PERSON else type_)))
            continue
        words = [(m.group(), start + m.start()) for m in _WORD_RE.finditer(text[start:stop])]
        lo, hi = _trim([w for w, _ in words])
        kept = [w for w, _ in words[lo:hi]]
        if len(kept) > MAX_RUN or not kept or not kept[0][0].isupper() or (len(kept) == 1 and _OPENING_QUOTE_RE.match(text, stop)):
            continue  # names are capitalised; "Экофонд «Таза Озен»": the quote is the name, not its descriptor
        first, last = words[lo][1], words[hi - 1][1] + len(words[hi - 1][0])
        if len(kept) == 1:
            lower = kept[0].lower()
            if lower in BOILERPLATE or len(lower) < 2 or _not_a_noun(lower):
                continue
            if type_ == PLACE and is_common(kept[0]):
                continue  # a frequent word is a name only when NER says person or organisation
            if first in sentence_starts and proper_type(lower) is None and not surname_like(kept[0]):
                continue  # NER reads any capital that opens a sentence as a name
        span = Span(first, last, "run", tuple(kept), text[first:last], first in sentence_starts)
        out.append((first, _raw(span, type_, "ner")))
    return out, covered


def _text_mentions(text: str, ner_spans) -> list[_Raw]:
    rules = rule_spans(text)
    located, covered = _ner_mentions(text, ner_spans, rules) if ner_spans is not None else ([], [])
    by_ner = _Ranges(covered)
    for span in rules:
        if span.kind != "handle" and by_ner.hits(span.start, span.end):
            continue
        for name in _name_spans(span):
            if not (name.sentence_start and len(name.words) == 1 and name.kind in ("run", "quote")):
                located.append((name.start, _raw(name, span_type(name))))  # as `fast_spans` keeps them
    located.sort(key=lambda pair: pair[0])  # stable: NER before rules at one position
    return [raw for _, raw in located]


class _UnionFind:
    def __init__(self):
        self.parent: dict[str, str] = {}

    def find(self, key: str) -> str:
        root = key
        while self.parent.get(root, root) != root:
            root = self.parent[root]
        while key != root:
            self.parent[key], key = root, self.parent.get(key, key)
        return root

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)  # deterministic: the smaller key is the root


def _one_edit(a: str, b: str) -> bool:
    """a and b differ by one insertion, deletion, substitution or swap of neighbours."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), len(a))
    if len(a) < len(b):
        return a[i:] == b[i + 1:]
    return a[i + 1:] == b[i + 1:] or (a[i + 2:] == b[i + 2:] and a[i:i + 2] == b[i:i + 2][::-1])


TYPO_RATIO = 5  # a key one edit away from a key mentioned this many times as often is a typo of it


def _typo_pairs(raws: list[_Raw], counts: Counter) -> list[tuple[str, str]]:
    """(typo, name) for keys whose spelled-out stem is one edit away from exactly one much more frequent key's
    ("Утепбегренов" -> "Утепбергенов", "Жасылыков" -> "Жаксылыков"). Stems, not keys, are compared: a key keeps
    only five consonants, so one dropped letter shifts all of them."""
    spelled: dict[str, Counter] = defaultdict(Counter)
    for r in raws:
        if r.kind != "handle":
            spelled[r.key][_spelled_out(r.words)] += 1
    stem_of = {k: min(c, key=lambda s: (-c[s], s)) for k, c in spelled.items()}
    keys = sorted(k for k, stem in stem_of.items() if len(stem) >= 6)
    near: dict[str, set[str]] = defaultdict(set)
    for key in keys:
        stem = stem_of[key]
        for variant in {stem, *(stem[:i] + stem[i + 1:] for i in range(len(stem)))}:
            near[variant].add(key)
    pairs = []
    for key in keys:
        stem = stem_of[key]
        variants = {stem, *(stem[:i] + stem[i + 1:] for i in range(len(stem)))}
        bigger = sorted({other for v in variants for other in near[v]
                         if counts[other] >= TYPO_RATIO * counts[key] and _one_edit(stem, stem_of[other])})
        if len(bigger) == 1:
            pairs.append((key, bigger[0]))
    return pairs


def _merge(raws: list[_Raw]) -> dict[str, str]:
    """{key: group root}: lemmas, typos, sub-names, first names and handles joined to the names they spell.
    Handle part keys are included, so that every `fast_mentions` key of a merged handle resolves."""
    uf = _UnionFind()
    counts = Counter(r.key for r in raws)
    keys = sorted(counts)
    for key in keys:
        uf.find(key)
    for r in raws:
        if r.lemma_key and r.lemma_key != r.key:
            uf.union(r.key, r.lemma_key)  # pymorphy3: "Павла" -> "павел", "Нурсултану" -> "нурсултан"
    known = set(keys) | {r.lemma_key for r in raws if r.lemma_key}

    for typo, name in _typo_pairs(raws, counts):
        uf.union(typo, name)

    # a longer name that contains a known name whole joins it ("Ashyq Alan Legal Bureau" -> "Ашык Алан")
    for r in raws:
        if r.kind == "handle" or len(r.words) < 3 or r.key != "".join(word_key(w) for w in r.words):
            continue
        parts = [word_key(w) for w in r.words]
        for size in range(len(parts) - 1, 1, -1):
            subs = sorted({"".join(parts[i:i + size]) for i in range(len(parts) - size + 1)} & known)
            if subs:
                uf.union(r.key, subs[0])
                break

    # a lone first name joins the one person whose full name starts with it ("#АсельНеОдна" -> Тлеубердина)
    first_names: dict[str, set[str]] = defaultdict(set)
    full_names: dict[str, set[str]] = defaultdict(set)  # person key -> skeletons of full names
    for r in raws:
        if r.kind != "handle" and 2 <= len(r.words) <= 3 and r.key == word_key(r.words[-1]) \
                and surname_like(r.words[-1]):
            first_names[word_key(r.words[0])].add(r.key)
            full_names[r.key].add("".join(skeleton(w) for w in r.words))
    singles = {r.key for r in raws if r.kind != "handle" and len(r.words) == 1}
    for first in sorted(first_names):
        persons = sorted({uf.find(k) for k in first_names[first]})
        if first in singles and len(persons) == 1 and first not in full_names:
            uf.union(first, persons[0])

    # a handle joins the name it spells: a part ("dzhaksylykov_law") or the start of a full name ("miras_kenzhe")
    for r in sorted((r for r in raws if r.kind == "handle"), key=lambda r: r.key):
        targets = sorted({uf.find(k) for k in r.parts if k in known})
        if not targets:
            body = r.key[1:]
            targets = sorted({uf.find(k) for k, fulls in full_names.items()
                              if len(body) >= 6 and any(full.startswith(body) for full in fulls)})
        if len(targets) == 1:
            uf.union(r.key, targets[0])
    # the part keys `fast_mentions` gives for a handle resolve to its entity, unless two entities share them
    owners: dict[str, set[str]] = defaultdict(set)
    for r in raws:
        for part in r.parts:
            if part not in known:
                owners[part].add(uf.find(r.key))
    for part in sorted(owners):
        if len(owners[part]) == 1:
            uf.union(part, next(iter(owners[part])))
            known.add(part)
    return {key: uf.find(key) for key in known}


def _display_name(forms: Counter) -> str:
    """The most frequent of the fullest forms: forms seen at least a fifth as often as the top form compete on
    word count, then count, then name."""
    top = max(forms.values())
    eligible = [(f, c) for f, c in forms.items() if c >= max(1, top / 5)]
    return min(eligible, key=lambda fc: (-len(fc[0].split()), -fc[1], fc[0]))[0]


def _build_table(raws: Iterable[_Raw]) -> tuple[EntityTable, dict[str, str]]:
    raws = list(raws)
    group_of = _merge(raws)
    members: dict[str, list[_Raw]] = defaultdict(list)
    for r in raws:
        members[group_of[r.key]].append(r)
    entities: dict[str, Entity] = {}
    canonical_of_group: dict[str, str] = {}
    for group, rs in members.items():
        key_counts = Counter(r.key for r in rs)
        canonical = min(key_counts, key=lambda k: (k.startswith("@"), -key_counts[k], k))
        canonical_of_group[group] = canonical
        surfaces = Counter(r.surface for r in rs)
        text_forms = Counter(" ".join(r.words) for r in rs if r.kind in ("run", "quote", "ner"))
        tag_forms = Counter(" ".join(r.words) for r in rs if r.kind == "tag")
        name = _display_name(text_forms or tag_forms or surfaces)
        votes: Counter = Counter()
        for r in rs:
            if r.kind != "handle" and r.type != OTHER:
                votes[r.type] += 2 if r.kind == "quote" else 1  # quotes mark organisations: persons are not quoted
        type_ = min(votes, key=lambda t: (-votes[t], TYPE_RANK[t])) if votes else OTHER
        ranked = tuple(sorted(surfaces.items(), key=lambda sc: (-sc[1], sc[0])))
        entities[canonical] = Entity(canonical, name, tuple(sorted(surfaces)), type_, len(rs), ranked)
    canonical = {key: canonical_of_group[group] for key, group in group_of.items() if group in canonical_of_group}
    return EntityTable(entities, canonical), canonical


def extract_entities(texts: Sequence[str], ner: bool = True, ner_map: NerMap | None = None) -> Extraction:
    """Entity mentions of each text and the table of merged entities.

    Russian texts go through natasha's NER (PER, ORG, LOC) as well as the rules; Kazakh and English texts
    through the rules. Texts are deduplicated and read in sorted order, so the result depends on the set of
    texts only (and a text's mentions on that text only, apart from merging). `ner_map` tags the Russian texts
    (default: ner_spans, here)."""
    texts = [t or "" for t in texts]
    unique = sorted(set(texts))
    russian = [t for t in unique if ner and is_russian(t)]
    spans = (ner_map or ner_spans)([t[:NER_MAX_CHARS] for t in russian]) if russian else ()
    ner_of = dict(zip(russian, spans, strict=True))
    raws_of = {t: _text_mentions(t, ner_of.get(t)) for t in unique}
    table, canonical = _build_table(r for t in unique for r in raws_of[t])
    mentions_of = {
        t: [Mention(canonical[r.key], r.surface, table.entities[canonical[r.key]].type) for r in raws_of[t]]
        for t in unique
    }
    return Extraction([list(mentions_of[t]) for t in texts], table)

