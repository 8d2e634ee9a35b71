"""Each stored signal with its sentence (smearwatch.evidence_words) and its raw values, for the JSON API.

The descriptive features and the judgement are not signals: they are said in the cluster's `explanation`
(features under human names, the verdict against the threshold), not repeated here."""

from smearwatch.evidence_words import NOT_SIGNALS, SIGNAL_NAMES, chance_sentence, legacy_sentence


def describe_signals(signals: dict | None) -> list[dict]:
    """Each signal with its name, its values and a sentence a reader understands."""
    signals = signals or {}
    judgement = signals.get("judgement") if isinstance(signals.get("judgement"), dict) else {}
    result = []
    for name, values in signals.items():
        if name in NOT_SIGNALS:
            continue
        if not isinstance(values, dict):
            values = {"value": values}
        sentence = (chance_sentence(name, values, target=judgement.get("smear_target")) if "null_posts" in values
                    else legacy_sentence(name, values))
        result.append({"key": name, "name": SIGNAL_NAMES.get(name, name.replace("_", " ").capitalize()),
                       "values": values, "sentence": sentence})
    return result
