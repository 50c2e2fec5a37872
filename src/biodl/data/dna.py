"""DNA as strings and one-hot arrays: encoding, padding and trimming, reverse
complements, dinucleotide shuffles (numba), and the one-hot check attribution methods need.

The encoder is one numba kernel over the bytes of all sequences joined together (in chunks
of about 4 Mbp, so the joined text stays in cache); it pads or centre-trims every record to
a common length while it encodes, so no intermediate per-sequence arrays are made.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numba
import numpy as np

log = logging.getLogger(__name__)

ALPHABET = "ACGT"
MAX_AUTO_LENGTH = 2000
AMBIGUITY_POLICIES = ("zeros", "fractional")

# IUPAC ambiguity codes and the bases each stands for.
IUPAC_CODES: dict[str, str] = {
    "R": "AG", "Y": "CT", "S": "CG", "W": "AT", "K": "GT", "M": "AC",
    "B": "CGT", "D": "AGT", "H": "ACT", "V": "ACG", "N": "ACGT",
}
_COMPLEMENT = str.maketrans(
    "ACGTRYSWKMBDHVNacgtryswkmbdhvn", "TGCAYRSWMKVHDBNtgcayrswmkvhdbn"
)
_INVALID = 255
_CHUNK_BP = 1 << 22
# Set in the table entry of every byte that is neither a base nor an IUPAC code, and in
# no valid entry, so the kernel detects invalid input by OR-ing the entries it writes.
_INVALID_MARK = 0x80


def _lookup_tables() -> tuple[np.ndarray, np.ndarray]:
    """Byte -> code table and code -> fractional base row.

    Codes 0-3 are the bases, 4 onwards the IUPAC ambiguity codes, then one all-zero row
    used for padding; 255 marks an invalid byte.
    """
    lut = np.full(256, _INVALID, dtype=np.uint8)
    rows = np.zeros((4 + len(IUPAC_CODES) + 1, 4), dtype=np.float32)
    for code, base in enumerate(ALPHABET):
        lut[ord(base)] = lut[ord(base.lower())] = code
        rows[code, code] = 1.0
    for offset, (symbol, bases) in enumerate(IUPAC_CODES.items()):
        code = 4 + offset
        lut[ord(symbol)] = lut[ord(symbol.lower())] = code
        for base in bases:
            rows[code, ALPHABET.index(base)] = 1.0 / len(bases)
    return lut, rows


_LUT, _FRACTION_ROWS = _lookup_tables()
_PAD_CODE = np.uint8(_FRACTION_ROWS.shape[0] - 1)
_IS_INVALID = (_LUT == _INVALID).astype(np.uint8)
# The uint8 encoding writes each position as one little-endian 32-bit word (its 4 bytes
# at once), straight from the input byte; ambiguity codes and padding give the zero word.
_BYTE_TO_WORD = np.zeros(256, dtype=np.uint32)
for _code, _word in enumerate((1, 1 << 8, 1 << 16, 1 << 24)):
    _BYTE_TO_WORD[_LUT == _code] = _word
del _code, _word
_BYTE_TO_WORD[_LUT == _INVALID] = _INVALID_MARK
_BYTE_TO_CODE = np.where(_LUT == _INVALID, _INVALID_MARK, _LUT).astype(np.uint8)


@numba.njit(parallel=True, cache=True, nogil=True)
def _translate_kernel(buffer, starts, lengths, table, pad_value, is_invalid, out,
                      first_invalid):
    """Write ``out[i, p] = table[byte]`` for every record ``i`` of the joined ``buffer``.

    Records longer than ``out.shape[1]`` are centre-trimmed, shorter ones centre-padded
    with ``pad_value``. ``first_invalid[i]`` receives the 0-based position of the first
    byte of record ``i`` flagged by ``is_invalid``, the trimmed flanks included.
    """
    length = out.shape[1]
    for i in numba.prange(starts.shape[0]):
        start = starts[i]
        n = lengths[i]
        if n >= length:
            src, dst, count = start + (n - length) // 2, 0, length
        else:
            src, dst, count = start, (length - n) // 2, n
        row = out[i]
        row[:dst] = pad_value
        row[dst + count:] = pad_value
        # loops over slices with 0-based indices, which LLVM compiles without the checks
        # for negative indices that offset indices need: about twice as fast
        text = buffer[src:src + count]
        body = row[dst:dst + count]
        seen = table[0] & 0
        for j in range(count):
            entry = table[text[j]]
            seen |= entry
            body[j] = entry
        if seen & _INVALID_MARK or n > length:
            for j in range(n):
                if is_invalid[buffer[start + j]]:
                    first_invalid[i] = j
                    break


def _translate(seqs, lengths, table, pad_value, out, first_invalid, chunk_bp=_CHUNK_BP) -> None:
    """Run :func:`_translate_kernel` over chunks of about ``chunk_bp`` bases, so the joined
    text of each chunk stays in cache while it is encoded."""
    ends = np.cumsum(lengths)
    i = 0
    while i < len(seqs):
        j = max(i + 1, int(np.searchsorted(ends, ends[i] - lengths[i] + chunk_bp, side="right")))
        # non-ASCII characters become one '?' each, so positions stay right and the kernel
        # reports them as invalid
        buffer = np.frombuffer("".join(seqs[i:j]).encode("ascii", errors="replace"), dtype=np.uint8)
        starts = np.zeros(j - i, dtype=np.int64)
        np.cumsum(lengths[i:j - 1], out=starts[1:])
        _translate_kernel(buffer, starts, lengths[i:j], table, pad_value, _IS_INVALID, out[i:j],
                          first_invalid[i:j])
        i = j


def resolve_length(lengths: np.ndarray, length: int | None) -> int:
    """Return the common length to encode to.

    Parameters
    ----------
    lengths
        Length of every sequence.
    length
        The configured length, or ``None`` for the longest sequence when it is at most
        ``MAX_AUTO_LENGTH`` bp.

    Raises
    ------
    ValueError
        If ``length`` is not positive, or is ``None`` and a sequence is longer than
        ``MAX_AUTO_LENGTH``.
    """
    if length is not None:
        if int(length) <= 0:
            raise ValueError(f"length must be a positive number of bp, got {length}")
        return int(length)
    longest = int(lengths.max()) if lengths.size else 0
    if longest > MAX_AUTO_LENGTH:
        raise ValueError(
            f"the longest sequence is {longest} bp, over the {MAX_AUTO_LENGTH} bp that biodl "
            "pads to automatically; set a length (config: sequences.<name>.length) "
            "to centre-trim or pad every sequence to it"
        )
    if longest == 0:
        raise ValueError("all sequences are empty; nothing to encode")
    log.info("sequence length %d bp: the longest sequence (shorter ones are padded; set length to choose)", longest)
    return longest


def one_hot_encode(
    sequences: str | Sequence[str],
    length: int | None = None,
    ambiguous: str = "zeros",
    ids: Sequence[str] | None = None,
) -> np.ndarray:
    """One-hot encode DNA sequences in A, C, G, T order.

    Parameters
    ----------
    sequences
        One sequence or a sequence of them; upper or lower case.
    length
        Pad (centred, with zeros) or centre-trim every sequence to this length. ``None``
        uses the longest sequence, if it is at most 2 kb.
    ambiguous
        How ``N`` and the other IUPAC ambiguity codes are encoded: ``"zeros"`` (an all-zero
        column; output ``uint8``) or ``"fractional"`` (the bases a code stands for share 1,
        e.g. R -> A 0.5, G 0.5; output ``float32``).
    ids
        Record names used in error messages; defaults to 0-based indices.

    Returns
    -------
    numpy.ndarray
        ``(N, length, 4)`` array, ``uint8`` or ``float32`` as ``ambiguous`` says; ``(length,
        4)`` when a single string was given.

    Notes
    -----
    Encoding runs on numba's threads (``NUMBA_NUM_THREADS`` or ``numba.set_num_threads``).

    Raises
    ------
    ValueError
        On a character that is neither a base nor an IUPAC code, naming the record and
        the 1-based position; on an unknown policy or an unusable length.
    """
    if ambiguous not in AMBIGUITY_POLICIES:
        raise ValueError(f"ambiguous must be one of {AMBIGUITY_POLICIES}, got {ambiguous!r}")
    single = isinstance(sequences, str)
    seqs = [sequences] if single else list(sequences)
    if ids is not None and len(ids) != len(seqs):
        raise ValueError(f"got {len(ids)} ids for {len(seqs)} sequences")
    lengths = np.fromiter(map(len, seqs), dtype=np.int64, count=len(seqs))
    target = resolve_length(lengths, length)
    first_invalid = np.full(len(seqs), -1, dtype=np.int64)
    if ambiguous == "fractional":
        out = np.empty((len(seqs), target), dtype=np.uint8)
        _translate(seqs, lengths, _BYTE_TO_CODE, _PAD_CODE, out, first_invalid)
    else:
        out = np.empty((len(seqs), target, 4), dtype=np.uint8)
        _translate(seqs, lengths, _BYTE_TO_WORD, np.uint32(0), out.view("<u4")[..., 0], first_invalid)
    bad = np.flatnonzero(first_invalid >= 0)
    if bad.size:
        i = int(bad[0])
        pos = int(first_invalid[i])
        name = ids[i] if ids is not None else f"#{i}"
        raise ValueError(
            f"sequence {name!r}: invalid character {seqs[i][pos]!r} at position {pos + 1}; "
            f"expected A, C, G, T or an IUPAC code ({''.join(IUPAC_CODES)}), any case"
            + (f" ({bad.size} sequences have invalid characters)" if bad.size > 1 else "")
        )
    if ambiguous == "fractional":
        out = _FRACTION_ROWS[out]
    return out[0] if single else out


_CODE_WORDS = np.where(_BYTE_TO_WORD == _INVALID_MARK, 0, _BYTE_TO_WORD).astype("<u4")


def one_hot_codes(codes: np.ndarray) -> np.ndarray:
    """One-hot ``uint8`` rows (A, C, G, T) of ASCII byte codes of any shape (a genome's bases
    as :meth:`biodl.io.genome.Genome.chromosome` gives them): shape ``codes.shape + (4,)``;
    N, IUPAC codes and any other byte give an all-zero row."""
    codes = np.asarray(codes, dtype=np.uint8)
    return _CODE_WORDS[codes].view(np.uint8).reshape(*codes.shape, 4)


def reverse_complement(x: str | np.ndarray) -> str | np.ndarray:
    """Reverse complement a DNA string or one-hot array.

    Parameters
    ----------
    x
        A string (IUPAC codes and case kept) or a one-hot array whose last two axes are
        (position, base) in A, C, G, T order.

    Returns
    -------
    str or numpy.ndarray
        Same type and shape as ``x``.
    """
    if isinstance(x, str):
        return x.translate(_COMPLEMENT)[::-1]
    x = np.asarray(x)
    if x.ndim < 2 or x.shape[-1] != 4:
        raise ValueError(f"expected a one-hot array with 4 channels last, got shape {x.shape}")
    return x[..., ::-1, ::-1]


def decode(x: np.ndarray) -> str | list[str]:
    """Turn one-hot arrays back into strings; an all-zero or fractional column gives ``N``."""
    x = np.asarray(x)
    single = x.ndim == 2
    x = x[None] if single else x
    letters = np.array(list(ALPHABET + "N"))
    idx = np.where(x.max(axis=-1) == 1, x.argmax(axis=-1), 4)
    out = ["".join(row) for row in letters[idx]]
    return out[0] if single else out


def check_one_hot(x: np.ndarray, what: str = "input") -> np.ndarray:
    """Return the indices of the sequences in ``(N, L, 4)`` ``x`` that are not one-hot.

    One-hot means every value is 0 or 1 and every position has at most one 1 (an all-zero
    position is an ``N`` or padding). Fractional rows (``ambiguous: fractional``) fail.

    Raises
    ------
    ValueError
        If ``x`` is not ``(N, L, 4)``.
    """
    x = np.asarray(x)
    if x.ndim != 3 or x.shape[-1] != 4:
        raise ValueError(f"{what}: expected one-hot sequences of shape (N, length, 4), got {x.shape}")
    binary = ((x == 0) | (x == 1)).all(axis=(1, 2))
    at_most_one = (x.sum(axis=-1) <= 1).all(axis=1)
    return np.flatnonzero(~(binary & at_most_one))


def dinucleotide_shuffles(x: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` shuffles of each one-hot sequence keeping its dinucleotide counts.

    Each shuffle is a random Eulerian path through the sequence's dinucleotide graph
    (Altschul-Erickson): the last outgoing edge of every base is chosen by a random
    arborescence into the final base, the others are shuffled; the first and last base stay.
    All-zero positions (N, padding) stay all-zero at their place; for the graph they count as
    A. One numba kernel makes every shuffle (about a microsecond per base).

    Parameters
    ----------
    x
        ``(L, 4)`` or ``(N, L, 4)`` one-hot sequences.
    n
        Shuffles per sequence.
    rng
        Seeds the shuffles: the same generator state gives the same shuffles.

    Returns
    -------
    numpy.ndarray
        float32 ``(n, L, 4)`` for one sequence, ``(N, n, L, 4)`` for several.
    """
    x = np.asarray(x)
    single = x.ndim == 2
    x = x[None] if single else x
    if x.ndim != 3 or x.shape[-1] != 4:
        raise ValueError(f"expected one-hot sequences of shape (N, L, 4), got {x.shape}")
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    codes = x.argmax(axis=-1).astype(np.int8)
    seeds = rng.integers(0, 2**31 - 1, size=(len(x), n))
    shuffled = np.empty((len(x), n, x.shape[1]), dtype=np.int8)
    _shuffle_kernel(codes, seeds, shuffled)
    out = np.eye(4, dtype=np.float32)[shuffled] * (x.sum(axis=-1) > 0)[:, None, :, None]
    return out[0] if single else out


