"""Small helpers shared by the benchmarks on real public data (bench/background.py, bench/coortweet.py).

- `RepoFiles` reads files of a public repository brought onto the machine beforehand: a clone (work tree) or a
  bare git directory (read with `git show HEAD:path`). Nothing is downloaded here: benchmarks never fetch at run
  time; docs/benchmarks-real.md says how to get each repository.
- `cache_dir` is where converted data is kept (the `bench_cache` setting, SMEARWATCH_BENCH_CACHE), never committed.
- `is_smear` / `target_names` read a clusters.jsonl record before and after the two-judgement verdict
  (`label` in smear/coordinated/organic; before it, only `flagged`; targets as strings or as entities).
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterable, Iterator
from pathlib import Path

import orjson

from smearwatch.settings import get_settings


class RepoFiles:
    """Read-only access to the files of one repository: a work tree or a bare git directory."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        if not self.path.exists():
            raise FileNotFoundError(f"{self.path}: repository not found (see docs/benchmarks-real.md)")
        bare = (self.path / "HEAD").is_file() and (self.path / "objects").is_dir()
        self.git_dir = self.path if bare else None

    def list(self, folder: str) -> list[str]:
        """Paths of the files directly under `folder` (sorted)."""
        if self.git_dir is None:
            return sorted(str(p.relative_to(self.path)) for p in (self.path / folder).iterdir() if p.is_file())
        out = self._git("ls-tree", "--name-only", "HEAD", folder.rstrip("/") + "/")
        return sorted(line for line in out.decode().splitlines() if line)

    def read(self, path: str) -> bytes:
        if self.git_dir is None:
            return (self.path / path).read_bytes()
        return self._git("show", f"HEAD:{path}")

    def commit(self) -> str | None:
        """The commit read (for the record of what was measured); None for a plain directory."""
        if self.git_dir is None:
            return None
        return self._git("rev-parse", "HEAD").decode().strip()

    def _git(self, *args: str) -> bytes:
        return subprocess.run(["git", "--git-dir", str(self.git_dir), *args], check=True,
                              capture_output=True).stdout


def cache_dir(name: str, base: str | Path | None = None) -> Path:
    """`base` (or the bench_cache setting) / `name`, created if missing."""
    root = Path(base) if base is not None else get_settings().bench_cache
    out = root / name
    out.mkdir(parents=True, exist_ok=True)
    return out


def write_jsonl(path: Path, records: Iterable[dict]) -> int:
    """Write records atomically (a half-written cache file is never read as complete); returns the count."""
    tmp = path.with_suffix(path.suffix + ".part")
    n = 0
    with open(tmp, "wb") as f:
        for record in records:
            f.write(orjson.dumps(record) + b"\n")
            n += 1
    tmp.replace(path)
    return n


def read_jsonl(path: Path) -> Iterator[dict]:
    with open(path, "rb") as f:
        for line in f:
            if line.strip():
                yield orjson.loads(line)


def is_smear(cluster: dict) -> bool:
    """The smear verdict of a clusters.jsonl record: `label == "smear"` when present, else `flagged`."""
    if "label" in cluster:
        return cluster["label"] == "smear"
    return bool(cluster.get("flagged"))


def target_names(cluster: dict) -> list[str]:
    """Target names whether targets are strings or `{"name", "aliases", "type"}` entities."""
    return [t["name"] if isinstance(t, dict) else str(t) for t in cluster.get("targets") or []]


def signal_counts(cluster: dict) -> dict[str, int]:
    """Evidence edges per signal (the `signals` entries that are signals, not the feature table)."""
    return {name: value["edges"] for name, value in (cluster.get("signals") or {}).items()
            if isinstance(value, dict) and "edges" in value}
