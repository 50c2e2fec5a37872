"""Multi-omics autoencoders and variational autoencoders.

One model class covers the four combinations of {AE, VAE} x {early, joint} integration:

- early: the omics are concatenated (a missing omic is zeros) into one encoder;
- joint: one encoder per omic; the per-omic latents are fused by a product of experts (VAE,
  with a standard-normal prior expert) or a mean (AE) over the omics a sample has, so a
  sample with a missing omic still gets a latent.

Each omic has its own decoder and reconstruction loss (Gaussian: squared error, or
Bernoulli: cross-entropy for [0, 1] data), weighted and masked so a missing omic adds no
loss. The VAE adds ``beta`` x KL with a linear warm-up. An optional classifier on the
latent mean is trained jointly. The embedding of a sample is its latent mean.
"""

from __future__ import annotations

from collections.abc import Sequence

import keras
import tensorflow as tf

INTEGRATIONS = ("early", "joint")
LIKELIHOODS = ("gaussian", "bernoulli")
DEFAULT_LIKELIHOOD = "gaussian"
DEFAULT_LOSS_WEIGHT = 1.0


def _mlp(widths: Sequence[int], dropout: float, batch_norm: bool, name: str) -> keras.Sequential:
    """Dense ReLU layers; no widths gives the identity, so encoder and decoder are linear."""
    layers = [] if widths else [keras.layers.Identity(name=f"{name}_identity")]
    for i, width in enumerate(widths):
        layers.append(keras.layers.Dense(width, activation="relu", name=f"{name}_dense{i}"))
        if batch_norm:
            layers.append(keras.layers.BatchNormalization(name=f"{name}_bn{i}"))
        if dropout:
            layers.append(keras.layers.Dropout(dropout, name=f"{name}_dropout{i}"))
    return keras.Sequential(layers, name=name)


