"""Grad-CAM looks where the object is: a small CNN, trained here to tell whether a bright
square is anywhere in a noisy 64×64 image, is loaded as a user's Keras classifier and its heat
map's mass must lie on the square (the code path ResNet50 uses, see test_classify_parity)."""

import numpy as np
import pytest

from vision_agent.core.classify import ImageClassifier
from vision_agent.core.gradcam import cam_from_gradients, heatmap_at_size, overlay_heatmap

SIZE, SQUARE, MARGIN = 64, 12, 4


def scene(rng: np.random.Generator, with_square: bool) -> tuple[np.ndarray, tuple[int, int]]:
    """Noise with a few dim lines; with a bright square at a random place. Returns (rgb, (y, x))."""
    image = rng.integers(0, 90, (SIZE, SIZE, 3)).astype(np.uint8)
    for _ in range(3):  # distractors: thin dim lines
        row = rng.integers(0, SIZE)
        image[row, :, :] = rng.integers(60, 120)
    y, x = (int(v) for v in rng.integers(0, SIZE - SQUARE, 2))
    if with_square:
        image[y : y + SQUARE, x : x + SQUARE] = rng.integers(190, 256, 3)
    return image, (y, x)


@pytest.fixture(scope="module")
def square_finder(tmp_path_factory):
    import keras

    keras.utils.set_random_seed(3)
    rng = np.random.default_rng(3)
    labels = rng.integers(0, 2, 600)
    images = np.stack([scene(rng, bool(label))[0] for label in labels])
    model = keras.Sequential(
        [
            keras.Input((SIZE, SIZE, 3)),
            keras.layers.Rescaling(1 / 255),
            keras.layers.Conv2D(16, 3, padding="same", activation="relu"),
            keras.layers.MaxPooling2D(),
            keras.layers.Conv2D(32, 3, padding="same", activation="relu"),
            keras.layers.MaxPooling2D(),
            keras.layers.Conv2D(32, 3, padding="same", activation="relu", name="features"),
            keras.layers.GlobalAveragePooling2D(),
            keras.layers.Dense(2, activation="softmax"),
        ],
        name="square_finder",
    )
    model.compile(keras.optimizers.Adam(0.003), "sparse_categorical_crossentropy")
    model.fit(images, labels, epochs=8, batch_size=32, verbose=0)
    path = tmp_path_factory.mktemp("gradcam") / "square_finder.keras"
    model.save(path)
    return ImageClassifier.from_file(path, labels=["nothing", "square"])


def test_the_small_cnn_learned_its_task(square_finder):
    rng = np.random.default_rng(11)
    right = 0
    for i in range(40):
        image, _ = scene(rng, with_square=bool(i % 2))
        right += square_finder.classify(image, top=1).top[0].index == i % 2
    assert right >= 36


def test_heat_map_mass_lies_on_the_object(square_finder):
    assert square_finder.has_gradcam
    rng = np.random.default_rng(12)
    fractions, peaks_inside = [], 0
    for _ in range(20):
        image, (y, x) = scene(rng, with_square=True)
        heat = square_finder.gradcam(image, 1)
        assert heat.shape == (SIZE, SIZE) and heat.max() <= 1.0 and heat.min() >= 0.0
        box = np.zeros_like(heat, dtype=bool)
        box[max(0, y - MARGIN) : y + SQUARE + MARGIN, max(0, x - MARGIN) : x + SQUARE + MARGIN] = (
            True
        )
        fractions.append(heat[box].sum() / heat.sum())
        peak = np.unravel_index(np.argmax(heat), heat.shape)
        peaks_inside += bool(box[peak])
    # The box (with margin) is at most 20×20 of 64×64 pixels: under 10 % of the image.
    assert np.mean(fractions) > 0.5
    assert peaks_inside >= 18


def test_heat_map_follows_the_photo_size(square_finder):
    image, _ = scene(np.random.default_rng(5), with_square=True)
    big = np.kron(image, np.ones((3, 5, 1), np.uint8))  # 192×320, not square
    assert square_finder.gradcam(big, 1).shape == (192, 320)
    with pytest.raises(Exception, match="does not exist"):
        square_finder.gradcam(image, 7)


def test_cam_math_and_overlay():
    activations = np.zeros((4, 4, 2), np.float32)
    activations[1, 2, 0] = 3.0
    activations[3, 3, 1] = 5.0
    gradients = np.zeros_like(activations)
    gradients[..., 0] = 1.0  # only channel 0 matters for this class
    gradients[..., 1] = -1.0
    cam = cam_from_gradients(activations, gradients)
    assert cam.argmax() == 1 * 4 + 2 and cam.min() == 0.0
    heat = heatmap_at_size(cam, 8, 8)
    assert heat.shape == (8, 8) and heat.max() <= 1.0
    assert heatmap_at_size(np.zeros((4, 4)), 5, 5).max() == 0.0
    photo = np.full((8, 8, 3), 100, np.uint8)
    assert np.array_equal(overlay_heatmap(photo, heat, 0.0), photo)
    assert not np.array_equal(overlay_heatmap(photo, heat, 0.8), photo)
