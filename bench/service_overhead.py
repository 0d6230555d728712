"""Five digits through the postal tab's model service beside the fastest engine, same run.

The shipped digit model, several ways, in alternating rounds so that the machine's load falls on
each alike:
  * through a `ModelService` as the tab asks it: `call(..., latest=True)` → worker thread →
    `finished` on this thread (the next call is made from the handler, in one running event
    loop);
  * `PostalRecognizer.recognize` called directly on this thread (the same work, no hand-off),
    and the same with its onnxruntime session on one intra-op thread (for choosing the app's);
  * the engines alone on the very batch the recognizer gives its model for these drawings (the
    bench counts the rows and passes it makes, so a recognizer that runs more inference than
    one pass of five is compared with an engine doing as much): onnxruntime on the shipped
    .onnx with its default session, the same with one intra-op thread, and Keras `tf.function`
    on the shipped .keras in a child process (TensorFlow is never imported in this process, as
    in the window's).
Prints each median (and 10th percentile), what the recognizer runs, and the service's ratio to
the fastest engine, then where the same-thread recognizer's time goes: each of its stages timed
alone on the very inputs it gets while reading (cutting and normalising the boxes, the
onnxruntime pass, the calibrated judging, the ink-layout check, the reading object), in the same
rounds, and the rest (choosing the boxes, and what the pass loses when it follows Python work
rather than another pass, as the bare engines' do: the engine's idle threads must wake).
Figures are reported, never asserted.

    python bench/service_overhead.py [--repeats 300] [--no-tf]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

from vision_agent.checks.postal import draw_code  # noqa: E402
from vision_agent.core.digit_features import JointOnnxRun  # noqa: E402
from vision_agent.core.onnx_wire import with_dense_input_output  # noqa: E402
from vision_agent.core.postal import (  # noqa: E402
    SHIPPED_MODEL,
    PostalReading,
    PostalRecognizer,
    canvas_inputs,
    ink_layout,
)

CODES = ("10701", "70110", "01710", "11007", "77001")  # draw_code knows 0, 1 and 7
ROUND = 20  # calls of each way per round
WARM_UP = 10


class _CountingSession:
    """Wraps the recognizer's onnxruntime session to see what it runs (passes and their rows)."""

    def __init__(self, session: Any) -> None:
        self.session, self.batches = session, []

    def __getattr__(self, name: str) -> Any:
        return getattr(self.session, name)

    def run(self, names: Any, feed: dict[str, np.ndarray]) -> Any:
        self.batches.extend(np.array(v) for v in feed.values())
        return self.session.run(names, feed)


def recognizer_batches(recognizer: PostalRecognizer, canvas: np.ndarray) -> list[np.ndarray]:
    """The inputs the recognizer's onnxruntime passes get while it reads `canvas`."""
    joint = recognizer._joint
    if joint is None:
        raise SystemExit("the shipped model is not run by onnxruntime here; nothing to compare")
    counting = _CountingSession(joint.session)
    joint.session = counting
    try:
        recognizer.recognize(canvas)
    finally:
        joint.session = counting.session
    return counting.batches


def recognizer_parts(
    recognizer: PostalRecognizer, canvases: list[np.ndarray]
) -> dict[str, Callable[[int], Any]]:
    """The stages of `recognizer.recognize`, each on the inputs it gets there for drawing k."""
    joint = recognizer._joint
    cut = [canvas_inputs(c) for c in canvases]
    boxes = [inputs[[i for i, p in enumerate(present) if p]][..., None] for inputs, present in cut]
    passes = [joint.both(b) for b in boxes]
    read = [tuple(recognizer.readings(*p)) for p in passes]
    return {
        "cutting and normalising the five boxes": lambda k: canvas_inputs(canvases[k]),
        "its onnxruntime pass": lambda k: joint.both(boxes[k]),
        "calibrated judging with feature margins": lambda k: recognizer.readings(*passes[k]),
        "ink-layout check": lambda k: ink_layout(canvases[k]),
        "the reading object": lambda k: PostalReading(read[k], cut[k][0], 0.0, False),
    }


