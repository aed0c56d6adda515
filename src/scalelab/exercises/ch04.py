"""Chapter 4 exercises: links, propagation, bandwidth-delay product, headers, Mathis."""

from __future__ import annotations

from .. import network
from . import Exercise, register

register(
    Exercise(
        key="4.1",
        prompt="How long does a 1 GB file take over 4G LTE (10 Mbit/s, 30 ms latency)?",
        answer=lambda: network.transfer_time(1e9, 10e6, 0.030),
        unit="s",
        hint="latency + 8 x size / bandwidth; mind bytes against bits.",
    ),
    Exercise(
        key="4.2",
        prompt="What is the shortest possible round trip, in ms, between two data centers "
        "12,000 km apart along the fiber (light at 2/3 c)?",
        answer=lambda: 2 * network.propagation_delay(12_000e3) * 1e3,
        unit="ms",
        hint="One way is distance / (2/3 x 299,792,458 m/s); a round trip is twice that.",
    ),
    Exercise(
        key="4.3",
        prompt="A 10 Gbit/s link has a round trip of 80 ms. How many bytes must a sender keep "
        "unacknowledged to fill it?",
        answer=lambda: network.bandwidth_delay_product(10e9, 0.080),
        unit="bytes",
        hint="bandwidth x RTT gives bits; divide by 8.",
    ),
    Exercise(
        key="4.4",
        prompt="A TCP flow has MSS 1,460 bytes, RTT 100 ms and a loss rate of 1 in 10,000. "
        "What steady-state throughput, in Mbit/s, does Mathis et al. predict?",
        answer=lambda: network.mathis_throughput(1460, 0.1, 1e-4) / 1e6,
        unit="Mbit/s",
        hint="8 x MSS / RTT x sqrt(3/2) / sqrt(p), then divide by a million.",
    ),
    Exercise(
        key="4.5",
        prompt="A 100-byte message goes out in one TCP segment over Ethernet. What share of the "
        "bytes on the wire (preamble and gap included) is the message?",
        answer=lambda: network.payload_share(100, "tcp"),
        hint="Add 20 (TCP) + 20 (IP) + 18 (Ethernet header and FCS) + 20 (preamble and gap).",
    ),
)
