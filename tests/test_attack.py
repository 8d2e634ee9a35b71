"""The post-level attack scorer: separates attacks from other posts, saves through the allowlist without the
embedding table, handles words the embedding does not know, and is deterministic."""

import pickle
import zipfile

import numpy as np
import pytest
import skops.io as sio
from sklearn.metrics import roc_auc_score

from classifiers.attack import (
    ATTACK_TYPES,
    MeanEmbedding,
    attack_scores,
    attack_threshold,
    embedding_table,
    train_attack,
)
from classifiers.model import ALLOWED_TYPES
from classifiers.text import normalize_text

ATTACKS = [
    "Иванов — предатель и вор, он продал страну за иностранные гранты.",
    "Этот так называемый правозащитник работает на западные спецслужбы.",
    "Фонд «Ашык» — иностранный агент, живёт на чужие деньги и лжёт народу.",
    "Петрова — лгунья и продажная марионетка Запада, позор ей.",
    "Сидоров ворует бюджетные деньги и прикрывается красивыми словами.",
    "Депутат Смирнов — коррупционер и лицемер, которому нельзя верить.",
    "Грантоеды из бюро снова отрабатывают деньги своих хозяев.",
    "Эта журналистка — пятая колонна и враг своего народа.",
    "Ол сатқын, шетелдік гранттарды жеп отыр, ұят!",
    "Ol satqyn, sheteldik granttardy jep otyr, uiat!",
    "Ivanov is a traitor and a thief who sold out to foreign donors.",
    "Mirasov is a corrupt liar paid by foreign agents, shame on him.",
]
NEUTRAL = [
    "Сегодня в Алматы солнечно, вечером ожидается небольшой дождь.",
    "В парке открыли новую детскую площадку и посадили деревья.",
    "Магазин у дома теперь работает до десяти вечера.",
    "Команда выиграла матч со счётом два один.",
    "Министерство опубликовало расписание экзаменов на июнь.",
    "Подскажите, где купить хороший кофе недалеко от центра?",
    "Выставка современного искусства продлится до конца месяца.",
    "Автобус номер двенадцать теперь ходит каждые десять минут.",
    "Бүгін ауа райы жақсы, балалар саябақта ойнап жүр.",
    "Búgin aýa raıy jaqsy, balalar saıabaqta oınap júr.",
    "The new library opens on Monday with a reading hour for children.",
    "Tickets for the concert are available at the box office.",
]
# Held out: other people, other words for the same accusations, other neutral topics.
HELD_OUT_ATTACKS = [
    "Кузнецов — изменник и жулик, который служит чужим интересам.",
    "Орлова клевещет на страну за деньги зарубежных покровителей.",
    "Этот чиновник — взяточник и мошенник, его место в тюрьме.",
]
HELD_OUT_NEUTRAL = [
    "Вечером в театре покажут премьеру спектакля по Чехову.",
    "На выходных в городе пройдёт ярмарка местных фермеров.",
    "Поезд до Астаны отправляется в восемь утра с первого пути.",
]


@pytest.fixture(scope="module")
def model():
    return train_attack(ATTACKS + NEUTRAL, [1] * len(ATTACKS) + [0] * len(NEUTRAL))


def test_separates_attacks_from_neutral_posts(model):
    train = attack_scores(model, ATTACKS + NEUTRAL)
    assert train[:len(ATTACKS)].min() > train[len(ATTACKS):].max()
    held = attack_scores(model, HELD_OUT_ATTACKS + HELD_OUT_NEUTRAL)
    y = [1] * len(HELD_OUT_ATTACKS) + [0] * len(HELD_OUT_NEUTRAL)
    assert roc_auc_score(y, held) == 1.0, held
    assert ((held >= 0) & (held <= 1)).all()


