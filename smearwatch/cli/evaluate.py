"""Placeholder until the detection work lands."""


def add_arguments(parser):
    pass


def run(args):
    raise SystemExit("not yet")
