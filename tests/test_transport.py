"""Packet streams, the TCP/UDP SimPy model and AIMD against analytic expectations and Mathis."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scalelab import network, transport


def test_one_path_without_loss_or_jitter_arrives_in_order():
    df = transport.packet_stream(30, paths=1, loss_rate=0, duplicate_rate=0, jitter_ms=0)
    assert transport.stream_stats(df) == {"sent": 30, "delivered": 30, "lost": 0, "duplicates": 0, "out_of_order": 0}


def test_several_paths_with_different_delays_reorder_packets():
    stats = transport.stream_stats(transport.packet_stream(200, paths=3, path_spread_ms=15, loss_rate=0))
    assert stats["out_of_order"] > 20


def test_stream_loss_and_duplicates_are_near_their_rates_with_a_fixed_seed():
    stats = transport.stream_stats(transport.packet_stream(5000, loss_rate=0.1, duplicate_rate=0.05, seed=2))
    assert stats["lost"] / 5000 == pytest.approx(0.1, abs=0.015)
    assert stats["duplicates"] / stats["delivered"] == pytest.approx(0.05, abs=0.01)


def test_the_same_seed_gives_the_same_stream():
    a = transport.packet_stream(50, seed=9)
    b = transport.packet_stream(50, seed=9)
    assert a.equals(b)


def test_tcp_delivers_everything_in_order_despite_loss_and_reordering():
    t = transport.simulate_transfer("tcp", 0.2, n_messages=150, jitter_s=0.01)
    assert t.delivered_share == 1.0 and t.in_order_share == 1.0
    assert sorted(t.order.tolist()) == list(range(150))
    assert t.handshake_s >= 0.05  # at least one round trip before any data


def test_udp_delivers_only_what_arrives_and_may_reorder():
    u = transport.simulate_transfer("udp", 0.2, n_messages=400, jitter_s=0.01, seed=3)
    assert u.delivered_share == pytest.approx(0.8, abs=0.06)
    assert u.in_order_share < 1.0
    assert u.transmissions == 400  # no retransmission


def test_without_loss_or_jitter_udp_latency_is_the_one_way_delay():
    u = transport.simulate_transfer("udp", 0.0, n_messages=20, jitter_s=0.0, rtt_s=0.04)
    np.testing.assert_allclose(u.latency_s, 0.02)


def test_simpy_model_agrees_with_one_minus_p_and_one_over_one_minus_p():
    table = transport.agreement_table(loss_rates=(0.01, 0.05, 0.1), n_messages=400, seed=11)
    np.testing.assert_allclose(table["UDP delivered (simulated)"], table["UDP delivered, 1 - p"], atol=0.02)
    np.testing.assert_allclose(table["TCP sends per message (simulated)"],
                               table["TCP sends per message, 1 / (1 - p)"], rtol=0.05)


def test_tcp_pays_for_reliability_in_latency_when_loss_rises():
    low = transport.simulate_transfer("tcp", 0.0).summary()
    high = transport.simulate_transfer("tcp", 0.1).summary()
    assert high["mean latency (ms)"] > 3 * low["mean latency (ms)"]


def test_aimd_simulation_is_within_15_percent_of_mathis():
    for p in (1e-4, 1e-3, 1e-2, 5e-2):
        ratio = transport.aimd_throughput(1460, 0.1, p) / network.mathis_throughput(1460, 0.1, p)
        assert ratio == pytest.approx(1.0, abs=0.15), p


def test_with_independent_losses_the_aimd_constant_is_about_1_31_not_1_22():
    # Mathis et al. 1997, section 3: C = sqrt(3/2) = 1.22 for periodic loss, about 1.31 for random loss.
    for p in (1e-4, 1e-3):
        c = transport.aimd_throughput(1460, 0.1, p, rounds=200_000) / network.mathis_throughput(1460, 0.1, p, constant=1.0)
        assert c == pytest.approx(network.MATHIS_C_RANDOM, abs=0.03), p


def test_without_loss_or_jitter_tcp_never_retransmits():
    t = transport.simulate_transfer("tcp", 0.0, jitter_s=0.0)
    assert t.transmissions_per_message == 1.0 and t.timeouts == 0 and t.fast_retransmits == 0


def test_jitter_alone_causes_spurious_fast_retransmits_and_no_timeouts():
    t = transport.simulate_transfer("tcp", 0.0, jitter_s=0.005)
    assert t.fast_retransmits > 0 and t.timeouts == 0
    assert t.transmissions == t.n_messages + t.fast_retransmits  # every extra send was fast, none needed


def test_at_5_percent_loss_fast_retransmit_repairs_the_holes_not_timeouts():
    t = transport.simulate_transfer("tcp", 0.05)
    assert t.fast_retransmits > 0 and t.timeouts == 0
    heavy = transport.simulate_transfer("tcp", 0.2)
    assert heavy.timeouts > heavy.fast_retransmits  # at 20% the retransmissions themselves get lost


def test_retransmit_causes_table():
    t = transport.retransmit_causes([0.0], [0.0, 5.0], n_messages=100)
    assert t.loc[(0.0, 0.0), "sends per message"] == 1.0 and t.loc[(0.0, 5.0), "timeouts"] == 0
    with pytest.raises(ValueError, match="at most 30 combinations"):
        transport.retransmit_causes(np.linspace(0, 0.5, 10), np.linspace(0, 10, 10))


@settings(max_examples=15, deadline=None)
@given(st.floats(0, 0.4), st.integers(0, 1000))
def test_tcp_always_finishes_complete_and_in_order(p, seed):
    t = transport.simulate_transfer("tcp", p, n_messages=30, seed=seed)
    assert t.delivered_share == 1.0 and t.in_order_share == 1.0


def test_explorer_models_keep_their_curves():
    assert list(transport.packet_stream_curves(1, 0.0, 0.0)) == list(transport.packet_stream_curves(4, 0.3, 0.1))
    assert list(transport.latency_curves(0.0, 0.0)) == list(transport.latency_curves(0.2, 10.0))
    assert list(transport.mathis_curves(10, 536)) == list(transport.mathis_curves(200, 1460))


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: transport.simulate_transfer("sctp", 0.1), r"protocol must be 'tcp' or 'udp'"),
        (lambda: transport.simulate_transfer("tcp", 1.0), r"loss_rate must be in \[0, 0.9\], got 1"),
        (lambda: transport.simulate_transfer("tcp", 0.1, window=0), r"window must be a whole number and in \[1, 10000\]"),
        (lambda: transport.packet_stream(paths=0), r"paths must be a whole number and in \[1, 16\]"),
        (lambda: transport.packet_stream(loss_rate=-0.1), r"loss_rate must be in \[0, 1\]"),
        (lambda: transport.aimd_throughput(1460, 0.1, 0), r"loss_rate must be in \(0, 0.5\]"),
    ],
)
def test_bad_input_raises_value_error_naming_the_parameter(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_the_1_and_2_percent_runs_differ_only_by_one_lost_ack(monkeypatch):
    """Chapter 4 explains why the 1% and 2% rows of compare_protocols are identical."""
    lost: list[tuple] = []
    send = transport._Link.send

    def recording_send(self, packet, deliver):
        draw = np.random.Generator(type(self.rng.bit_generator)())
        draw.bit_generator.state = self.rng.bit_generator.state
        if draw.random() < self.loss_rate:
            lost.append(packet)
        return send(self, packet, deliver)

    monkeypatch.setattr(transport._Link, "send", recording_send)
    runs = {}
    for p in (0.01, 0.02):
        lost.clear()
        runs[p] = (transport.simulate_transfer("tcp", p).summary(), list(lost))
    assert runs[0.01][0] == runs[0.02][0]
    extra = [pk for pk in runs[0.02][1] if pk not in runs[0.01][1]]
    assert extra == [("ack", 130)]
    for p in (0.01, 0.02):
        lost.clear()
        transport.simulate_transfer("udp", p)
        runs[p] = list(lost)
    assert runs[0.01] == runs[0.02]
