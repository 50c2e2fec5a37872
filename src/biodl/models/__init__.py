"""Keras 3 model builders; each returns an uncompiled ``keras.Model``."""
