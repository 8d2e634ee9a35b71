"""A streamed run's partitions as files in its work folder, for workers in other processes or machines that share
that folder (worker/queued_scoring.py).

job.json + job.npz: what scoring any partition reads (worker.stream_scoring.PartitionJob): the sorted posts' part
files (names inside the folder), their first rows, each post's time and author code, the detection configuration,
the dump's popular hashtag bursts and the model's directory (None for the packaged model: a worker loads its own,
of the same version, wherever it is installed). partition-KKKKK.npz: what scoring partition K found (a
worker.stream_scoring.Partition; its uses are in uses-KKKKK.npz beside it). worker/queued_scoring.py puts the pieces
of NER work beside them. Files are written under a temporary name and renamed, so a reader never sees half a file
and a second delivery of a task rewrites the same bytes.
"""

from __future__ import annotations

import os
from dataclasses import asdict
from pathlib import Path

import numpy as np
import orjson

from classifiers import DEFAULT_MODEL_DIR, DetectConfig, load_model
from classifiers.signals import SIGNALS, EdgeSet
from worker.external_sort import SortedPosts
from worker.hashtag_bursts import HashtagBursts
from worker.stream_scoring import EDGE_FIELDS, Partition, PartitionJob

JOB_FILE = "job.json"


class PartitionFileError(RuntimeError):
    """A job or partition file that is missing or does not belong to this job: one line, naming the path."""


def write_job(job: PartitionJob) -> Path:
    """job.json and job.npz in the job's work folder; returns the path of job.json."""
    work = job.work
    if job.model.path is None:
        raise PartitionFileError("queued scoring needs a model saved in a directory (the workers load it from there)")
    _write_npz(work / "job.npz", offsets=job.dump.offsets, created=job.dump.created,
               author_code=job.dump.author_code)
    model_dir = Path(job.model.path).resolve()
    # the packaged model is in every install, wherever it is installed: a worker loads its own (same version)
    packaged = model_dir == DEFAULT_MODEL_DIR.resolve()
    manifest = {"parts": [p.name for p in job.dump.parts], "model": None if packaged else str(model_dir),
                "model_version": job.model.version, "config": asdict(job.config), "bursts": job.bursts.state(),
                "bounds": job.bounds}
    write_bytes(work / JOB_FILE, orjson.dumps(manifest, option=orjson.OPT_SERIALIZE_NUMPY))
    return work / JOB_FILE


def read_job(path: str | Path) -> PartitionJob:
    """The PartitionJob of a job.json (loads its model)."""
    path = Path(path)
    if not path.is_file():
        raise PartitionFileError(f"{path}: no such job file (is the work folder shared with this machine?)")
    manifest = orjson.loads(path.read_bytes())
    work = path.parent
    with np.load(work / "job.npz") as arrays:
        dump = SortedPosts([work / name for name in manifest["parts"]], arrays["offsets"], arrays["created"],
                           arrays["author_code"])
    model = load_model(manifest["model"])
    if model.version != manifest["model_version"]:
        raise PartitionFileError(f"{manifest['model'] or 'the packaged model'}: version {model.version} on this "
                                 f"machine, {manifest['model_version']} on the client")
    return PartitionJob(dump, model, DetectConfig.from_dict(manifest["config"]),
                        HashtagBursts.from_state(manifest["bursts"]), [tuple(b) for b in manifest["bounds"]])


def partition_path(work: Path, k: int) -> Path:
    return Path(work) / f"partition-{k:05d}.npz"


def write_partition(work: Path, k: int, part: Partition) -> Path:
    edges = {f"{es.signal}.{f}": getattr(es, f) for es in part.edges for f in EDGE_FIELDS}
    path = partition_path(work, k)
    _write_npz(path, bounds=np.asarray([part.lo, part.hi], np.int64), text_scores=part.text_scores, **edges)
    return path


def read_partition(work: Path, k: int) -> Partition:
    path = partition_path(work, k)
    try:
        with np.load(path) as arrays:
            lo, hi = arrays["bounds"].tolist()
            edges = [EdgeSet(signal, *(arrays[f"{signal}.{f}"] for f in EDGE_FIELDS)) for signal in SIGNALS]
            return Partition(lo, hi, arrays["text_scores"], Path(work) / f"uses-{k:05d}.npz", edges)
    except (OSError, KeyError, ValueError) as error:
        raise PartitionFileError(f"{path}: cannot read partition result: {error}") from None


def _write_npz(path: Path, **arrays) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(temporary, "wb") as f:
        np.savez(f, **arrays)
    os.replace(temporary, path)


def write_bytes(path: Path, data: bytes) -> None:
    """`data` into `path`, written aside and renamed (a reader never sees half of it)."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)
