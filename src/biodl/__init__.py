"""biodl: deep learning for DNA sequences, time series and multi-omics.

The modules are small and import TensorFlow only where they train or predict:

- :mod:`biodl.io`, :mod:`biodl.sequence`, :mod:`biodl.targets`, :mod:`biodl.splits`,
  :mod:`biodl.datasets`: read, encode, label and split data;
- :mod:`biodl.simulate`: demo data; :mod:`biodl.motifs`: JASPAR matrices and PWM scans;
- :mod:`biodl.models`: Keras builders; :mod:`biodl.training`: the one ``fit``;
- :mod:`biodl.evaluate`, :mod:`biodl.baselines`: held-out metrics, plots, baselines;
- :mod:`biodl.timeseries`: series readers and Gramian angular field images;
- :mod:`biodl.omics`: omic tables, sample alignment and preprocessing;
- :mod:`biodl.interpret`: attributions, filter and MoDISco motifs, TOMTOM, logos.
"""

from biodl.io import InputError
from biodl.sequence import one_hot_encode, reverse_complement

__all__ = ["InputError", "one_hot_encode", "reverse_complement"]
__version__ = "0.1.0"
