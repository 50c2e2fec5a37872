import numba
import numpy as np
import pytest

from biodl.data.dna import (
    decode,
    one_hot_encode,
    resolve_length,
    reverse_complement,
)


def test_bases_in_acgt_order_and_lower_case_accepted():
    x = one_hot_encode(["ACGT", "acgt"])
    assert x.dtype == np.uint8 and x.shape == (2, 4, 4)
    np.testing.assert_array_equal(x[0], np.eye(4, dtype=np.uint8))
    np.testing.assert_array_equal(x[1], x[0])


def test_single_string_gives_2d_array():
    assert one_hot_encode("ACG").shape == (3, 4)


def test_ambiguity_zero_policy():
    x = one_hot_encode(["ANRG"])
    assert x[0, 1].sum() == 0 and x[0, 2].sum() == 0
    assert x[0, 0, 0] == 1 and x[0, 3, 2] == 1


def test_ambiguity_fractional_policy():
    x = one_hot_encode(["RNa"], ambiguous="fractional")
    assert x.dtype == np.float32
    np.testing.assert_allclose(x[0, 0], [0.5, 0, 0.5, 0])
    np.testing.assert_allclose(x[0, 1], [0.25] * 4)
    np.testing.assert_allclose(x[0, 2], [1, 0, 0, 0])


def test_invalid_character_names_record_and_position():
    with pytest.raises(ValueError, match=r"sequence 'second': invalid character 'X' at position 3"):
        one_hot_encode(["ACGT", "ACXT"], ids=["first", "second"])


def test_invalid_character_in_trimmed_flank_is_still_an_error():
    with pytest.raises(ValueError, match=r"'s1'.*'!' at position 1"):
        one_hot_encode(["!ACGTACGTA"], length=4, ids=["s1"])


def test_non_ascii_character_reported():
    with pytest.raises(ValueError, match="position 2"):
        one_hot_encode(["Aé"])


def test_centre_padding_and_trimming():
    x = one_hot_encode(["AC", "GGTTAACC"], length=4)
    assert decode(x[0]) == "NACN"
    assert decode(x[1]) == "TTAA"


def test_default_length_is_longest_and_says_so(caplog):
    import logging

    with caplog.at_level(logging.INFO, logger="biodl.data.dna"):
        assert one_hot_encode(["A", "ACGTA"]).shape == (2, 5, 4)
    assert "sequence length 5 bp: the longest sequence" in caplog.text


def test_long_sequences_need_a_length():
    with pytest.raises(ValueError, match=r"set a length \(config: sequences.<name>.length\)"):
        resolve_length(np.array([2001]), None)
    assert one_hot_encode(["A" * 2500], length=100).shape == (1, 100, 4)


def test_reverse_complement_string_and_array_agree():
    seq = "AACGTTTGCAN"
    assert reverse_complement(seq) == "NTGCAAACGTT"
    assert reverse_complement("acgR") == "Ycgt"
    np.testing.assert_array_equal(one_hot_encode(reverse_complement(seq)),
                                  reverse_complement(one_hot_encode(seq)))


def test_reverse_complement_rejects_wrong_shape():
    with pytest.raises(ValueError, match="4 channels"):
        reverse_complement(np.zeros((3, 5)))


