"""Shapes of the JSON API (request bodies and responses); the OpenAPI spec is generated from these."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from smearwatch.models import CampaignPublic, ClusterPublic

Answer = Literal["smear", "coordinated", "organic", "unsure"]
# PostgreSQL text cannot hold NUL: text in a body, query or form with a NUL is refused up front (422), and the
# spec says so (api/deps.py uses it for queries and forms).
NO_NUL = r"^[^\x00]*$"


class ClusterItem(ClusterPublic):
    answer: str | None = Field(default=None, description="the decision in force, if any")


class ClusterList(BaseModel):
    data: list[ClusterItem]
    count: int


class PostOut(BaseModel):
    id: int
    platform: str
    post_id: str
    author_id: str
    author_name: str | None = None
    text: str
    created_at: datetime
    lang: str | None = None
    urls: list[str] | None = None
    hashtags: list[str] | None = None
    repost_of: str | None = None
    reply_to: str | None = None
    score: float | None = None
    run_id: int | None = None


class PostList(BaseModel):
    data: list[PostOut]
    count: int


class AccountOut(BaseModel):
    id: int
    platform: str
    account_id: str
    name: str | None = None
    created_at: datetime | None = None
    followers: int | None = None


class AccountList(BaseModel):
    data: list[AccountOut]
    count: int


class ClusterAccount(BaseModel):
    platform: str
    account_id: str
    name: str | None = None
    created_at: datetime | None = None
    followers: int | None = None
    posts_in_cluster: int
    posts_total: int


class EvidenceOut(BaseModel):
    id: int
    signal: str
    post_a: int
    post_b: int
    seconds: float | None = None
    similarity: float | None = None
    detail: str | None = None


class SignalOut(BaseModel):
    key: str
    name: str
    values: dict
    sentence: str


class TimelineBucket(BaseModel):
    start: str
    cluster: int
    background: int


class Timeline(BaseModel):
    start: str | None
    bucket_seconds: int
    buckets: list[TimelineBucket]


class NetworkNode(BaseModel):
    id: str
    degree: int


class NetworkLink(BaseModel):
    source: str
    target: str
    signal: str
    weight: int


class Network(BaseModel):
    nodes: list[NetworkNode]
    links: list[NetworkLink]
    truncated: bool


class DecisionIn(BaseModel):
    answer: Answer
    note: str | None = Field(default=None, max_length=4000, pattern=NO_NUL)


class DecisionOut(BaseModel):
    id: int
    cluster_id: int
    user: str
    answer: str
    note: str | None = None
    undoes: int | None = None
    campaign_id: int | None = Field(default=None, description="the campaign it was decided through, if any")
    created_at: datetime


class DecisionList(BaseModel):
    data: list[DecisionOut]
    count: int


class ReasonOut(BaseModel):
    key: str
    name: str
    sentence: str
    weight: float | None = Field(description="share of the cluster's posts this reason covers beyond chance")


class SharedPostOut(BaseModel):
    signal: str
    uses: int
    author: str
    text: str
    created_at: str
    platform: str
    post_id: str
    url: str
    stored: bool
    intro: str


class FeatureOut(BaseModel):
    key: str
    name: str
    value: str


class Explanation(BaseModel):
    """The cluster's evidence in words (smearwatch.evidence_words)."""

    label: str
    label_words: str
    flagged: bool
    heading: str
    verdict: str
    coordination: float
    smear: float
    threshold: float | None
    model_version: str | None
    reasons: list[ReasonOut] = Field(description="the three strongest reasons, strongest first")
    more_reasons: list[ReasonOut]
    shared: list[SharedPostOut] = Field(description="the originals its co-reposts and co-replies share")
    features: list[FeatureOut] = Field(description="descriptive features under human names; unknown ones left out")


class ClusterDetail(ClusterItem):
    signals_explained: list[SignalOut]
    explanation: Explanation
    posts: list[PostOut]
    posts_shown: int
    accounts: list[ClusterAccount]
    evidence: list[EvidenceOut]
    timeline: Timeline
    network: Network
    links: list[tuple[str, int]]
    hashtags: list[tuple[str, int]]
    decisions: list[DecisionOut]


