"""Keras 3 model builders; each returns an uncompiled ``keras.Model``.

:data:`BUILDERS` maps the architecture names used in configs and on the command line to
their builder, each called as ``builder(input_shape, n_outputs, task, **settings)``.
"""

from biodl.models.cnn1d import build_cnn1d
from biodl.models.cnn2d import build_cnn2d
from biodl.models.rnn import build_lstm

BUILDERS = {"cnn1d": build_cnn1d, "cnn2d": build_cnn2d, "lstm": build_lstm}

__all__ = ["BUILDERS", "build_cnn1d", "build_cnn2d", "build_lstm"]
