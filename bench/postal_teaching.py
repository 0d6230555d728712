"""Teaching 10 codes, judged on writers whose digits chose none of the teaching settings.

The six pen writers of `pendigits-orig-writers1-6.tes` (never in the model's training data) are
drawn onto the canvas as five-digit codes in the order they wrote them, in each of the real-writer
check's ways of drawing (default pen, small, thick, thin, off-centre), and cut into boxes by the
app's own preprocessing (`canvas_inputs`). Per writer and way, the first `--teach` codes are
taught to an empty profile (every box with its true digit, as "That was: …" does in the tab) and
the writer's other codes are read with it (`PostalRecognizer.readings`, the tab's own judging).

Nested leave-one-writer-out: for each writer, the profile's settings (`VoteSettings`:
neighbours, similarity threshold, when the user's samples vouch for a reading) are chosen on the
other five writers (all ways of drawing) — among the settings whose share of digits right is
within 0.1 point of the best (a few readings), the one flagging the fewest right readings while
it flags at least 80 % of the wrong ones — and only the held-out writer's figures are reported.
The candidates also say whether, and from what gain, the user's boxes are redrawn the way that
reads their taught samples best (`digit_variants`: wider, narrower, upright, bolder).
The `.tra` writers can't be used: that file is shuffled (rows carry no writer), so its writers
cannot be told apart.
Also: one taught sample given a wrong label (the model's second choice, as a slip of the hand
would), each in turn, and how many of the writer's other digits that costs.

    python bench/postal_teaching.py [--teach 10] [--model PATH]
"""

from __future__ import annotations

import argparse
import itertools
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from vision_agent.core.digit_status import DigitStatus  # noqa: E402
from vision_agent.core.digit_variants import (  # noqa: E402
    AS_DRAWN,
    reshaped,
)
from vision_agent.core.postal import (  # noqa: E402
    SHIPPED_MODEL,
    VARIANT_MARGIN,
    PostalRecognizer,
    canvas_inputs,
)
from vision_agent.core.profile_reader import ProfileIndex, VoteSettings  # noqa: E402
from vision_agent.core.taught_samples import TaughtSamples, index_of  # noqa: E402
from vision_agent.training.digit_checks import VARIANTS, writer_codes  # noqa: E402
from vision_agent.training.pen_digits import read_unipen  # noqa: E402

WRITERS = ROOT.parent / "shared" / "datasets" / "pendigits" / "pendigits-orig-writers1-6.tes"
Candidate = tuple[VoteSettings, float | None]  # the votes' settings, the variant margin
# as before (main 2f8d721): votes only, every sample votes, the boxes as drawn
TODAY: Candidate = (VoteSettings(similar_above=0.6, vouch_at=None, slips_silent=False), None)
CANDIDATES: list[Candidate] = [
    (VoteSettings(neighbours=k, similar_above=above, vouch_at=at, vouch_share=share), margin)
    for k, above, (at, share), margin in itertools.product(
        (5, 9),
        (0.5, 0.6, 0.7),
        ((None, 0.8), (1.0, 0.8), (2.0, 0.8), (1.0, 1.0)),
        (None, 0.01, 0.03, 0.1),  # the variant margin
    )
]
WRONG_FLAGGED_AT_LEAST = 0.80
SAME_ACCURACY = 0.001  # shares of digits right this close count as equal (~6 of 6,000 readings)


@dataclass
class Boxes:
    """One writer drawn one way: every box's input, label and code number."""

    inputs: np.ndarray
    labels: np.ndarray
    code: np.ndarray


@dataclass
class Outcome:
    right: np.ndarray  # per digit read
    flagged: np.ndarray  # not `ok`


def boxes_of(canvases, codes) -> Boxes:
    inputs, labels, numbers = [], [], []
    for number, (canvas, code) in enumerate(zip(canvases, codes, strict=True)):
        cut, present = canvas_inputs(canvas)
        for i in range(len(code)):
            if present[i]:
                inputs.append(cut[i])
                labels.append(int(code[i]))
                numbers.append(number)
    return Boxes(np.array(inputs, np.float32)[..., None], np.array(labels), np.array(numbers))


def outcome(readings, labels: np.ndarray) -> Outcome:
    digits = np.array([-1 if r.digit is None else r.digit for r in readings])
    flagged = np.array([r.status is not DigitStatus.OK for r in readings])
    return Outcome(digits == labels, flagged)