def test_matches_plain_numpy_on_random_sequences():
    rng = np.random.default_rng(0)
    seqs = ["".join(rng.choice(list("ACGT"), size=n)) for n in rng.integers(1, 50, size=200)]
    x = one_hot_encode(seqs, length=30)
    for seq, row in zip(seqs, x):
        kept = seq[(len(seq) - 30) // 2:][:30] if len(seq) > 30 else seq
        assert decode(row).strip("N") == kept


def test_small_chunks_give_the_same_encoding():
    from biodl.data import dna as sequence

    rng = np.random.default_rng(3)
    seqs = ["".join(rng.choice(list("ACGTN"), n)) for n in rng.integers(1, 40, size=60)]
    lengths = np.array([len(s) for s in seqs])
    out = np.empty((len(seqs), 25), dtype=np.uint8)
    invalid = np.full(len(seqs), -1)
    sequence._translate(seqs, lengths, sequence._BYTE_TO_CODE, sequence._PAD_CODE, out, invalid, chunk_bp=50)
    np.testing.assert_array_equal(sequence._FRACTION_ROWS[out], one_hot_encode(seqs, length=25, ambiguous="fractional"))
    assert (invalid == -1).all()


def _reference_one_hot(seqs, length, ambiguous):
    """One position at a time, straight from the definition: the encoder must equal it."""
    from biodl.data.dna import IUPAC_CODES

    out = np.zeros((len(seqs), length, 4), dtype=np.float32)
    for i, seq in enumerate(seqs):
        if len(seq) > length:
            seq = seq[(len(seq) - length) // 2:][:length]
        offset = (length - len(seq)) // 2
        for p, letter in enumerate(seq.upper()):
            bases = letter if letter in "ACGT" else IUPAC_CODES[letter]
            if len(bases) == 1 or ambiguous == "fractional":
                for base in bases:
                    out[i, offset + p, "ACGT".index(base)] = 1 / len(bases)
    return out if ambiguous == "fractional" else out.astype(np.uint8)


@pytest.mark.parametrize("ambiguous", ["zeros", "fractional"])
@pytest.mark.parametrize("chunk_bp, threads", [(1 << 22, None), (97, 1), (97, 2), (1, 2)])
def test_encoding_equals_the_definition_for_every_chunking_and_thread_count(ambiguous, chunk_bp, threads, monkeypatch):
    from biodl.data import dna

    rng = np.random.default_rng(7)
    letters = list("ACGTacgt" + "RYSWKMBDHVN" + "rn")
    seqs = ["".join(rng.choice(letters, n)) for n in rng.integers(0, 90, size=300)]
    monkeypatch.setattr(dna, "_CHUNK_BP", chunk_bp)
    if threads is not None:
        numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))
    try:
        x = one_hot_encode(seqs, length=60, ambiguous=ambiguous)
    finally:
        numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
    assert x.dtype == (np.float32 if ambiguous == "fractional" else np.uint8)
    np.testing.assert_array_equal(x, _reference_one_hot(seqs, 60, ambiguous))


def test_invalid_character_found_whichever_chunk_and_thread_it_falls_in(monkeypatch):
    from biodl.data import dna

    seqs = ["ACGT" * 10] * 50
    seqs[37] = "ACGT" * 5 + "AC!T" + "ACGT" * 4
    monkeypatch.setattr(dna, "_CHUNK_BP", 100)
    for ambiguous in ("zeros", "fractional"):
        with pytest.raises(ValueError, match=r"sequence '#37': invalid character '!' at position 23"):
            one_hot_encode(seqs, ambiguous=ambiguous)


def test_dinucleotide_shuffles_keep_dinucleotide_counts_ends_and_n_positions():
    from biodl.data.dna import decode, dinucleotide_shuffles

    rng = np.random.default_rng(0)
    x = one_hot_encode(["".join(rng.choice(list("ACGT"), 200)) for _ in range(20)] + ["ACGTNNACGTTTGCAAC" * 4])

    def counts(onehot):
        idx = onehot.argmax(axis=-1)
        return np.bincount(idx[:-1] * 4 + idx[1:], minlength=16)

    shuffled = dinucleotide_shuffles(x, 5, rng)
    assert shuffled.shape == (21, 5, 200, 4) and shuffled.dtype == np.float32
    for seq, copies in zip(x[:20], shuffled[:20]):
        for copy in copies:
            np.testing.assert_array_equal(counts(copy), counts(seq))
            assert copy[0].argmax() == seq[0].argmax() and copy[-1].argmax() == seq[-1].argmax()
        assert all(not np.array_equal(copy, seq) for copy in copies)
    with_n = decode(shuffled[-1])
    assert all(text.count("N") == decode(x[-1]).count("N") for text in with_n)
    assert all(a == "N" for text in with_n for a, b in zip(text, decode(x[-1])) if b == "N")
    again = dinucleotide_shuffles(x, 5, np.random.default_rng(0).spawn(1)[0])
    assert not np.array_equal(again, shuffled)
    first = dinucleotide_shuffles(x[:3], 2, np.random.default_rng(9))
    np.testing.assert_array_equal(first, dinucleotide_shuffles(x[:3], 2, np.random.default_rng(9)))
    np.testing.assert_array_equal(dinucleotide_shuffles(x[0], 2, np.random.default_rng(9)), first[0])
    assert decode(dinucleotide_shuffles(one_hot_encode("AC"), 2, rng)) == ["AC", "AC"]


def test_check_one_hot_flags_fractional_sequences():
    from biodl.data.dna import check_one_hot

    x = one_hot_encode(["ACGN", "ACGT", "RCGT"], ambiguous="fractional")
    np.testing.assert_array_equal(check_one_hot(x), [0, 2])
    assert check_one_hot(one_hot_encode(["ACGN", "ACGT"])).size == 0  # N as zeros is fine
    with pytest.raises(ValueError, match=r"shape \(N, length, 4\)"):
        check_one_hot(np.zeros((2, 5)))
