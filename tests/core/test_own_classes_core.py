"""The "My classes" core: the cut backbone, the head, the split, the export's parity."""

import numpy as np
import pytest

from tests.support.class_folders import real_photos
from tests.support.paths import asset
from vision_agent.core.errors import UserError
from vision_agent.core.own_classes.dataset import photo_set, validation_split
from vision_agent.core.own_classes.head import (
    HEAD,
    PLAIN,
    HeadSettings,
    confusion_matrix,
    cross_validated_choice,
    plain_logistic_regression,
    train_head,
)


@pytest.fixture(scope="module")
def extractor():
    asset("imagenet_small", "mobilenetv2-12-int8_onnx", "mobilenetv2-12-int8.onnx")
    from vision_agent.core.own_classes.features import FeatureExtractor
    from vision_agent.engine.registry_models import shipped_backbone

    return FeatureExtractor(shipped_backbone(), None)


def separable(per_class=30, classes=3, dims=16, seed=1):
    centres = np.random.default_rng(0).normal(0, 5, (classes, dims))
    rng = np.random.default_rng(seed)
    labels = np.repeat(np.arange(classes), per_class)
    return centres[labels] + rng.normal(0, 0.5, (len(labels), dims)), labels


def test_head_learns_a_separable_set_and_reports_every_epoch():
    x, y = separable()
    x_val, y_val = separable(seed=2)
    seen = []
    head = train_head(x, y, 3, x_val, y_val, on_epoch=seen.append)
    assert [f.epoch for f in seen] == list(range(1, len(seen) + 1)) and len(seen) >= 2
    assert seen[-1].val_accuracy == 1.0 and seen[-1].train_loss < seen[0].train_loss
    assert (head.predict(x_val) == y_val).all()
    assert (plain_logistic_regression(x, y, 3).predict(x_val) == y_val).all()


def test_confusion_matrix_rows_are_the_truth():
    matrix = confusion_matrix(np.array([0, 0, 1, 2]), np.array([0, 1, 1, 0]), 3)
    assert matrix.tolist() == [[1, 1, 0], [0, 1, 0], [1, 0, 0]]


def test_validation_split_keeps_out_a_share_of_every_class():
    labels = np.array([0] * 10 + [1] * 5 + [2] * 1)
    train, held = validation_split(labels, 0.2)
    assert sorted(np.concatenate([train, held]).tolist()) == list(range(16))
    assert [int(np.sum(labels[held] == k)) for k in range(3)] == [2, 1, 0]


def test_a_single_class_is_refused():
    with pytest.raises(UserError, match="two classes"):
        photo_set({"dogs": [asset("photos", "dogs", "Boxer_02426.jpg")], "cats": []})


def test_exported_graph_gives_the_heads_probabilities(extractor, tmp_path):
    from vision_agent.core.classify import ImageClassifier
    from vision_agent.core.imageio import read_image
    from vision_agent.core.own_classes.export import export_model, preprocessing_record

    dogs, objects = real_photos("dogs")[:6], real_photos("objects")[:6]
    features, _ = extractor.of_files(dogs + objects)
    labels = np.array([0] * 6 + [1] * 6)
    card = {"preprocessing": preprocessing_record(extractor.backbone.preprocessing)}
    for kind, model in (
        ("head", train_head(features, labels, 2)),
        ("plain", plain_logistic_regression(features, labels, 2)),
    ):
        files = export_model(
            tmp_path / kind, extractor.backbone.path, model, ("dog", "object"), card
        )
        classifier = ImageClassifier.from_file(files.model)
        for path, row in zip(dogs[:2] + objects[:2], [0, 1, 6, 7], strict=True):
            photo = read_image(path, max_side=512)
            expected = model.probabilities(features[row : row + 1])[0]
            assert np.allclose(classifier.probabilities(photo), expected, atol=1e-4)
        assert classifier.labels == ["dog", "object"]


def test_both_models_see_a_photos_features_normalised(extractor):
    """A photo's features scaled up or down (a stronger or weaker activation overall, the same
    pattern) get the same answer from both models: each normalises them to length √D first,
    as the exported graph does (the test above)."""
    dogs, objects = real_photos("dogs")[:6], real_photos("objects")[:6]
    features, _ = extractor.of_files(dogs + objects)
    labels = np.array([0] * 6 + [1] * 6)
    for model in (train_head(features, labels, 2), plain_logistic_regression(features, labels, 2)):
        expected = model.probabilities(features)
        for factor in (0.25, 3.0):
            assert np.allclose(model.probabilities(factor * features), expected, atol=1e-9)
        assert np.isfinite(model.probabilities(np.zeros((1, features.shape[1])))).all()


def test_head_starts_from_the_class_shares():
    """Features without any signal, 90 % of one class: the head, like the plain regression,
    answers the common class (a head starting from equal odds answered either at random)."""
    rng = np.random.default_rng(3)
    x, x_new = rng.normal(0, 1, (100, 64)), rng.normal(0, 1, (200, 64))
    y = np.array([0] * 90 + [1] * 10)
    head = train_head(x, y, 2, settings=HeadSettings(epochs=2))
    assert np.mean(head.predict(x_new) == 0) > 0.9


def test_the_run_keeps_the_plain_regression_unless_the_folds_show_the_head_clearly_better():
    x, y = separable(per_class=20, classes=2)
    head, plain = train_head(x, y, 2), plain_logistic_regression(x, y, 2)
    choice = cross_validated_choice(x, y, 2, head, plain)
    assert choice.kept_name == PLAIN and choice.kept is plain
    assert choice.head_right == choice.plain_right == choice.checked == 40

    # The class shows in 5 features among 100 of noise, the 5 ten times smaller than the
    # others: the plain regression (on the normalised features) shrinks them to almost
    # nothing; the head standardises every feature first.
    rng = np.random.default_rng(4)
    y = np.repeat([0, 1], 40)
    signal = (2 * y[:, None] - 1) + rng.normal(0, 1, (80, 5))
    x = np.column_stack([signal * 0.1, rng.normal(0, 1, (80, 100))])
    head, plain = train_head(x, y, 2), plain_logistic_regression(x, y, 2)
    choice = cross_validated_choice(x, y, 2, head, plain)
    assert choice.kept_name == HEAD and choice.head_right - choice.plain_right >= 4
