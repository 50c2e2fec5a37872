"""Families ranked from MoDISco, filter and screen evidence, JASPAR's annotations grouping
motifs, and the known-motif check saying when the configured motif explains little."""

import json

import numpy as np
import pandas as pd
import pytest

from biodl.data.pwm import Motif
from biodl.evaluation.summary import motif_answer
from biodl.interpret.families import FAMILY_COLUMNS, answer_group, held_out_scores, rank_families
from biodl.io.jaspar import fetch_jaspar, jaspar_database


@pytest.fixture(scope="module")
def known():
    # CTCF, FOXC1, Foxl2, ELF4, SPIB
    return fetch_jaspar(["MA0139", "MA0032", "MA1607", "MA0641", "MA0081"])


def matches(rows):
    """A calibrated tomtom table: (query, rank, target_id, target_name, beyond_null[, influence])."""
    columns = ["query", "rank", "target_id", "target_name", "beyond_null", "influence"][:len(rows[0])]
    return pd.DataFrame(rows, columns=columns)


def evidence(known, screen_elf4=0.5):
    ctcf, foxc1, foxl2, elf4, spib = (m.id for m in known)
    patterns = pd.DataFrame([("bound_pos0", "bound", "modisco", 300), ("bound_pos1", "bound", "modisco", 200),
                             ("bound_pos2", "bound", "modisco", 100), ("bound_neg0", "bound", "modisco", 900),
                             ("bound_filter0", "bound", "filter", 900)],
                            columns=["motif_id", "output", "source", "n_seqlets"])
    pattern_matches = matches([("bound_pos0", 1, ctcf, "CTCF", False), ("bound_pos0", 2, foxc1, "FOXC1", True),
                               ("bound_pos1", 1, foxl2, "Foxl2", True), ("bound_pos2", 1, elf4, "ELF4", True),
                               ("bound_neg0", 1, ctcf, "CTCF", True), ("bound_filter0", 1, ctcf, "CTCF", True)])
    filter_matches = matches([("filter0", 1, spib, "SPIB", True, 0.9), ("filter1", 1, foxc1, "FOXC1", True, 0.3),
                              ("filter2", 1, ctcf, "CTCF", False, 2.0)])
    screen = pd.DataFrame([(foxc1, "FOXC1", "FOX", "bound", 1.0, 0.2, 0.001),
                           (elf4, "ELF4", "Ets-related", "bound", screen_elf4, 0.2, 0.01),
                           (ctcf, "CTCF", "More than 3 adjacent zinc fingers", "bound", 2.0, 3.0, 0.3)],
                          columns=["motif_id", "motif_name", "family", "output", "effect_beyond_null", "sd",
                                   "q_value"])
    return {"patterns": patterns, "pattern_matches": pattern_matches, "filter_matches": filter_matches,
            "screen": screen}


def test_jaspar_annotations_group_motifs_into_families(known):
    assert [m.family_name for m in known] == ["More than 3 adjacent zinc fingers", "FOX", "FOX", "Ets-related",
                                              "Ets-related"]
    fungi = {m.name: m.family_name for m in jaspar_database(tax_group="fungi")}
    # a family where JASPAR has one, else the class (GAL4 and RSC30 are both Zn2Cys6 factors)
    assert fungi["REB1"] == "Myb/SANT domain factors" and fungi["GAL4"] == fungi["RSC30"] == "C6 zinc cluster factors"
    heterodimer = {m.name: m.family_name for m in jaspar_database()}["FOS::JUN"]
    assert heterodimer == "Fos-related::Jun-related"
    dimers = {m.name: m.family_name for m in jaspar_database()}
    assert dimers["ETV5::FOXI1"] == dimers["FOXO1::FLI1"] == "Ets-related::FOX"
    assert Motif("p", "pattern_x", np.full((3, 4), 0.25)).family_name == "PATTERN_X"  # no annotation: itself
    # in the many-zinc-finger families every factor is its own answer; elsewhere the family is
    vertebrates = {m.name: answer_group(m) for m in jaspar_database()}
    assert vertebrates["CTCF"] == "More than 3 adjacent zinc fingers: CTCF"
    assert vertebrates["ZNF454"] == "More than 3 adjacent zinc fingers: ZNF454"
    assert vertebrates["REST"] == "Factors with multiple dispersed zinc fingers: REST"
    assert vertebrates["SP1"] == vertebrates["KLF16"] == "Three-zinc finger Kruppel-related"


def test_families_rank_by_every_line_of_evidence(known):
    found = rank_families(known, **evidence(known))
    table = found.table
    assert list(table.columns) == FAMILY_COLUMNS
    # FOX: 500 of 500 seqlets (1.0), influence 0.3 of 0.9, screen 1.0 of 1.0; Ets: 0.2, 1.0, 0.5
    assert table["family"].tolist() == ["FOX", "Ets-related"] and table["rank"].tolist() == [1, 2]
    fox, ets = table.iloc[0], table.iloc[1]
    assert fox["score"] == pytest.approx((1 + 1 / 3 + 1) / 3, abs=1e-4)
    assert ets["score"] == pytest.approx((0.2 + 1 + 0.5) / 3, abs=1e-4)
    assert fox["modisco_seqlets"] == 500 and fox["modisco_patterns"] == 2 and fox["filters"] == 1
    assert fox["motifs"] == "FOXC1, Foxl2" and fox["lines"] == "modisco,filters,screen"
    assert ets["screen_motif"] == f"ELF4 ({known[3].id})" and ets["filter_influence"] == pytest.approx(0.9)
    # CTCF: only a match short of the null, a negative pattern, a stand-in filter and a screen effect
    # at q 0.3 point to it, and none of them counts
    assert not table["family"].str.startswith("More than 3 adjacent zinc fingers").any()
    assert found.summary["bound"]["top"] == ["FOX", "Ets-related"]


