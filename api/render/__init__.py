"""Presentation: what the JSON API, the pages and the exports show, built from rows the crud modules read
(timeline buckets, the account network and its layout, near-duplicate groups and their differences, sentences
for signals, SVG charts, row-to-dict shapes). Only `detail` (and `exports` through it) reads the database, through
the crud modules."""
