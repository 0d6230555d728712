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
from vision_agent.core.postal import SHIPPED_MODEL, PostalRecognizer, canvas_inputs  # noqa: E402
from vision_agent.core.profile_reader import ProfileIndex, VoteSettings  # noqa: E402
from vision_agent.training.digit_checks import VARIANTS, writer_codes  # noqa: E402
from vision_agent.training.pen_digits import read_unipen  # noqa: E402

WRITERS = ROOT.parent / "shared" / "datasets" / "pendigits" / "pendigits-orig-writers1-6.tes"
TODAY = VoteSettings(similar_above=0.6, vouch_at=None, slips_silent=False)  # as before (main)
CANDIDATES = [
    VoteSettings(neighbours=k, similar_above=above, vouch_at=at, vouch_share=share)
    for k, above, (at, share) in itertools.product(
        (5, 9), (0.5, 0.6, 0.7), ((None, 0.8), (1.0, 0.8), (2.0, 0.8), (1.0, 1.0))
    )
]
WRONG_FLAGGED_AT_LEAST = 0.80
SAME_ACCURACY = 0.001  # shares of digits right this close count as equal (~6 of 6,000 readings)


@dataclass
class Boxes:
    """One writer drawn one way: every box's input, label, code number, outputs and features."""

    inputs: np.ndarray
    labels: np.ndarray
    code: np.ndarray
    outputs: np.ndarray
    features: np.ndarray


@dataclass
class Outcome:
    right: np.ndarray  # per digit read
    flagged: np.ndarray  # not `ok`


def boxes_of(recognizer: PostalRecognizer, canvases, codes) -> Boxes:
    inputs, labels, numbers = [], [], []
    for number, (canvas, code) in enumerate(zip(canvases, codes, strict=True)):
        cut, present = canvas_inputs(canvas)
        for i in range(len(code)):
            if present[i]:
                inputs.append(cut[i])
                labels.append(int(code[i]))
                numbers.append(number)
    x = np.array(inputs, np.float32)[..., None]
    return Boxes(
        x, np.array(labels), np.array(numbers), recognizer.predictor(x), recognizer.features(x)
    )


def read(recognizer: PostalRecognizer, boxes: Boxes, keep: np.ndarray) -> Outcome:
    readings = recognizer.readings(boxes.outputs[keep], boxes.features[keep])
    digits = np.array([-1 if r.digit is None else r.digit for r in readings])
    flagged = np.array([r.status is not DigitStatus.OK for r in readings])
    return Outcome(digits == boxes.labels[keep], flagged)


def taught_index(recognizer: PostalRecognizer, inputs: np.ndarray, labels: np.ndarray):
    """The profile the app builds from these taught samples."""
    recognizer.use_profile(inputs, labels)
    return recognizer.profile


def taught_and_read(
    recognizer: PostalRecognizer, boxes: Boxes, teach: int, settings: VoteSettings, index
) -> Outcome:
    recognizer.profile, recognizer.vote_settings = index, settings
    return read(recognizer, boxes, boxes.code >= teach)


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


def choose(results, settings_list, writers) -> VoteSettings:
    """On these writers (every way): of the settings whose share of digits right is within
    `SAME_ACCURACY` of the best, the one flagging the fewest right readings while it flags
    ≥ 80 % of wrong ones (else the one flagging the most wrong ones)."""
    scores = {}
    for settings in settings_list:
        outcomes = [o for (s, _, w), o in results.items() if s == settings and w in writers]
        scores[settings] = pooled(outcomes)
    best = max(right for right, _, _, _ in scores.values())

    def key(settings: VoteSettings):
        right, right_flagged, wrong_flagged, _ = scores[settings]
        enough = wrong_flagged >= WRONG_FLAGGED_AT_LEAST
        return (right >= best - SAME_ACCURACY, enough, -right_flagged if enough else wrong_flagged)

    return max(settings_list, key=key)


def describe(s: VoteSettings) -> str:
    vouch = "no vouching" if s.vouch_at is None else f"vouch ≥{s.vouch_at:g} & {s.vouch_share:.0%}"
    return f"k={s.neighbours} sim>{s.similar_above:g} {vouch}"


