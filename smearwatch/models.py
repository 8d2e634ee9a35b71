"""SQLModel tables. Alembic migrations (smearwatch/migrations) are the only way these tables are created."""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Index, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    # SQLModel stores aware datetimes in UTC and returns them aware, on SQLite and PostgreSQL alike.
    return datetime.now(UTC)


def json_column() -> Any:
    return Field(default=None, sa_column=Column(JSON))


# --- sources and ingestion -------------------------------------------------------------------------------


class Feed(SQLModel, table=True):
    """A source watched on a schedule: an RSS/Atom or dump URL, or a folder of dump files."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, max_length=200)
    kind: str = Field(max_length=20)  # rss | url | folder
    location: str = Field(max_length=2000)  # URL or folder path
    format: str | None = Field(default=None, max_length=40)
    every_seconds: int = 300
    enabled: bool = True
    next_due_at: datetime | None = Field(default=None, index=True)
    claimed_until: datetime | None = None
    etag: str | None = Field(default=None, max_length=500)
    last_modified: str | None = Field(default=None, max_length=200)
    last_polled_at: datetime | None = None
    last_status: str | None = Field(default=None, max_length=500)
    seen_files: list[str] | None = json_column()
    failures: int = 0  # consecutive failed polls
    last_run_id: int | None = None  # the latest ingest run that stored something from this feed
    created_at: datetime = Field(default_factory=utcnow)


class IngestRun(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    status: str = Field(default="running", max_length=20, index=True)  # queued | running | done | failed
    sources: list[str] | None = json_column()
    feed_id: int | None = Field(default=None, foreign_key="feed.id")
    read: int = 0
    stored: int = 0
    duplicates: int = 0
    rejected: int = 0
    bytes_total: int = Field(default=0, sa_type=BigInteger)
    bytes_done: int = Field(default=0, sa_type=BigInteger)
    slices_total: int = 0
    slices_done: int = 0
    slices_failed: int = 0
    error: str | None = Field(default=None, max_length=2000)
    started_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None
    scored_at: datetime | None = None  # when the run's posts were scored and their window re-clustered
    # The process storing a plain (not sliced) run, "host:pid", and when it last wrote: a run whose process is
    # gone is found by `smearwatch recover` (and the next ingest) instead of staying "running" forever.
    owner: str | None = Field(default=None, max_length=200)
    heartbeat_at: datetime | None = None
    skip_scoring: bool = False  # stored with --no-score: left unscored on purpose, recovery leaves it alone


class IngestSlice(SQLModel, table=True):
    """One task's share of a queued ingest run: a byte range of a dump that starts and ends at record boundaries.

    A slice is stored in one transaction, so it is either entirely in the store or not at all; `attempts`
    counts the workers that started it, so a slice that kills its worker every time ends up failed, not looping.
    """

    __table_args__ = (UniqueConstraint("run_id", "seq", name="uq_slice_run_seq"),)

    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="ingestrun.id", index=True)
    seq: int
    path: str = Field(max_length=2000)
    format: str = Field(max_length=40)
    options: dict | None = json_column()
    start_byte: int = Field(default=0, sa_type=BigInteger)
    end_byte: int | None = Field(default=None, sa_type=BigInteger)  # None: to the end of the file
    header_bytes: int = Field(default=0, sa_type=BigInteger)  # CSV: bytes [0, header_bytes) are read first
    line_offset: int = 0  # added to the line numbers counted within the slice's stream
    status: str = Field(default="queued", max_length=20, index=True)  # queued | running | done | failed
    attempts: int = 0
    read: int = 0
    stored: int = 0
    duplicates: int = 0
    rejected: int = 0
    error: str | None = Field(default=None, max_length=2000)
    worker: str | None = Field(default=None, max_length=300)
    queued_at: datetime = Field(default_factory=utcnow)
    started_at: datetime | None = None
    finished_at: datetime | None = None


class RejectedRecord(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="ingestrun.id", index=True)
    source: str = Field(max_length=2000)
    line: int
    reason: str = Field(max_length=1000)
    excerpt: str | None = Field(default=None, max_length=500)


# --- posts and accounts -----------------------------------------------------------------------------------


class Account(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("platform", "account_id", name="uq_account_platform_id"),)

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=40)
    account_id: str = Field(max_length=200)
    name: str | None = Field(default=None, max_length=500)
    created_at: datetime | None = None
    followers: int | None = Field(default=None, sa_type=BigInteger)
    # Time of the post the profile fields were read from: a later post's profile replaces them.
    profile_at: datetime | None = None


class Post(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("platform", "post_id", name="uq_post_platform_id"),
        Index("ix_post_created_at", "created_at"),
        Index("ix_post_author", "platform", "author_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=40)
    post_id: str = Field(max_length=500)
    author_id: str = Field(max_length=200)
    author_name: str | None = Field(default=None, max_length=500)
    text: str = Field(default="", sa_column=Column(Text, nullable=False))
    created_at: datetime
    lang: str | None = Field(default=None, max_length=16)
    urls: list[str] | None = json_column()
    hashtags: list[str] | None = json_column()
    repost_of: str | None = Field(default=None, max_length=500)
    reply_to: str | None = Field(default=None, max_length=500)
    raw: dict | None = json_column()
    run_id: int | None = Field(default=None, foreign_key="ingestrun.id", index=True)  # the run that stored it
    score: float | None = None
    model_version_id: int | None = Field(default=None, foreign_key="modelversion.id")


# --- detection --------------------------------------------------------------------------------------------


class Target(SQLModel, table=True):
    """A person or organisation a researcher watches, with aliases across scripts."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, max_length=300)
    aliases: list[str] | None = json_column()
    created_at: datetime = Field(default_factory=utcnow)


