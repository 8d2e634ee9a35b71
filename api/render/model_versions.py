"""A model version's metrics as the models page compares them."""

from smearwatch.models import ModelVersion


def model_metrics(version: ModelVersion, active: ModelVersion | None) -> dict:
    """A version's metrics on the fixed evaluation split and the comparison to the active version on that same
    split (recorded when the version was trained: the active version then was scored on the same posts)."""
    metrics = version.metrics or {}
    evaluation = metrics.get("evaluation")
    compared = metrics.get("compared_to")
    heldout = metrics.get("post_heldout") if not evaluation else None
    deltas = {}
    if evaluation and compared and compared.get("evaluation"):
        for key in ("precision", "recall", "f1", "average_precision"):
            a, b = evaluation.get(key), compared["evaluation"].get(key)
            if isinstance(a, int | float) and isinstance(b, int | float):
                deltas[key] = round(a - b, 4)
    gate = metrics.get("gate") or {}
    return {"evaluation": evaluation, "heldout": heldout, "compared": compared, "deltas": deltas,
            "training": (version.card or {}).get("training_data") or {},
            "refused": gate.get("refused"), "gate": gate, "preview": metrics.get("preview"),
            "judgements": _judgements(gate)}


JUDGEMENTS = (("coordination", "heldout", "coordination", "f1"), ("smear", "heldout", "smear", "f1"),
              ("smear AP", "heldout", "smear", "average_precision"), ("verdict", "heldout", "verdict", "f1"),
              ("verdict, decided clusters", "decided", "verdict", "f1"))


def _judgements(gate: dict) -> list[dict]:
    """The gate's judgements side by side: this version and the version active when it was trained, on the fixed
    evaluation set (shipped held-out world, decided evaluation split)."""
    rows = []
    for title, part, judgement, metric in JUDGEMENTS:
        new = (((gate.get("candidate") or {}).get(part) or {}).get(judgement) or {}).get(metric)
        old = (((gate.get("active") or {}).get(part) or {}).get(judgement) or {}).get(metric)
        if new is None and old is None:
            continue
        rows.append({"title": title, "new": new, "old": old,
                     "delta": round(new - old, 4) if isinstance(new, int | float) and isinstance(old, int | float)
                     else None})
    return rows
