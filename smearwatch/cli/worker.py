"""Placeholder: being written."""


def add_arguments(parser):
    pass


def run(args):
    from smearwatch.cli import CommandError

    raise CommandError("this command is not available yet", 1)