class CampaignItem(CampaignPublic):
    answer: str | None = Field(default=None, description="the campaign-wide decision in force, if any")


class CampaignList(BaseModel):
    data: list[CampaignItem]
    count: int


class CampaignAccount(BaseModel):
    platform: str
    author_id: str
    name: str | None = None
    posts: int
    clusters: int = Field(description="in how many of the campaign's clusters it posted")


class Narrative(BaseModel):
    text: str = Field(description="one post of the group, the earliest")
    posts: int
    accounts: int
    first: datetime
    last: datetime


class CampaignDetail(CampaignItem):
    summary: str = Field(description="what happened, in words")
    clusters: list[ClusterItem]
    accounts: list[CampaignAccount]
    narratives: list[Narrative]
    decisions: list[DecisionOut]


class AssignmentIn(BaseModel):
    username: str | None = Field(default=None, max_length=100, pattern=NO_NUL,
                                 description="the reviewer to assign it to; null: nobody")


class CommentIn(BaseModel):
    text: str = Field(min_length=1, max_length=4000, pattern=r"^[^\x00]*[^\x00\s][^\x00]*$",
                      description="not only spaces")


class CommentOut(BaseModel):
    id: int
    campaign_id: int
    user: str
    text: str
    created_at: datetime


class CommentList(BaseModel):
    data: list[CommentOut]
    count: int


class Agreement(BaseModel):
    campaigns: int = Field(description="campaigns decided by two or more reviewers")
    pairs: int = Field(description="pairs of reviewers' answers compared (unsure left out)")
    observed: float | None = Field(description="share of pairs that agree")
    kappa: float | None = Field(description="Cohen's kappa: agreement beyond chance (1 perfect, 0 chance)")


class CampaignDecisionOut(BaseModel):
    campaign_id: int
    answer: str
    decisions: list[DecisionOut] = Field(description="one per cluster of the campaign")


class RunOut(BaseModel):
    id: int
    status: str
    sources: list[str] | None = None
    progress: float
    read: int
    stored: int
    duplicates: int
    rejected: int
    bytes_total: int
    bytes_done: int
    error: str | None = None
    started_at: datetime
    finished_at: datetime | None = None
    scored_at: datetime | None = None  # when its posts were scored and their window re-clustered


class RejectionOut(BaseModel):
    source: str
    line: int
    reason: str
    text: str | None = None  # "FILE:LINE: reason"


class RunClusterOut(BaseModel):
    id: int
    label: str
    score: float
    flagged: bool
    n_accounts: int
    n_posts: int


class RunDetail(RunOut):
    files: list[str]  # the uploaded or ingested files by name
    rejections: list[RejectionOut]  # the first 50 kept; all of them: /runs/{id}/rejected
    rejected_kept: int  # rejected records kept (the first 10,000 of a run); `rejected` counts them all
    clusters: list[RunClusterOut]  # clusters holding posts this run stored


class RejectionList(BaseModel):
    data: list[RejectionOut]
    count: int  # records kept for the run (at most 10,000)
    rejected: int  # records the run rejected in all


class RunList(BaseModel):
    data: list[RunOut]
    count: int


class ProbeOut(BaseModel):
    format: str | None  # the detected format; None: no format recognises it (map its columns)
    columns: list[str]  # its CSV header, if it has one


class UploadOut(BaseModel):
    upload: str
    bytes: int
    run_id: int


class ModelOut(BaseModel):
    id: int
    name: str
    active: bool
    metrics: dict | None = None
    card: dict | None = None
    created_at: datetime


class JobOut(BaseModel):
    id: int
    kind: str = Field(description="retrain | judge | rescore | score")
    status: str = Field(description="queued | running | done | failed")
    progress: float = Field(description="0 to 1")
    message: str | None = None
    params: dict | None = None
    result: dict | None = None
    created_by: str
    created_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None


