"""Near-duplicate groups compare like with like (api/render/posts.py): a transliteration joins its original and is
named as one, typo variants are one group, and only what differs is marked."""

from datetime import UTC, datetime, timedelta

from api.render.posts import diff_segments, group_by_pairs, group_page, script_of
from smearwatch.models import Post

T0 = datetime(2020, 4, 29, 6, tzinfo=UTC)


def posts(*texts):
    return [Post(id=i + 1, platform="twitter", post_id=str(i + 1), author_id=f"a{i}", text=text,
                 created_at=T0 + timedelta(minutes=i)) for i, text in enumerate(texts)]


def marked(segments):
    return "".join(piece for piece, changed in segments if changed)


def test_a_transliteration_joins_its_original_and_is_named_not_marked():
    group = posts("Бюро Ашык Алан защищает иностранцев и живёт на гранты",
                  "Biuro Ashyk Alan zashchishchaet inostrantsev i zhivet na granty",
                  "Бюро Ашык Алан защищает иностранцев и живёт на гранты!")
    assert script_of(group[0].text) == "cyrillic" and script_of(group[1].text) == "latin"
    groups = group_by_pairs(group, pairs=[(1, 2)])  # the detector's near-duplicate pair (it compares skeletons)
    assert len(groups) == 1 and len(groups[0]) == 3
    [shown] = group_page(groups, page=1, per_page=10, members_shown=10)
    latin, same_script = shown["others"]
    assert latin[1] is None and "Latin version" in latin[2]  # not marked all over: named as a transliteration
    assert same_script[2] is None and marked(same_script[1]) == "!"


def test_typo_variants_are_one_group_and_only_the_letters_that_differ_are_marked():
    group = posts("Olar besinshi kolonna, shetel granttaryn jeidi jane halyqqa qarsy",
                  "Olar besisnhi kolonna, shetel granttaryn jeidi jane halyqqa qarsy",
                  "A different text entirely about the weather in Almaty today")
    groups = group_by_pairs(group, pairs=[])
    assert sorted(len(g) for g in groups) == [1, 2]
    segments = diff_segments(group[0].text, group[1].text)
    assert "".join(piece for piece, _ in segments) == group[1].text
    assert 1 <= len(marked(segments)) <= 2 and set(marked(segments)) <= set("sn")  # letters, not "besisnhi"


def test_another_word_is_marked_whole():
    segments = diff_segments("they live on foreign money", "they live on western money")
    assert marked(segments) == "western"
