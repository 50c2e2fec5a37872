"""Variants from a VCF (plain, gzip or bgzip) or a TSV of ``chrom pos ref alt``, read a
chunk of alleles at a time.

pysam reads VCFs: it wraps htslib, the reference implementation of the format (bgzip,
tabix-indexed and plain files, every corner of the header, read as bcftools reads them),
and it checks htslib's status on every record, so a malformed line raises instead of
coming back half parsed. cyvcf2 was the other candidate (faster iteration), but 0.35 hands
back a half-parsed record for a malformed line when the header declares no contigs, and
crashes the interpreter on reading its REF; a lab's hand-made VCF often has no contig
lines. A TSV is read by biodl itself.

Every record yields one row per alternative allele (multi-allelic records are split).
Alleles that are not DNA (symbolic ``<DEL>``, breakends, ``*``, a missing ``.``) are left
out, counted and listed with their line; a line that is not a record at all is refused with
its file and line number.
"""

from __future__ import annotations

import gzip
import logging
import re
import shutil
import tempfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from biodl.io.files import GZIP_ERRORS, InputError, PathLike, corrupt_gzip, open_text, require_file, text_output
from biodl.io.genome import compression

log = logging.getLogger(__name__)

COLUMNS = ["line", "id", "chrom", "pos", "ref", "alt"]
"""Columns of a chunk of variants: the file's line number, the record's id (``.`` when it
has none), chromosome, 1-based position, reference and alternative allele (upper case)."""

SKIP_REASONS = {
    "symbolic": "symbolic or structural alleles (<DEL>, breakends, *)",
    "no_alt": "records without an alternative allele (ALT '.')",
    "not_dna": "alleles with characters other than A, C, G, T, N",
    "ref_equals_alt": "alternative alleles equal to the reference",
}
"""Why an allele is left out before scoring, and how the log says it."""

_DNA = re.compile(r"^[ACGTN]+$")


def _header_lines(path: Path) -> tuple[int, str]:
    """How many lines start with ``#`` before the first record, and the first line."""
    count, first = 0, ""
    try:
        with open_text(path) as lines:
            for line in lines:
                if not first:
                    first = line
                if not line.startswith("#"):
                    break
                count += 1
    except GZIP_ERRORS as err:
        raise corrupt_gzip(path, err) from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: not a text file (a VCF, VCF.gz or TSV of chrom, pos, ref, alt)") from None
    return count, first


def _line_text(path: Path, number: int) -> str:
    with open_text(path) as lines:
        for k, line in enumerate(lines, start=1):
            if k == number:
                return line.rstrip("\n")
    return ""


def classify_allele(ref: str, alt: str) -> str | None:
    """Why ``alt`` cannot be scored against ``ref`` (a key of :data:`SKIP_REASONS`), or
    ``None`` when it can."""
    if alt in ("", "."):
        return "no_alt"
    if alt.startswith("<") or "[" in alt or "]" in alt or alt == "*":
        return "symbolic"
    if not _DNA.match(ref) or not _DNA.match(alt):
        return "not_dna"
    if ref == alt:
        return "ref_equals_alt"
    return None


