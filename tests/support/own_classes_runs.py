"""A run record as the "My classes" tab writes it into project.json (the parts it reads)."""

RUN = {
    "number": 1,
    "strategy": "head",
    "backbone": "mobilenet_v2",
    "classes": ["red", "blue"],
    "photos": {"red": 6, "blue": 6},
    "train_photos": 10,
    "validation_photos": 2,
    "epochs": 1,
    "validation_accuracy": 1.0,
    "validation_loss": 0.1,
    "plain_logistic_regression_validation_accuracy": 1.0,
    "softmax_head_validation_accuracy": 1.0,
    "kept": "plain",
    "confusion_matrix": [[1, 0], [0, 1]],
    "wrong": [{"file": "a.jpg", "truth": "red", "predicted": "blue", "probability": 0.6}],
    "seconds": 0.5,
    "history": [
        {"epoch": 1, "train_accuracy": 1.0, "train_loss": 0.1, "val_accuracy": 1.0, "val_loss": 0.1}
    ],
    "files": None,
}
