"""Best-effort packets, and what TCP and UDP build on them.

IP forwards each packet on its own, so packets of one stream may take different paths,
arrive out of order, twice, or not at all. :func:`packet_stream` draws such a stream
(vectorized numpy). :func:`simulate_transfer` is a SimPy process model of one stream of
messages over a lossy, reordering link: UDP hands the receiver whatever arrives; TCP
opens with a three-way handshake, numbers its segments, acknowledges cumulatively
(the next byte expected), retransmits the oldest unacknowledged segment after a
timeout and delivers strictly in order. :func:`aimd_throughput` is the round-by-round
congestion-avoidance model behind Mathis et al. (1997), checked against their formula.

Every random draw comes from ``numpy.random.default_rng(seed)``: same seed, same run.

References
----------
- RFC 791 (IP, best effort), RFC 768 (UDP), RFC 9293 (TCP: handshake, cumulative
  acknowledgement, retransmission), RFC 6298 (retransmission timer), RFC 5681
  (congestion control: additive increase, multiplicative decrease).
- M. Mathis, J. Semke, J. Mahdavi, T. Ott, "The macroscopic behavior of the TCP
  congestion avoidance algorithm", SIGCOMM CCR 27(3), 1997.
- I. Gorton, *Foundations of Scalable Systems*, O'Reilly, 2022, ch. 3.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import pandas as pd
import simpy

from . import network
from ._validate import at_least, count, in_range, number, positive, seed as check_seed
from .palette import BLUE, GREEN, ORANGE, RED, TEMPLATE

#: Bounds that keep every simulated transfer to a few seconds (no run can hang): times in
#: seconds, at most MAX_TIME_S of simulated time, at most MAX_TIMEOUTS retransmission timers
#: in it (max_time_s / rto_s), windows up to MAX_WINDOW segments, at most MAX_LOSS_RATES
#: loss rates per table.
MAX_TIME_S = 600.0
MIN_RTO_S = 0.001
MAX_DELAY_S = 10.0
MAX_TIMEOUTS = 100_000
MAX_WINDOW = 10_000
MAX_LOSS_RATES = 50

__all__ = [
    "packet_stream",
    "stream_stats",
    "packet_stream_curves",
    "Transfer",
    "simulate_transfer",
    "compare_protocols",
    "latency_curves",
    "aimd_throughput",
    "mathis_curves",
    "agreement_table",
    "retransmit_causes",
]


# --- A packet stream over several paths -------------------------------------------------


def packet_stream(n_packets: int = 40, paths: int = 3, path_spread_ms: float = 15.0, loss_rate: float = 0.05,
                  duplicate_rate: float = 0.02, base_delay_ms: float = 20.0, jitter_ms: float = 2.0,
                  send_interval_ms: float = 2.0, seed: int = 1) -> pd.DataFrame:
    """One stream of numbered packets sent over ``paths`` routes of different delay.

    Packet ``i`` leaves at ``i x send_interval_ms``, takes a route chosen at random
    (route ``k`` adds ``k x path_spread_ms / (paths - 1)`` to ``base_delay_ms``), gains
    a uniform jitter, is lost with probability ``loss_rate`` and, if it survives, is
    delivered twice with probability ``duplicate_rate`` (the copy a little later).

    Parameters
    ----------
    n_packets : whole number in [1, 10000].
    paths : number of routes, whole number in [1, 16].
    path_spread_ms : extra delay of the slowest route over the fastest, ms, >= 0.
    loss_rate, duplicate_rate : probabilities in [0, 1].
    base_delay_ms, jitter_ms, send_interval_ms : ms, >= 0 (interval > 0).
    seed : seed for ``numpy.random.default_rng``.

    Returns
    -------
    DataFrame, one row per arrival and one per lost packet: ``seq``, ``path``,
    ``sent_ms``, ``arrived_ms`` (NaN if lost), ``copy`` (0 original, 1 duplicate).

    References
    ----------
    RFC 791 (best-effort delivery); Gorton 2022, ch. 3 (packet switching).

    >>> df = packet_stream(5, paths=1, loss_rate=0, duplicate_rate=0, jitter_ms=0)
    >>> df.arrived_ms.tolist()
    [20.0, 22.0, 24.0, 26.0, 28.0]
    """
    n = int(in_range("n_packets", n_packets, 1, 10_000, integer=True, max_ndim=0))
    k = int(in_range("paths", paths, 1, 16, integer=True, max_ndim=0))
    spread = float(at_least("path_spread_ms", path_spread_ms, 0, max_ndim=0))
    p_loss = float(in_range("loss_rate", loss_rate, 0, 1, max_ndim=0))
    p_dup = float(in_range("duplicate_rate", duplicate_rate, 0, 1, max_ndim=0))
    base = float(at_least("base_delay_ms", base_delay_ms, 0, max_ndim=0))
    jitter = float(at_least("jitter_ms", jitter_ms, 0, max_ndim=0))
    interval = float(positive("send_interval_ms", send_interval_ms, max_ndim=0))
    seq, route, sent, arrived, dup, dup_arrived = _stream_arrays(n, k, spread, p_loss, p_dup, base, jitter,
                                                                  interval, seed)
    rows = pd.DataFrame({"seq": seq, "path": route, "sent_ms": sent, "arrived_ms": arrived, "copy": 0})
    copies = pd.DataFrame({"seq": seq[dup], "path": route[dup], "sent_ms": sent[dup],
                           "arrived_ms": dup_arrived, "copy": 1})
    return pd.concat([rows, copies], ignore_index=True).sort_values(["arrived_ms", "seq"], na_position="last",
                                                                     ignore_index=True)


def _stream_arrays(n, k, spread, p_loss, p_dup, base, jitter, interval, seed):
    rng = np.random.default_rng(check_seed("seed", seed))
    seq = np.arange(n)
    sent = seq * interval
    # Draw every variable for every packet, so one slider does not reshuffle another's draws.
    route = rng.integers(0, k, n)
    jit = rng.uniform(0, jitter, n) if jitter > 0 else np.zeros(n)
    lost = rng.random(n) < p_loss
    dup = (rng.random(n) < p_dup) & ~lost
    dup_lag = rng.uniform(0.5, 3.0, n) * max(interval, 1.0)
    route_delay = route * (spread / (k - 1) if k > 1 else 0.0)
    arrived = np.where(lost, np.nan, sent + base + route_delay + jit)
    return seq, route, sent, arrived, dup, arrived[dup] + dup_lag[dup]


def stream_stats(stream: pd.DataFrame) -> dict[str, int]:
    """Counts of what happened to a stream from :func:`packet_stream`.

    ``out_of_order`` counts first arrivals of a packet after a higher-numbered one.

    >>> stream_stats(packet_stream(5, paths=1, loss_rate=0, duplicate_rate=0))
    {'sent': 5, 'delivered': 5, 'lost': 0, 'duplicates': 0, 'out_of_order': 0}
    """
    sent = int(stream["seq"].nunique())
    arrived = stream.dropna(subset=["arrived_ms"]).sort_values("arrived_ms", kind="stable")
    first = arrived.drop_duplicates("seq")
    seqs = first["seq"].to_numpy()
    highest_before = np.maximum.accumulate(np.concatenate([[-1], seqs[:-1]])) if seqs.size else seqs
    return {
        "sent": sent,
        "delivered": int(first.shape[0]),
        "lost": sent - int(first.shape[0]),
        "duplicates": int(arrived.shape[0] - first.shape[0]),
        "out_of_order": int(np.sum(seqs < highest_before)),
    }


def packet_stream_curves(paths: int, loss_rate: float, duplicate_rate: float) -> dict[str, dict]:
    """Arrival time of each packet against its number (for an explorer)."""
    paths = int(in_range("paths", paths, 1, 16, integer=True, max_ndim=0))
    p_loss = float(in_range("loss_rate", loss_rate, 0, 1, max_ndim=0))
    p_dup = float(in_range("duplicate_rate", duplicate_rate, 0, 1, max_ndim=0))
    seq, _, _, arrived, dup, dup_arrived = _stream_arrays(40, paths, 15.0, p_loss, p_dup, 20.0, 2.0, 2.0, 4)
    ok = np.isfinite(arrived)
    nan = np.array([np.nan])
    return {
        "arrived": {"x": seq[ok], "y": arrived[ok], "mode": "markers+lines",
                    "line": {"width": 1, "color": BLUE}, "marker": {"size": 7}},
        "duplicate copy": {"x": seq[dup] if dup.any() else nan, "y": dup_arrived if dup.any() else nan,
                           "mode": "markers", "marker": {"size": 9, "symbol": "diamond-open", "color": GREEN}},
        "lost (never arrives)": {"x": seq[~ok] if (~ok).any() else nan,
                                 "y": np.full(int((~ok).sum()), 5.0) if (~ok).any() else nan,
                                 "mode": "markers", "marker": {"size": 10, "symbol": "x", "color": RED}},
    }


# --- TCP and UDP over a lossy, reordering link (SimPy) ---------------------------------


@dataclass(frozen=True)
class Transfer:
    """The outcome of :func:`simulate_transfer`.

    ``transmissions`` counts data segments sent, retransmissions included (not the
    handshake or acknowledgements). ``latency_s[i]`` is the time from message ``i`` being handed to the sender to its
    delivery to the receiving application (NaN if never delivered); ``order`` lists the
    message numbers in the order the application received them. ``timeouts`` and
    ``fast_retransmits`` count the retransmissions each rule triggered (TCP).
    """

    protocol: str
    n_messages: int
    latency_s: np.ndarray
    order: np.ndarray
    transmissions: int
    handshake_s: float
    finished_s: float
    message_bytes: int
    timeouts: int = 0
    fast_retransmits: int = 0

    @property
    def delivered_share(self) -> float:
        return float(np.mean(np.isfinite(self.latency_s)))

    @property
    def in_order_share(self) -> float:
        """Share of delivered messages that arrived after every lower-numbered delivered one."""
        if self.order.size == 0:
            return float("nan")
        highest_before = np.maximum.accumulate(np.concatenate([[-1], self.order[:-1]]))
        return float(np.mean(self.order > highest_before))

    @property
    def goodput_bps(self) -> float:
        """Application bits delivered per second, from the first send to the last delivery."""
        return 8.0 * self.message_bytes * self.order.size / self.finished_s if self.finished_s > 0 else 0.0

    @property
    def transmissions_per_message(self) -> float:
        return self.transmissions / self.n_messages

    def summary(self) -> dict[str, float]:
        lat = self.latency_s[np.isfinite(self.latency_s)]
        return {
            "delivered share": self.delivered_share,
            "in-order share": self.in_order_share,
            "goodput (Mbit/s)": self.goodput_bps / 1e6,
            "mean latency (ms)": float(np.mean(lat) * 1e3) if lat.size else float("nan"),
            "99th pct latency (ms)": float(np.percentile(lat, 99) * 1e3) if lat.size else float("nan"),
            "sends per message": self.transmissions_per_message,
        }


class _Link:
    """Carries a packet after ``rtt/2`` plus exponential jitter, unless it is lost."""

    def __init__(self, env: simpy.Environment, rng: np.random.Generator, one_way_s: float, jitter_s: float,
                 loss_rate: float):
        self.env, self.rng = env, rng
        self.one_way_s, self.jitter_s, self.loss_rate = one_way_s, jitter_s, loss_rate

    def send(self, packet: tuple, deliver) -> None:
        lost = self.rng.random() < self.loss_rate
        delay = self.one_way_s + (self.rng.exponential(self.jitter_s) if self.jitter_s > 0 else 0.0)
        if not lost:
            self.env.process(self._carry(packet, delay, deliver))

    def _carry(self, packet, delay, deliver):
        yield self.env.timeout(delay)
        deliver(packet)


def _wake(event: simpy.Event) -> None:
    if not event.triggered:
        event.succeed()


def simulate_transfer(protocol: str, loss_rate: float, n_messages: int = 200, interval_s: float = 0.005,
                      rtt_s: float = 0.05, jitter_s: float = 0.005, window: int = 32, rto_s: float = 0.2,
                      message_bytes: int = 1000, fast_retransmit: bool = True, seed: int = 7,
                      max_time_s: float = 120.0) -> Transfer:
    """Send ``n_messages`` over a lossy, reordering link with TCP-like or UDP-like rules.

    The application hands the sender message ``i`` at ``i x interval_s``. Every packet,
    either way, is lost with probability ``loss_rate`` and otherwise arrives after
    ``rtt_s / 2`` plus an exponential jitter of mean ``jitter_s`` (so packets overtake
    each other). **UDP** sends each message once; the receiver delivers whatever
    arrives, in arrival order. **TCP** first sends SYN, waits for SYN-ACK (resending
    SYN after each ``rto_s`` without one), then keeps up to ``window`` segments
    unacknowledged. The receiver buffers segments that arrive early, delivers strictly
    in order, and answers every segment with a cumulative ACK (the next number it
    expects). When the oldest unacknowledged segment has waited ``rto_s``, the sender
    sends it again; with ``fast_retransmit`` it also resends it as soon as three
    duplicate ACKs show that later segments arrive while that one does not (RFC 5681).
    Real TCP also adapts its timer and its window; both are fixed here.

    Parameters
    ----------
    protocol : "tcp" or "udp".
    loss_rate : probability a packet is lost, in [0, 0.9].
    n_messages : whole number in [1, 10000].
    interval_s, rtt_s : seconds, in (0, 10].
    rto_s : retransmission timeout, s, in [0.001, 10], and ``max_time_s / rto_s`` at most
        MAX_TIMEOUTS (100,000).
    jitter_s : mean extra one-way delay, s, in [0, 10].
    window : unacknowledged segments allowed (TCP), whole number in [1, 10000].
    fast_retransmit : resend after three duplicate ACKs, not only after a timeout (TCP).
    message_bytes : bytes per message (one segment each), whole number in [1, 65535].
    seed : seed for ``numpy.random.default_rng``.
    max_time_s : the simulation stops here whatever happens (no run can hang), s, in (0, 600].

    Returns
    -------
    :class:`Transfer`.

    References
    ----------
    RFC 9293 (sections 3.5 handshake, 3.10 acknowledgement), RFC 6298 (timeout), RFC 768.

    >>> t = simulate_transfer("tcp", 0.1, n_messages=50)
    >>> t.delivered_share, t.in_order_share
    (1.0, 1.0)
    >>> u = simulate_transfer("udp", 0.1, n_messages=50)
    >>> u.delivered_share < 1.0
    True
    """
    proto = protocol.lower() if isinstance(protocol, str) else protocol
    if proto not in ("tcp", "udp"):
        raise ValueError(f"protocol must be 'tcp' or 'udp', got {protocol!r}")
    p = float(in_range("loss_rate", loss_rate, 0, 0.9, max_ndim=0))
    n = int(in_range("n_messages", n_messages, 1, 10_000, integer=True, max_ndim=0))
    interval = number("interval_s", interval_s, 0, MAX_DELAY_S, low_open=True)
    rtt = number("rtt_s", rtt_s, 0, MAX_DELAY_S, low_open=True)
    jitter = number("jitter_s", jitter_s, 0, MAX_DELAY_S)
    w = count("window", window, MAX_WINDOW)
    rto = number("rto_s", rto_s, MIN_RTO_S, MAX_DELAY_S)
    size = count("message_bytes", message_bytes, 65_535)
    limit = number("max_time_s", max_time_s, 0, MAX_TIME_S, low_open=True)
    if not isinstance(fast_retransmit, (bool, np.bool_)):
        raise ValueError(f"fast_retransmit must be True or False, got {fast_retransmit!r}")
    if limit / rto > MAX_TIMEOUTS:
        raise ValueError(f"max_time_s / rto_s must be at most {MAX_TIMEOUTS}, got {limit:g} / {rto:g}")

    env = simpy.Environment()
    link = _Link(env, np.random.default_rng(check_seed("seed", seed)), rtt / 2, jitter, p)
    latency = np.full(n, np.nan)
    order: list[int] = []
    state = {"sends": 0, "handshake": float("nan"), "done": env.event(), "timeouts": 0, "fast": 0}

    def deliver_to_app(i: int) -> None:
        if np.isnan(latency[i]):
            latency[i] = env.now - i * interval
        order.append(i)
        if len(order) == n:
            _wake(state["done"])

    if proto == "udp":
        def udp_receiver(packet):
            deliver_to_app(packet[1])

        def udp_sender():
            for i in range(n):
                yield env.timeout(max(0.0, i * interval - env.now))
                state["sends"] += 1
                link.send(("data", i), udp_receiver)

        env.process(udp_sender())
        env.run(until=min(limit, n * interval + rtt / 2 + 20 * jitter + 1.0))
        state["handshake"] = 0.0
        finished = max(env.now if not order else max(latency[i] + i * interval for i in order if np.isfinite(latency[i])), 0.0)
        return Transfer("udp", n, latency, np.asarray(order, dtype=int), state["sends"], 0.0, float(finished), size)

    # --- TCP ---
    rcv = {"next": 0, "buffer": set()}
    snd = {"base": 0, "next": 0, "wake": env.event(), "established": False, "dups": 0}

    def to_sender(packet):
        kind, value = packet
        if kind == "synack":
            if not snd["established"]:
                snd["established"] = True
                state["handshake"] = env.now
                link.send(("ack-of-synack", 0), to_receiver)  # the handshake's third step
        elif value > snd["base"]:
            snd["base"], snd["dups"] = value, 0
        elif value == snd["base"] < snd["next"]:
            snd["dups"] += 1
            if fast_retransmit and snd["dups"] == 3:  # three duplicate ACKs: resend at once
                state["sends"] += 1
                state["fast"] += 1
                link.send(("data", snd["base"]), to_receiver)
        _wake(snd["wake"])

    def to_receiver(packet):
        kind, value = packet
        if kind == "syn":
            link.send(("synack", 0), to_sender)
            return
        if kind != "data":
            return
        if value >= rcv["next"]:
            rcv["buffer"].add(value)
            while rcv["next"] in rcv["buffer"]:
                rcv["buffer"].discard(rcv["next"])
                deliver_to_app(rcv["next"])
                rcv["next"] += 1
        link.send(("ack", rcv["next"]), to_sender)  # cumulative: everything below is in

    def tcp_sender():
        while not snd["established"]:  # SYN, resent until a SYN-ACK comes back
            link.send(("syn", 0), to_receiver)
            snd["wake"] = env.event()
            yield snd["wake"] | env.timeout(rto)
        deadline = None
        while snd["base"] < n:
            while snd["next"] < min(snd["base"] + w, n) and snd["next"] * interval <= env.now:
                state["sends"] += 1
                link.send(("data", snd["next"]), to_receiver)
                if deadline is None:
                    deadline = env.now + rto
                snd["next"] += 1
            waits = []
            if deadline is not None:
                waits.append(deadline - env.now)
            if snd["next"] < n and snd["next"] < snd["base"] + w:
                waits.append(max(0.0, snd["next"] * interval - env.now))
            snd["wake"] = env.event()
            before = snd["base"]
            if waits:
                yield snd["wake"] | env.timeout(max(0.0, min(waits)))
            else:
                yield snd["wake"]
            if snd["base"] > before:  # new data acknowledged: restart the timer
                deadline = env.now + rto if snd["base"] < snd["next"] else None
            elif deadline is not None and env.now >= deadline - 1e-12:
                state["sends"] += 1  # timeout: resend the oldest unacknowledged segment
                state["timeouts"] += 1
                link.send(("data", snd["base"]), to_receiver)
                deadline = env.now + rto

    env.process(tcp_sender())
    env.run(until=simpy.AnyOf(env, [state["done"], env.timeout(limit)]))
    finished = env.now
    return Transfer("tcp", n, latency, np.asarray(order, dtype=int), state["sends"], float(state["handshake"]),
                    float(finished), size, state["timeouts"], state["fast"])


def compare_protocols(loss_rates=(0.0, 0.01, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3), **kwargs) -> pd.DataFrame:
    """TCP and UDP side by side at each loss rate (other arguments as in :func:`simulate_transfer`).

    >>> compare_protocols([0.0], n_messages=20).loc[:, "delivered share"].tolist()
    [1.0, 1.0]
    """
    rates = _loss_rates(loss_rates)
    rows = []
    for p in rates:
        for proto in ("tcp", "udp"):
            rows.append({"protocol": proto.upper(), "loss rate": float(p),
                         **simulate_transfer(proto, float(p), **kwargs).summary()})
    return pd.DataFrame(rows).set_index(["loss rate", "protocol"])


def _loss_rates(loss_rates) -> list[float]:
    rates = [float(p) for p in in_range("loss_rates", loss_rates, 0, 0.9, max_ndim=1).ravel()]
    if len(rates) > MAX_LOSS_RATES:
        raise ValueError(f"loss_rates must hold at most {MAX_LOSS_RATES} values, got {len(rates)}")
    return rates


@functools.lru_cache(maxsize=256)
def _pair(loss_rate: float, jitter_ms: float) -> tuple[Transfer, Transfer]:
    return (simulate_transfer("tcp", loss_rate, jitter_s=jitter_ms / 1e3),
            simulate_transfer("udp", loss_rate, jitter_s=jitter_ms / 1e3))


def latency_curves(loss_rate: float, jitter_ms: float) -> dict[str, dict]:
    """Latency of each message under TCP and UDP (for an explorer; runs are cached)."""
    tcp, udp = _pair(number("loss_rate", loss_rate, 0, 0.9), number("jitter_ms", jitter_ms, 0, 1000 * MAX_DELAY_S))
    seq = np.arange(tcp.n_messages)
    return {
        "TCP (all delivered, in order)": {"x": seq, "y": tcp.latency_s * 1e3, "mode": "lines",
                                          "line": {"color": BLUE}},
        "UDP (lost messages leave gaps)": {"x": seq, "y": udp.latency_s * 1e3, "mode": "markers",
                                           "marker": {"size": 4, "color": ORANGE}},
    }


# --- TCP steady state: additive increase, multiplicative decrease ----------------------


@functools.lru_cache(maxsize=512)
def _aimd_packets_per_rtt(loss_rate: float, rounds: int, seed: int) -> float:
    rng = np.random.default_rng(check_seed("seed", seed))
    u = rng.random(rounds)
    w = 1.0 / np.sqrt(loss_rate)  # start near the steady state
    sent = 0.0
    warmup = rounds // 10
    for r in range(rounds):
        if r >= warmup:
            sent += w
        if u[r] < 1.0 - (1.0 - loss_rate) ** w:  # some packet of this round was lost
            w = max(1.0, w / 2.0)
        else:
            w += 1.0
    return sent / (rounds - warmup)


def aimd_throughput(mss_bytes: float, rtt_s: float, loss_rate: float, rounds: int = 20_000,
                    seed: int = 3) -> float:
    """Simulated TCP congestion-avoidance throughput in bit/s (random loss).

    Each round trip the sender sends its window ``w`` of segments. If any is lost (each
    independently with ``loss_rate``), the window halves; otherwise it grows by one
    segment. Throughput is the mean window times ``8 MSS / RTT``.

    Parameters
    ----------
    mss_bytes : segment size, > 0. rtt_s : round trip, s, > 0.
    loss_rate : in (0, 0.5]. rounds : round trips simulated, whole number in [100, 10^6].
    seed : seed for ``numpy.random.default_rng``.

    References
    ----------
    RFC 5681; Mathis et al. 1997 (this is their model, with random instead of periodic loss).

    >>> round(aimd_throughput(1460, 0.1, 0.01) / network.mathis_throughput(1460, 0.1, 0.01), 1)
    1.0
    """
    mss = float(positive("mss_bytes", mss_bytes, max_ndim=0))
    rtt = float(positive("rtt_s", rtt_s, max_ndim=0))
    p = float(in_range("loss_rate", loss_rate, 0, 0.5, low_open=True, max_ndim=0))
    r = int(in_range("rounds", rounds, 100, 1_000_000, integer=True, max_ndim=0))
    return float(_aimd_packets_per_rtt(p, r, check_seed("seed", seed)) * 8.0 * mss / rtt)


SIM_LOSS = np.logspace(-4, -1, 7)
LOSS_AXIS = np.logspace(-4.5, -1, 36)


def mathis_curves(rtt_ms: float, mss_bytes: float) -> dict[str, dict]:
    """Mathis throughput against loss rate, with the AIMD simulation's points and Padhye
    et al.'s model with timeouts (RTO 1 s) (for an explorer)."""
    rtt_ms = number("rtt_ms", rtt_ms, 0, low_open=True)
    mss_bytes = number("mss_bytes", mss_bytes, 0, low_open=True)
    loss = LOSS_AXIS
    rtt = rtt_ms / 1e3
    sim = np.array([aimd_throughput(mss_bytes, rtt, p, rounds=200_000) for p in SIM_LOSS])  # cached per loss rate
    return {
        "Mathis, C = sqrt(3/2) (periodic loss)": {
            "x": loss, "y": network.mathis_throughput(mss_bytes, rtt, loss) / 1e6, "mode": "lines"},
        "Mathis, C = 1.31 (independent losses)": {
            "x": loss, "y": network.mathis_throughput(mss_bytes, rtt, loss, constant=network.MATHIS_C_RANDOM) / 1e6,
            "mode": "lines", "line": {"dash": "dash"}},
        "Padhye et al. (1998), with timeouts, RTO 1 s": {
            "x": loss, "y": network.padhye_throughput(mss_bytes, rtt, loss, rto_s=1.0) / 1e6, "mode": "lines",
            "line": {"dash": "dot"}},
        "simulated AIMD, independent losses, no timeouts": {
            "x": SIM_LOSS, "y": sim / 1e6, "mode": "markers", "marker": {"size": 9, "symbol": "circle-open"}},
    }