class Writer:
    """One writer drawn one way, taught its first codes: readings under any candidate, the
    model's passes shared between candidates that redraw the boxes the same way."""

    def __init__(self, recognizer: PostalRecognizer, boxes: Boxes, teach: int) -> None:
        self.recognizer, self.boxes = recognizer, boxes
        self.taught, self.read = boxes.code < teach, boxes.code >= teach
        self.samples = self._taught(boxes.labels[self.taught])
        self._passes: dict[str, tuple] = {}

    def _taught(self, labels: np.ndarray) -> TaughtSamples:
        """The taught samples as the app holds them (scored for every way of redrawing)."""
        samples = TaughtSamples(self.recognizer.run, margin=0.0)
        samples.add(self.boxes.inputs[self.taught], labels)
        return samples

    def variant(self, margin: float | None) -> str:
        return self.samples.chosen(margin)

    def _pass(self, variant: str, labels: np.ndarray) -> tuple:
        """The profile's index and the read boxes' outputs and features, redrawn `variant`."""
        run = self.recognizer.run
        index = index_of(run, self.boxes.inputs[self.taught], labels, variant)
        return index, *run(reshaped(self.boxes.inputs[self.read], variant))

    def untaught(self) -> Outcome:
        r = self.recognizer
        r.profile = ProfileIndex.empty()
        x = self.boxes.inputs[self.read]
        return outcome(r.readings(r.predictor(x), r.features(x)), self.boxes.labels[self.read])

    def taught_reading(self, candidate: Candidate, slip: np.ndarray | None = None) -> Outcome:
        """The other codes read after teaching (`slip`: taught labels other than the true)."""
        settings, margin = candidate
        if slip is None:
            variant = self.variant(margin)
            if variant not in self._passes:
                self._passes[variant] = self._pass(variant, self.boxes.labels[self.taught])
            index, outputs, features = self._passes[variant]
        else:
            index, outputs, features = self._pass(self._taught(slip).chosen(margin), slip)
        self.recognizer.profile, self.recognizer.vote_settings = index, settings
        return outcome(self.recognizer.readings(outputs, features), self.boxes.labels[self.read])

    def slips(self, candidate: Candidate) -> list[int]:
        """Digits lost when one taught sample, each in turn, carries the model's second choice."""
        clean = int(self.taught_reading(candidate).right.sum())
        true = self.boxes.labels[self.taught]
        outputs = self.recognizer.run(self.boxes.inputs[self.taught])[0]
        lost = []
        for i in range(len(true)):
            wrong = true.copy()
            wrong[i] = next(int(d) for d in np.argsort(-outputs[i, :10]) if d != true[i])
            lost.append(clean - int(self.taught_reading(candidate, wrong).right.sum()))
        return lost


def pooled(outcomes: list[Outcome]) -> tuple[float, float, float, int]:
    """(share right, right readings flagged, wrong readings flagged, wrong count)."""
    right = np.concatenate([o.right for o in outcomes])
    flagged = np.concatenate([o.flagged for o in outcomes])
    wrong = int((~right).sum())
    return (
        float(right.mean()),
        float((flagged & right).sum() / max(1, right.sum())),
        float((flagged & ~right).sum() / max(1, wrong)),
        wrong,
    )


def choose(results, candidates: list[Candidate], writers) -> Candidate:
    """On these writers (every way): of the candidates whose share of digits right is within
    `SAME_ACCURACY` of the best, the one flagging the fewest right readings while it flags
    ≥ 80 % of wrong ones (else the one flagging the most wrong ones)."""
    scores = {}
    for candidate in candidates:
        outcomes = [o for (c, _, w), o in results.items() if c == candidate and w in writers]
        scores[candidate] = pooled(outcomes)
    best = max(right for right, _, _, _ in scores.values())

    def key(candidate: Candidate):
        right, right_flagged, wrong_flagged, _ = scores[candidate]
        enough = wrong_flagged >= WRONG_FLAGGED_AT_LEAST
        return (right >= best - SAME_ACCURACY, enough, -right_flagged if enough else wrong_flagged)

    return max(candidates, key=key)


