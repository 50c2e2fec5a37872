"""biodl: deep learning for DNA sequences, time series and multi-omics.

Each data type has one module whose functions are the workflow's steps, with the
workflow's defaults (a notebook calling them gets what a rule computes):

- :mod:`biodl.sequences`: FASTA + labels -> one-hot -> the 1D CNN ``cnn1d`` -> test metrics
  beside a PWM scan;
- :mod:`biodl.timeseries`: series -> Gramian angular field images -> 2D CNN, beside the FCN,
  an LSTM and 1-NN;
- :mod:`biodl.omics`: omic tables -> autoencoders / VAEs -> embeddings beside PCA.

Beneath them, one package per layer, each importing only those above it in this list:
:mod:`biodl.io` (readers and atomic writers), :mod:`biodl.data` (one-hot encoding, motif
matrices, windows on a genome, GAF images, targets, splits, datasets, demo data),
:mod:`biodl.models` (Keras builders), :mod:`biodl.training` (the one ``fit``, the search,
transfer), :mod:`biodl.evaluation` (metrics, baselines, plots, the summary) and
:mod:`biodl.interpret` (attributions, filter motifs, TF-MoDISco, TOMTOM, FIMO). The
workflow's configuration is :mod:`biodl.config`; the workflow's steps and ``biodl <command>``
are :mod:`biodl.steps`. TensorFlow is imported only where a model is built, trained or run.
"""

from importlib.metadata import PackageNotFoundError, version

from biodl.data.dna import one_hot_encode, reverse_complement
from biodl.io import InputError

try:
    __version__ = version("biodl")
except PackageNotFoundError:  # imported from a source tree that was never installed
    __version__ = "unknown"

__all__ = ["InputError", "__version__", "one_hot_encode", "reverse_complement"]
