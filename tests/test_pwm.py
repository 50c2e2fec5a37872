import numpy as np

from biodl.data.dna import one_hot_encode, reverse_complement
from biodl.data.pwm import Motif, information_content, scan_max
from biodl.io.jaspar import fetch_jaspar


def test_scan_finds_consensus_on_both_strands():
    (ctcf,) = fetch_jaspar(["MA0139"])
    consensus = "".join("ACGT"[i] for i in ctcf.ppm.argmax(axis=1))
    background = "T" * 60
    forward = background[:20] + consensus + background[20 + ctcf.width:]
    reverse = background[:30] + reverse_complement(consensus) + background[30 + ctcf.width:]
    scores = scan_max(one_hot_encode([background, forward, reverse]), ctcf.pwm())
    best = ctcf.pwm().max(axis=1).sum()
    np.testing.assert_allclose(scores[1:], best, rtol=1e-5)
    assert scores[0] < 0


def test_uniform_motif_has_zero_log_odds_and_information():
    uniform = Motif("a", "b", np.full((2, 4), 0.25))
    np.testing.assert_allclose(uniform.pwm(), 0, atol=1e-6)
    np.testing.assert_allclose(information_content(uniform.ppm), 0, atol=1e-9)
    np.testing.assert_allclose(information_content(np.eye(4)), 2.0)  # a certain base: 2 bits


def test_the_breaking_substitution_hits_the_most_informative_column_on_either_strand():
    from biodl.data.pwm import Motif, breaking_substitution

    ppm = np.array([[0.4, 0.2, 0.2, 0.2], [0.97, 0.01, 0.01, 0.01], [0.25, 0.25, 0.25, 0.25]])
    ppm[1] = [0.9, 0.08, 0.01, 0.01]  # column 1 is the informative one; G and T are least expected there
    motif = Motif("m", "m", ppm)
    assert breaking_substitution(motif, "+") == (1, "G")
    assert breaking_substitution(motif, "-") == (1, "C")  # the middle of three columns; G complemented
    ppm[0], ppm[1] = [0.01, 0.01, 0.01, 0.97], [0.25] * 4
    assert breaking_substitution(Motif("m", "m", ppm), "-") == (2, "T")  # A least expected: on the minus strand, T
