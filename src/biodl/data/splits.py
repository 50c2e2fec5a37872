"""Train / validation / test splits: seeded and stratified, by chromosome, or given."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence

import numpy as np

log = logging.getLogger(__name__)

SPLITS = ("train", "val", "test")
SPLIT_METHODS = ("auto", "random", "chromosomes", "column")
SPLIT_SETTINGS = ("method", "val_fraction", "test_fraction", "test_chromosomes", "val_chromosomes")
"""The settings of :func:`assign_splits` a user chooses (``sequences.<name>.split``)."""
_GENOMIC_ID = re.compile(r"^(?:[^:]*::)?([^:\s]+):\d+-\d+")


def chromosome_of(ids: Sequence[str]) -> np.ndarray:
    """Chromosome names parsed from ids like ``chr7:100-201`` (suffixes such as ``_shuf`` allowed).

    Raises
    ------
    ValueError
        If an id does not look like ``chrN:start-end``, naming it and how many failed.
    """
    chroms = []
    bad = []
    for name in ids:
        match = _GENOMIC_ID.match(name)
        if match is None:
            bad.append(name)
            chroms.append("")
        else:
            chroms.append(match.group(1))
    if bad:
        raise ValueError(
            f"{len(bad)} of {len(ids)} ids do not look like 'chrN:start-end' (e.g. {bad[0]!r}); "
            "chromosome hold-out needs genomic ids, use split method 'random' instead"
        )
    return np.array(chroms)


def random_split(
    n: int,
    val_fraction: float,
    test_fraction: float,
    seed: int,
    strata: np.ndarray | None = None,
) -> np.ndarray:
    """Assign ``n`` items to train/val/test at random, stratified by ``strata`` if given.

    Within every stratum the items are shuffled with ``seed`` and cut by the fractions,
    so each class keeps its proportion in every split.
    """
    if not (0 <= val_fraction < 1 and 0 <= test_fraction < 1 and val_fraction + test_fraction < 1):
        raise ValueError(
            f"need fractions of at least 0 that sum to less than 1; got "
            f"val {val_fraction}, test {test_fraction}"
        )
    rng = np.random.default_rng(seed)
    strata = np.zeros(n, dtype=int) if strata is None else np.asarray(strata)
    split = np.empty(n, dtype=object)
    for value in np.unique(strata):
        members = rng.permutation(np.flatnonzero(strata == value))
        n_test = int(round(test_fraction * members.size))
        n_val = int(round(val_fraction * members.size))
        split[members[:n_test]] = "test"
        split[members[n_test:n_test + n_val]] = "val"
        split[members[n_test + n_val:]] = "train"
    for part, fraction in (("test", test_fraction), ("val", val_fraction)):
        if fraction > 0 and not np.any(split == part):
            _one_per_stratum(split, strata, part, int(round(fraction * n)), rng)
    return split.astype(str)


def _one_per_stratum(split: np.ndarray, strata: np.ndarray, part: str, wanted: int, rng) -> None:
    """Where every stratum is too small for its share of ``part`` (many classes of a few
    items each), move one training item of each of ``wanted`` strata, drawn at random among
    those with at least two training items, to ``part``; logged."""
    training = [np.flatnonzero((strata == value) & (split == "train")) for value in np.unique(strata)]
    eligible = [members for members in training if members.size >= 2]
    chosen = rng.permutation(len(eligible))[:wanted]
    for index in chosen:
        split[rng.choice(eligible[index])] = part
    if len(chosen):
        log.info("every class is too small for its share of %s: one item each of %d of %d classes is %s",
                 part, len(chosen), len(training), part)


def chromosome_split(
    ids: Sequence[str], test_chromosomes: Sequence[str], val_chromosomes: Sequence[str]
) -> np.ndarray:
    """Hold out whole chromosomes: ``test_chromosomes`` to test, ``val_chromosomes`` to val."""
    if not test_chromosomes:
        raise ValueError("chromosome split needs at least one test chromosome (split.test_chromosomes)")
    overlap = set(test_chromosomes) & set(val_chromosomes)
    if overlap:
        raise ValueError(f"chromosomes {sorted(overlap)} are listed for both test and val")
    chroms = chromosome_of(ids)
    split = np.full(len(ids), "train", dtype=object)
    split[np.isin(chroms, list(val_chromosomes))] = "val"
    split[np.isin(chroms, list(test_chromosomes))] = "test"
    return split.astype(str)


def check_given_split(values: Sequence[object], source: str) -> np.ndarray:
    """Validate a ``split`` column: every value must be train, val or test."""
    values = np.asarray([str(v).strip().lower() for v in values])
    bad = sorted(str(v) for v in set(values) - set(SPLITS))
    if bad:
        raise ValueError(f"{source}: split column has values {bad}; allowed are {list(SPLITS)}")
    return values


def assign_splits(
    ids: Sequence[str],
    *,
    method: str = "auto",
    given: Sequence[object] | None = None,
    strata: np.ndarray | None = None,
    val_fraction: float = 0.1,
    test_fraction: float = 0.2,
    test_chromosomes: Sequence[str] = (),
    val_chromosomes: Sequence[str] = (),
    seed: int = 1,
    source: str = "labels",
) -> np.ndarray:
    """Split items into train/val/test by one of :data:`SPLIT_METHODS`.

    ``auto`` uses the labels' ``split`` column when there is one, held-out chromosomes when
    test chromosomes are configured, and a seeded stratified random split otherwise. A
    ``split`` column without ``val`` rows (an official train/test split) gets ``val_fraction``
    of its training rows drawn as validation, stratified and seeded.

    Returns
    -------
    numpy.ndarray
        One of ``"train"``, ``"val"``, ``"test"`` per id.

    Raises
    ------
    ValueError
        On an unknown method, a missing or malformed split column, or a split that leaves
        train or test empty.
    """
    if method not in SPLIT_METHODS:
        raise ValueError(f"split method must be one of {SPLIT_METHODS}, got {method!r}")
    if method == "auto":
        method = "column" if given is not None else "chromosomes" if test_chromosomes else "random"
    if method == "column":
        if given is None:
            raise ValueError(f"{source}: split method 'column' needs a 'split' column")
        split = check_given_split(given, source)
        if not np.any(split == "val"):  # e.g. an official train/test split: validation comes from train
            train = np.flatnonzero(split == "train")
            strata_train = None if strata is None else np.asarray(strata)[train]
            split[train[random_split(train.size, val_fraction, 0.0, seed, strata_train) == "val"]] = "val"
    elif method == "chromosomes":
        split = chromosome_split(ids, test_chromosomes, val_chromosomes)
    else:
        split = random_split(len(ids), val_fraction, test_fraction, seed, strata)
    for required in ("train", "test"):
        if not np.any(split == required):
            raise ValueError(f"the {method} split left no {required} samples; adjust the split settings")
    return split


def split_settings(values: Mapping | None) -> dict:
    """``values`` as keyword arguments of :func:`assign_splits`, checked against
    :data:`SPLIT_SETTINGS`.

    Raises
    ------
    ValueError
        On an unknown key, listing the known ones.
    """
    values = dict(values or {})
    unknown = sorted(set(values) - set(SPLIT_SETTINGS))
    if unknown:
        raise ValueError(f"split: unknown settings {unknown}; known are {list(SPLIT_SETTINGS)}")
    return values


def cross_validation_splits(split: np.ndarray, y: np.ndarray, task: str, folds: int, seed: int) -> list[np.ndarray]:
    """``folds`` splits of the training and validation samples, each holding out one fold as
    ``val`` (stratified by class for a classifier whose every class has ``folds`` samples),
    the test samples left ``test``.

    Returns
    -------
    list of numpy.ndarray
        One ``split`` array (``train`` / ``val`` / ``test`` per sample) per fold.
    """
    from sklearn.model_selection import KFold, StratifiedKFold

    inside = np.flatnonzero(np.asarray(split) != "test")
    if folds < 2 or inside.size < folds:
        raise ValueError(f"cross-validation needs at least 2 folds and a sample per fold; got {folds} folds of "
                         f"{inside.size} training and validation samples")
    labels = None
    if task in ("binary", "multiclass"):
        labels = np.asarray(y)[inside].reshape(inside.size, -1)[:, 0]
        if np.bincount(labels.astype(int)).min(initial=inside.size) < folds:
            labels = None
    splitter = (StratifiedKFold if labels is not None else KFold)(folds, shuffle=True, random_state=seed)
    result = []
    for _, held_out in splitter.split(inside, labels):
        fold = np.where(np.asarray(split) == "test", "test", "train")
        fold[inside[held_out]] = "val"
        result.append(fold)
    return result