@dataclass
class VariantFile:
    """Variants of one file, read a chunk of alleles at a time (iterate over it).

    Parameters
    ----------
    path
        A VCF (plain, gzip or bgzip; found by its ``##fileformat=VCF`` first line) or a TSV
        with columns ``chrom pos ref alt`` (1-based positions, as in a VCF), an optional
        ``id`` column, and an optional header line naming them.
    chunk_size
        Alleles per chunk.

    Attributes
    ----------
    skipped
        Counts per reason (:data:`SKIP_REASONS`) of the alleles left out so far.
    skipped_rows
        ``(line, id, chrom, pos, ref, alt, reason)`` of each allele left out.
    records, alleles
        Records read and alleles yielded so far.
    """

    path: PathLike
    chunk_size: int = 4096
    skipped: Counter = field(default_factory=Counter)
    skipped_rows: list = field(default_factory=list)
    records: int = 0
    alleles: int = 0

    def __post_init__(self):
        self.path = require_file(self.path, "variants file (VCF, VCF.gz or TSV)")
        if self.chunk_size < 1:
            raise ValueError(f"chunk_size must be at least 1, got {self.chunk_size}")
        self.header_lines, first = _header_lines(self.path)
        self._plain_copy = None
        self.format = "vcf" if first.startswith("##fileformat=VCF") else "tsv"

    def __iter__(self) -> Iterator[pd.DataFrame]:
        self.skipped, self.skipped_rows, self.records, self.alleles = Counter(), [], 0, 0
        rows = []
        for row in self._vcf_rows() if self.format == "vcf" else self._tsv_rows():
            line, record_id, chrom, pos, ref, alts = row
            self.records += 1
            for alt in alts:
                reason = classify_allele(ref, alt)
                if reason:
                    self.skipped[reason] += 1
                    self.skipped_rows.append((line, record_id, chrom, pos, ref, alt, reason))
                    continue
                rows.append((line, record_id, chrom, pos, ref, alt))
                if len(rows) == self.chunk_size:
                    yield self._chunk(rows)
                    rows = []
        if rows:
            yield self._chunk(rows)
        for reason, count in self.skipped.items():
            example = next(row for row in self.skipped_rows if row[-1] == reason)
            log.warning("%s: %d %s left out (e.g. line %d: %s %s %s>%s)", self.path, count, SKIP_REASONS[reason],
                        *example[:1], *example[2:6])

    def _chunk(self, rows: list) -> pd.DataFrame:
        self.alleles += len(rows)
        return pd.DataFrame(rows, columns=COLUMNS)

    def skipped_table(self) -> pd.DataFrame:
        """The alleles left out, one row each, with their line and reason."""
        return pd.DataFrame(self.skipped_rows, columns=[*COLUMNS, "reason"])

    def _readable_by_htslib(self) -> Path:
        """The file, or for plain gzip (htslib reads bgzip and plain text, not plain gzip) a
        decompressed copy made once and removed with this object."""
        if compression(self.path) != "gzip":
            return self.path
        if self._plain_copy is None:
            folder = tempfile.TemporaryDirectory()
            self._plain_copy = (folder, Path(folder.name) / "variants.vcf")
            try:
                with gzip.open(self.path, "rb") as packed, open(self._plain_copy[1], "wb") as plain:
                    shutil.copyfileobj(packed, plain, length=1 << 22)
            except GZIP_ERRORS as err:
                raise corrupt_gzip(self.path, err) from None
            log.info("%s is gzip, not bgzip: read from a decompressed copy (bgzip it to skip the copy)", self.path)
        return self._plain_copy[1]

    def _vcf_rows(self):
        import pysam

        pysam.set_verbosity(0)  # htslib's own messages: every fault it finds reaches us as an exception
        yield from self._records(pysam, self._readable_by_htslib())

    def _records(self, pysam, source: Path):
        try:
            reader = pysam.VariantFile(str(source))
        except (OSError, ValueError) as err:
            raise InputError(f"{self.path}: htslib cannot read it as a VCF ({err})") from None
        line = self.header_lines
        records = iter(reader)
        try:
            while True:
                line += 1
                try:
                    record = next(records)
                except StopIteration:
                    break
                except (OSError, ValueError) as err:
                    raise InputError(f"{self.path}:{line}: not a VCF record ({err}): "
                                     f"{_line_text(self.path, line)[:120]!r}") from None
                yield line, record.id or ".", record.chrom, int(record.pos), record.ref.upper(), \
                    [alt.upper() for alt in record.alts or (".",)]
        finally:
            reader.close()

    def _tsv_rows(self):
        try:
            with open_text(self.path) as lines:
                columns = None
                for number, text in enumerate(lines, start=1):
                    fields = text.rstrip("\r\n").split("\t")
                    if not text.strip() or text.startswith("##") or (columns is not None and text.startswith("#")):
                        continue
                    if columns is None:
                        columns = self._tsv_columns(fields, number)
                        if columns is not None:
                            continue
                        columns = {"chrom": 0, "pos": 1, "ref": 2, "alt": 3}
                    if len(fields) <= max(columns.values()):
                        raise InputError(f"{self.path}:{number}: expected the columns chrom, pos, ref, alt "
                                         f"(tab-separated), got {len(fields)} field(s): {text.rstrip()[:120]!r}")
                    pos = fields[columns["pos"]]
                    if not pos.isdigit() or int(pos) < 1:
                        raise InputError(f"{self.path}:{number}: position {pos!r} is not a positive integer "
                                         "(1-based, as in a VCF)")
                    yield (number, fields[columns["id"]] if "id" in columns else ".", fields[columns["chrom"]],
                           int(pos), fields[columns["ref"]].upper(),
                           [alt.upper() for alt in fields[columns["alt"]].split(",")])
        except GZIP_ERRORS as err:
            raise corrupt_gzip(self.path, err) from None

    def _tsv_columns(self, fields: list[str], number: int) -> dict[str, int] | None:
        """Column positions from a header line (``None``: the line is a record)."""
        names = [name.strip().lstrip("#").lower() for name in fields]
        if len(fields) > 1 and fields[1].strip().isdigit():
            return None
        required = ("chrom", "pos", "ref", "alt")
        missing = [name for name in required if name not in names]
        if missing:
            raise InputError(f"{self.path}:{number}: a header line without the column(s) {missing}; a variants "
                             "TSV has chrom, pos, ref, alt (and optionally id), or no header and those four columns")
        return {name: names.index(name) for name in (*required, "id") if name in names}


def write_vcf(path: PathLike, variants: pd.DataFrame, contigs: dict[str, int]) -> None:
    """Write ``variants`` (``chrom``, ``pos``, ``id``, ``ref``, ``alt``) as a VCF 4.2 with
    ``contigs`` (name -> length) in its header; gzip when ``path`` ends in ``.gz``."""
    with text_output(path) as handle:
        handle.write("##fileformat=VCFv4.2\n")
        handle.writelines(f"##contig=<ID={name},length={size}>\n" for name, size in contigs.items())
        handle.write("#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n")
        handle.writelines(f"{row.chrom}\t{row.pos}\t{row.id}\t{row.ref}\t{row.alt}\t.\t.\t.\n"
                          for row in variants.itertuples(index=False))
