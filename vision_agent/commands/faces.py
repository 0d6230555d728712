"""`vision-agent faces IMAGE_OR_VIDEO...`: find faces with the res10 SSD detector.

Per image: `{"file", "faces": [{"box": [x, y, w, h], "confidence"}], "latency_ms"}` with boxes in
pixels of the original image. Per video: one line per analysed frame with `--every N`, otherwise
a summary line.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from vision_agent.commands.common import cannot_start, emit, for_each_file
from vision_agent.commands.model_default import announce, best_present
from vision_agent.core.errors import UserError
from vision_agent.core.faces import DEFAULT_THRESHOLD, MODEL_CHOICES, SHIPPED_MODEL


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "faces",
        help="find faces in photos and videos (SSD res10)",
        description="Find faces with the OpenCV res10 SSD face detector and print the boxes "
        "(x, y, width, height in pixels of the original image) with their confidence.",
    )
    parser.add_argument("inputs", nargs="+", type=Path, metavar="IMAGE_OR_VIDEO")
    parser.add_argument(
        "--model",
        help=f"{' | '.join(MODEL_CHOICES)} | a detector file (.caffemodel with its .prototxt "
        "beside it, .pb with its .pbtxt, .onnx); default: the first of these on this computer",
    )
    parser.add_argument(
        "--threshold", type=float, default=DEFAULT_THRESHOLD, help="minimum confidence (0..1)"
    )
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    parser.add_argument(
        "--save-annotated",
        type=Path,
        metavar="DIR",
        help="write each image (and video) with boxes drawn into DIR",
    )
    parser.add_argument("--blur", action="store_true", help="blur the faces in saved images")
    parser.add_argument(
        "--every",
        type=int,
        metavar="N",
        help="videos: print a line for every N-th frame (default: one summary line per video)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from vision_agent.core.faces import FaceDetector
    from vision_agent.core.video_source import VIDEO_SUFFIXES
    from vision_agent.engine.registry_models import face_detector

    if not 0.0 <= args.threshold <= 1.0:
        return cannot_start("--threshold must be between 0 and 1.")
    if args.every is not None and args.every < 1:
        return cannot_start("--every must be 1 or more.")
    try:
        if args.save_annotated is not None:
            _make_folder(args.save_annotated)
        model = args.model
        if model is None:
            model = best_present(MODEL_CHOICES, MODEL_CHOICES, SHIPPED_MODEL)
            announce(MODEL_CHOICES[model], "face detector", "--model")
        if model in MODEL_CHOICES:
            detector = face_detector(MODEL_CHOICES[model])
        else:
            detector = FaceDetector.from_user_file(model)
    except UserError as exc:
        return cannot_start(exc)

    def handle(path: Path) -> None:
        if path.suffix.lower() in VIDEO_SUFFIXES:
            _run_video(detector, path, args)
        else:
            _run_image(detector, path, args)

    return for_each_file(args.inputs, handle)


def _make_folder(folder: Path) -> None:
    if folder.exists() and not folder.is_dir():
        raise UserError(f"--save-annotated {folder}: this is a file; name a folder.")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(
            f"--save-annotated {folder}: the folder cannot be made ({exc.strerror or exc})."
        ) from None


def _faces_text(faces: list[dict]) -> str:
    boxes = "; ".join(
        "{},{},{},{} {:.2f}".format(*face["box"], face["confidence"]) for face in faces
    )
    return f"{len(faces)} face{'s' if len(faces) != 1 else ''}" + (f" [{boxes}]" if boxes else "")


def _run_image(detector, path: Path, args: argparse.Namespace) -> None:
    from vision_agent.core.imageio import write_image

    detection = detector.detect_file(path, args.threshold, args.blur)
    record = detection.to_json(str(path))
    if args.save_annotated is not None:
        write_image(args.save_annotated / f"{path.stem}_faces.png", detection.annotated)
    text = f"{path}: {_faces_text(record['faces'])}  {detection.latency_ms:.1f} ms"
    if detection.scale != 1.0:
        height, width = detection.annotated.shape[:2]
        text += f"  (a large photo, read reduced to {width}×{height})"
    emit(record, args.json, text)


def _run_video(detector, path: Path, args: argparse.Namespace) -> None:
    import cv2

    from vision_agent.core.video_source import SourceError, iter_video_frames

    writer = None
    analysed = with_faces = most = 0
    total_ms = 0.0
    cut_short: SourceError | None = None
    try:
        for index, frame in iter_video_frames(path, args.every or 1):
            detection = detector.detect(frame, args.threshold, args.blur, index)
            analysed += 1
            with_faces += bool(detection.faces)
            most = max(most, len(detection.faces))
            total_ms += detection.latency_ms
            if args.save_annotated is not None:
                if writer is None:
                    height, width = frame.shape[:2]
                    out = args.save_annotated / f"{path.stem}_faces.avi"
                    writer = cv2.VideoWriter(
                        str(out), cv2.VideoWriter_fourcc(*"MJPG"), 24.0, (width, height)
                    )
                writer.write(cv2.cvtColor(detection.annotated, cv2.COLOR_RGB2BGR))
            if args.every is not None:
                record = {"file": str(path), "frame": index, **detection.to_json()}
                text = f"{path}#{index}: {_faces_text(record['faces'])}"
                emit(record, args.json, text)
    except SourceError as exc:
        if not analysed:
            raise
        cut_short = exc  # the frames before the damage are answered, then the file is reported
    finally:
        if writer is not None:
            writer.release()
    if args.every is None:
        record = {
            "file": str(path),
            "frames": analysed,
            "frames_with_faces": with_faces,
            "max_faces": most,
            "mean_latency_ms": round(total_ms / analysed, 2),
        }
        text = (
            f"{path}: faces in {with_faces} of {analysed} frames (at most {most} at once), "
            f"{record['mean_latency_ms']:.1f} ms per frame"
        )
        emit(record, args.json, text)
    if cut_short is not None:
        raise cut_short
