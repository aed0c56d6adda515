"""Chapter 4 exercises: links, propagation, bandwidth-delay product, headers, Mathis."""

from __future__ import annotations

from .. import network
from . import Exercise, Mistake, register

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
        prompt="A TCP flow has MSS 1,460 bytes, RTT 100 ms and loses one segment in every 10,000, "
        "periodically, with an ACK for every segment. What steady-state throughput, in Mbit/s, "
        "does Mathis et al. predict?",
        answer=lambda: network.mathis_throughput(1460, 0.1, 1e-4) / 1e6,
        unit="Mbit/s",
        hint="8 x MSS / RTT x sqrt(3/2) / sqrt(p), then divide by a million.",
        mistakes=(
            Mistake(lambda: network.mathis_throughput(1460, 0.1, 1e-4, constant=network.MATHIS_C_RANDOM) / 1e6,
                    "that uses C = 1.31, the constant for independent losses; these losses are periodic, "
                    "one every 10,000 segments, with an ACK per segment: C = sqrt(3/2)"),
            Mistake(lambda: network.mathis_throughput(1460, 0.1, 1e-4, constant=network.MATHIS_C_DELAYED_ACK) / 1e6,
                    "that uses C = sqrt(3/4), the constant for delayed ACKs (one per two segments); here "
                    "every segment is acknowledged: C = sqrt(3/2)"),
        ),
    ),
    Exercise(
        key="4.5",
        prompt="A 100-byte message goes out in one TCP segment over Ethernet. What share of the "
        "bytes on the wire (preamble and gap included) is the message?",
        answer=lambda: network.payload_share(100, "tcp"),
        hint="Add 20 (TCP) + 20 (IP) + 18 (Ethernet header and FCS) + 20 (preamble and gap).",
    ),
    Exercise(
        key="4.6",
        prompt="Read a measurement: of 500 TCP connects over loopback, 498 take about 50 us and "
        "2 take 1.02 s. What is the likeliest cause of the two slow ones?",
        answer="b",
        choices={
            "a": "the interpreter lock: the client waited for a server thread",
            "b": "a SYN (or SYN-ACK) was dropped and resent after TCP's 1 s initial retransmission timeout",
            "c": "the scheduler gave the core to another process for a second",
            "d": "a DNS lookup of 127.0.0.1",
        },
        mistakes=(
            Mistake("a", "a thread waiting for the interpreter lock gets it within about the 5 ms switch "
                    "interval, not a second, and here the server runs in another process"),
            Mistake("c", "a scheduler delay of a whole second on a running machine is very unlikely; a "
                    "time of 1.0 s plus one round trip is the signature of RFC 6298's 1 s initial timeout"),
        ),
        hint="Why exactly one second? Which TCP timer starts at one second?",
    ),
    Exercise(
        key="4.7",
        prompt="A load generator opens a new TCP connection to one server endpoint for every "
        "request and closes it itself. Linux's ephemeral range is 32768-60999 and TIME_WAIT lasts "
        "60 s. How many new connections per second can it sustain, at most?",
        answer=lambda: network.new_connections_per_s(60_999 - 32_768 + 1, 60.0),
        unit="connections/s",
        hint="Each closed connection holds its client port in TIME_WAIT for 60 s.",
        mistakes=(
            Mistake(65_535 / 60, "65,535 is every port; the ephemeral range is only 28,232 of them"),
            Mistake(28_232, "that is how many ports there are, not how many per second: each one is "
                    "held for 60 s in TIME_WAIT"),
            Mistake(65_535, "the port count is not a rate, and the client uses only its ephemeral range"),
        ),
    ),
    Exercise(
        key="4.8",
        prompt="A stub's call times out; the next call on the same stub returns the reply to the "
        "first one. Which design prevents this?",
        answer="b",
        choices={
            "a": "a longer timeout",
            "b": "a request id in every request, echoed in the reply; the stub discards replies whose id it is not waiting for",
            "c": "nothing more is needed: TCP's sequence numbers already match replies to requests",
            "d": "marshalling with pickle instead of JSON",
        },
        mistakes=(
            Mistake("c", "TCP numbers the bytes of the stream, and it delivered the late reply correctly: "
                    "it has no idea which call the bytes answer"),
            Mistake("a", "a longer timeout makes the race rarer but not impossible: some reply can always "
                    "be later than any timeout"),
        ),
        hint="Something in the reply must say which request it answers.",
    ),
)


def _segment5_read_ms() -> float:
    # the chapter's transfer player: TCP, fast retransmit on, segment 5's first transmission lost
    from .. import transport

    run = transport.tcp_run("tcp", lose_segment=5, fast_retransmit=True)
    return 1000 * next(e.time_s for e in run.events if e.label == "app reads segment 5")


register(
    Exercise(
        key="4.run",
        prompt="In the transfer player: TCP with fast retransmit, segment 5 lost. At what simulated time, in "
        "ms, does the application read segment 5?",
        answer=_segment5_read_ms,
        rel_tol=0,
        abs_tol=1.0,
        unit="ms",
        hint="Count the duplicate ACKs after the hole: is fast retransmit triggered? If not, when was the "
        "retransmission timer last restarted?",
        mistakes=(
            Mistake(130, "that is when segment 5 would have arrived had it not been lost."),
            Mistake(190, "that is segment 2's run, where four segments follow the hole and the third "
                    "duplicate ACK triggers a fast retransmit; after segment 5 only segment 6 follows, so "
                    "there is one duplicate ACK, not three."),
            Mistake(220, "that assumes fast retransmit recovers it, as it did segment 2: only one "
                    "segment follows the hole, so there is one duplicate ACK, not three."),
            Mistake(400, "that is when the timer fires and the client resends; the segment still takes "
                    "30 ms to cross."),
        ),
    ),
)
