def test_lstm_reads_time_by_channel_series(keras):
    from biodl.models import build_lstm

    model = build_lstm((30, 2), 2, units=8)
    assert model.output_shape == (None, 2) and model.get_layer("lstm").units == 8
    assert model.get_layer("output").activation.__name__ == "softmax"