def describe(candidate: Candidate) -> str:
    s, margin = candidate
    vouch = "no vouching" if s.vouch_at is None else f"vouch ≥{s.vouch_at:g} & {s.vouch_share:.0%}"
    variants = "as drawn" if margin is None else f"variant if +{margin:g}"
    return f"k={s.neighbours} sim>{s.similar_above:g} {vouch}, {variants}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--teach", type=int, default=10, help="codes taught per writer")
    parser.add_argument("--model", type=Path, default=SHIPPED_MODEL)
    args = parser.parse_args()
    recognizer = PostalRecognizer.from_file(args.model)
    digits = read_unipen(WRITERS)
    ways = list(VARIANTS)
    data: dict[tuple[str, int], Writer] = {}
    for way in ways:
        for codes in writer_codes(digits, VARIANTS[way]):
            boxes = boxes_of(codes.canvases, codes.codes)
            data[way, codes.writer] = Writer(recognizer, boxes, args.teach)
    writers = sorted({w for _, w in data})
    before = {key: writer.untaught() for key, writer in data.items()}
    results: dict[tuple[Candidate, str, int], Outcome] = {}
    for (way, number), writer in data.items():
        for candidate in {*CANDIDATES, TODAY}:
            results[candidate, way, number] = writer.taught_reading(candidate)
    print(
        f"model {args.model.name}; {len(writers)} pen writers × {len(ways)} ways of drawing; "
        f"teach the first {args.teach} codes, read the rest; {len(CANDIDATES)} candidates"
    )
    default = ways[0]
    print(f"\nper held-out writer, {default} (the settings chosen on the other writers, every way)")
    print(f"{'writer':>6} {'read':>5} {'untaught':>8} {'as before':>11} {'nested':>8}  chosen")
    chosen: dict[int, Candidate] = {}
    for number in writers:
        chosen[number] = choose(results, CANDIDATES, [w for w in writers if w != number])
        b = before[default, number]
        variant = data[default, number].variant(chosen[number][1])
        print(
            f"{number:>6} {len(b.right):>5} {b.right.mean():8.2%} "
            f"{results[TODAY, default, number].right.mean():11.2%} "
            f"{results[chosen[number], default, number].right.mean():8.2%}  "
            f"{describe(chosen[number])} → {variant}"
        )
    print(
        f"\n{'way of drawing':<24} {'untaught: mean/hardest':>22} {'as before':>16} "
        f"{'nested':>16}   nested: right flagged / wrong flagged (wrong)"
    )
    for way in ways:
        rows = [
            [before[way, w] for w in writers],
            [results[TODAY, way, w] for w in writers],
            [results[chosen[w], way, w] for w in writers],
        ]
        cells = [
            f"{np.mean([o.right.mean() for o in row]):.2%} / {min(o.right.mean() for o in row):.2%}"
            for row in rows
        ]
        _, right_flagged, wrong_flagged, wrong = pooled(rows[2])
        _, today_right_flagged, today_wrong_flagged, today_wrong = pooled(rows[1])
        redrawn = [f"{w}={data[way, w].variant(chosen[w][1])}" for w in writers]
        redrawn = [r for r in redrawn if not r.endswith(AS_DRAWN)]
        print(
            f"{way:<24} {cells[0]:>22} {cells[1]:>16} {cells[2]:>16}   "
            f"{right_flagged:.2%} / {wrong_flagged:.0%} ({wrong}); as before "
            f"{today_right_flagged:.2%} / {today_wrong_flagged:.0%} ({today_wrong}); "
            f"redrawn: {', '.join(redrawn) or '-'}"
        )
    every = [results[chosen[w], way, w] for way in ways for w in writers]
    worst = min(every, key=lambda o: o.right.mean())
    print(f"hardest writer × way, nested: {worst.right.mean():.2%}")
    lost = [n for w in writers for n in data[default, w].slips(chosen[w])]
    today_lost = [n for w in writers for n in data[default, w].slips(TODAY)]
    print(
        f"\none taught sample labelled wrong ({default}, each of {len(lost)} in turn): "
        f"nested {np.mean(lost):.2f} digits lost on average, {max(lost)} at worst, "
        f"{np.mean(np.array(lost) > 0):.1%} of slips cost any; as before {np.mean(today_lost):.2f}"
        f" / {max(today_lost)} / {np.mean(np.array(today_lost) > 0):.1%}"
    )
    shipped = choose(results, CANDIDATES, writers)
    app = (VoteSettings(), VARIANT_MARGIN)
    print(
        f"\nchosen on all {len(writers)} writers (what the app should ship): {describe(shipped)}"
        f"; the app ships {describe(app)}"
    )


if __name__ == "__main__":
    main()
