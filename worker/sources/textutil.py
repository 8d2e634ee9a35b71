"""Small text helpers shared by the format modules: hashtags from text, language codes, list-ish cells."""

import re

import orjson

# A hashtag is '#' followed by word characters (letters of any script, digits, underscore).
_HASHTAG = re.compile(r"(?<![\w&])#(\w+)")


def hashtags_from_text(text: str) -> list[str]:
    """Hashtags in a text, without '#', in order, without duplicates."""
    if not text or "#" not in text:
        return []
    found = _HASHTAG.findall(text)
    if len(found) > 1:
        return list(dict.fromkeys(found))
    return found


def lang_code(value: object) -> str | None:
    """An ISO 639-1 code from a platform's language tag ('ru', 'ru-RU', 'en_US'); None when unknown ('und')."""
    if not value or not isinstance(value, str):
        return None
    code = value.split("-", 1)[0].split("_", 1)[0].lower()
    return code if len(code) == 2 and code.isalpha() else None


def clean_id(value: object) -> str | None:
    """An id cell as a string: '' / 'nan' / 'None' -> None, '123.0' (spreadsheet float) -> '123'."""
    if value is None:
        return None
    text = str(value).strip()
    if text in ("", "0", "nan", "NaN", "None", "null"):
        return None
    if text.endswith(".0") and text[:-2].isdigit():
        return text[:-2]
    return text


def split_list(value: object) -> list[str]:
    """A list-valued cell: a JSON array, a Python-ish list '[a, b]' / "['a', 'b']", or items split on commas and
    whitespace."""
    if value is None:
        return []
    if isinstance(value, list):
        return _scalars(value)
    text = str(value).strip()
    if not text:
        return []
    if text[0] == "[" and text[-1] == "]":
        if '"' in text:
            try:
                parsed = orjson.loads(text)
            except orjson.JSONDecodeError:
                parsed = None
            if isinstance(parsed, list):
                return _scalars(parsed)
        text = text[1:-1]
    items = text.replace(",", " ").split()
    return [item.strip("'\"") for item in items if item.strip("'\"")]


def _scalars(items: list) -> list[str]:
    """The strings and numbers of a list, as strings (nested lists and objects are not list items)."""
    return [str(item) for item in items
            if isinstance(item, str | int | float) and not isinstance(item, bool) and item != ""]
