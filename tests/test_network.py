"""Links, transfer time, propagation, BDP, encapsulation and Mathis against published values."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from scalelab import network

sizes = st.floats(0, 1e12, allow_nan=False)
bandwidths = st.floats(1e3, 1e14, allow_nan=False)
latencies = st.floats(0, 10, allow_nan=False)


def test_links_table_has_the_source_figures_and_a_note_per_row():
    links = network.LINKS
    assert {"bandwidth_bps", "latency_s", "range_m", "note"} <= set(links.columns)
    assert links.loc["WAN fiber (WDM)", "bandwidth_bps"] == pytest.approx(68.4e12)  # 171 Gbps x 400
    assert links.loc["WiFi 802.11ac", "bandwidth_bps"] == 5.4e9
    assert links.loc["WiFi 6 (802.11ax)", "bandwidth_bps"] == 9.6e9
    assert links.loc["4G LTE", "bandwidth_bps"] == 10e6 and 0.020 <= links.loc["4G LTE", "latency_s"] <= 0.040
    assert links.loc["5G", "bandwidth_bps"] == 10 * links.loc["4G LTE", "bandwidth_bps"]
    assert links.loc["5G", "range_m"] == 500
    assert links.loc["LAN", "latency_s"] < 1e-3
    assert links["note"].str.len().min() > 10


def test_transfer_time_is_latency_plus_bits_over_bandwidth():
    assert network.transfer_time(1e9, 10e6, 0.030) == pytest.approx(800.03)
    assert network.transfer_time(0, 1e9, 0.002) == 0.002
    np.testing.assert_allclose(network.transfer_time(np.array([125, 250]), 1000, 0), [1.0, 2.0])


def test_new_york_to_london_takes_18_6_ms_in_vacuum_and_27_9_in_fiber():
    assert network.propagation_delay(5_585e3, 1.0) * 1e3 == pytest.approx(18.63, abs=0.01)
    assert network.propagation_delay(5_585e3) * 1e3 == pytest.approx(27.94, abs=0.01)


def test_bandwidth_delay_product_of_10_gbps_and_80_ms_is_100_megabytes():
    assert network.bandwidth_delay_product(10e9, 0.080) == pytest.approx(1e8)


def test_mathis_matches_equation_3_with_c_sqrt_three_halves():
    # Mathis et al. 1997: BW = (MSS / RTT) * C / sqrt(p), C = sqrt(3/2)
    expected = 1460 * 8 / 0.1 * math.sqrt(1.5) / math.sqrt(1e-4)
    assert network.mathis_throughput(1460, 0.1, 1e-4) == pytest.approx(expected)
    assert network.mathis_throughput(1460, 0.1, 1e-4) / 1e6 == pytest.approx(14.31, abs=0.01)


def test_a_full_tcp_segment_is_1460_bytes_in_1538_on_the_wire():
    assert network.packet_count(1460) == 1 and network.packet_count(1461) == 2
    assert network.wire_bytes(1460) == 1460 + 20 + 20 + 18 + 20
    assert network.wire_bytes(1460, on_wire=False) == 1518  # the maximum Ethernet frame


def test_udp_fragments_after_1472_bytes_and_carries_one_udp_header():
    assert network.packet_count(1472, "udp") == 1 and network.packet_count(1473, "udp") == 2
    layers = network.layer_bytes(3000, "udp")
    assert layers["transport header"] == 8 and layers["IP header"] == 3 * 20


def test_tiny_frames_are_padded_to_the_64_byte_ethernet_minimum():
    assert network.wire_bytes(1, "udp", on_wire=False) == 64
    assert network.wire_bytes(6, "tcp", on_wire=False) == 64


def test_jumbo_frames_raise_the_payload_share_of_large_messages():
    assert network.payload_share(1e6, "tcp", 9000) > network.payload_share(1e6, "tcp", 1500) > 0.94


def test_link_checks_show_68_4_terabits_not_more_than_70():
    assert "68.4 Tbps" in network.link_checks().loc["WDM fiber: 171 Gbps x 400 channels", "arithmetic"]


def test_explorer_models_return_the_same_curves_for_every_slider_value():
    a, b = network.transfer_time_curves(1, 100), network.transfer_time_curves(1e9, 20000)
    assert list(a) == list(b) and len(a) == len(network.LINKS) + 1
    assert list(network.payload_share_curves(576)) == list(network.payload_share_curves(9000))
    bars = network.encapsulation_bars(100)
    assert sum(float(c["y"][0]) for c in bars.values()) == pytest.approx(100)


@given(sizes, sizes, bandwidths, latencies)
def test_transfer_time_grows_with_size_and_never_beats_latency(a, b, bw, lat):
    lo, hi = sorted((a, b))
    assert lat <= network.transfer_time(lo, bw, lat) <= network.transfer_time(hi, bw, lat)


@given(st.floats(1, 1e8), st.sampled_from(["tcp", "udp"]), st.sampled_from([576, 1500, 9000]))
def test_payload_share_is_below_one_and_headers_are_never_free(size, transport, mtu):
    share = network.payload_share(size, transport, mtu)
    assert 0 < share < 1
    assert network.wire_bytes(size, transport, mtu) > size


@given(st.floats(1e-6, 0.99), st.floats(1e-6, 0.99))
def test_mathis_throughput_falls_as_loss_rises(p, q):
    lo, hi = sorted((p, q))
    assert network.mathis_throughput(1460, 0.05, hi) <= network.mathis_throughput(1460, 0.05, lo)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: network.transfer_time(-1, 1e9, 0), r"size_bytes must be >= 0, got -1"),
        (lambda: network.transfer_time(1, 0, 0), r"bandwidth_bps must be > 0, got 0"),
        (lambda: network.transfer_time(1, -5, 0), r"bandwidth_bps must be > 0, got -5"),
        (lambda: network.transfer_time(1, 1e9, -0.1), r"latency_s must be >= 0, got -0.1"),
        (lambda: network.propagation_delay(-1), r"distance_m must be >= 0"),
        (lambda: network.propagation_delay(1, 1.5), r"fraction_of_c must be in \(0, 1\]"),
        (lambda: network.bandwidth_delay_product(0, 1), r"bandwidth_bps must be > 0"),
        (lambda: network.bandwidth_delay_product(1e9, -1), r"rtt_s must be >= 0"),
        (lambda: network.mathis_throughput(1460, 0.1, 0), r"loss_rate must be in \(0, 1\), got 0"),
        (lambda: network.mathis_throughput(1460, 0.1, 1), r"loss_rate must be in \(0, 1\), got 1"),
        (lambda: network.mathis_throughput(0, 0.1, 0.01), r"mss_bytes must be > 0"),
        (lambda: network.mathis_throughput(1460, 0, 0.01), r"rtt_s must be > 0"),
        (lambda: network.packet_count(100, "sctp"), r"transport must be 'tcp' or 'udp'"),
        (lambda: network.payload_share(100, "tcp", 100), r"mtu_bytes must be a whole number and in \[576, 65535\]"),
    ],
)
def test_bad_input_raises_value_error_naming_the_parameter(call, message):
    with pytest.raises(ValueError, match=message):
        call()
