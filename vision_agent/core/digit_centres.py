"""Where a reading's features lie among the digits: the second doubt signal of a digit model.

The features that feed a digit model's last layer (`digit_features`) of digits by the writers
it trained on form one cloud per digit. Measured in unit-length feature space and whitened by
the clouds' shared covariance (Mahalanobis distance, shrunk towards a sphere so that 256
dimensions are estimated from a few thousand samples), each reading has a distance to every
digit's centre. Its *margin* is how much nearer it lies to the centre of the digit it is read
as than to the nearest other centre: near zero or below, the drawing sits between two digits
and the answer may be wrong even when the network's probability is high.

The centres are stored beside the model as `NAME.centres.npz` (two float32 arrays, read
without pickle); a file that is missing or does not fit is ignored.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from vision_agent.core.digit_features import normalized
from vision_agent.core.errors import UserError
from vision_agent.core.npz_gate import read_npz_arrays
from vision_agent.core.user_files import read_user_bytes

SHRINK = 0.1  # share of the covariance replaced by its mean variance (a sphere)
MAX_FILE_BYTES = 4 * 1024 * 1024
_MEMBER_BYTES = {"whitening": 4 * MAX_FILE_BYTES, "centres": 4 * MAX_FILE_BYTES}  # unpacked


@dataclass(frozen=True)
class FeatureCentres:
    whitening: np.ndarray  # (d, d): unit-length features @ whitening → whitened space
    centres: np.ndarray  # (10, d): each digit's centre, whitened

    @classmethod
    def fit(cls, features: np.ndarray, labels: np.ndarray) -> FeatureCentres:
        """Centres and shared covariance of (n, d) features of digits 0-9 (labels)."""
        unit = normalized(np.asarray(features, np.float64))
        digits = np.arange(10)
        means = np.array([unit[labels == d].mean(axis=0) for d in digits])
        spread = unit - means[labels]
        covariance = spread.T @ spread / len(unit)
        size = len(covariance)
        covariance = (1 - SHRINK) * covariance + SHRINK * np.trace(covariance) / size * np.eye(size)
        # covariance⁻¹ = L Lᵀ, so the squared Mahalanobis distance of rows is ‖(x − μ) L‖²
        whitening = np.linalg.cholesky(np.linalg.inv(covariance))
        return cls(whitening.astype(np.float32), (means @ whitening).astype(np.float32))

    def margins(self, features: np.ndarray) -> np.ndarray | None:
        """(n, 10): for each row and digit, the distance to the nearest other digit's centre
        minus the distance to that digit's centre (None when the features are not the ones
        the centres know)."""
        features = np.asarray(features, np.float32)
        if features.ndim != 2 or features.shape[1] != len(self.whitening):
            return None
        whitened = normalized(features) @ self.whitening
        apart = whitened[:, None, :] - self.centres[None]
        distances = np.sqrt(np.add.reduce(apart * apart, axis=2))  # as np.linalg.norm, leaner
        nearest_two = np.sort(distances, axis=1)[:, :2]
        # the nearest other centre is the nearest one, or the second nearest for the nearest digit
        is_nearest = distances == nearest_two[:, :1]
        other = np.where(is_nearest, nearest_two[:, 1:2], nearest_two[:, :1])
        return other - distances

    def save(self, path: Path) -> None:
        """An `.npz` (NumPy's zip of `.npy` arrays) with fixed dates: the same centres give
        the same bytes, so a second calibration of the same model changes no file."""
        with zipfile.ZipFile(path, "w") as archive:
            for name, array in (("whitening", self.whitening), ("centres", self.centres)):
                member = zipfile.ZipInfo(f"{name}.npy", date_time=(2000, 1, 1, 0, 0, 0))
                member.compress_type = zipfile.ZIP_DEFLATED
                with archive.open(member, "w") as out:
                    np.lib.format.write_array(out, np.ascontiguousarray(array), allow_pickle=False)

    @classmethod
    def load(cls, path: Path) -> FeatureCentres | None:
        """The centres stored at `path`, or None when there is no usable file there."""
        try:
            data = read_user_bytes(path, "a model's feature centres", MAX_FILE_BYTES)
            stored = read_npz_arrays(data, _MEMBER_BYTES)
        except UserError:
            return None
        whitening = np.asarray(stored["whitening"], np.float32)
        centres = np.asarray(stored["centres"], np.float32)
        size = len(whitening)
        if whitening.shape != (size, size) or centres.shape != (10, size) or not size:
            return None
        if not (np.isfinite(whitening).all() and np.isfinite(centres).all()):
            return None
        return cls(whitening, centres)


def centres_path(model_path: str | Path) -> Path:
    """Where a model's centres are stored: `NAME.centres.npz` beside `NAME.onnx`/`.keras`."""
    return Path(model_path).with_suffix(".centres.npz")
