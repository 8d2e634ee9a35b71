"""The activation gate: a new version is compared with the active one on a fixed evaluation set the review queue
cannot bias, and refused when its training or its effect on the store says it would wreck the queue.

The fixed evaluation set is the shipped held-out world (samples/labelled/heldout.jsonl: smears, every kind of hard
negative and organic background, so most of its clusters are unflagged ones), the decided clusters of the store's
evaluation split (a hash of the cluster id) and every decided cluster of the store, flagged or not (the queues mix
unflagged ones in). The decisions alone are no evaluation set: they cover what the queue showed, mostly flagged
clusters, so a version that flags everything looks precise on them.

Each judgement is reported apart: coordination (clusters of held-out campaigns that are coordinated: smear, spam,
solidarity), smear (post-level attack scores: precision, recall, F1, average precision) and the verdict (flagged
clusters: precision, smear-campaign recall, F1 over clusters; and on decided clusters of the store).

A version is refused, with one line saying why, when:
- it was trained on reviewers' decisions alone (no shipped labelled data): they only cover what the queue chose;
- it was trained on decisions that cover only flagged clusters: no store negative was ever reviewed;
- it would flag more than FLAG_FACTOR x max(flagged now, decided smears) + FLAG_MARGIN clusters of the store;
- it finds no smear campaign of the held-out world: it cannot flag clusters (`score --model` refuses such a
  model too, see `flag_check`);
- its flagged-cluster precision (smoothed) drops on the held-out world or on the store's decided clusters;
- it flags fewer clusters reviewers decided are smears than the active version;
- its flags on the store, estimated from what reviewers decided (the preview's sample standing for the newly
  flagged clusters nobody decided), are less precise than the active version's.
A refused version is never activated automatically; an admin activates it only with --force (CLI, API).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np

from classifiers import Model, PostFrame, detect, post_metrics, read_labelled
from classifiers.verdict import VERDICT_LEVEL
from smearwatch.settings import get_settings

FLAG_FACTOR = 2  # the flag-rate bound: at most FLAG_FACTOR x flagged now + FLAG_MARGIN clusters after
FLAG_MARGIN = 5
COORDINATED_KINDS = frozenset({"smear", "spam", "solidarity"})  # held-out kinds that are coordinated campaigns
ANSWER_COORDINATED = {"smear": True, "coordinated": True, "organic": False}
SHIPPED_LABELLED = Path(__file__).resolve().parents[1] / "samples" / "labelled"  # SMEARWATCH_LABELLED_DIR unset


def shipped_records(name: str) -> list[dict]:
    """A shipped labelled file (SMEARWATCH_LABELLED_DIR/name), or nothing when it is not there."""
    path = Path(get_settings().labelled_dir or SHIPPED_LABELLED) / name
    return read_labelled([path]) if path.is_file() else []


def heldout_frame() -> PostFrame | None:
    records = shipped_records("heldout.jsonl")
    return PostFrame.from_records(records, extra=("label", "kind", "campaign")) if records else None


def flag_check(model: Model) -> dict | None:
    """Can the model flag clusters at all? Its verdict on the shipped held-out world (5 smear campaigns and every
    kind of look-alike); None when that file is not there."""
    frame = heldout_frame()
    if frame is None:
        return None
    verdict = heldout_judgements(model, frame)["verdict"]
    return {"heldout_clusters": verdict["clusters"], "flagged": verdict["flagged"],
            "smear_campaigns": verdict["smear_campaigns"], "found": verdict["smear_campaigns_found"],
            "can_flag": verdict["smear_campaigns_found"] > 0 or verdict["smear_campaigns"] == 0}


def cannot_flag(check: dict | None) -> str | None:
    """One line on why a model cannot be used to flag clusters, or None."""
    if not check or check.get("can_flag", True):
        return None
    return (f"cannot flag clusters: it flags {check['flagged']} of {check['heldout_clusters']} clusters of the "
            f"shipped held-out world and finds {check['found']} of its {check['smear_campaigns']} smear campaigns")


def flag_bound(flagged_now: int, decided_smears: int = 0) -> int:
    """At most FLAG_FACTOR x (flagged now, or the clusters reviewers decided are smears when more) + FLAG_MARGIN:
    reviewers who confirm more smears than are flagged have shown the store holds more."""
    return FLAG_FACTOR * max(flagged_now, decided_smears) + FLAG_MARGIN


def _prf(truth: list[bool], predicted: list[bool]) -> dict:
    tp = sum(t and p for t, p in zip(truth, predicted, strict=True))
    fp = sum(p and not t for t, p in zip(truth, predicted, strict=True))
    fn = sum(t and not p for t, p in zip(truth, predicted, strict=True))
    precision = tp / (tp + fp) if tp + fp else None
    recall = tp / (tp + fn) if tp + fn else None
    f1 = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else None
    return {"precision": None if precision is None else round(precision, 4),
            "recall": None if recall is None else round(recall, 4), "f1": None if f1 is None else round(f1, 4),
            "n": len(truth), "tp": tp, "fp": fp}


def heldout_judgements(model: Model, frame: PostFrame) -> dict:
    """Coordination, smear and the verdict of `model` on held-out labelled posts (label, kind, campaign)."""
    result = detect(frame, model)
    y = np.asarray([int(v) for v in frame.extra["label"]], dtype=int)
    kinds = np.asarray([str(v or "") for v in frame.extra.get("kind", [""] * len(frame))], dtype=object)
    campaigns = np.asarray([str(v or "") for v in frame.extra.get("campaign", [""] * len(frame))], dtype=object)
    coordinated_truth, coordinated, smear_truth, flagged = [], [], [], []
    found: set[str] = set()
    for cluster in result.clusters:
        rows = cluster.rows
        kind = Counter(kinds[rows].tolist()).most_common(1)[0][0]
        is_smear = bool(y[rows].mean() >= 0.5)
        coordinated_truth.append(kind in COORDINATED_KINDS)
        coordinated.append(cluster.coordination >= VERDICT_LEVEL)
        smear_truth.append(is_smear)
        flagged.append(cluster.flagged)
        if cluster.flagged and is_smear:
            found.add(Counter(campaigns[rows][y[rows] == 1].tolist()).most_common(1)[0][0])
    smear_campaigns = sorted(set(campaigns[y == 1].tolist()))
    verdict = _prf(smear_truth, flagged)
    verdict.update(clusters=len(result.clusters), flagged=int(sum(flagged)),
                   smear_campaigns=len(smear_campaigns), smear_campaigns_found=len(found & set(smear_campaigns)))
    return {"coordination": _prf(coordinated_truth, coordinated),
            "smear": post_metrics(y, result.text_scores), "verdict": verdict}


def decided_judgements(decided: dict[int, str], labels: dict[int, str], coordination: dict[int, float]) -> dict:
    """Coordination and the verdict on the store's decided clusters of the evaluation split."""
    ids = [cid for cid, answer in sorted(decided.items()) if answer in ANSWER_COORDINATED and cid in labels]
    return {"coordination": _prf([ANSWER_COORDINATED[decided[c]] for c in ids],
                                 [coordination.get(c, 0.0) >= VERDICT_LEVEL for c in ids]),
            "verdict": _prf([decided[c] == "smear" for c in ids], [labels[c] == "smear" for c in ids])}


