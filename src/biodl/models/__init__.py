"""Keras 3 model builders; each returns an uncompiled ``keras.Model``.

The supervised builders are called as ``builder(input_shape, n_outputs, task, **settings)``
and their signatures hold the defaults the workflow uses:

- :func:`build_cnn1d`: the DNA model (``cnn1d``);
- :func:`build_fcn`: the fully convolutional network for raw series (``fcn``);
- :func:`build_resnet1d`: the residual network for raw series (``resnet1d``);
- :func:`build_cnn2d`: the CNN on Gramian angular field images (``gaf_cnn``);
- :func:`build_lstm`: the recurrent baseline for raw series (``lstm``);
- :func:`build_gaf_fusion`: the GAF images and the raw series in two branches joined
  before the head (``gaf_fusion``).

The multi-omics autoencoders are in :mod:`biodl.models.autoencoder` (imports TensorFlow).
"""

from biodl.models.cnn1d import build_cnn1d, build_fcn, build_resnet1d
from biodl.models.cnn2d import build_cnn2d
from biodl.models.fusion import build_gaf_fusion
from biodl.models.rnn import build_lstm

__all__ = ["build_cnn1d", "build_cnn2d", "build_fcn", "build_gaf_fusion", "build_lstm", "build_resnet1d"]
