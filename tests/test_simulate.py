import numpy as np
import pandas as pd
import pytest

from biodl.data.dna import one_hot_encode
from biodl.data.pwm import scan_max
from biodl.data.simulate import simulate_dna, simulate_genome, simulate_omics
from biodl.io.jaspar import fetch_jaspar
from biodl.io.variants import VariantFile, write_vcf


def test_simulated_sites_are_where_the_truth_table_says():
    ids, seqs, labels, truth = simulate_dna({"bg": [], "ctcf": ["MA0139"]}, n_per_class=30, length=80, seed=5)
    assert labels["class"].value_counts().to_dict() == {"bg": 30, "ctcf": 30}
    assert len(truth) == 30 and set(truth["class"]) == {"ctcf"}
    (ctcf,) = fetch_jaspar(["MA0139"])
    by_id = dict(zip(ids, seqs))
    site_scores = [scan_max(one_hot_encode([by_id[row.id][row.start:row.end]]), ctcf.pwm())[0]
                   for row in truth.itertuples()]
    assert np.median(site_scores) > 10  # planted sites score far above random 19-mers


def test_simulate_dna_refuses_what_cannot_be_made():
    with pytest.raises(ValueError, match="need at least two classes"):
        simulate_dna({"only": []})
    with pytest.raises(ValueError, match="do not fit"):
        simulate_dna({"bg": [], "ctcf": ["MA0139"]}, length=20, sites_per_sequence=2)


def test_simulated_genome_has_peaks_over_planted_sites(tmp_path):
    genome = simulate_genome(n_chromosomes=3, chromosome_length=30_000, n_peaks=40, decoy_fraction=0.25, seed=4)
    assert list(genome.chromosomes) == ["chr1", "chr2", "chr3"]
    assert {len(bases) for bases in genome.chromosomes.values()} == {30_000}
    assert genome.chromosomes["chr1"].count("N") == 1000
    assert len(genome.peaks) == 40 and genome.truth["in_peak"].sum() == 40 and len(genome.truth) == 50
    (ctcf,) = fetch_jaspar(["MA0139"])
    for site in genome.truth.itertuples():
        bases = genome.chromosomes[site.chrom][site.start:site.end]
        assert scan_max(one_hot_encode([bases]), ctcf.pwm())[0] > 5
    sites = genome.truth[genome.truth["in_peak"]].reset_index(drop=True)
    summits = genome.peaks["start"] + genome.peaks["summit"]
    assert ((sites["start"] < summits) & (summits < sites["end"])).all()  # each summit in its site
    genome.write(tmp_path / "g.fa", tmp_path / "p.narrowPeak", tmp_path / "t.tsv", tmp_path / "v.vcf",
                 tmp_path / "vt.tsv")
    assert len((tmp_path / "p.narrowPeak").read_text().splitlines()[0].split("\t")) == 10
    assert (tmp_path / "v.vcf").read_text().startswith("##fileformat=VCFv4.2\n##contig=<ID=chr1,length=30000>")
    with pytest.raises(ValueError, match="do not fit"):
        simulate_genome(n_chromosomes=2, chromosome_length=10_000, n_peaks=100)


def test_simulated_omics_share_subtypes_and_lack_some_omics(tmp_path):
    omics, labels = simulate_omics(n_per_subtype=20, n_subtypes=3, missing_fraction=0.2, seed=2)
    assert labels["subtype"].value_counts().tolist() == [20, 20, 20]
    assert len(omics["mrna"]) == 60  # the first omic is never missing
    assert len(omics["mirna"]) + len(omics["methylation"]) == 2 * 60 - 12
    assert omics["methylation"].to_numpy().min() > 0 and omics["methylation"].to_numpy().max() < 1
    simulated = simulate_omics(n_per_subtype=5, seed=2)
    simulated.write(tmp_path / "labels.tsv", **{name: tmp_path / f"{name}.tsv" for name in simulated.omics})
    back = pd.read_csv(tmp_path / "mrna.tsv", sep="\t", index_col=0)
    np.testing.assert_allclose(back.to_numpy(), simulated.omics["mrna"].to_numpy())
    with pytest.raises(ValueError, match=r"no path given for the simulated omics \['methylation'\]"):
        simulated.write(tmp_path / "labels.tsv", mrna=tmp_path / "m.tsv", mirna=tmp_path / "r.tsv")


def test_the_simulated_genome_plants_variants_that_break_its_sites(tmp_path):
    simulated = simulate_genome(motifs=["MA0139", "MA0138"], n_chromosomes=2, chromosome_length=20000, n_peaks=30,
                                variant_window=100)
    table = simulated.variants
    assert set(table["motif_name"]) == {"CTCF", "REST"} and table["breaks_site"].sum() >= 25
    sites = simulated.truth.loc[simulated.truth["in_peak"]]
    for row in table.itertuples():
        inside = ((sites["chrom"] == row.chrom) & (sites["start"] < row.pos) & (row.pos <= sites["end"])).any()
        assert inside == row.breaks_site
        assert simulated.chromosomes[row.chrom][row.pos - 1] == row.ref != row.alt
    write_vcf(tmp_path / "v.vcf.gz", table, {"chr1": 20000, "chr2": 20000})
    read = pd.concat(list(VariantFile(tmp_path / "v.vcf.gz")))
    assert read[["chrom", "pos", "ref", "alt"]].values.tolist() == table[["chrom", "pos", "ref", "alt"]].values.tolist()
