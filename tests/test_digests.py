"""DigestMap: the compact digest -> int map behind ClusterMentions' memory of the texts it has read."""

import hashlib
import random

from classifiers.digests import DigestMap


def _digest(i: int) -> bytes:
    return hashlib.blake2b(str(i).encode(), digest_size=16).digest()


def test_digest_map_equals_a_dict_across_merges():
    rng = random.Random(5)
    table, expected = DigestMap(merge_at=7), {}
    for i in rng.sample(range(10_000), 500):
        digest = _digest(i)
        assert table.get(digest) == expected.get(digest)
        value = rng.randrange(50)
        table.put(digest, value)
        expected[digest] = value
    assert len(table) == len(expected) == 500
    for i in range(10_000):  # present and absent digests
        assert table.get(_digest(i)) == expected.get(_digest(i))


def test_digests_sharing_a_first_half_stay_apart():
    table = DigestMap(merge_at=2)
    same_start = [bytes(8) + bytes([k]) * 8 for k in range(5)]
    for value, digest in enumerate(same_start):
        table.put(digest, value)
    assert [table.get(d) for d in same_start] == [0, 1, 2, 3, 4]
    assert table.get(bytes(8) + bytes([9]) * 8) is None
    assert table.get(bytes([1]) * 8 + bytes(8)) is None
