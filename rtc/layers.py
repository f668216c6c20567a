"""Which layer of the main stream one receiver gets, judged from that receiver's own RTCP.

aiortc has neither simulcast nor transport-wide congestion control, so the judgement rests on
what every receiver sends anyway: receiver reports (fraction lost, jitter, and the RTT the
sender works out from them) and, where the client sends it, REMB. The rules (PROTOCOL §4,
written out on /api):

- three layers, best first: ``full``, ``light``, ``audio`` (video stopped, audio kept);
- step down fast: a report that is bad (loss above ``down_loss``, RTT above ``down_rtt_s``,
  jitter above ``down_jitter_s``) twice within ``down_after_s`` moves one layer down; reports in
  the first ``settle_s`` after a step down still describe the layer left and are not counted;
- a REMB below 1.2 times what the layer above sends holds the receiver where it is (it is no
  reason to step down on its own: estimators start low and ramp up);
- climb slowly: only after ``hold_s`` without a bad report, and only through a probe: the
  receiver is tried on the layer above for ``probe_s``; one bad report then sends it straight
  back and doubles its hold (up to ``max_hold_s``), a clean probe keeps the new layer and halves
  the hold again (not below ``base_hold_s``). A bad report on the lower layer after a failed
  probe is judged as usual;
- a receiver that sends no RTCP (or nothing readable) is healthy: it keeps its layer, and
  silence for ``silence_s`` counts as a good report, so it climbs back too.

The chooser is pure: it is given reports and a clock and says which layer it wants. The caller
makes the switch (on a key frame of the new layer: rtc/forward.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

LAYERS = ("full", "light", "audio")


@dataclass(frozen=True)
class Report:
    """What one RTCP packet from the receiver says about its downlink."""

    loss: float | None = None  # fraction lost since its previous report, 0..1
    rtt_s: float | None = None
    jitter_s: float | None = None
    remb_bps: float | None = None


@dataclass(frozen=True)
class Rules:
    down_loss: float = 0.10
    down_rtt_s: float = 0.6
    down_jitter_s: float = 0.15
    # a report counts towards climbing to a layer below this loss (hysteresis: under down_loss;
    # the light layer is what a lossy link is for, so it is easier to get back to)
    up_loss_full: float = 0.03
    up_loss_light: float = 0.07
    up_rtt_s: float = 0.4
    down_after_s: float = 2.5  # two bad reports within this
    # reports this soon after a step down still describe the layer left: not held against it
    settle_s: float = 1.5
    base_hold_s: float = 4.0
    max_hold_s: float = 16.0
    probe_s: float = 3.0
    silence_s: float = 3.0


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
        self.probing = False
        self.changes = 0
        self._hold = self.rules.base_hold_s
        now = clock()
        self._last_bad = -1e9
        self._settled = now  # when the current layer (or the last bad report) began
        self._probe_started = 0.0
        self._last_report = now
        self._stepped_down = -1e9

    def set_layers(self, layers: tuple[str, ...]) -> str:
        """The main stream changed; keep the receiver on its rung, mapped onto what exists."""
        self.layers = layers
        if self.layer not in layers:
            # "light" missing: a receiver below full gets audio (never more than it can take)
            self.layer = "audio" if self.layer != "full" else "full"
            self.probing = False
        return self.layer

    def report(self, report: Report) -> str:
        now = self.clock()
        self._last_report = now
        verdict = self._judge(report)
        if verdict == "bad":
            if self.probing or now - self._stepped_down >= self.rules.settle_s:
                self._on_bad(now)
            else:
                self._settled = now  # not held against this layer, but no reason to climb
        elif verdict == "good":
            self._advance(now)
        elif not self.probing:  # "fair": keeps the layer, but is no reason to climb
            self._settled = now
        return self.layer

    def tick(self) -> str:
        """Time passing without reports: silence is health."""
        now = self.clock()
        if now - self._last_report >= self.rules.silence_s:
            self._last_report = now
            self._advance(now)
        elif self.probing:
            self._advance(now)
        return self.layer

    # --- internals -----------------------------------------------------------------------------

    def _judge(self, r: Report) -> str:
        """ "bad" (step down), "good" (counts towards climbing) or "fair" (neither)."""
        rules = self.rules
        if (
            (r.loss is not None and r.loss > rules.down_loss)
            or (r.rtt_s is not None and r.rtt_s > rules.down_rtt_s)
            or (r.jitter_s is not None and r.jitter_s > rules.down_jitter_s)
        ):
            return "bad"
        # the layer above (or, while probing, the one being probed) sets the bar for "good"
        target = self.layer if self.probing else self._above()
        if r.remb_bps is not None and self.rate_of is not None:
            # REMB only holds a receiver back: estimators ramp up from a low start (Chrome's
            # from ~300 kbit/s), so a low one early on is no proof of a short link
            needed = self.rate_of(target)
            if needed > 0 and r.remb_bps < 1.2 * needed:
                return "fair"
        up_loss = self.rules.up_loss_full if target == "full" else self.rules.up_loss_light
        good = (r.loss is None or r.loss <= up_loss) and (
            r.rtt_s is None or r.rtt_s <= rules.up_rtt_s
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
        if now - self._settled >= self._hold and self._index() > 0:
            self.probing = True
            self._probe_started = now
            self._move(-1, now)

    def _index(self) -> int:
        return self.layers.index(self.layer)

    def _move(self, step: int, now: float) -> None:
        index = min(max(self._index() + step, 0), len(self.layers) - 1)
        if self.layers[index] != self.layer:
            self.layer = self.layers[index]
            self.changes += 1
            if step > 0:
                self._stepped_down = now
        self._settled = now
