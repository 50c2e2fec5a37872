"""Write variants with known answers for a genome and its regions: an SNV at the core of every
FIMO site of the given JASPAR motifs in the regions, plus random SNVs in the regions
(biodl.interpret.variant_effects.known_answer_variants). Give the VCF as a dataset's
``variants.path``; ``score_variants(..., truth=<the TSV>)`` then reports how well each model's
``|score|`` tells the site cores from the random SNVs.

    python tools/known_answer_variants.py GENOME REGIONS OUT_PREFIX --motifs MA0363 MA0265 --random 10000

writes OUT_PREFIX.vcf.gz and OUT_PREFIX.tsv (the answers).
"""

import argparse

from biodl.interpret.variant_effects import known_answer_variants
from biodl.io.files import write_table
from biodl.io.genome import Genome, index_genome
from biodl.io.intervals import read_regions
from biodl.io.jaspar import fetch_jaspar
from biodl.io.variants import write_vcf


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("genome", help="FASTA (plain, gzip or bgzip; gzip is indexed into a copy beside OUT_PREFIX)")
    parser.add_argument("regions", help="BED or narrowPeak")
    parser.add_argument("out_prefix")
    parser.add_argument("--motifs", nargs="+", required=True, help="JASPAR matrix ids")
    parser.add_argument("--random", type=int, default=10_000, help="random SNVs in the regions")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    indexed = index_genome(args.genome, f"{args.out_prefix}.genome.fa")
    with Genome(indexed) as genome:
        found = known_answer_variants(genome, read_regions(args.regions), fetch_jaspar(args.motifs),
                                      n_random=args.random, seed=args.seed)
        write_vcf(f"{args.out_prefix}.vcf.gz", found, genome.chrom_sizes)
    write_table(f"{args.out_prefix}.tsv", found, index=False)
    cores = found.loc[found["breaks_site"], "motif_name"].value_counts().to_dict()
    print(f"site cores {cores}, {(~found['breaks_site']).sum()} random SNVs -> {args.out_prefix}.vcf.gz")


if __name__ == "__main__":
    main()