# Post-level F1 and average precision on the shipped held-out posts may fall by this much: a version that learns the
# store's own world loses a few thousandths on the shipped one (0.943 against 0.945 in bench/loop.py, which kept every
# later version out). Flagged clusters are guarded without tolerance by precision_drop and recall_drop (before those
# rules a tolerance of 0.005 let through versions that each flagged one more look-alike of the store).
POST_TOLERANCE = 0.005


def worse_on(candidate: dict, active: dict | None) -> str | None:
    """What the candidate is worse on than the active version on the fixed set ("verdict f1 0.812 < 0.850"), or
    None: held-out smear F1 and average precision, held-out verdict F1 and, when given, the verdict F1 on the
    decided clusters of the evaluation split (`decided`) and on every decided cluster of the store
    (`decided_all`)."""
    if active is None:
        return None
    checks = (("smear", "f1", POST_TOLERANCE), ("smear", "average_precision", POST_TOLERANCE),
              ("verdict", "f1", 0.0), ("decided", "f1", 0.0), ("decided_all", "f1", 0.0))
    for judgement, metric, tolerance in checks:
        new, old = (candidate.get(judgement) or {}).get(metric), (active.get(judgement) or {}).get(metric)
        if old is not None and (new or 0.0) < old - tolerance:
            return f"{judgement} {metric} {new or 0.0:.3f} < {old:.3f}"
    return None


def not_worse(candidate: dict, active: dict | None) -> bool:
    """At least as good as the active version on the fixed set (see worse_on)."""
    return worse_on(candidate, active) is None


# Flagged-cluster precision parts of the fixed set that must not drop (see precision_drop). The decided evaluation
# split alone is not one: it is a fifth of the decided clusters (8 to 13 flagged in bench/loop.py), where one
# cluster moves precision by 0.08; it is part of `decided_all` and its F1 must not drop (worse_on).
PRECISION_PARTS = (("heldout", "the shipped held-out world"), ("decided_all", "the store's decided clusters"))


