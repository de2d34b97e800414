"""Classic 3x3 image-processing kernels and a filter that applies them, numpy only.

Image filters here are cross-correlations (as in deep learning): the kernel
is laid over the image as printed, not flipped.  For the symmetric kernels
(blurs, sharpen, laplacian) that makes no difference; for sobel and emboss
it decides the sign.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

__all__ = ["IMAGE_KERNELS", "KERNEL_NAMES_KO", "apply_kernel", "load_sample_image"]

# Korean names (English in parentheses), as the note's table and the gallery's titles show them.
KERNEL_NAMES_KO = {
    "identity": "항등(identity)",
    "box_blur": "상자 흐림(box blur)",
    "gaussian_blur": "가우시안 흐림(Gaussian blur)",
    "sharpen": "선명하게(sharpen)",
    "emboss": "엠보스(emboss)",
    "sobel_x": "소벨 x(Sobel x)",
    "sobel_y": "소벨 y(Sobel y)",
    "laplacian": "라플라시안(Laplacian)",
    "outline": "윤곽(outline)",
}


def _kernel(rows, scale=1.0) -> np.ndarray:
    k = np.array(rows, dtype=np.float64) * scale
    k.setflags(write=False)  # shared by every caller: make accidental edits fail loudly
    return k


# --8<-- [start:image_kernels]
IMAGE_KERNELS: dict[str, np.ndarray] = {
    # Sum 1: a flat region keeps its brightness.
    "identity": _kernel([[0, 0, 0], [0, 1, 0], [0, 0, 0]]),
    "box_blur": _kernel([[1, 1, 1], [1, 1, 1], [1, 1, 1]], 1 / 9),
    "gaussian_blur": _kernel([[1, 2, 1], [2, 4, 2], [1, 2, 1]], 1 / 16),
    "sharpen": _kernel([[0, -1, 0], [-1, 5, -1], [0, -1, 0]]),
    "emboss": _kernel([[-2, -1, 0], [-1, 1, 1], [0, 1, 2]]),
    # Sum 0: a flat region becomes 0, only changes (edges) survive.
    "sobel_x": _kernel([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]),  # responds to left-right change
    "sobel_y": _kernel([[-1, -2, -1], [0, 0, 0], [1, 2, 1]]),  # sobel_x transposed: top-bottom
    "laplacian": _kernel([[0, 1, 0], [1, -4, 1], [0, 1, 0]]),
    "outline": _kernel([[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]]),
}
# --8<-- [end:image_kernels]


def _resolve_kernel(kernel) -> np.ndarray:
    if isinstance(kernel, str):
        if kernel not in IMAGE_KERNELS:
            raise ValueError(f"unknown kernel {kernel!r}; choose one of: {', '.join(IMAGE_KERNELS)}")
        return IMAGE_KERNELS[kernel]
    k = np.asarray(kernel)
    if k.ndim != 2 or k.shape[0] % 2 == 0 or k.shape[1] % 2 == 0:
        raise ValueError(f"kernel must be a 2-D array with odd sides (it needs a centre), got shape {k.shape}")
    return k


# --8<-- [start:apply_kernel]
def apply_kernel(img, kernel) -> np.ndarray:
    """Filter an image: same-size cross-correlation with a small kernel, zeros outside the image.

    img (H, W) or (H, W, C) (each channel filtered on its own); kernel a
    (k_h, k_w) array with odd sides, e.g. 3x3, or a name in IMAGE_KERNELS.
    Returns a float array of img's shape.

    >>> apply_kernel(np.eye(3), "sharpen").tolist()
    [[5.0, -2.0, 0.0], [-2.0, 5.0, -2.0], [0.0, -2.0, 5.0]]
    """
    k = _resolve_kernel(kernel)
    img = np.asarray(img)
    if img.ndim not in (2, 3):
        raise ValueError(f"img must be (H, W) or (H, W, C), got shape {img.shape}")
    # Keep float32 images float32; integer images (e.g. uint8) become float64.
    dtype = img.dtype if np.issubdtype(img.dtype, np.floating) else np.float64
    kh, kw = k.shape
    pad = ((kh // 2, kh // 2), (kw // 2, kw // 2)) + ((0, 0),) * (img.ndim - 2)
    padded = np.pad(img.astype(dtype, copy=False), pad)  # zeros around the border
    windows = sliding_window_view(padded, (kh, kw), axis=(0, 1))  # (H, W[, C], k_h, k_w)
    return np.einsum("...ij,ij->...", windows, k.astype(dtype, copy=False))
# --8<-- [end:apply_kernel]


def load_sample_image() -> np.ndarray:
    """Grace Hopper's portrait shipped with matplotlib, as float grayscale (H, W) in [0, 1].

    Nothing is downloaded: matplotlib installs the JPEG with its sample data.
    """
    # Imported here so the rest of this file needs numpy only.
    import matplotlib.cbook as cbook
    import matplotlib.image as mpimg

    rgb = mpimg.imread(cbook.get_sample_data("grace_hopper.jpg", asfileobj=False))  # uint8 (H, W, 3)
    # ITU-R BT.601 luma weights: green looks brightest to the eye.
    gray = rgb[..., :3].astype(np.float64) @ np.array([0.299, 0.587, 0.114]) / 255.0
    return np.clip(gray, 0.0, 1.0)
