"""Image features computed with numpy and Pillow alone, for the ``learned`` backend.

Colour where it is (a grid of mean colours and a coarse colour histogram per cell), texture
(brightness spread and edge orientation histograms per cell) and a tiny grey thumbnail.
Cheap, deterministic, and good at the attributes a person names by colour and shape.
"""

from __future__ import annotations

import io

import numpy as np
from numpy.typing import NDArray
from PIL import Image

FEATURES_VERSION = "grid-v1"
SIDE = 96
GRID = 8
HIST_GRID = 4
ORIENTATIONS = 8


def image_features(data: bytes) -> NDArray[np.float64]:
    """One feature vector for an image's bytes."""
    with Image.open(io.BytesIO(data)) as opened:
        rgb = np.asarray(opened.convert("RGB").resize((SIDE, SIDE), Image.Resampling.BOX))
    pixels = rgb.astype(np.float64) / 255.0
    grey = pixels.mean(axis=2)
    parts = [
        _grid_means(pixels, GRID),
        _grid_spread(grey, GRID),
        _grid_histograms(pixels, HIST_GRID),
        _orientation_histograms(grey, HIST_GRID),
        _thumbnail(grey, 8),
    ]
    return np.concatenate([part.ravel() for part in parts])


def _cells(array: NDArray[np.float64], grid: int) -> list[NDArray[np.float64]]:
    step = array.shape[0] // grid
    return [
        array[row * step : (row + 1) * step, col * step : (col + 1) * step]
        for row in range(grid)
        for col in range(grid)
    ]


def _grid_means(pixels: NDArray[np.float64], grid: int) -> NDArray[np.float64]:
    return np.array([cell.reshape(-1, 3).mean(axis=0) for cell in _cells(pixels, grid)])


def _grid_spread(grey: NDArray[np.float64], grid: int) -> NDArray[np.float64]:
    return np.array([cell.std() for cell in _cells(grey, grid)])


def _grid_histograms(pixels: NDArray[np.float64], grid: int, bins: int = 3) -> NDArray[np.float64]:
    """Per cell, the share of pixels in each of bins³ colour boxes."""
    histograms = []
    for cell in _cells(pixels, grid):
        quantized = np.minimum((cell.reshape(-1, 3) * bins).astype(int), bins - 1)
        codes = quantized[:, 0] * bins * bins + quantized[:, 1] * bins + quantized[:, 2]
        counts = np.bincount(codes, minlength=bins**3).astype(np.float64)
        histograms.append(counts / counts.sum())
    return np.array(histograms)


def _orientation_histograms(grey: NDArray[np.float64], grid: int) -> NDArray[np.float64]:
    """Per cell, gradient magnitude summed by orientation (edges: stripes, checks, outlines)."""
    dy, dx = np.gradient(grey)
    magnitude = np.hypot(dx, dy)
    angle = np.mod(np.arctan2(dy, dx), np.pi)
    bins = np.minimum((angle / np.pi * ORIENTATIONS).astype(int), ORIENTATIONS - 1)
    histograms = []
    for cell_bins, cell_mag in zip(_cells(bins, grid), _cells(magnitude, grid), strict=True):
        sums = np.bincount(cell_bins.ravel(), weights=cell_mag.ravel(), minlength=ORIENTATIONS)
        histograms.append(sums / max(cell_bins.size, 1))
    return np.array(histograms)


def _thumbnail(grey: NDArray[np.float64], side: int) -> NDArray[np.float64]:
    step = grey.shape[0] // side
    cropped = grey[: step * side, : step * side].reshape(side, step, side, step)
    return np.asarray(cropped.mean(axis=(1, 3)), dtype=np.float64)