def smoothed_precision(verdict: dict | None) -> float | None:
    """(tp + 1) / (flagged + 2): precision judged on what few flagged clusters say (6 of 6 is 0.875, 48 of 49 is
    0.961), so a handful of flagged clusters at 1.000 does not outrank many at 0.98; None when none is flagged."""
    if not verdict or verdict.get("tp") is None or verdict["tp"] + verdict["fp"] == 0:
        return None
    return (verdict["tp"] + 1) / (verdict["tp"] + verdict["fp"] + 2)


def precision_drop(candidate: dict, active: dict | None) -> str | None:
    """One line when the candidate's flagged-cluster precision (smoothed_precision) is below the active version's
    on a part of the fixed set: the held-out world, or every decided cluster of the store (flagged and unflagged
    ones: a decided "coordinated, not smear" it flags lowers it, one it no longer flags raises it)."""
    if active is None:
        return None
    for part, name in PRECISION_PARTS:
        new_verdict, old_verdict = (candidate.get(part) or {}).get("verdict"), (active.get(part) or {}).get("verdict")
        new, old = smoothed_precision(new_verdict), smoothed_precision(old_verdict)
        # both the smoothed and the plain precision fall: 62 of 62 against 67 of 67 is no drop of precision
        # (recall_drop says what it is), and 48 of 49 against 6 of 6 is none either
        if old is None or new is None:
            continue
        if new < old and new_verdict["tp"] * (old_verdict["tp"] + old_verdict["fp"]) < old_verdict["tp"] * (
                new_verdict["tp"] + new_verdict["fp"]):
            return (f"refused: flagged-cluster precision on {name} drops from {old_verdict['tp']} of "
                    f"{old_verdict['tp'] + old_verdict['fp']} to {new_verdict['tp']} of "
                    f"{new_verdict['tp'] + new_verdict['fp']} (smoothed {old:.3f} to {new:.3f})")
    return None


def recall_drop(candidate: dict, active: dict | None) -> str | None:
    """One line when the candidate flags fewer of the clusters reviewers decided are smears than the active version
    (recall on the store's decided clusters drops: it would unflag confirmed smears), or None."""
    if active is None:
        return None
    new = ((candidate.get("decided_all") or {}).get("verdict") or {}).get("tp")
    old = ((active.get("decided_all") or {}).get("verdict") or {}).get("tp")
    if old is not None and new is not None and new < old:
        return (f"refused: it flags {new} of the clusters reviewers decided are smears, the active version {old}: "
                "it would unflag confirmed smears")
    return None


def flag_counts(decided: dict[int, str], labels: dict[int, str], *, only: set[int] | None = None) -> dict:
    """Of the decided clusters `labels` flags (only those in `only`, when given): how many reviewers decided are
    smears (tp) and how many are not (fp), with their ids."""
    flagged = [cid for cid, answer in sorted(decided.items())
               if answer in ANSWER_COORDINATED and labels.get(cid) == "smear" and (only is None or cid in only)]
    wrong = [cid for cid in flagged if decided[cid] != "smear"]
    return {"tp": len(flagged) - len(wrong), "fp": len(wrong), "not_smear": wrong}


def flag_estimate(decided: dict[int, str], flagged_now: list[int], candidate_labels: dict[int, str], *,
                  sample: list[int], held_out: set[int], new_clusters: int = 0) -> dict:
    """What reviewers' decisions say of the clusters each version flags on the store.

    For the active version (`flagged_now`) and for the candidate's flags it keeps: decided ones by their answers
    (`tp`, `fp`), the rest `unknown`. For the clusters the candidate newly flags (and `new_clusters`, flagged
    clusters of its own with no stored counterpart): `known` (decided before), `sample` (the preview's sample once
    decided: chosen at random among the undecided ones, so it stands for them) and `unknown`. Decided clusters of
    `held_out` (the evaluation split, which no version learns from) count as unknown: one that every version flags
    would otherwise refuse every version; they still count in precision_drop and worse_on."""
    now = set(flagged_now)
    sampled = set(sample)
    flagged = [cid for cid, label in candidate_labels.items() if label == "smear"]
    usable = {cid: answer for cid, answer in decided.items() if cid not in held_out and answer in ANSWER_COORDINATED}

    def counts(ids) -> dict:
        ids = list(ids)
        wrong = sorted(cid for cid in ids if cid in usable and usable[cid] != "smear")
        right = sum(1 for cid in ids if usable.get(cid) == "smear")
        return {"tp": right, "fp": len(wrong), "unknown": len(ids) - right - len(wrong), "not_smear": wrong}

    added = [cid for cid in flagged if cid not in now]
    return {"active": counts(now), "kept": counts(cid for cid in flagged if cid in now),
            "known": counts(cid for cid in added if cid not in sampled),
            "sample": counts(cid for cid in added if cid in sampled), "new_clusters": new_clusters}