@numba.njit(cache=True, nogil=True)
def _shuffle_kernel(codes, seeds, out) -> None:
    n_seqs, n, length = out.shape
    successors = np.empty((4, max(length, 1)), dtype=np.int8)
    counts = np.zeros(4, dtype=np.int64)
    final = np.zeros(4, dtype=np.int64)
    taken = np.zeros(4, dtype=np.int64)
    for i in range(n_seqs):
        seq = codes[i]
        for k in range(n):
            np.random.seed(seeds[i, k])
            if length < 3:
                out[i, k, :] = seq
                continue
            counts[:] = 0
            for j in range(length - 1):
                a = seq[j]
                successors[a, counts[a]] = seq[j + 1]
                counts[a] += 1
            last = seq[length - 1]
            while True:  # a random arborescence into the last base: each base's final exit
                for b in range(4):
                    final[b] = np.random.randint(0, counts[b]) if b != last and counts[b] > 0 else -1
                reaches = True
                for b in range(4):
                    if final[b] < 0:
                        continue
                    node, steps = b, 0
                    while node != last and steps < 5:
                        node = successors[node, final[node]] if final[node] >= 0 else -1
                        steps += 1
                        if node < 0:
                            break
                    if node != last:
                        reaches = False
                        break
                if reaches:
                    break
            for b in range(4):
                m = counts[b]
                if final[b] >= 0:  # the final exit goes last; the others are shuffled before it
                    exit_base = successors[b, final[b]]
                    successors[b, final[b]] = successors[b, m - 1]
                    successors[b, m - 1] = exit_base
                    m -= 1
                for j in range(m - 1, 0, -1):
                    r = np.random.randint(0, j + 1)
                    held = successors[b, j]
                    successors[b, j] = successors[b, r]
                    successors[b, r] = held
            taken[:] = 0
            out[i, k, 0] = seq[0]
            for j in range(1, length):
                previous = out[i, k, j - 1]
                out[i, k, j] = successors[previous, taken[previous]]
                taken[previous] += 1


def one_hot_input(x: np.ndarray) -> np.ndarray:
    """``x`` as float32 after checking it is one-hot."""
    bad = check_one_hot(x, "attribution input")
    if bad.size:
        raise ValueError(
            f"attributions need one-hot sequences (0/1, at most one base per position); {bad.size} of "
            f"{len(x)} are not, e.g. sequence #{bad[0]} (fractional N or IUPAC bases from ambiguous: fractional?)"
        )
    return np.asarray(x, dtype=np.float32)
