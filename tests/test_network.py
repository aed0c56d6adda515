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
    assert links.loc["WAN fiber, one wavelength", "bandwidth_bps"] == 171e9  # one flow, one WDM channel
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
    assert list(network.payload_share_curves(1280)) == list(network.payload_share_curves(9000))
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


def test_a_gigabyte_across_the_atlantic_takes_75_ms_on_one_wavelength_not_1_ms():
    # 8e9 bits / 171 Gbps = 46.8 ms of serialization, plus 27.9 ms of propagation.
    wan = network.LINKS.loc["WAN fiber, one wavelength"]
    t = network.transfer_time(1e9, wan.bandwidth_bps, wan.latency_s)
    assert t == pytest.approx(8e9 / 171e9 + 5_585e3 / (299_792_458 * 2 / 3)) and t == pytest.approx(0.0747, abs=1e-4)
    assert 8e9 / (171e9 * 400) == pytest.approx(0.117e-3, abs=1e-6)  # the whole fiber: 0.12 ms, not 1 ms
    assert "74.7 ms" in network.link_checks().loc["1 GB over the WAN fiber", "arithmetic"]


def test_4g_holds_75_kilobytes_in_flight_and_one_wavelength_more_than_tcps_largest_window():
    bdp = network.bdp_table()
    assert bdp.loc["4G LTE", "in flight (kB)"] == pytest.approx(75.0)
    assert bdp.loc["WAN fiber, one wavelength", "in flight (kB)"] * 1e3 > 2**30  # window scale 14: 1 GiB


def test_802_11ac_maximum_is_6933_mbps_and_1733_is_four_streams_at_80_mhz():
    text = network.link_checks().loc["802.11ac", "arithmetic"]
    assert "6,933" in text and "1,733 Mbps is 4 streams at 80 MHz" in text


def test_mathis_constants_periodic_random_and_delayed_ack():
    assert network.MATHIS_C == pytest.approx(math.sqrt(1.5))
    assert network.MATHIS_C_DELAYED_ACK == pytest.approx(math.sqrt(0.75))
    ratio = network.mathis_throughput(1460, 0.1, 1e-3, constant=network.MATHIS_C_RANDOM) / network.mathis_throughput(1460, 0.1, 1e-3)
    assert ratio == pytest.approx(1.31 / math.sqrt(1.5))


def test_padhye_tends_to_mathis_at_light_loss_and_falls_far_below_it_at_10_percent():
    for b in (1, 2):
        light = network.padhye_throughput(1460, 0.1, 1e-8, segments_per_ack=b)
        assert light == pytest.approx(network.mathis_throughput(1460, 0.1, 1e-8, constant=math.sqrt(3 / (2 * b))), rel=1e-3)
    # By hand, p = 0.1, RTT 0.1 s, T0 1 s, b = 1: 0.1 sqrt(0.2/3) + 1 x 3 sqrt(0.3/8) x 0.1 x 1.32 = 0.10248 s per segment
    per_segment = 0.1 * math.sqrt(0.2 / 3) + 3 * math.sqrt(0.3 / 8) * 0.1 * 1.32
    assert network.padhye_throughput(1460, 0.1, 0.1) == pytest.approx(8 * 1460 / per_segment)
    assert network.padhye_throughput(1460, 0.1, 0.1) < 0.3 * network.mathis_throughput(1460, 0.1, 0.1)


def test_time_wait_limits_new_connections_to_470_per_second_with_linux_defaults():
    assert network.new_connections_per_s() == pytest.approx(28_232 / 60)
    assert network.new_connections_per_s(28_232, 60) == pytest.approx(470.53, abs=0.01)
    with pytest.raises(ValueError, match="ephemeral_ports"):
        network.new_connections_per_s(70_000)


def test_the_1280_byte_mtu_comes_with_ipv6_headers():
    curves = network.payload_share_curves(1280)
    v4, v6 = curves["TCP over IPv4 over Ethernet"][1], curves["TCP over IPv6 over Ethernet"][1]
    assert (v6 < v4).all()
    assert "TCP over IPv6 over Ethernet" not in network.payload_share_curves(576)  # below IPv6's minimum
    one_segment = network._layers(np.asarray(1220.0), "tcp", np.asarray(1280.0), True, 40)
    assert float(sum(one_segment.values())) == 1220 + 20 + 40 + 18 + 20
