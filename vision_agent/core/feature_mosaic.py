"""Layer outputs as pictures: feature maps tiled in a grid, vectors as a strip, kernels as tiles.

Each channel is scaled to its own range (min -> dark, max -> bright), so a weak channel shows
its pattern as clearly as a strong one; a channel that is constant shows as dark. Qt-free, so
the CLI writes the same pictures the window shows. Colours: viridis (dark blue .. yellow).
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from vision_agent.core.layer_activations import LayerOutput

GAP = 1  # pixels between tiles
GAP_COLOR = (255, 255, 255)
STRIP_HEIGHT = 16


def grid_shape(channels: int) -> tuple[int, int]:
    """(rows, columns) of the tile grid for `channels` tiles: as square as possible."""
    columns = max(1, math.ceil(math.sqrt(channels)))
    return max(1, math.ceil(channels / columns)), columns


def scaled_per_channel(maps: np.ndarray) -> np.ndarray:
    """(H, W, C) values -> uint8 0..255, each channel stretched over its own min..max."""
    maps = np.asarray(maps, np.float32)
    if not np.isfinite(maps).all():
        maps = np.nan_to_num(maps)
    low = maps.min(axis=(0, 1), keepdims=True)
    span = maps.max(axis=(0, 1), keepdims=True) - low
    factor = np.divide(255.0, span, out=np.zeros_like(span), where=span > 0)
    return ((maps - low) * factor + 0.5).astype(np.uint8)


_VIRIDIS = cv2.cvtColor(
    cv2.applyColorMap(np.arange(256, dtype=np.uint8)[:, None], cv2.COLORMAP_VIRIDIS),
    cv2.COLOR_BGR2RGB,
)[:, 0]
GAP_INDEX = 256  # in gray grids: the gap between tiles, coloured GAP_COLOR
# The colours (and the gap's) packed as little-endian RGBA words: one lookup per pixel.
_WORDS = np.vstack([_VIRIDIS, GAP_COLOR]).astype(np.uint32) @ np.array(
    [1, 1 << 8, 1 << 16], np.uint32
)


def colored(gray: np.ndarray) -> np.ndarray:
    """Gray levels 0..255 (and GAP_INDEX) of any shape -> RGB uint8 in the viridis map."""
    words = _WORDS[np.ascontiguousarray(gray)]
    return words.view(np.uint8).reshape(*words.shape, 4)[..., :3]


def tile(tiles: np.ndarray, fill: object) -> np.ndarray:
    """(N, h, w[, 3]) tiles -> one grid image with `GAP` pixels of `fill` between tiles."""
    count, h, w = tiles.shape[:3]
    rest = tiles.shape[3:]
    rows, columns = grid_shape(count)
    padded = np.empty((rows * columns, h + GAP, w + GAP, *rest), tiles.dtype)
    padded[:] = fill
    padded[:count, :h, :w] = tiles
    grid = padded.reshape(rows, columns, h + GAP, w + GAP, *rest).swapaxes(1, 2)
    return np.ascontiguousarray(
        grid.reshape(rows * (h + GAP), columns * (w + GAP), *rest)[:-GAP, :-GAP]
    )


def feature_mosaic(maps: np.ndarray) -> np.ndarray:
    """(H, W, C) feature maps -> an RGB grid with one tile per channel, in channel order."""
    gray = np.moveaxis(scaled_per_channel(maps), -1, 0).astype(np.uint16)
    return colored(tile(gray, GAP_INDEX))


def tile_index(shape: tuple[int, ...], x: float, y: float) -> int | None:
    """The channel whose tile holds pixel (x, y) of `feature_mosaic` of maps of `shape`."""
    h, w, channels = shape
    rows, columns = grid_shape(channels)
    if x < 0 or y < 0:
        return None
    column, dx = divmod(int(x), w + GAP)
    row, dy = divmod(int(y), h + GAP)
    index = row * columns + column
    if column >= columns or row >= rows or dx >= w or dy >= h or index >= channels:
        return None
    return index


def vector_strip(values: np.ndarray) -> np.ndarray:
    """A vector's values as one RGB strip, one column per value (scaled to the vector's range)."""
    gray = scaled_per_channel(np.asarray(values, np.float32).reshape(1, -1, 1))[..., 0]
    return colored(np.repeat(gray, STRIP_HEIGHT, axis=0))


def kernel_mosaic(kernels: np.ndarray, zoom: int = 4) -> np.ndarray:
    """First-layer filters (kh, kw, in, out) -> one tile per filter, enlarged `zoom` times.

    Three input channels show in colour (RGB as the model sees them); otherwise the input
    channels are averaged and shown in grey, each filter stretched over its own range.
    """
    kernels = np.asarray(kernels, np.float32)
    if kernels.shape[2] == 3:
        flat = kernels.reshape(-1, kernels.shape[3])
        low, high = flat.min(axis=0), flat.max(axis=0)
        span = np.where(high > low, high - low, 1)
        pixels = np.clip((kernels - low) / span * 255 + 0.5, 0, 255).astype(np.uint8)
        tiles = np.moveaxis(pixels, -1, 0)
    else:
        gray = scaled_per_channel(kernels.mean(axis=2))
        tiles = np.repeat(np.moveaxis(gray, -1, 0)[..., None], 3, axis=3)
    tiles = tiles.repeat(zoom, axis=1).repeat(zoom, axis=2)
    return tile(tiles, GAP_COLOR)


def layer_picture(output: LayerOutput) -> np.ndarray | None:
    """Feature maps as a tile grid, a vector as a strip; None for other shapes."""
    if output.is_maps:
        return feature_mosaic(output.values)
    if output.values.ndim == 1:
        return vector_strip(output.values)
    return None