def test_a_line_that_found_nothing_has_no_say(known):
    lines = evidence(known)
    lines["filter_matches"] = lines["filter_matches"].assign(beyond_null=False)
    found = rank_families(known, **lines)
    assert found.summary["bound"]["lines"] == ["modisco", "screen"]
    assert found.table.iloc[0]["score"] == pytest.approx(1.0)
    nothing = rank_families(known, outputs=["bound"])
    assert nothing.table.empty and "no family has evidence" in nothing.summary["bound"]["answer"]


def test_the_known_motif_check_says_when_the_configured_motif_explains_little(known):
    scores = {"bound": {"metric": "auroc", "model": 0.91, "scan": 0.59}}
    found = rank_families(known, configured=["MA0641"], scores=scores, **evidence(known, screen_elf4=0.3))
    check = found.summary["bound"]["known"][0]
    assert check["family"] == "Ets-related" and check["family_rank"] == 2 and check["screen_effect"] == 0.3
    answer = found.summary["bound"]["answer"]
    assert answer.startswith("bound: the model relies mainly on FOX (FOXC1, Foxl2)")
    assert f"the configured motif ELF4 ({known[3].id}) (Ets-related) ranks 2nd of 2" in answer
    assert "scan auroc 0.59 vs the model's 0.91" in answer and answer.endswith("it explains little of what the "
                                                                               "model uses")
    own = rank_families(known, configured=["MA0032"], **evidence(known)).summary["bound"]["answer"]
    assert "the configured motif FOXC1" in own and "is of that family" in own and "explains little" not in own
    absent = rank_families(known, configured=["MA0139"], **evidence(known)).summary["bound"]
    assert absent["known"][0]["family_rank"] is None and "has no evidence" in absent["answer"]
    with pytest.raises(ValueError, match=r"configured motifs \['MA9999'\] are not among the 5 known motifs"):
        rank_families(known, configured=["MA9999"])
    assert motif_answer({"bound": found.summary["bound"]}) == answer + "; then Ets-related"


def test_held_out_scores_read_single_and_multi_output_metrics():
    single = {"task": "binary", "outputs": ["peak"], "models": {"cnn1d": {"auroc": 0.9}, "pwm_scan": {"auroc": 0.6}}}
    assert held_out_scores(single) == {"peak": {"metric": "auroc", "model": 0.9, "scan": 0.6}}
    multi = {"task": "regression", "outputs": ["a", "b"],
             "models": {"cnn1d": {"per_output": {"a": {"pearson": 0.5}, "b": {"pearson": 0.4}}}}}
    assert held_out_scores(json.loads(json.dumps(multi)), ["b"]) == {"b": {"metric": "pearson", "model": 0.4,
                                                                       "scan": None}}


def test_filters_count_with_their_influence_on_the_output_ranked(known):
    lines = evidence(known)
    # filter0 (SPIB) drives "bound" only, filter1 (FOXC1) "other" only
    table = pd.DataFrame({"filter": ["filter0", "filter1", "filter2"], "influence": [0.45, 0.15, 1.0],
                          "influence:bound": [0.9, 0.0, 1.0], "influence:other": [0.0, 0.3, 1.0]})
    found = rank_families(known, filter_table=table, outputs=["bound", "other"],
                          filter_matches=lines["filter_matches"]).table.set_index(["output", "family"])
    assert found.loc[("bound", "Ets-related"), "filter_influence"] == pytest.approx(0.9)
    assert found.loc[("other", "FOX"), "filter_influence"] == pytest.approx(0.3)
    assert ("bound", "FOX") not in found.index and ("other", "Ets-related") not in found.index


def test_a_large_pattern_no_family_claims_is_named_in_the_answer(known):
    lines = evidence(known)
    poly_a = Motif("bound_pos3", "bound_pos3", np.tile([0.97, 0.01, 0.01, 0.01], (12, 1)))
    lines["patterns"] = pd.concat([lines["patterns"], pd.DataFrame(
        [("bound_pos3", "bound", "modisco", 800)], columns=["motif_id", "output", "source", "n_seqlets"])])
    found = rank_families(known, pattern_motifs=[poly_a], **lines).summary["bound"]
    assert found["unmatched_patterns"][0] == {"pattern": "bound_pos3", "seqlets": 800, "consensus": "A" * 12}
    assert found["answer"].endswith("; the largest MoDISco pattern (AAAAAAAAAAAA, 800 seqlets) matches no known "
                                    "motif beyond the null")
    # smaller than the patterns a family claims (FOX: 500 seqlets): not worth a word
    lines["patterns"].loc[lines["patterns"]["motif_id"] == "bound_pos3", "n_seqlets"] = 50
    quiet = rank_families(known, pattern_motifs=[poly_a], **lines).summary["bound"]
    assert quiet["unmatched_patterns"][0]["seqlets"] == 50 and "largest MoDISco pattern" not in quiet["answer"]