def agreement_table(loss_rates=(0.01, 0.05, 0.1, 0.2), n_messages: int = 400, seed: int = 11) -> pd.DataFrame:
    """The SimPy model against simple analytic expectations.

    UDP should deliver a share ``1 - p`` of messages; TCP, retransmitting until each
    segment gets through, should send each message ``1 / (1 - p)`` times on average
    (a lost ACK costs nothing extra when a later cumulative ACK covers it).
    """
    loss_rates = _loss_rates(loss_rates)
    count("n_messages", n_messages, 10_000)
    check_seed("seed", seed)
    rows = []
    for p in loss_rates:
        udp = simulate_transfer("udp", p, n_messages=n_messages, seed=seed)
        tcp = simulate_transfer("tcp", p, n_messages=n_messages, seed=seed)
        rows.append({
            "loss rate": p,
            "UDP delivered (simulated)": udp.delivered_share,
            "UDP delivered, 1 - p": 1 - p,
            "TCP sends per message (simulated)": tcp.transmissions_per_message,
            "TCP sends per message, 1 / (1 - p)": 1 / (1 - p),
        })
    return pd.DataFrame(rows).set_index("loss rate")



def retransmit_causes(loss_rates=(0.0, 0.05), jitter_ms=(0.0, 5.0, 10.0), n_messages: int = 400,
                      seed: int = 7) -> pd.DataFrame:
    """What triggers TCP's retransmissions in :func:`simulate_transfer`, by loss and jitter.

    With no loss every retransmission is spurious: jitter reorders segments, a later
    segment overtakes an earlier one, three duplicate ACKs follow, and fast retransmit
    resends a segment that was only late. Returns per-message counts of sends, fast
    retransmits and timeouts.

    >>> t = retransmit_causes([0.0], [0.0], n_messages=50)
    >>> float(t["sends per message"].iloc[0]), int(t["timeouts"].iloc[0])
    (1.0, 0)
    """
    n = int(in_range("n_messages", n_messages, 1, 10_000, integer=True, max_ndim=0))
    losses = np.atleast_1d(in_range("loss_rates", loss_rates, 0, 0.9, max_ndim=1))
    jitters = np.atleast_1d(in_range("jitter_ms", jitter_ms, 0, 100, max_ndim=1))
    if losses.size * jitters.size > 30:
        raise ValueError(f"loss_rates x jitter_ms must have at most 30 combinations, got {losses.size * jitters.size}")
    rows = []
    for p in losses:
        for j in jitters:
            t = simulate_transfer("tcp", float(p), n_messages=n, jitter_s=float(j) / 1e3, seed=seed)
            rows.append({"loss rate": float(p), "jitter (ms)": float(j), "sends per message": t.transmissions_per_message,
                         "fast retransmits": t.fast_retransmits, "timeouts": t.timeouts,
                         "needed, 1 / (1 - p)": 1 / (1 - p)})
    return pd.DataFrame(rows).set_index(["loss rate", "jitter (ms)"])


