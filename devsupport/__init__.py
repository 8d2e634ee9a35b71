"""Development support shared by tests/ and bench/: service processes and the ways to run the CLI.

Not part of the installed package (pyproject lists the packages of the wheel, and this is not one of them).
"""