def estimated_precision(estimate: dict) -> tuple[float | None, float | None]:
    """(candidate, active) flagged-cluster precision on the store estimated from `flag_estimate`: decided flags by
    their answers; undecided ones the active version flags, or that the candidate keeps, at the rate of the active
    version's decided flags; undecided new ones at the rate of the decided sample (of the decided new ones when no
    sample is decided). None for a side nothing is known of."""
    active, kept, known, sample = (estimate[k] for k in ("active", "kept", "known", "sample"))
    if not active["tp"] + active["fp"]:
        return None, None
    old_rate = active["tp"] / (active["tp"] + active["fp"])
    base = sample if sample["tp"] + sample["fp"] else known
    if not base["tp"] + base["fp"]:
        new_rate = old_rate if not (known["unknown"] + sample["unknown"] + estimate["new_clusters"]) else None
    else:
        new_rate = base["tp"] / (base["tp"] + base["fp"])
    if new_rate is None:
        return None, old_rate
    total = sum(part["tp"] + part["fp"] + part["unknown"] for part in (kept, known, sample)) + estimate["new_clusters"]
    if not total:
        return None, old_rate
    right = (kept["tp"] + kept["unknown"] * old_rate + known["tp"] + sample["tp"]
             + (known["unknown"] + sample["unknown"] + estimate["new_clusters"]) * new_rate)
    return right / total, old_rate


def estimate_drop(estimate: dict) -> str | None:
    """One line when the candidate's flags are, by estimated_precision, less precise than the active version's: the
    flags it adds must be at least as precise as the false flags it drops leave the store's. None when nothing is
    known to compare."""
    new, old = estimated_precision(estimate)
    if new is None or old is None or new >= old:
        return None
    kept, known, sample, active = (estimate[k] for k in ("kept", "known", "sample", "active"))
    added = sum(known[k] + sample[k] for k in ("tp", "fp", "unknown")) + estimate["new_clusters"]
    wrong = known["not_smear"] + sample["not_smear"] + kept["not_smear"]
    shown = ", ".join(str(cid) for cid in wrong[:5]) + (", ..." if len(wrong) > 5 else "")
    return (f"refused: its flags on the store are estimated {new:.3f} smears against the active version's {old:.3f} "
            f"({active['tp']} of {active['tp'] + active['fp']} decided): it newly flags {added}, of which reviewers "
            f"decided {known['tp'] + sample['tp']} of {known['tp'] + known['fp'] + sample['tp'] + sample['fp']} are "
            f"smears ("
            + (f"{sample['tp']} of {sample['tp'] + sample['fp']} of its preview's sample)" if sample["tp"] + sample["fp"]
               else "its preview's sample not decided yet)")
            + (f"; not smears: {shown}" if wrong else ""))


def refusal(labels: dict, preview: dict | None, verdict: dict | None = None, *,
            known_smears: int = 0) -> str | None:
    """The one-line reason the gate refuses a version, or None. `verdict`: its verdict on the held-out world."""
    decisions = labels.get("decisions", 0)
    if decisions and not labels.get("base") and not labels.get("files"):
        return (f"refused: trained on reviewers' decisions alone ({decisions} posts), which cover only what the "
                "queue showed; retrain with the shipped labelled data")
    if decisions and not labels.get("decided_unflagged"):
        return (f"refused: the decisions cover only flagged clusters ({labels.get('decided_flagged', 0)}), so "
                "training saw no negative from the store; review some of the queue's unflagged clusters first")
    if preview is not None:
        now, after = preview["flagged_now"], preview["flagged_after"]
        bound = flag_bound(now, known_smears)
        if after > bound:
            base = f"{now}" if now >= known_smears else f"{known_smears} decided smears"
            return (f"refused: would flag {after} clusters of the store, against {now} now (bound "
                    f"{FLAG_FACTOR} x {base} + {FLAG_MARGIN} = {bound})")
    if verdict and verdict.get("smear_campaigns") and not verdict.get("smear_campaigns_found"):
        return (f"refused: cannot flag clusters: finds 0 of the {verdict['smear_campaigns']} smear campaigns of "
                "the shipped held-out world")
    return None
