"""The review keyboard: one list that renders the help overlay, drives app.js and is checked against the docs."""

# (key as KeyboardEvent.key, label shown, action, argument, description)
SHORTCUTS = [
    ("a", "a", "decide", "smear", "accept: coordinated smear"),
    ("x", "x", "decide", "organic", "reject: organic, not coordinated"),
    (" ", "space", "decide", "unsure", "ignore: unsure"),
    ("1", "1", "decide", "smear", "coordinated smear"),
    ("2", "2", "decide", "coordinated", "coordinated, not a smear"),
    ("3", "3", "decide", "organic", "organic"),
    ("4", "4", "decide", "unsure", "unsure"),
    ("Backspace", "backspace", "undo", "", "undo your last decision"),
    ("j", "j", "move", "1", "next cluster"),
    ("k", "k", "move", "-1", "previous cluster"),
    ("Enter", "enter", "open", "", "open the selected cluster (queue)"),
    ("n", "n", "note", "", "write a note for the next decision (Esc leaves the note)"),
    ("?", "?", "help", "", "show or hide this help"),
]

ANSWER_LABELS = {
    "smear": "coordinated smear", "coordinated": "coordinated, not smear", "organic": "organic", "unsure": "unsure",
    "undo": "undo",
}
