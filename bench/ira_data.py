"""The IRA tweets (bet4a/russian-troll-tweets-by-author): prepare the bench cache, read the Russian tweets as
normalized posts.

Source: https://github.com/bet4a/russian-troll-tweets-by-author, a per-author split of
https://github.com/fivethirtyeight/russian-troll-tweets (tweets gathered by Darren Linvill and Patrick Warren,
Clemson University; published by FiveThirtyEight, whose data sets are CC BY 4.0 unless noted otherwise). The
data is read at benchmark time from the cache and never committed.

The per-author CSVs have no tweet id and no id of a retweeted original, so both are derived here:
- `id`: "ira-" + sha1 of (author_id, publish_date, content, n) where n counts earlier rows of the same author
  with the same three values; stable for the same data, whatever order the files are read in.
- `repost_of` (retweets only): "ira-rt-" + sha1 of the retweeted text with a leading "RT @user:" removed and
  whitespace collapsed. t.co links stay in the key: they are the original's own links, so two originals with
  one headline (two outlets, or one outlet twice) stay apart, while retweets of one original share the id.
"""

from __future__ import annotations

import csv
import hashlib
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

from smearwatch.settings import get_settings

LANGUAGE = "Russian"
URL_RE = re.compile(r"https?://\S+")
HASHTAG_RE = re.compile(r"#(\w+)")
RT_PREFIX_RE = re.compile(r"^RT @\w+:\s*")


def cache_dir() -> Path:
    """Where the IRA data lives: <bench cache>/ira (the CSVs under csv/)."""
    return Path(get_settings().bench_cache) / "ira"


def prepare_cache(git_dir: Path, dest: Path) -> dict:
    """Write every CSV of HEAD of a fetched bare git dir under `dest` (same paths); skip blobs the snapshot lacks.

    Returns {"commit", "written", "missing": [paths]}; the same is written to dest/SOURCE.txt.
    """
    def git(*args, **kw):
        return subprocess.run(["git", f"--git-dir={git_dir}", *args], check=True, capture_output=True, **kw)

    commit = git("rev-parse", "HEAD").stdout.decode().strip()
    entries = []
    for line in git("ls-tree", "-r", "-z", "HEAD").stdout.split(b"\0"):
        if line:
            meta, path = line.split(b"\t", 1)
            entries.append((meta.split()[2].decode(), path.decode()))
    # the CSVs, and the README that names the source and its terms
    entries = [(sha, path) for sha, path in entries if path.endswith(".csv") or path == "README.md"]
    request = "".join(f"{sha}\n" for sha, _ in entries).encode()
    # one `cat-file --batch` process answers every blob in order: header line, content, newline
    answer = git("cat-file", "--batch", input=request).stdout
    written, missing, pos = 0, [], 0
    for _, path in entries:
        end = answer.index(b"\n", pos)
        header = answer[pos:end].split()
        pos = end + 1
        if header[-1] == b"missing":
            missing.append(path)
            continue
        size = int(header[2])
        target = dest / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(answer[pos:pos + size])
        pos += size + 1
        written += 1
    note = [f"source: github.com/bet4a/russian-troll-tweets-by-author at {commit}",
            f"files written: {written}", f"absent from the snapshot: {len(missing)}", *missing]
    (dest / "SOURCE.txt").write_text("\n".join(note) + "\n")
    return {"commit": commit, "written": written, "missing": missing}


def csv_files(data: Path) -> list[Path]:
    """Per-author tweet files (authors*.csv are per-author tables, not tweets), in a fixed order."""
    return sorted(p for p in data.rglob("*.csv") if not p.name.startswith("authors") or p.parent != data)


def read_rows(data: Path, language: str = LANGUAGE) -> Iterator[dict]:
    for path in csv_files(data):
        with open(path, newline="", encoding="utf-8", errors="replace") as f:
            for row in csv.DictReader(f):
                if row.get("language") == language:
                    yield row


def _sha(*parts: str) -> str:
    return hashlib.sha1("\x1f".join(parts).encode()).hexdigest()[:16]


def original_id(text: str) -> str:
    """Synthetic id of the original a retweet repeats (see the module docstring)."""
    return "ira-rt-" + _sha(" ".join(RT_PREFIX_RE.sub("", text).split()))


def to_post(row: dict, n: int = 0) -> dict:
    """One CSV row as a normalized post (docs/architecture.md); `n` tells apart identical rows of one author."""
    text = row["content"] or ""
    author, published = row["author_id"], row["publish_date"]
    followers = row.get("followers") or ""
    return {
        "id": "ira-" + _sha(author, published, text, str(n)),
        "platform": "twitter",
        "author_id": author,
        "author_followers": int(followers) if followers.isdigit() else None,
        "text": text,
        # the data gives no offset; FiveThirtyEight's times are taken as UTC
        "created_at": published.replace(" ", "T") + "+00:00",
        "lang": "ru",
        "urls": URL_RE.findall(text),
        "hashtags": HASHTAG_RE.findall(text),
        "repost_of": original_id(text) if row.get("retweet") == "1" else None,
        "reply_to": None,
    }


def load_posts(data: Path, language: str = LANGUAGE) -> list[dict]:
    """The tweets of one language as normalized posts, in file order."""
    seen: dict[tuple[str, str, str], int] = {}
    posts = []
    for row in read_rows(data, language):
        key = (row["author_id"], row["publish_date"], row["content"] or "")
        n = seen.get(key, 0)
        seen[key] = n + 1
        posts.append(to_post(row, n))
    return posts