def test_scores_each_distinct_text_once_and_keeps_order(model):
    texts = [ATTACKS[0], NEUTRAL[0], ATTACKS[0], "", None, NEUTRAL[0]]
    scores = attack_scores(model, texts)
    assert len(scores) == len(texts)
    assert scores[0] == scores[2] and scores[1] == scores[5]
    single = [attack_scores(model, [t])[0] for t in (ATTACKS[0], NEUTRAL[0])]
    assert scores[0] == pytest.approx(single[0]) and scores[1] == pytest.approx(single[1])
    assert attack_scores(model, []).shape == (0,)


def test_mean_embedding_handles_unknown_words():
    rows = MeanEmbedding().transform(["Предатель и вор", "Қазақстандағы ұйымдар", "", None, "123 !!!"])
    dim = embedding_table().dim
    assert rows.shape == (5, dim + 1)
    assert np.isfinite(rows).all()
    assert rows[0, -1] == 1.0 and np.abs(rows[0, :dim]).sum() > 0      # all words known
    assert rows[1, -1] == 0.0 and not rows[1, :dim].any()              # Kazakh words: none known, a zero mean
    assert not rows[2:].any()                                          # no words at all


def test_mean_embedding_is_the_average_of_known_word_vectors():
    table = embedding_table()
    ids = [table.word_ids[w] for w in ("предатель", "вор")]
    row = MeanEmbedding(smooth=None).transform(["Предатель, вор!"])[0]
    assert np.allclose(row[:-1], table.vectors(np.asarray(ids)).mean(axis=0), atol=1e-6)


def test_skops_round_trip_through_the_allowlist(model, tmp_path):
    path = tmp_path / "attack.skops"
    sio.dump(model, path, compression=8)
    untrusted = set(sio.get_untrusted_types(file=path))
    assert untrusted <= ALLOWED_TYPES | ATTACK_TYPES
    assert "classifiers.attack.MeanEmbedding" in untrusted
    loaded = sio.load(path, trusted=sorted(ALLOWED_TYPES | ATTACK_TYPES))
    texts = ATTACKS + NEUTRAL + HELD_OUT_ATTACKS
    assert np.array_equal(attack_scores(loaded, texts), attack_scores(model, texts))


def test_the_embedding_table_is_not_saved(model, tmp_path):
    table = embedding_table()
    table_bytes = table.indexes.nbytes + table.codebooks.nbytes  # ~25 MB even quantized
    path = tmp_path / "attack.skops"
    sio.dump(model, path, compression=8)
    assert path.stat().st_size < 1_000_000 < table_bytes
    with zipfile.ZipFile(path) as archive:
        largest = max(info.file_size for info in archive.infolist())
    assert largest < table.indexes.nbytes
    # the fitted transformer itself holds only its settings
    assert len(pickle.dumps(model.named_steps["features"].transformer_list[0][1])) < 1000


def test_training_is_deterministic():
    texts, y = ATTACKS + NEUTRAL, [1] * len(ATTACKS) + [0] * len(NEUTRAL)
    a, b = train_attack(texts, y, seed=3), train_attack(list(texts), list(y), seed=3)
    probe = HELD_OUT_ATTACKS + HELD_OUT_NEUTRAL
    assert np.array_equal(a.named_steps["clf"].coef_, b.named_steps["clf"].coef_)
    assert np.array_equal(attack_scores(a, probe), attack_scores(b, probe))
    assert attack_threshold(texts, y, seed=3) == attack_threshold(texts, y, seed=3)


def test_training_needs_both_classes():
    with pytest.raises(ValueError, match="both"):
        train_attack(ATTACKS, [1] * len(ATTACKS))
    with pytest.raises(ValueError, match="labels"):
        train_attack(ATTACKS, [1])


def test_already_normalized_texts_give_the_same_scores(model):
    texts = ["Предатель Жаксылыков живёт на гранты!!!", "Погода в Алматы хорошая", "Qazaqstan — bizdiń úıimiz", ""] * 3
    normalized = [normalize_text(t) for t in texts]
    np.testing.assert_allclose(attack_scores(model, texts, normalized=normalized), attack_scores(model, texts),
                               rtol=1e-6, atol=1e-9)