def poisoned(recognizer, boxes: Boxes, teach: int, settings: VoteSettings) -> list[int]:
    """Digits lost when one taught sample, each in turn, carries the model's second choice."""
    taught = boxes.code < teach
    x, labels = boxes.inputs[taught], boxes.labels[taught]
    clean = taught_and_read(recognizer, boxes, teach, settings, taught_index(recognizer, x, labels))
    clean = clean.right.sum()
    lost = []
    outputs = boxes.outputs[taught]
    for i in range(len(labels)):
        wrong = labels.copy()
        wrong[i] = next(int(d) for d in np.argsort(-outputs[i, :10]) if d != labels[i])
        index = taught_index(recognizer, x, wrong)
        lost.append(
            int(clean - taught_and_read(recognizer, boxes, teach, settings, index).right.sum())
        )
    return lost


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--teach", type=int, default=10, help="codes taught per writer")
    parser.add_argument("--model", type=Path, default=SHIPPED_MODEL)
    args = parser.parse_args()
    recognizer = PostalRecognizer.from_file(args.model)
    digits = read_unipen(WRITERS)
    ways = list(VARIANTS)
    data: dict[tuple[str, int], Boxes] = {}
    for way in ways:
        for writer in writer_codes(digits, VARIANTS[way]):
            data[way, writer.writer] = boxes_of(recognizer, writer.canvases, writer.codes)
    writers = sorted({w for _, w in data})
    before: dict[tuple[str, int], Outcome] = {}
    results: dict[tuple[VoteSettings, str, int], Outcome] = {}
    for (way, writer), boxes in data.items():
        recognizer.profile = ProfileIndex.empty()
        before[way, writer] = read(recognizer, boxes, boxes.code >= args.teach)
        taught = boxes.code < args.teach
        index = taught_index(recognizer, boxes.inputs[taught], boxes.labels[taught])
        for settings in {*CANDIDATES, TODAY}:
            results[settings, way, writer] = taught_and_read(
                recognizer, boxes, args.teach, settings, index
            )
    print(
        f"model {args.model.name}; {len(writers)} pen writers × {len(ways)} ways of drawing; "
        f"teach the first {args.teach} codes, read the rest; {len(CANDIDATES)} candidate settings"
    )
    default = ways[0]
    print(f"\nper held-out writer, {default} (the settings chosen on the other writers, every way)")
    print(f"{'writer':>6} {'read':>5} {'untaught':>8} {'as before':>11} {'nested':>8}  chosen")
    chosen: dict[int, VoteSettings] = {}
    for writer in writers:
        chosen[writer] = choose(results, CANDIDATES, [w for w in writers if w != writer])
        b = before[default, writer]
        print(
            f"{writer:>6} {len(b.right):>5} {b.right.mean():8.2%} "
            f"{results[TODAY, default, writer].right.mean():11.2%} "
            f"{results[chosen[writer], default, writer].right.mean():8.2%}  "
            f"{describe(chosen[writer])}"
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
        print(
            f"{way:<24} {cells[0]:>22} {cells[1]:>16} {cells[2]:>16}   "
            f"{right_flagged:.2%} / {wrong_flagged:.0%} ({wrong}); as before "
            f"{today_right_flagged:.2%} / {today_wrong_flagged:.0%} ({today_wrong})"
        )
    every = [results[chosen[w], way, w] for way in ways for w in writers]
    worst = min(every, key=lambda o: o.right.mean())
    print(f"hardest writer × way, nested: {worst.right.mean():.2%}")
    lost = [
        n for w in writers for n in poisoned(recognizer, data[default, w], args.teach, chosen[w])
    ]
    today_lost = [
        n for w in writers for n in poisoned(recognizer, data[default, w], args.teach, TODAY)
    ]
    print(
        f"\none taught sample labelled wrong ({default}, each of {len(lost)} in turn): "
        f"nested {np.mean(lost):.2f} digits lost on average, {max(lost)} at worst, "
        f"{np.mean(np.array(lost) > 0):.1%} of slips cost any; as before {np.mean(today_lost):.2f}"
        f" / {max(today_lost)} / {np.mean(np.array(today_lost) > 0):.1%}"
    )
    shipped = choose(results, CANDIDATES, writers)
    print(
        f"\nchosen on all {len(writers)} writers (what the app should ship): {describe(shipped)}"
        f"; the app ships {describe(VoteSettings())}"
    )


if __name__ == "__main__":
    main()
