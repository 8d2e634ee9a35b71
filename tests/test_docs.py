"""Docs are tests: every command, every option of every command and every setting a user can reach is documented.

The options come from the CLI's own argparse parsers (what `--help` prints), so a new option fails here until
README.md or docs/*.md show it next to its command; the settings come from the Settings class and are compared,
with their defaults, with the settings table of README.md.
"""

import argparse
import re
from pathlib import Path

import pytest

from devsupport.commands import COMMANDS, build_parser
from smearwatch.settings import Settings

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text()
DOCS = {path.relative_to(REPO).as_posix(): path.read_text() for path in [REPO / "README.md",
                                                                          *sorted((REPO / "docs").glob("*.md"))]}

# Options the docs do not show yet: (command path, option) -> why this is expected to fail. Strict: once the docs
# show one, its entry must go.
UNDOCUMENTED: dict[tuple[str, str], str] = {}


def test_readme_starts_with_the_two_commands():
    first_block = README.split("```sh", 1)[1].split("```", 1)[0]
    assert [line.split()[0:2] for line in first_block.strip().splitlines()] == [["make", "demo"], ["make", "test"]]


def test_every_command_is_in_the_readme():
    missing = [name for name in COMMANDS if f"smearwatch {name}" not in README]
    assert not missing, f"commands missing from README.md: {missing}"


def test_every_setting_is_in_the_readme():
    missing = [f"SMEARWATCH_{name.upper()}" for name in Settings.model_fields
               if f"SMEARWATCH_{name.upper()}" not in README]
    assert not missing, f"settings missing from README.md: {missing}"


def test_every_command_has_help():
    parser = build_parser()
    sub = next(action for action in parser._actions if action.dest == "command")
    for name, command in sub.choices.items():
        assert command.description, f"`smearwatch {name}` has no description"
        for action in command._actions:
            if action.option_strings and action.dest != "help":
                assert action.help, f"`smearwatch {name} {action.option_strings[0]}` has no help text"


def test_ingest_help_documents_exit_status():
    parser = build_parser()
    sub = next(action for action in parser._actions if action.dest == "command")
    text = sub.choices["ingest"].format_help()
    for code in ("0", "3", "2"):
        assert f"{code} " in text
    assert "exit status" in text


# --- every option of every command, from the parsers -----------------------------------------------------------


def commands(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()):
    """(command path, parser) for the program and every command and subcommand under it."""
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, subparser in action.choices.items():
                yield from commands(subparser, (*path, name))


def options(parser: argparse.ArgumentParser) -> list[tuple[str, ...]]:
    """Each option of the parser as its spellings, the long ones if it has any (what `--help` lists)."""
    found = []
    for action in parser._actions:
        if not action.option_strings or isinstance(action, argparse._HelpAction):
            continue
        long = tuple(s for s in action.option_strings if s.startswith("--"))
        found.append(long or tuple(action.option_strings))
    return found


def places(text: str) -> list[tuple[str, str]]:
    """The places of a Markdown text that can show a command with its options, as (what names the command, what
    shows the options): inline code spans (a paragraph's lines joined, so that a span may wrap) and lines of code
    blocks (with `\\` continuations joined), each naming and showing by itself; and sections, named by their
    heading, showing everything up to the next heading of the same or a higher level."""
    found = []
    paragraphs, code, fenced = [[]], [], False
    for line in text.splitlines():
        if line.startswith("```"):
            fenced = not fenced
            continue
        if fenced or line.startswith("    "):
            code.append(line.strip())
            continue
        if line.strip():
            paragraphs[-1].append(line.strip())
        else:
            paragraphs.append([])
    found += [(span, span) for span in re.findall(r"`([^`]+)`", "\n\n".join(" ".join(p) for p in paragraphs))]
    found += [(line, line) for line in _join_continued(code)]
    headings = list(re.finditer(r"^(#+) (.*)$", text, flags=re.M))
    for i, heading in enumerate(headings):
        level = len(heading.group(1))
        end = next((h.start() for h in headings[i + 1:] if len(h.group(1)) <= level), len(text))
        found.append((heading.group(2), text[heading.end():end]))
    return [(names.replace("\\|", "|"), shows.replace("\\|", "|")) for names, shows in found]