class ModelVersion(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, max_length=200)
    path: str = Field(max_length=2000)
    card: dict | None = json_column()
    metrics: dict | None = json_column()
    active: bool = Field(default=False, index=True)
    created_at: datetime = Field(default_factory=utcnow)


class ModelActivation(SQLModel, table=True):
    """Append-only history of which model version was made active, by whom (or "auto") and why."""

    id: int | None = Field(default=None, primary_key=True)
    model_version_id: int = Field(foreign_key="modelversion.id", index=True)
    actor: str = Field(max_length=100)
    reason: str = Field(max_length=500)
    created_at: datetime = Field(default_factory=utcnow)


class Job(SQLModel, table=True):
    """A long background job of the learning loop (retraining, rescoring), with its progress for the UI."""

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=20, index=True)  # retrain | rescore | score
    status: str = Field(default="queued", max_length=20, index=True)  # queued | running | done | failed
    progress: float = 0.0  # 0..1
    message: str | None = Field(default=None, max_length=2000)
    params: dict | None = json_column()
    result: dict | None = json_column()
    created_by: str = Field(default="cli", max_length=100)
    created_at: datetime = Field(default_factory=utcnow)
    started_at: datetime | None = None
    finished_at: datetime | None = None


# The review queues' checks at random (api.crud.queue.review_checks): a fixed shuffle of ids, read from an index
# (written as PostgreSQL writes it back, so models and migrations compare equal).
CHECK_ORDER = "(id * 7919 % 10007)"


class CampaignBase(SQLModel):
    """Clusters that are parts of one operation (classifiers.campaigns): the unit a reviewer decides once."""

    key: str = Field(max_length=200, unique=True)  # "k-…", after its earliest cluster's key
    label: str = Field(default="organic", max_length=20, index=True)  # its strongest cluster's label
    score: float = 0.0
    flagged: bool = Field(default=False, index=True)  # label == "smear"
    n_clusters: int = 0
    n_accounts: int = 0
    n_posts: int = 0
    targets: list[dict] | None = json_column()  # [{"name", "aliases", "type"}], most named first
    start: datetime | None = None
    end: datetime | None = None
    status: str = Field(default="open", max_length=20)  # open | reviewed (every cluster decided)
    assigned_to: int | None = Field(default=None, index=True)  # the user asked to review it (user.id)


class Campaign(CampaignBase, table=True):
    __table_args__ = (
        Index("ix_campaign_queue", "flagged", "score", "id"),
        Index("ix_campaign_review", "flagged", "status"),
        Index("ix_campaign_check_order", "flagged", "status", text(CHECK_ORDER), "id"),  # as the cluster's
    )

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class CampaignPublic(CampaignBase):
    id: int


class CampaignView(SQLModel, table=True):
    """The heavy part of a campaign page (its narratives and accounts), rendered once and kept.

    It stands while the campaign row is as it was (`campaign_updated_at`: every regrouping of its clusters sets it)
    and while `version` names the template and code of the running app.
    """

    campaign_id: int = Field(primary_key=True)  # no foreign key: a regrouping drops emptied campaigns, and their views
    version: str = Field(max_length=64)
    campaign_updated_at: datetime
    built_at: datetime = Field(default_factory=utcnow)
    html: str = Field(sa_column=Column(Text, nullable=False))


class CampaignComment(SQLModel, table=True):
    """Reviewers' discussion of a campaign, append-only."""

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(index=True)  # no foreign key: comments outlive a regrouping, as decisions do
    user_id: int = Field(foreign_key="user.id")
    text: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)


class ClusterBase(SQLModel):
    key: str = Field(max_length=200, unique=True)  # stable id, e.g. "c-<hash of first members>"
    score: float = 0.0
    flagged: bool = Field(default=False, index=True)
    kind: str = Field(default="mixed", max_length=40)
    n_posts: int = 0
    n_accounts: int = 0
    start: datetime | None = None
    end: datetime | None = None
    status: str = Field(default="open", max_length=20)  # open | reviewed
    coordination: float = 0.0  # how unlikely its co-actions are by chance, in [0, 1] (classifiers.coordination)
    smear: float = 0.0  # share of its posts attacking a shared target, in [0, 1] (classifiers.smear)
    label: str = Field(default="organic", max_length=20, index=True)  # smear | coordinated | organic
    targets: list[dict] | None = json_column()  # [{"name", "aliases", "type"}]
    signals: dict | None = json_column()


