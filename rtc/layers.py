"""Which layer of the main stream one receiver gets, judged from that receiver's own RTCP.

aiortc has neither simulcast nor transport-wide congestion control, so the judgement rests on
what every receiver sends anyway: receiver reports (fraction lost, jitter, and the RTT the
sender works out from them) and, where the client sends it, REMB. The rules (/api §4,
written out on /api):

- three layers, best first: ``full``, ``light``, ``audio`` (video stopped, audio kept);
- step down fast: a report that is bad (loss above ``down_loss``, RTT above ``down_rtt_s``,
  jitter above ``down_jitter_s``) twice within ``down_after_s`` moves one layer down; reports in
  the first ``settle_s`` after a step down still describe the layer left and are not counted,
  and neither is any loss counted from before ``drain_s`` after it (the layer left, queued on
  the link, is lost there after the switch: judged as the new layer's, it sent a hall from full
  through light to audio on one burst). So the next step down (to audio) is only ever for the
  new layer's own loss;
- with ``use_remb`` (off: see Rules), a REMB below 1.2 times what the layer above sends holds
  the receiver where it is (no reason to step down on its own: estimators start low);
- loss is judged over the last ``window_s`` of each stream's packets (from the reports'
  counters; the worst stream counts, once it covers ``min_packets`` and ``min_span_s``), not
  report by report; RTT by the least of the reports
  in the last ``window_s``: a queue standing at the bottleneck delays every packet, while a
  late report is a scheduling hiccup at either end (Chromium on a clean link with the machine
  busy, and aiortc halls, whose loop stamps a sender report's arrival when it reads it,
  reported 0.2-0.6 s over the least RTT for seconds at a time: single reports failed probes,
  and healthy halls never climbed);
- climb slowly: only after a hold (``base_hold_s``; at least ``full_hold_s`` towards full) of
  good reports (loss under ``up_loss_*``, RTT within ``queue_s`` of the least seen: no queue
  building) with no bad or "fair" one, and only through a probe: the
  receiver is tried on the layer above for ``probe_s``; one bad report then sends it straight
  back and doubles its hold (up to ``max_hold_s``), a clean probe keeps the new layer and halves
  the hold again (not below ``base_hold_s``). A step down doubles the hold too (the layer left
  did not fit). A bad report on the lower layer after a failed probe is judged as usual;
- a receiver starts on the light layer when there is one, and climbs like any other (so a
  hall on a short link is never flooded with the full layer first: the loss that causes cannot
  all be repaired, and a receiver's jitter buffer may wait long on the holes it leaves);
- a receiver that sends no RTCP (or nothing readable) is healthy: it keeps its layer, and
  silence for ``silence_s`` counts as a good report, so it climbs back too.

The chooser is pure: it is given reports and a clock and says which layer it wants. The caller
makes the switch (on a key frame of the new layer: rtc/forward.py).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, replace

LAYERS = ("full", "light", "audio")


@dataclass(frozen=True)
class Report:
    """What one RTCP packet from the receiver says about its downlink."""

    loss: float | None = None  # fraction lost since its previous report, 0..1
    # the report block's counters, so loss can be judged over many packets of every stream:
    ssrc: int | None = None
    highest_seq: int | None = None  # extended highest sequence number received
    lost_total: int | None = None  # cumulative packets lost
    rtt_s: float | None = None
    jitter_s: float | None = None
    remb_bps: float | None = None


@dataclass(frozen=True)
class Rules:
    down_loss: float = 0.20
    down_rtt_s: float = 0.6
    down_jitter_s: float = 0.15
    # a report counts towards climbing to a layer below this loss (hysteresis: under down_loss;
    # the light layer is what a lossy link is for, so it is easier to get back to)
    up_loss_full: float = 0.01
    up_loss_light: float = 0.07
    up_rtt_s: float = 0.4
    down_after_s: float = 2.5  # two bad reports within this
    # reports this soon after a step down still describe the layer left: not held against it
    settle_s: float = 2.5
    # loss counted from a report sent this soon after a step down includes the layer left: the
    # switch waits for the new layer's key frame (a sender that cannot answer a key frame
    # request sends its next one up to a second later: all that while the layer left goes on
    # filling the link), and the link's queue still holds it after. 1.5 s was not enough: a
    # kiosk behind a 300 kbit/s link went light -> audio in 1 run of 6 on the tail of the full
    # layer (tests/rtc/test_kiosk_weak_link.py).
    drain_s: float = 2.5
    base_hold_s: float = 4.0
    # the climb to full waits at least this: a probe of the full layer floods a link that
    # cannot carry it, and a 5 % loss link can look clean for a few seconds by chance (6 s of
    # the light layer and its audio is ~250 packets: all clean at 5 % loss, p < 1e-5)
    full_hold_s: float = 6.0
    # bounds a failed probe's doubling: after one failed probe (a transient) the climb to full
    # still ends within 30 s of a link healing (window_s + full_hold_s + probe_s + 2 * hold
    # + probe_s = 4 + 6 + 3 + 8 + 3 = 24 s)
    max_hold_s: float = 12.0
    probe_s: float = 3.0
    silence_s: float = 3.0
    # REMB is off: the fast path does not stamp abs-send-time on what it forwards, and without
    # it a browser's REMB stays near its floor (~20 kbit/s seen from Chromium) whatever the link
    use_remb: bool = False
    # loss is judged over the packets of every stream in the last window_s (from the reports'
    # counters), once it covers min_packets: a single report covers only a few dozen packets,
    # so at 5 % loss one in a dozen says 10 % or more by chance alone
    window_s: float = 4.0
    min_packets: int = 20  # per stream
    # ... and once it spans this much time: a window just begun (after a step down) holds the
    # light layer's first second, ~20 packets, and one key frame's overflow with the resends it
    # draws on a link ~90 % full is 20 % of that. A kiosk behind the bad day went light ->
    # audio on such a second, with 5 % loss before and after (tests/rtc/test_kiosk_weak_link.py)
    min_span_s: float = 2.0
    # a report is good only if the window's RTT is within this of the least seen: more is a
    # queue standing at the bottleneck (the link is near full), however little it loses yet
    queue_s: float = 0.1


class LayerChooser:
    """``layers``: the layers the main stream has now (``("full", "audio")`` for a sender without
    a light layer). ``rate_of(layer)``: bits/s the layer is sending, for REMB comparisons."""

    def __init__(
        self,
        clock: Callable[[], float],
        rules: Rules | None = None,
        rate_of: Callable[[str], float] | None = None,
    ) -> None:
        self.clock = clock
        self.rules = rules or Rules()
        self.rate_of = rate_of
        self.layers: tuple[str, ...] = LAYERS
        self.layer = "full"
        self.started = False  # set_layers not called yet
        self.degraded = False  # it has stepped down at least once
        self.probing = False
        self.changes = 0
        self._hold = self.rules.base_hold_s
        now = clock()
        self._last_bad = -1e9
        self._settled = now  # when the current layer (or the last bad report) began
        self._probe_started = 0.0
        self._last_report = now
        self._stepped_down = -1e9
        self.loss: float | None = None  # over the window, since the current layer settled
        # ssrc -> (highest_seq, lost_total, when): each stream's counters at its last report
        self._streams: dict[int, tuple[int, int, float]] = {}
        # (t, ssrc, expected, lost, since): what one report counts, since the stream's last one
        self._window: deque[tuple[float, int, int, int, float]] = deque()
        self.min_rtt_s: float | None = None
        self._rtts: deque[tuple[float, float]] = deque()  # (t, RTT) of the window's reports
        # why it moved: the last moves with the report judged (as the chooser saw it), for the
        # log and for a test's failure message (a fall seen only as "light -> audio" is a guess)
        self.moves: deque[str] = deque(maxlen=16)
        self._judged: Report | None = None

    def set_layers(self, layers: tuple[str, ...]) -> str:
        """The main stream changed; keep the receiver on its rung, mapped onto what exists."""
        self.layers = layers
        if not self.started:
            self.started = True
            self.layer = "light" if "light" in layers else "full"
            self._settled = self.clock()
        elif self.layer not in layers:
            # "light" missing: a receiver that stepped down gets audio (never more than it can
            # take); one on light only because everyone starts there gets full
            self.layer = "audio" if self.degraded else "full"
            self.probing = False
        return self.layer

    def report(self, report: Report) -> str:
        now = self.clock()
        self._last_report = now
        settling = not self.probing and now - self._stepped_down < self.rules.settle_s
        if report.ssrc is not None:  # counters: loss over the window, of every stream
            loss = self._windowed_loss(report, now)
            if settling:
                self._window.clear()  # what they count is still the layer left
            report = replace(report, loss=loss)
        if settling:
            report = replace(report, loss=None)
        elif report.loss is not None:
            self.loss = report.loss
        if report.rtt_s is not None and report.rtt_s > 0:
            self.min_rtt_s = min(self.min_rtt_s or report.rtt_s, report.rtt_s)
            self._rtts.append((now, report.rtt_s))
        if report.rtt_s is not None:
            report = replace(report, rtt_s=self._window_rtt(now))
        self._judged = report
        verdict = self._judge(report)
        if verdict == "bad":
            if self.probing or now - self._stepped_down >= self.rules.settle_s:
                self._on_bad(now)
            else:
                self._settled = now  # not held against this layer, but no reason to climb
        elif verdict == "good":
            self._advance(now)
        elif verdict == "fair" and not self.probing:  # keeps the layer, no reason to climb
            self._settled = now
        return self.layer

    def tick(self) -> str:
        """Time passing without reports: silence is health."""
        now = self.clock()
        self._judged = None
        if now - self._last_report >= self.rules.silence_s:
            self._last_report = now
            self._advance(now)
        elif self.probing:
            self._advance(now)
        return self.layer

    # --- internals -----------------------------------------------------------------------------

    def _windowed_loss(self, r: Report, now: float) -> float | None:
        """Loss over the window from the reports' counters: the worst stream's among those
        with enough packets (None: none has yet). Per stream, because audio sent twice to a
        weak hall loses almost nothing and would hide its video's loss in a sum."""
        if r.ssrc is None or r.highest_seq is None or r.lost_total is None:
            return None
        previous = self._streams.get(r.ssrc)
        self._streams[r.ssrc] = (r.highest_seq, r.lost_total, now)
        # counted from before the layer left has drained, the loss is partly that layer's: this
        # report is only the stream's new starting point
        if previous is not None and previous[2] >= self._stepped_down + self.rules.drain_s:
            expected = r.highest_seq - previous[0]
            if 0 < expected < 10_000:  # else a reset or garbage: skip it
                lost = min(max(r.lost_total - previous[1], 0), expected)
                self._window.append((now, r.ssrc, expected, lost, previous[2]))
        while self._window and self._window[0][0] < now - self.rules.window_s:
            self._window.popleft()
        totals: dict[int, tuple[int, int, float]] = {}  # ssrc -> (expected, lost, since)
        for _, ssrc, expected, lost, since in self._window:
            total = totals.get(ssrc, (0, 0, since))
            totals[ssrc] = (total[0] + expected, total[1] + lost, min(total[2], since))
        losses = [
            lost / expected
            for expected, lost, since in totals.values()
            if expected >= self.rules.min_packets and now - since >= self.rules.min_span_s
        ]
        return max(losses) if losses else None

    def _window_rtt(self, now: float) -> float | None:
        while self._rtts and self._rtts[0][0] < now - self.rules.window_s:
            self._rtts.popleft()
        return min((rtt for _, rtt in self._rtts), default=None)

    def _judge(self, r: Report) -> str:
        """ "bad" (step down), "good" (counts towards climbing), "fair" (holds the receiver
        where it is) or "none" (no evidence either way)."""
        rules = self.rules
        if (
            (r.loss is not None and r.loss > rules.down_loss)
            or (r.rtt_s is not None and r.rtt_s > rules.down_rtt_s)
            or (r.jitter_s is not None and r.jitter_s > rules.down_jitter_s)
        ):
            return "bad"
        # the layer above (or, while probing, the one being probed) sets the bar for "good"
        target = self.layer if self.probing else self._above()
        if r.loss is None and (r.remb_bps is None or not rules.use_remb):
            # nothing to judge by: too few packets yet, an empty report, a REMB we do not use.
            # Not "fair" either: a browser's REMB every second would keep resetting the hold
            return "none"
        if rules.use_remb and r.remb_bps is not None and self.rate_of is not None:
            # REMB only holds a receiver back: estimators ramp up from a low start (Chrome's
            # from ~300 kbit/s), so a low one early on is no proof of a short link
            needed = self.rate_of(target)
            if needed > 0 and r.remb_bps < 1.2 * needed:
                return "fair"
        up_loss = self.rules.up_loss_full if target == "full" else self.rules.up_loss_light
        good = (r.loss is not None and r.loss <= up_loss) and (
            r.rtt_s is None
            or (r.rtt_s <= rules.up_rtt_s and r.rtt_s <= (self.min_rtt_s or 0) + rules.queue_s)
        )
        if good:
            return "good"
        return "bad" if self.probing else "fair"  # a probe must be clean

    def _above(self) -> str:
        return self.layers[max(self._index() - 1, 0)]

    def _on_bad(self, now: float) -> None:
        if self.probing:
            # the probe failed: back at once, and wait longer before the next one
            self.probing = False
            self._hold = min(self._hold * 2, self.rules.max_hold_s)
            self._move(+1, now)
            self._last_bad = -1e9
            return
        if now - self._last_bad <= self.rules.down_after_s:
            # the layer left does not fit: not tried again as soon as a layer never tried (on
            # a link too short for light, audio alone looks clean, and a probe after 4 s took
            # the hall's sound down with it)
            self._hold = min(self._hold * 2, self.rules.max_hold_s)
            self._move(+1, now)
            self._last_bad = -1e9
        else:
            self._last_bad = now
        self._settled = now

    def _advance(self, now: float) -> None:
        if self.probing:
            if now - self._probe_started >= self.rules.probe_s:
                self.probing = False
                self._hold = max(self._hold / 2, self.rules.base_hold_s)
                self._settled = now
            return
        hold = max(self._hold, self.rules.full_hold_s) if self._above() == "full" else self._hold
        if now - self._settled >= hold and self._index() > 0:
            self.probing = True
            self._probe_started = now
            self._move(-1, now)

    def _index(self) -> int:
        return self.layers.index(self.layer)

    def _move(self, step: int, now: float) -> None:
        index = min(max(self._index() + step, 0), len(self.layers) - 1)
        if self.layers[index] != self.layer:
            why = "a probe, after a clean hold" if step < 0 else self._why()
            self.moves.append(f"{now:.1f} {self.layer} -> {self.layers[index]}: {why}")
            self.layer = self.layers[index]
            self.changes += 1
            if step > 0:
                self._stepped_down = now
                self.degraded = True
                # the next layer is judged on its own reports
                self.loss = None
                self._window.clear()
        self._settled = now

    def _why(self) -> str:
        r = self._judged
        if r is None:
            return "no report"
        figures = [
            f"{name} {value:.3f}"
            for name, value in (("loss", r.loss), ("rtt", r.rtt_s), ("jitter", r.jitter_s))
            if value is not None
        ]
        return ", ".join(figures) or "no figures"