def protocol_figure(table: pd.DataFrame):
    """Four small panels from :func:`compare_protocols`: delivered, in order, goodput, latency."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    from .explorer import show

    panels = ["delivered share", "in-order share", "goodput (Mbit/s)", "mean latency (ms)"]
    titles = ["share delivered", "share in order", "goodput, Mbit/s", "mean latency, ms"]
    fig = make_subplots(rows=2, cols=2, subplot_titles=titles, horizontal_spacing=0.2, vertical_spacing=0.18)
    colors = {"TCP": BLUE, "UDP": ORANGE}
    for i, col in enumerate(panels):
        for proto in ("TCP", "UDP"):
            part = table.xs(proto, level="protocol")
            fig.add_trace(go.Scatter(x=part.index, y=part[col], name=proto, legendgroup=proto,
                                     showlegend=(i == 0), mode="lines+markers",
                                     line={"color": colors[proto]}), row=i // 2 + 1, col=i % 2 + 1)
    fig.update_annotations(font_size=12, yshift=6)  # the panel titles: side by side, clear of the top ticks
    fig.update_yaxes(type="log", tickformat="~s", dtick="D2", row=2, col=2)  # 100, 1k, 10k and 2, 5 between: narrow
    fig.update_xaxes(title_text="loss rate", row=2)
    fig.update_layout(title={"text": "TCP and UDP over a lossy, reordering link (SimPy, seed 7)"},
                      template=TEMPLATE, height=560, margin={"t": 100},
                      legend={"orientation": "h", "yanchor": "bottom", "y": 1.06, "x": 0})
    return show(fig)


# --- TCP's handshake and cumulative ACKs vs UDP, as recorded runs (scalelab.runs) ------


def tcp_run(protocol: str = "tcp", lose_segment: int | None = 2, fast_retransmit: bool = True, segments: int = 6,
            rto_s: float = 0.25, seed: int = 0, drop: tuple[int, ...] = (), crashes=()):
    """A client sends ``segments`` numbered segments to a server's application, over TCP or UDP.

    TCP (``protocol="tcp"``): a three-way handshake (SYN, SYN-ACK, ACK), then the
    segments, one every 10 ms. The receiver hands segments to the application only in
    order, keeps any that arrive early, and answers every segment with a cumulative ACK
    (the number of the next segment it needs). The sender retransmits the oldest
    unacknowledged segment when its retransmission timer (``rto_s``) fires, or, with
    ``fast_retransmit``, on the third duplicate ACK (RFC 5681, section 3.2). UDP: the
    same segments as datagrams, each handed to the application as it arrives; no
    handshake, no ACKs, no retransmission. Every message takes 30 ms.

    ``lose_segment`` drops the first transmission of that segment (found by running the
    same setting without the loss: the runs are the same up to that message).

    Returns a :class:`scalelab.runs.Run` whose checker requires in-order, complete
    delivery to the application: the first "segment 3 delivered before segment 2 (event
    i)", and "segment 2 never delivered: a gap in the data (event j)".

    >>> [v.text for v in tcp_run("udp").violations]
    ['segment 3 delivered before segment 2 (event 9)', 'segment 2 never delivered: a gap in the data (event 16)']
    >>> tcp_run("tcp").violations
    []
    """
    from . import _validate as v
    from .runs import Network, Node, Violation

    kind = v.option("protocol", protocol, ("tcp", "udp"))
    n = v.count("segments", segments, 50)
    lose = None if lose_segment is None else v.count("lose_segment", lose_segment, n)
    fast = v.flag("fast_retransmit", fast_retransmit)
    rto = v.number("rto_s", rto_s, 0.01, 10.0)
    gap_s = 0.01

    class Sender(Node):
        def start(self, net):
            self.next = 1
            if kind == "tcp":
                self.state.update(phase="connecting")
                net.send(self.name, "server", "SYN", kind="syn")
                net.set_timer(self.name, rto, "SYN timeout")
            else:
                self.state.update(sent=0)
                net.set_timer(self.name, 0.0, "pace", quiet=True)

        def _segment(self, net, k, again=""):
            net.send(self.name, "server", f"segment {k}{again}", kind="data", seq=k)

        def timer(self, net, name):
            if name == "pace":
                if self.next <= n:
                    self._segment(net, self.next)
                    if kind == "udp":
                        self.state["sent"] = self.next
                    self.next += 1
                    net.set_timer(self.name, gap_s, "pace", quiet=True)
            elif name == "SYN timeout" and self.state.get("phase") == "connecting":
                net.send(self.name, "server", "SYN", kind="syn")
                net.set_timer(self.name, rto, "SYN timeout")
            elif name == "retransmission timeout" and self.state.get("acked", 0) < n:
                base = self.state["acked"] + 1
                net.changed(self.name, f"timeout: resend segment {base}")
                self._segment(net, base, " (again)")
                net.set_timer(self.name, rto, "retransmission timeout")

        def receive(self, net, msg):
            if msg.body["kind"] == "synack" and self.state["phase"] == "connecting":
                net.cancel_timer(self.name, "SYN timeout")
                self.state.update(phase="established", acked=0, dupacks=0)
                net.changed(self.name, "connection established")
                net.send(self.name, "server", "ACK", kind="ack0")
                net.set_timer(self.name, 0.0, "pace", quiet=True)
                net.set_timer(self.name, rto, "retransmission timeout")
            elif msg.body["kind"] == "ack":
                a = msg.body["next"] - 1
                if a > self.state["acked"]:
                    self.state.update(acked=a, dupacks=0)
                    if a >= n:
                        self.state["phase"] = "all acknowledged"
                        net.cancel_timer(self.name, "retransmission timeout")
                    else:
                        net.set_timer(self.name, rto, "retransmission timeout")
                    net.changed(self.name)
                elif a == self.state["acked"] and a < n:
                    self.state["dupacks"] += 1
                    net.changed(self.name, f"duplicate ACK {self.state['dupacks']}")
                    if fast and self.state["dupacks"] == 3:
                        net.changed(self.name, f"fast retransmit of segment {a + 1}")
                        self._segment(net, a + 1, " (again)")
                        net.set_timer(self.name, rto, "retransmission timeout")

    class Receiver(Node):
        def start(self, net):
            self.expected, self.early = 1, set()
            self.state.update(read="-")

        def _read(self, net, k):
            self.state["read"] = str(k) if self.state["read"] == "-" else f"{self.state['read']},{k}"
            net.changed(self.name, f"app reads segment {k}")

        def receive(self, net, msg):
            what = msg.body["kind"]
            if what == "syn":
                net.send(self.name, msg.src, "SYN-ACK", kind="synack")
            elif what == "data" and kind == "udp":
                self._read(net, msg.body["seq"])
            elif what == "data":
                k = msg.body["seq"]
                if k == self.expected:
                    self._read(net, k)
                    self.expected += 1
                    while self.expected in self.early:
                        self.early.discard(self.expected)
                        self._read(net, self.expected)
                        self.expected += 1
                elif k > self.expected:
                    self.early.add(k)
                net.send(self.name, msg.src, f"ACK {self.expected}", kind="ack", next=self.expected)

    def check(events):
        reads = [(e.index, int(e.label.rsplit(" ", 1)[1])) for e in events
                 if e.kind == "state" and e.label.startswith("app reads segment")]
        out, seen = [], {}
        for idx, k in reads:
            missing = [j for j in range(1, k) if j not in seen]
            if missing and k not in seen and not out:  # the first one says it
                out.append(Violation(f"segment {k} delivered before segment {missing[0]} (event {idx})", (idx,)))
            seen.setdefault(k, idx)
        last = reads[-1][0] if reads else max(0, len(events) - 1)
        for j in range(1, n + 1):
            if j not in seen and any(k > j for k in seen):
                out.append(Violation(f"segment {j} never delivered: a gap in the data (event {last})", (last,)))
        return out

    def once(dropped):
        net = Network(["client", "server"], seed=seed, delay_s=(0.03, 0.03), drop=dropped, crashes=crashes)
        name = "TCP" if kind == "tcp" else "UDP"
        how = (", fast retransmit" if fast else ", timeout only") if kind == "tcp" else ""
        lost = f", segment {lose} lost" if lose else ""
        return net.run({"client": Sender("client"), "server": Receiver("server")}, until_s=2.0, max_events=600,
                       check=check, title=f"{name}{how}{lost}")

    extra = tuple(drop)
    if lose is not None:
        first = once(extra)
        mid = next(e.mid for e in first.events if e.kind == "send" and e.label == f"segment {lose}")
        extra = tuple(sorted({*extra, mid}))
    return once(extra)