class Cluster(ClusterBase, table=True):
    __table_args__ = (
        Index("ix_cluster_queue", "flagged", "score", "id"),  # the queue order and a cluster's neighbours
        Index("ix_cluster_label_queue", "label", "score", "id"),  # the "coordinated, not smear" list
        Index("ix_cluster_review", "flagged", "status"),  # the queue's progress, counted from the index alone
        Index("ix_cluster_start", "start"),
        Index("ix_cluster_score", "score"),
        # the queue's checks at random (api.crud.queue.review_checks): a fixed shuffle of the open unflagged ids,
        # read from an index instead of sorting the whole table on every queue page
        Index("ix_cluster_check_order", "flagged", "status", text(CHECK_ORDER), "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    model_version_id: int | None = Field(default=None, foreign_key="modelversion.id")
    campaign_id: int | None = Field(default=None, index=True)  # None while superseded; campaigns are rebuilt
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class ClusterPublic(ClusterBase):
    id: int
    campaign_id: int | None = None


class ClusterView(SQLModel, table=True):
    """A cluster's evidence section as the review page shows it, rendered once and kept.

    It stands while the cluster row is as it was (`cluster_updated_at`: detection and decisions change it) and
    while `version` names the template and code of the running app.
    """

    cluster_id: int = Field(foreign_key="cluster.id", primary_key=True)
    version: str = Field(max_length=64)
    cluster_updated_at: datetime
    built_at: datetime = Field(default_factory=utcnow)
    html: str = Field(sa_column=Column(Text, nullable=False))


class ClusterMember(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("cluster_id", "post_id", name="uq_member_cluster_post"),)

    id: int | None = Field(default=None, primary_key=True)
    cluster_id: int = Field(foreign_key="cluster.id", index=True)
    post_id: int = Field(foreign_key="post.id", index=True)


class Evidence(SQLModel, table=True):
    """One tie between two posts of different accounts: the signal, the time between them, the similarity."""

    id: int | None = Field(default=None, primary_key=True)
    cluster_id: int = Field(foreign_key="cluster.id", index=True)
    signal: str = Field(max_length=40)
    post_a: int = Field(foreign_key="post.id")
    post_b: int = Field(foreign_key="post.id")
    seconds: float | None = None
    similarity: float | None = None
    detail: str | None = Field(default=None, max_length=1000)


class Alert(SQLModel, table=True):
    """A flagged cluster that appeared or grew; one row per (cluster, size), so re-scoring never repeats one."""

    __table_args__ = (UniqueConstraint("cluster_key", "n_posts", name="uq_alert_cluster_size"),)

    id: int | None = Field(default=None, primary_key=True)
    cluster_key: str = Field(max_length=200, index=True)
    cluster_id: int | None = None  # the cluster row when the alert was raised (clusters are rebuilt; key is stable)
    kind: str = Field(max_length=20)  # new | grown
    n_posts: int
    previous_posts: int = 0
    n_accounts: int = 0
    score: float = 0.0
    webhook_status: str | None = Field(default=None, max_length=200)
    created_at: datetime = Field(default_factory=utcnow, index=True)


# --- review -----------------------------------------------------------------------------------------------


class User(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(unique=True, max_length=100)
    password_hash: str = Field(max_length=500)
    role: str = Field(default="reviewer", max_length=20)  # reviewer | admin
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow)


class LoginSession(SQLModel, table=True):
    """A review-app login: the session cookie carries its random id; logging out ends it here, on the server."""

    id: str = Field(primary_key=True, max_length=64)  # sha256 hex of the random id in the cookie
    user_id: int = Field(foreign_key="user.id", index=True)
    created_at: datetime = Field(default_factory=utcnow)
    ended_at: datetime | None = None


class ApiToken(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    token_hash: str = Field(unique=True, max_length=200)  # sha256 of the token; the token is shown once
    created_at: datetime = Field(default_factory=utcnow)
    last_used_at: datetime | None = None


class Decision(SQLModel, table=True):
    """Append-only: an undo is a new row that points at the decision it withdraws."""

    # A campaign's latest decision in one index probe (the campaign queue asks it for each row it lists).
    __table_args__ = (Index("ix_decision_campaign_latest", "campaign_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    cluster_id: int = Field(foreign_key="cluster.id", index=True)
    user_id: int = Field(foreign_key="user.id")
    answer: str = Field(max_length=20)  # smear | coordinated | organic | unsure | undo
    note: str | None = Field(default=None, max_length=4000)
    undoes: int | None = Field(default=None, foreign_key="decision.id", index=True)
    # The campaign it was decided through (one row per cluster of it, same created_at); None: on the cluster itself.
    # No foreign key: campaigns are regrouped as clusters change, decisions stay.
    campaign_id: int | None = Field(default=None, index=True)
    created_at: datetime = Field(default_factory=utcnow)