class JobList(BaseModel):
    data: list[JobOut]
    count: int


class RetrainIn(BaseModel):
    auto_activate: bool = Field(default=True, description="activate the new version if it is not worse than the "
                                                          "active one on the evaluation split")


class ActivateIn(BaseModel):
    reason: str | None = Field(default=None, max_length=400, pattern=NO_NUL,
                               description="why; recorded with the activation")
    force: bool = Field(default=False, description="activate a version the activation gate refused (its reason "
                                                   "is in metrics.gate.refused); recorded as forced")


class ModelActivated(ModelOut):
    job: JobOut = Field(description="the background job rescoring the stored posts with this version")


class RetrainStarted(BaseModel):
    job: JobOut


class UserOut(BaseModel):
    id: int
    username: str
    role: str
    active: bool
    created_at: datetime


class UserCreate(BaseModel):
    username: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._-]+$")
    role: Literal["reviewer", "admin"] = "reviewer"


class UserCreated(BaseModel):
    username: str
    role: str
    password: str
    token: str


class FeedOut(BaseModel):
    id: int
    name: str
    kind: str
    location: str
    format: str | None = None
    every_seconds: int
    enabled: bool
    last_polled_at: datetime | None = None
    last_status: str | None = None


class Progress(BaseModel):
    reviewed: int
    total: int


class Health(BaseModel):
    status: str
    database: str


class Problem(BaseModel):
    detail: str


class UploadProblem(Problem):
    columns: list[str] | None = None  # an unknown format: the file's CSV header, for the column mapping
    fields: list[str] | None = None  # the fields those columns map to


def links(status: int, **targets: tuple[str, str, dict[str, str]]) -> dict:
    """OpenAPI links of one answer: name=(method, path, {parameter: runtime expression}). They tell clients (and
    schemathesis' stateful tests) which operation can follow with which value, e.g. a decision's id to undo it."""
    return {status: {"links": {
        name: {"operationRef": "#/paths/" + path.replace("~", "~0").replace("/", "~1") + "/" + method,
               "parameters": parameters}
        for name, (method, path, parameters) in targets.items()}}}


CLUSTER_PATH = "/api/v1/clusters/{cluster_id}"


def cluster_links(status: int, cluster_id: str) -> dict:
    """What can follow an answer that names a cluster: the cluster, its decisions, deciding, its export."""
    return links(status, GetCluster=("get", CLUSTER_PATH, {"cluster_id": cluster_id}),
                 GetDecisions=("get", CLUSTER_PATH + "/decisions", {"cluster_id": cluster_id}),
                 Decide=("post", CLUSTER_PATH + "/decisions", {"cluster_id": cluster_id}),
                 Export=("get", CLUSTER_PATH + "/export", {"cluster_id": cluster_id}))


CAMPAIGN_PATH = "/api/v1/campaigns/{campaign_id}"


def campaign_links(status: int, campaign_id: str) -> dict:
    """What can follow an answer that names a campaign: the campaign, deciding it, its comments."""
    return links(status, GetCampaign=("get", CAMPAIGN_PATH, {"campaign_id": campaign_id}),
                 Decide=("post", CAMPAIGN_PATH + "/decisions", {"campaign_id": campaign_id}),
                 GetComments=("get", CAMPAIGN_PATH + "/comments", {"campaign_id": campaign_id}))


def undo_link(status: int, decision_id: str) -> dict:
    return links(status, Undo=("post", "/api/v1/decisions/{decision_id}/undo", {"decision_id": decision_id}))


def run_link(status: int, run_id: str) -> dict:
    return links(status, GetRun=("get", "/api/v1/runs/{run_id}", {"run_id": run_id}))


def job_link(status: int, job_id: str) -> dict:
    return links(status, GetJob=("get", "/api/v1/jobs/{job_id}", {"job_id": job_id}))


# Error answers routes document (`responses=`).
FORBIDDEN = {403: {"model": Problem}}
NOT_FOUND = {404: {"model": Problem}}
CONFLICT = {409: {"model": Problem}}
