"""Retraining's training set and the gate's rules (issue 15): the decisions' weight is chosen from a small grid on a
tuning fold; a version whose flagged-cluster precision drops on a part of the fixed evaluation set is refused; the
flag bound counts the clusters reviewers decided are smears; the queue's checks."""

from pathlib import Path

from api.crud.queue import CHECK_EVERY, checks_on_page, mix_checks
from classifiers import read_labelled
from worker.gate import flag_bound, precision_drop, recall_drop, refusal, smoothed_precision, worse_on
from worker.training_set import DECISION_WEIGHTS, TUNING_SHARE, choose_decision_weight, in_tuning

SHIPPED = Path(__file__).resolve().parents[1] / "samples" / "labelled"


def verdicts(**counts) -> dict:
    """Parts of a gate report with flagged-cluster counts (tp, fp)."""
    return {part: {"verdict": {"tp": tp, "fp": fp, "precision": tp / (tp + fp) if tp + fp else None}}
            for part, (tp, fp) in counts.items()}


def test_a_precision_drop_on_any_part_of_the_fixed_set_is_refused():
    active = verdicts(heldout=(9, 1), decided_all=(6, 0))
    assert precision_drop(verdicts(heldout=(19, 1), decided_all=(6, 0)), active) is None
    # 48 of 49 is surer than 6 of 6: smoothed (tp + 1) / (flagged + 2), 0.961 against 0.875
    assert smoothed_precision({"tp": 48, "fp": 1}) > smoothed_precision({"tp": 6, "fp": 0}) == 0.875
    assert precision_drop(verdicts(heldout=(9, 1), decided_all=(48, 1)), active) is None
    assert precision_drop(verdicts(heldout=(9, 1), decided_all=(6, 1)), active) == (
        "refused: flagged-cluster precision on the store's decided clusters drops from 6 of 6 to 6 of 7 "
        "(smoothed 0.875 to 0.778)")
    assert "held-out world drops from 9 of 10 to 8 of 10" in precision_drop(verdicts(heldout=(8, 2)), active)
    assert precision_drop(verdicts(heldout=(1, 9)), None) is None  # nothing active to compare with
    assert precision_drop(verdicts(heldout=(9, 1), decided_all=(0, 0)), active) is None  # flags none of them
    # fewer flagged, all right: no drop of precision (recall_drop judges it)
    assert precision_drop(verdicts(heldout=(9, 1), decided_all=(5, 0)), active) is None
    # the decided evaluation split alone is too small to veto (it is part of decided_all)
    assert precision_drop(verdicts(heldout=(9, 1), decided=(11, 1), decided_all=(60, 1)), active) is None


def test_unflagging_confirmed_smears_is_refused():
    active = verdicts(decided_all=(20, 3))
    assert recall_drop(verdicts(decided_all=(20, 0)), active) is None  # the corrections applied, every smear kept
    assert recall_drop(verdicts(decided_all=(19, 0)), active) == (
        "refused: it flags 19 of the clusters reviewers decided are smears, the active version 20: it would unflag "
        "confirmed smears")
    assert recall_drop(verdicts(decided_all=(0, 0)), None) is None


def test_worse_on_names_the_metric():
    active = {"smear": {"f1": 0.9, "average_precision": 0.95}, "verdict": {"f1": 0.8}, "decided_all": {"f1": 0.7}}
    assert worse_on({**active, "verdict": {"f1": 0.85}}, active) is None
    assert worse_on({**active, "decided_all": {"f1": 0.6}}, active) == "decided_all f1 0.600 < 0.700"


def test_the_flag_bound_counts_decided_smears():
    assert flag_bound(41) == 87 and flag_bound(6) == 17 and flag_bound(6, 24) == 53 and flag_bound(41, 3) == 87
    labels = {"decisions": 10, "base": 100, "decided_unflagged": 3}
    assert refusal(labels, {"flagged_now": 6, "flagged_after": 48}, known_smears=24) is None
    assert refusal(labels, {"flagged_now": 6, "flagged_after": 60}, known_smears=24) == (
        "refused: would flag 60 clusters of the store, against 6 now (bound 2 x 24 decided smears + 5 = 53)")


def test_the_decision_weight_is_chosen_from_the_grid_on_a_tuning_fold():
    shipped = read_labelled([SHIPPED / "train.jsonl"])
    # decisions: the held-out world's posts, labelled by cluster-like groups (their campaign)
    decided = [{**r, "campaign": f"cluster-{r['campaign']}", "provenance": {}} for r in
               read_labelled([SHIPPED / "heldout.jsonl"])]
    weight, report = choose_decision_weight(shipped, decided, [])
    assert weight in DECISION_WEIGHTS and report["weight"] == weight
    assert set(report["scores"]) == {str(w) for w in DECISION_WEIGHTS}
    assert report["scores"][str(weight)] == max(report["scores"].values())
    assert 0 < report["fold"]["decided"] < len(decided) and 0 < report["fold"]["shipped"] < len(shipped)
    # a campaign is in the fold whole or not at all; background posts one by one
    folds = {}
    for record in decided:
        folds.setdefault(record["campaign"], set()).add(in_tuning(record))
    assert all(len(sides) == 1 for group, sides in folds.items() if "background" not in group)
    # no decided negatives in the fold: nothing to tune on, weight 1
    positives = [r for r in decided if r["label"] == 1]
    assert choose_decision_weight(shipped, positives, [])[0] == 1.0
    assert TUNING_SHARE > 1


def test_campaign_checks_come_after_every_tenth_and_after_the_last():
    assert checks_on_page(8, trailing=True) == 1 and checks_on_page(8) == 0
    assert checks_on_page(20, trailing=True) == 2 == checks_on_page(20) and checks_on_page(21, trailing=True) == 3
    rows = list(range(12))
    assert mix_checks(rows, ["a", "b"]) == [*range(CHECK_EVERY), "a", 10, 11, "b"]
