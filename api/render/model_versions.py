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
    return {"evaluation": evaluation, "heldout": heldout, "compared": compared, "deltas": deltas,
            "training": (version.card or {}).get("training_data") or {}}