@keras.saving.register_keras_serializable(package="biodl")
class MultiOmicsAutoencoder(keras.Model):
    """AE / VAE over several omics; inputs are a dict of ``(batch, features)`` arrays, one per
    omic, plus ``"mask"``: ``(batch, n_omics)`` with 1 where the sample has that omic.

    Parameters
    ----------
    input_dims
        Omic name -> number of features, in a fixed order (the mask's columns).
    latent_dim, hidden, dropout, batch_norm
        Latent size and encoder widths (decoders mirror them).
    variational
        VAE (reparameterisation, KL) or plain AE.
    integration
        ``early`` or ``joint`` (see the module docstring).
    likelihoods, loss_weights
        Per omic: ``gaussian`` (the default) or ``bernoulli``, and the weight of its
        reconstruction loss (default 1).
    beta, warmup_steps
        KL weight, reached linearly over ``warmup_steps`` optimiser steps.
    n_classes, classifier_weight
        A softmax head on the latent mean trained with this weight (0 classes: none).
    """

    computes_own_loss = True

    def __init__(self, input_dims: dict, latent_dim: int = 10, hidden: Sequence[int] = (128,),
                 dropout: float = 0.1, input_dropout: float = 0.0, batch_norm: bool = False,
                 variational: bool = True,
                 integration: str = "joint", likelihoods: dict | None = None,
                 loss_weights: dict | None = None, beta: float = 1.0, warmup_steps: int = 200,
                 n_classes: int = 0, classifier_weight: float = 1.0, **kwargs):
        super().__init__(**kwargs)
        if integration not in INTEGRATIONS:
            raise ValueError(f"integration must be one of {INTEGRATIONS}, got {integration!r}")
        self.input_dims = {str(k): int(v) for k, v in input_dims.items()}
        self.omics = list(self.input_dims)
        self.likelihoods = {k: (likelihoods or {}).get(k, DEFAULT_LIKELIHOOD) for k in self.omics}
        bad = {k: v for k, v in self.likelihoods.items() if v not in LIKELIHOODS}
        if bad:
            raise ValueError(f"likelihoods must be {LIKELIHOODS}; got {bad}")
        self.loss_weights = {k: float((loss_weights or {}).get(k, DEFAULT_LOSS_WEIGHT)) for k in self.omics}
        self.settings = dict(latent_dim=int(latent_dim), hidden=list(hidden), dropout=float(dropout),
                             input_dropout=float(input_dropout), batch_norm=bool(batch_norm),
                             variational=bool(variational),
                             integration=integration, beta=float(beta), warmup_steps=int(warmup_steps),
                             n_classes=int(n_classes), classifier_weight=float(classifier_weight))
        s = self.settings
        out = 2 * s["latent_dim"] if s["variational"] else s["latent_dim"]
        encoder_names = ["all"] if integration == "early" else self.omics
        self.input_dropout = keras.layers.Dropout(s["input_dropout"], name="input_dropout")
        self.encoders = {k: _mlp(s["hidden"], s["dropout"], s["batch_norm"], f"encoder_{k}") for k in encoder_names}
        self.encoder_heads = {k: keras.layers.Dense(out, name=f"latent_{k}") for k in encoder_names}
        self.decoders = {k: _mlp(s["hidden"][::-1], s["dropout"], s["batch_norm"], f"decoder_{k}") for k in self.omics}
        self.decoder_heads = {k: keras.layers.Dense(d, name=f"reconstruct_{k}") for k, d in self.input_dims.items()}
        self.classifier = (keras.layers.Dense(s["n_classes"], activation="softmax", name="classifier")
                           if s["n_classes"] else None)
        self.sampler = keras.random.SeedGenerator(0)
        names = ["loss", *[f"rec_{k}" for k in self.omics]]
        names += ["kl"] if s["variational"] else []
        names += ["classification"] if s["n_classes"] else []
        self.trackers = {name: keras.metrics.Mean(name=name) for name in names}

    @property
    def metrics(self):
        return list(self.trackers.values())

    def get_config(self):
        return {**super().get_config(), "input_dims": self.input_dims, "likelihoods": self.likelihoods,
                "loss_weights": self.loss_weights, **self.settings}

    def build(self, input_shape=None):
        if self.built:
            return
        dummy = {k: tf.zeros((1, d)) for k, d in self.input_dims.items()}
        dummy["mask"] = tf.ones((1, len(self.omics)))
        self._forward(dummy, training=False)
        super().build(input_shape)

    def encode(self, inputs, training=False):
        """Latent mean and log-variance (zeros for an AE) of every sample."""
        s = self.settings
        mask = tf.cast(inputs["mask"], tf.float32)
        latent = s["latent_dim"]
        if s["integration"] == "early":
            joined = tf.concat([inputs[k] * mask[:, i:i + 1] for i, k in enumerate(self.omics)], axis=-1)
            joined = self.input_dropout(joined, training=training)
            params = self.encoder_heads["all"](self.encoders["all"](joined, training=training))
            if s["variational"]:
                return params[:, :latent], params[:, latent:]
            return params, tf.zeros_like(params)
        means, precisions = [], []
        for i, k in enumerate(self.omics):
            features = self.input_dropout(inputs[k], training=training)
            params = self.encoder_heads[k](self.encoders[k](features, training=training))
            weight = mask[:, i:i + 1]
            if s["variational"]:
                mu, logvar = params[:, :latent], tf.clip_by_value(params[:, latent:], -10.0, 10.0)
                precision = weight * tf.exp(-logvar)
            else:
                mu, precision = params, weight * tf.ones_like(params)
            means.append(mu * precision)
            precisions.append(precision)
        total = tf.add_n(precisions)
        if s["variational"]:  # product of experts with a N(0, 1) prior expert
            total = total + 1.0
            return tf.add_n(means) / total, -tf.math.log(total)
        mean = tf.add_n(means) / tf.maximum(total, 1.0)  # mean of the experts present
        return mean, tf.zeros_like(mean)

    def _forward(self, inputs, training):
        mu, logvar = self.encode(inputs, training=training)
        z = mu
        if self.settings["variational"] and training:
            z = mu + tf.exp(0.5 * logvar) * keras.random.normal(tf.shape(mu), seed=self.sampler)
        reconstructions = {k: self.decoder_heads[k](self.decoders[k](z, training=training)) for k in self.omics}
        probabilities = self.classifier(mu) if self.classifier is not None else None
        return mu, logvar, reconstructions, probabilities

    def call(self, inputs, training=False):
        """The embedding: the latent mean."""
        return self.encode(inputs, training=training)[0]

    def reconstruction_errors(self, inputs) -> dict:
        """Per omic: reconstruction loss of each sample (mean over features), from the latent
        mean; the caller masks samples that lack the omic."""
        return {k: v.numpy() for k, v in self._errors(inputs, self._forward(inputs, training=False)[2]).items()}

    def _errors(self, inputs, reconstructions):
        errors = {}
        for k in self.omics:
            target = tf.cast(inputs[k], tf.float32)
            if self.likelihoods[k] == "bernoulli":
                errors[k] = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(
                    labels=tf.clip_by_value(target, 0.0, 1.0), logits=reconstructions[k]), axis=-1)
            else:
                errors[k] = tf.reduce_mean(tf.square(target - reconstructions[k]), axis=-1)
        return errors

    def _loss_terms(self, data, training):
        inputs, labels = (data if isinstance(data, tuple) else (data, None))[:2]
        mu, logvar, reconstructions, probabilities = self._forward(inputs, training=training)
        mask = tf.cast(inputs["mask"], tf.float32)
        errors = self._errors(inputs, reconstructions)
        parts = {}
        total = 0.0
        for i, k in enumerate(self.omics):
            present = mask[:, i]
            parts[f"rec_{k}"] = tf.reduce_sum(errors[k] * present) / tf.maximum(tf.reduce_sum(present), 1.0)
            # the likelihood sums over features (the ELBO); the logged figure is per feature
            total += self.loss_weights[k] * self.input_dims[k] * parts[f"rec_{k}"]
        s = self.settings
        if s["variational"]:
            kl = tf.reduce_mean(-0.5 * tf.reduce_sum(1 + logvar - tf.square(mu) - tf.exp(logvar), axis=-1))
            step = tf.cast(self.optimizer.iterations, tf.float32) if self.optimizer is not None else 0.0
            ramp = tf.minimum(1.0, step / s["warmup_steps"]) if s["warmup_steps"] else 1.0
            parts["kl"] = kl
            total += s["beta"] * ramp * kl
        if probabilities is not None and labels is not None:
            parts["classification"] = tf.reduce_mean(
                keras.losses.sparse_categorical_crossentropy(labels, probabilities))
            total += s["classifier_weight"] * parts["classification"]
        parts["loss"] = total
        return total, parts

    def train_step(self, data):
        with tf.GradientTape() as tape:
            total, parts = self._loss_terms(data, training=True)
        gradients = tape.gradient(total, self.trainable_variables)
        self.optimizer.apply_gradients(zip(gradients, self.trainable_variables))
        return self._track(parts)

    def test_step(self, data):
        return self._track(self._loss_terms(data, training=False)[1])

    def _track(self, parts):
        for name, value in parts.items():
            self.trackers[name].update_state(value)
        return {name: tracker.result() for name, tracker in self.trackers.items()}

    def feature_importance(self, inputs) -> dict:
        """Per omic and feature: mean absolute gradient of the latent mean (summed over
        latent dimensions in absolute value) over the given samples that have the omic."""
        tensors = {k: tf.convert_to_tensor(v, dtype=tf.float32) for k, v in inputs.items()}
        importance = {}
        for i, k in enumerate(self.omics):
            with tf.GradientTape() as tape:
                tape.watch(tensors[k])
                latent = self.encode(tensors, training=False)[0]
            jacobian = tape.batch_jacobian(latent, tensors[k])  # (batch, latent, features)
            present = tensors["mask"][:, i] > 0
            values = tf.reduce_sum(tf.abs(tf.boolean_mask(jacobian, present)), axis=1)
            importance[k] = tf.reduce_mean(values, axis=0).numpy() if values.shape[0] else None
        return importance

    def predict_classes(self, inputs):
        """Class probabilities from the supervised head."""
        if self.classifier is None:
            raise ValueError("the model was built without a classifier (n_classes = 0)")
        return self.classifier(self.encode(inputs)[0])


def build_multiomics_autoencoder(input_dims: dict, n_classes: int = 0, **settings) -> MultiOmicsAutoencoder:
    """Builder in the style of the other ``biodl.models`` functions; see
    :class:`MultiOmicsAutoencoder` for the settings."""
    model = MultiOmicsAutoencoder(input_dims, n_classes=n_classes, **settings)
    model.build()
    return model
