"""Docs are tests: every command, option of note and setting a user can reach is documented."""

from pathlib import Path

from cli import COMMANDS, build_parser
from smearwatch.settings import Settings

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text()


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