def on_one_thread(recognizer: PostalRecognizer) -> PostalRecognizer:
    """The same recognizer with its joint pass on an onnxruntime session of one intra-op thread
    (the app's uses the default: one per core). With two, a pass that follows Python work
    waits for the pool's idle thread to wake; with one there is none to wake."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    model = with_dense_input_output(SHIPPED_MODEL.read_bytes())
    joint = recognizer._joint
    session = onnxruntime.InferenceSession(model, options, providers=["CPUExecutionProvider"])
    twin = PostalRecognizer.from_file(SHIPPED_MODEL)
    twin._joint = twin._features = JointOnnxRun(session, joint.layout)
    return twin


def onnx_engines(batches: list[list[np.ndarray]]) -> dict[str, Callable[[int], Any]]:
    """The bare onnxruntime sessions: default options, and one intra-op thread."""
    import onnxruntime

    engines = {}
    for label, threads in (("default session", 0), ("1 intra-op thread", 1)):
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        session = onnxruntime.InferenceSession(
            str(SHIPPED_MODEL), options, providers=["CPUExecutionProvider"]
        )
        name = session.get_inputs()[0].name

        def run(k: int, session: Any = session, name: str = name) -> None:
            for batch in batches[k]:
                session.run(None, {name: batch})

        engines[f"bare onnxruntime, {label}"] = run
    return engines


def _tf_child(conn: Any, batches: list[list[np.ndarray]]) -> None:
    """Child process: time Keras `tf.function` on the batches when asked (never in the parent)."""
    try:
        from vision_agent.core.keras_files import load_keras_model
        from vision_agent.core.predictors import compiled_forward

        forward = compiled_forward(load_keras_model(SHIPPED_MODEL.with_suffix(".keras")))
        for k in range(len(batches)):
            for batch in batches[k]:
                forward(batch)
    except Exception as exc:
        conn.send(f"{type(exc).__name__}: {exc}")
        return
    conn.send("ready")
    while (asked := conn.recv()) is not None:
        times = []
        for k in asked:
            started = time.perf_counter()
            for batch in batches[k]:
                forward(batch)
            times.append((time.perf_counter() - started) * 1000)
        conn.send(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=300)
    parser.add_argument("--no-tf", action="store_true", help="leave out Keras tf.function")
    args = parser.parse_args()

    from PyQt5.QtCore import QEventLoop
    from PyQt5.QtWidgets import QApplication

    from bench.postal_latency import wait_for
    from vision_agent.engine.recipes import digit_model_spec
    from vision_agent.services.model_service import ModelService

    app = QApplication.instance() or QApplication([])
    canvases = [draw_code(code) for code in CODES]
    direct = PostalRecognizer.from_file(SHIPPED_MODEL)
    single = on_one_thread(direct)
    batches = [recognizer_batches(direct, c) for c in canvases]
    service = ModelService("bench")
    service.load(digit_model_spec(SHIPPED_MODEL))
    wait_for(service.call(PostalRecognizer.recognize, canvases[0]))

    tf_conn = tf_process = None
    tf_note = "left out (--no-tf)"
    if not args.no_tf:
        context = multiprocessing.get_context("spawn")
        tf_conn, child_conn = context.Pipe()
        tf_process = context.Process(target=_tf_child, args=(child_conn, batches), daemon=True)
        tf_process.start()
        tf_note = tf_conn.recv()
        if tf_note != "ready":
            tf_conn = None

    def through_service(ks: list[int]) -> list[float]:
        """Each call made from the previous one's handler, in one running event loop."""
        loop, times, started = QEventLoop(), [], [0.0]

        def ask(position: int) -> None:
            if position == len(ks):
                loop.quit()
                return
            started[0] = time.perf_counter()
            service.call(PostalRecognizer.recognize, canvases[ks[position]], latest=True).then(
                lambda _: done(position)
            )

        def done(position: int) -> None:
            times.append((time.perf_counter() - started[0]) * 1000)
            ask(position + 1)

        ask(0)
        loop.exec_()
        return times

    def timed(call: Callable[[int], Any]) -> Callable[[list[int]], list[float]]:
        def run(ks: list[int]) -> list[float]:
            times = []
            for k in ks:
                started = time.perf_counter()
                call(k)
                times.append((time.perf_counter() - started) * 1000)
            return times

        return run

    parts = recognizer_parts(direct, canvases)
    ways: dict[str, Callable[[list[int]], list[float]]] = {
        "through the service": through_service,
        "PostalRecognizer.recognize, same thread": timed(lambda k: direct.recognize(canvases[k])),
        "the same, its session on 1 intra-op thread": timed(
            lambda k: single.recognize(canvases[k])
        ),
        **{name: timed(run) for name, run in onnx_engines(batches).items()},
        **{name: timed(run) for name, run in parts.items()},
    }
    if tf_conn is not None:

        def keras(ks: list[int]) -> list[float]:
            tf_conn.send(ks)
            return tf_conn.recv()

        ways["bare Keras tf.function (child process)"] = keras

    load = os.getloadavg()
    times: dict[str, list[float]] = {way: [] for way in ways}
    done = -WARM_UP
    while done < args.repeats:
        ks = [(done + i) % len(CODES) for i in range(ROUND)]
        for way, run in ways.items():
            measured = run(ks)
            if done >= 0:
                times[way].extend(measured)
        done += ROUND
    if tf_conn is not None:
        tf_conn.send(None)
        tf_process.join(10)
    service.shutdown()

    rows = [len(b) for b in batches[0]]
    end = os.getloadavg()
    print(
        f"load average at start: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}, at the end: "
        f"{end[0]:.2f} {end[1]:.2f} {end[2]:.2f} ({os.cpu_count()} cores)"
    )
    print(
        f"the recognizer runs {len(rows)} onnxruntime pass(es) of {rows} rows per drawing "
        "(the model's outputs and its features in one pass); every engine below runs the same"
    )
    if tf_conn is None:
        print(f"Keras tf.function: {tf_note}")
    medians = {way: statistics.median(own[: args.repeats]) for way, own in times.items()}
    lows = {way: float(np.percentile(own[: args.repeats], 10)) for way, own in times.items()}
    for way, median in medians.items():
        if way not in parts:
            print(f"  {way:<42} {median:7.3f} ms (median of {args.repeats}; p10 {lows[way]:.3f})")
    through = medians["through the service"]
    engines = {w: m for w, m in medians.items() if w.startswith("bare")}
    fastest = min(engines, key=engines.get)
    print(f"  service / same-thread recognizer: {through / medians[list(medians)[1]]:.2f}×")
    print(f"  service / fastest engine ({fastest}): {through / engines[fastest]:.2f}×")
    low_fastest = min(lows[w] for w in engines)
    print(
        f"  the same at the 10th percentile (calls least disturbed by other processes): "
        f"{lows['through the service'] / low_fastest:.2f}×"
    )
    same_thread = medians["PostalRecognizer.recognize, same thread"]
    print("where the same-thread recognizer's time goes (each stage alone, same rounds):")
    for part in parts:
        print(f"  {part:<42} {medians[part] * 1000:7.0f} µs (p10 {lows[part] * 1000:.0f})")
    rest = same_thread - sum(medians[part] for part in parts)
    print(f"  {'the rest (recognize − the stages above)':<42} {rest * 1000:7.0f} µs")
    del app


if __name__ == "__main__":
    main()
