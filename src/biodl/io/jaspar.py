"""Known motifs: the JASPAR database shipped by pyjaspar (offline), or a MEME file."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from biodl.data.dna import ALPHABET
from biodl.data.pwm import Motif
from biodl.io.files import PathLike
from biodl.io.meme import read_meme

DEFAULT_RELEASE = "JASPAR2024"


@lru_cache(maxsize=4)
def _jaspar(release: str):
    from pyjaspar import jaspardb

    available = jaspardb().get_releases()
    if release not in available:
        raise ValueError(f"JASPAR release {release!r} is not shipped with pyjaspar; choose one of {available}")
    return jaspardb(release=release)


def fetch_jaspar(motif_ids: Sequence[str], release: str = DEFAULT_RELEASE) -> list[Motif]:
    """Fetch motifs from the JASPAR database that pyjaspar ships (no network).

    Parameters
    ----------
    motif_ids
        Matrix ids, with version (``MA0139.2``) or without (``MA0139``: the latest version
        in ``release``).
    release
        A JASPAR release pyjaspar knows.

    Raises
    ------
    ValueError
        For an unknown release or a matrix id not in it.
    """
    db = _jaspar(release)
    motifs = []
    for motif_id in motif_ids:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            record = db.fetch_motif_by_id(motif_id)
        if record is None:
            raise ValueError(f"motif {motif_id!r} is not in {release}; check the matrix id")
        motifs.append(_from_jaspar(record))
    return motifs


def jaspar_database(
    release: str = DEFAULT_RELEASE, collection: str = "CORE", tax_group: str | None = "vertebrates"
) -> list[Motif]:
    """Every matrix of a JASPAR release / collection / taxon (``None`` or ``""``: every
    taxon), offline through pyjaspar.

    Raises
    ------
    ValueError
        If the selection is empty (e.g. a misspelt taxon).
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        records = _jaspar(release).fetch_motifs(collection=collection, tax_group=tax_group or None)
    if not records:
        raise ValueError(
            f"the JASPAR selection release={release!r}, collection={collection!r}, "
            f"tax_group={tax_group!r} holds no motifs; check the spelling (e.g. 'vertebrates')"
        )
    return [_from_jaspar(record) for record in records]


def motif_database(
    database: PathLike | None = None, release: str = DEFAULT_RELEASE, collection: str = "CORE",
    tax_group: str | None = "vertebrates",
) -> list[Motif]:
    """The known motifs learned motifs are compared with: the MEME file ``database`` when
    given, else the JASPAR selection (see :func:`jaspar_database`)."""

    if database:
        return read_meme(database)
    return jaspar_database(release, collection, tax_group)


def jaspar_family(record) -> str:
    """A JASPAR record's family: its ``tf_family`` annotation, else its ``tf_class`` (most of
    the fungal matrices have only a class, e.g. ``C6 zinc cluster factors``), else ``""``.
    A heterodimer's two annotations are joined with ``::`` in alphabetical order, so that
    ETV5::FOXI1 and FOXO1::FLI1 are one ``Ets-related::FOX`` answer."""
    for annotation in (record.tf_family, record.tf_class):
        if annotation:
            return "::".join(sorted(set(annotation)))
    return ""


def _from_jaspar(record) -> Motif:
    counts = np.array([record.counts[base] for base in ALPHABET], dtype=float).T
    return Motif(record.matrix_id, record.name, counts / counts.sum(axis=1, keepdims=True), jaspar_family(record))
