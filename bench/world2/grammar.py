"""A tiny template language, so one sentence idea yields many surface forms.

    "[Iar|Din nou] {T} [primește|a primit] bani de la {foreign}[!|.|!!]"

`[a|b|c]` picks one alternative (an empty alternative makes the part optional, `[ foarte|]`), `{name}` expands a
slot: a string, a list (one item picked) or a callable taking the random generator. Slots are looked up in the
call's context first, then in the lexicon passed along. Templates nest freely. `{g:vândut/vândută/vândut/vânduți}`
agrees with the subject: the context's `_g` is 0 masculine, 1 feminine, 2 neuter, 3 plural; `{y:tu/voi}` picks
the form of address by the context's `_y` (0 one person, 1 a group).
"""

from __future__ import annotations

import re

_PARSED: dict[str, list] = {}


def _parse(s: str, i: int = 0, stop: str = "") -> tuple[list, int]:
    """Parse until one of `stop` at this level; return (nodes, index of the stop char or len)."""
    nodes: list = []
    buf: list[str] = []
    while i < len(s):
        ch = s[i]
        if ch in stop:
            break
        if ch == "[":
            if buf:
                nodes.append("".join(buf))
                buf = []
            alternatives = []
            i += 1
            while True:
                alt, i = _parse(s, i, "|]")
                alternatives.append(alt)
                if i >= len(s) or s[i] == "]":
                    i += 1
                    break
                i += 1  # skip "|"
            nodes.append(("alt", alternatives))
            continue
        if ch == "{":
            end = s.index("}", i)
            if buf:
                nodes.append("".join(buf))
                buf = []
            nodes.append(("slot", s[i + 1:end]))
            i = end + 1
            continue
        buf.append(ch)
        i += 1
    if buf:
        nodes.append("".join(buf))
    return nodes, i


def _nodes(template: str) -> list:
    tree = _PARSED.get(template)
    if tree is None:
        tree = _parse(template)[0]
        _PARSED[template] = tree
    return tree


def _render(nodes: list, rng, context: dict, lexicon: dict, depth: int) -> str:
    out = []
    for node in nodes:
        if isinstance(node, str):
            out.append(node)
        elif node[0] == "alt":
            out.append(_render(rng.choice(node[1]), rng, context, lexicon, depth))
        else:
            out.append(_slot(node[1], rng, context, lexicon, depth))
    return "".join(out)


def _slot(name: str, rng, context: dict, lexicon: dict, depth: int) -> str:
    if name[:2] in ("g:", "y:"):
        forms = name[2:].split("/")
        return forms[min(context.get("_" + name[0], 0), len(forms) - 1)]
    if depth > 12:
        raise ValueError(f"template slots nest too deep at {{{name}}}")
    value = context[name] if name in context else lexicon[name]
    if callable(value):
        value = value(rng)
    if isinstance(value, (list, tuple)):
        value = rng.choice(value)
    return _render(_nodes(value), rng, context, lexicon, depth + 1)


_SPACES = re.compile(r"[ \t]{2,}")
_SPACE_BEFORE_PUNCT = re.compile(r" +([,.!?;:)»])")
_SPACE_AFTER_OPEN = re.compile(r"([(«]) +")


def expand(template: str, rng, context: dict | None = None, lexicon: dict | None = None) -> str:
    """One surface form of `template`, spaces tidied, first letter raised."""
    text = _render(_nodes(template), rng, context or {}, lexicon or {}, 0)
    text = _SPACES.sub(" ", text)
    text = _SPACE_BEFORE_PUNCT.sub(r"\1", text)
    text = _SPACE_AFTER_OPEN.sub(r"\1", text).strip()
    return text[:1].upper() + text[1:] if text else text


_SLOT = re.compile(r"\{([^}:]+)\}")


def needs(template: str) -> set[str]:
    """The plain slots a template uses (agreement selectors aside)."""
    return set(_SLOT.findall(template))


def usable(templates: list[str], available) -> list[str]:
    """The templates whose every slot is in `available` (a context, a lexicon or both)."""
    return [t for t in templates if needs(t) <= available]