def _join_continued(lines: list[str]) -> list[str]:
    joined, current = [], ""
    for line in lines:
        current += line
        if current.endswith("\\"):
            current = current[:-1] + " "
            continue
        joined.append(current)
        current = ""
    return joined + ([current] if current else [])


def names_command(place: str, path: tuple[str, ...]) -> bool:
    """Does the place name `smearwatch PATH`? Alternatives count: `smearwatch models list|show` names both."""
    if not path:
        return re.search(r"(?<![\w/.-])smearwatch(?![\w/.-])", place) is not None
    pattern = r"(?<![\w/.-])smearwatch" + "".join(rf"\s+(?:[\w-]+\|)*{re.escape(word)}(?:\|[\w-]+)*(?![\w-])"
                                                   for word in path)
    return re.search(pattern, place) is not None


def shows_option(place: str, spelling: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(spelling)}(?![\w-])", place) is not None


PLACES = [(name, *place) for name, text in DOCS.items() for place in places(text)]
PARSER = build_parser()
COMMAND_PATHS = [path for path, _ in commands(PARSER)]
OPTIONS = [(path, spellings) for path, parser in commands(PARSER) for spellings in options(parser)]


def _command_line(path: tuple[str, ...], spellings: tuple[str, ...] = ()) -> str:
    return " ".join(("smearwatch", *path, *spellings[:1]))


@pytest.mark.parametrize("path", [p for p in COMMAND_PATHS if p], ids=lambda p: " ".join(p))
def test_every_command_and_subcommand_is_documented(path):
    assert any(names_command(names, path) for _, names, _ in PLACES), (
        f"`{_command_line(path)}` is in the CLI but in none of README.md, docs/*.md: show it in the Usage table "
        f"of README.md or in the doc of its topic")


def _option_params():
    for path, spellings in OPTIONS:
        reason = UNDOCUMENTED.get((" ".join(path), spellings[0]))
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        yield pytest.param(path, spellings, marks=marks, id=_command_line(path, spellings))


@pytest.mark.parametrize("path,spellings", list(_option_params()))
def test_every_option_of_every_command_is_documented(path, spellings):
    """The option shows next to its command: in a code span or a code line with `smearwatch COMMAND`, or in the
    section whose heading names the command."""
    documented = [name for name, names, shows in PLACES
                  if names_command(names, path) and any(shows_option(shows, s) for s in spellings)]
    assert documented, (
        f"`{_command_line(path, spellings)}` (see `{_command_line(path)} --help`) is documented in none of "
        f"README.md, docs/*.md: add it to the command's synopsis in README.md's Usage table or next to "
        f"`{_command_line(path)}` in the doc of its topic")


# --- every setting, with its default, in README.md's settings table --------------------------------------------


def settings_table() -> dict[str, str]:
    """README.md's settings table: variable -> default as shown (without the backticks)."""
    section = README.split("### Settings", 1)[1].split("\n#", 1)[0]
    rows = re.findall(r"^\| `(SMEARWATCH_\w+)` \| ([^|]*) \|", section, flags=re.M)
    assert rows, "README.md has no settings table under `### Settings`"
    return {name: default.strip().strip("`") for name, default in rows}


def variable(field_name: str) -> str:
    return f"{Settings.model_config['env_prefix']}{field_name.upper()}"


def shown_default(value) -> str:
    if value is None:
        return "unset"
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


@pytest.mark.parametrize("field_name", list(Settings.model_fields))
def test_every_setting_is_in_the_readme_settings_table_with_its_default(field_name):
    table = settings_table()
    name = variable(field_name)
    assert name in table, f"setting `{name}` (Settings.{field_name}) is missing from README.md's settings table"
    default = shown_default(Settings.model_fields[field_name].get_default(call_default_factory=True))
    assert table[name] == default, (
        f"README.md's settings table gives `{name}` the default {table[name]!r}; Settings.{field_name} has {default!r}")


def test_the_settings_table_shows_only_settings():
    unknown = sorted(set(settings_table()) - {variable(name) for name in Settings.model_fields})
    assert not unknown, f"README.md's settings table lists variables that are no setting of Settings: {unknown}"
