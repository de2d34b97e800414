"""The convolution note's figures: they draw, deterministically, compactly, and draw the right numbers.

Every figure is rendered once per theme through tilsite.library.figures.draw, the
build's own code path (its _COMMON_RC and THEMES, koreanize's font), so a
missing glyph warning fails here (pytest turns warnings into errors) just as
it would show as tofu on the page.  The numbers are checked against numpy /
scipy / closed forms, not against the snippets library the figures call.

Text size as read: the smallest glyph of each figure, times the scale the page
shows it at (its natural width, or the text column's if narrower), must be at
least 8 px on a 390 px phone and 11 px on a desktop.  A glyph's size is its own:
mathtext draws sub- and superscripts and \\frac parts smaller than the text's
font size (0.7 x per level), so each text is laid out by matplotlib's mathtext
parser and every glyph's size read from it; the SVG files, which record each
glyph's scale, confirm it.  Computed from the saved files and measured again in
chromium on the note.
"""

from __future__ import annotations

import gzip
import inspect
import io
import re
import struct
import warnings
import xml.etree.ElementTree as ET
from pathlib import Path

import matplotlib
import numpy as np
import pytest
from matplotlib.figure import Figure
from matplotlib.mathtext import MathTextParser
from matplotlib.text import Annotation, Text
from matplotlib.textpath import TextToPath
from numpy.testing import assert_allclose, assert_array_equal
from PIL import Image  # matplotlib's own dependency: an independent PNG reader
from scipy import signal as scipy_signal
from sitetools import DOCS, MEASURES
from test_browser import CHROMIUM, FLAGSHIP, evaluate_in_own_chromium, site_url  # noqa: F401  (site_url is a fixture)

import snippets.convolution.figures as figures
import snippets.convolution.figures_cnn as figures_cnn
from tilsite.library.figures import _COMMON_RC, THEMES, FigureSpec, caption, draw

with warnings.catch_warnings():  # as tilsite.library.figures.draw: it compares versions with LooseVersion
    warnings.simplefilter("ignore", DeprecationWarning)
    import koreanize_matplotlib  # noqa: F401  (the Nanum font: mixed Korean and mathtext lines parse as drawn)

MODULE = "convolution.figures"
NOTE = "til-ml/boostcamp-2st/u-stage-1/ai-math/ai-math-9gang-cnn-cheotgeoleum.md"
# The note's figure modules by directive name; every plot_* of each is checked below (names are unique:
# a figure's file is named after its function).
FIGURE_MODULES = {MODULE: figures, "convolution.figures_cnn": figures_cnn}
PLOT_MODULE = {name: module for module, mod in FIGURE_MODULES.items()
               for name, f in inspect.getmembers(mod, inspect.isfunction)
               if name.startswith("plot_") and f.__module__ == mod.__name__}
PLOTS = sorted(PLOT_MODULE)
PNG_PLOTS = {"plot_kernel_gallery"}  # photos: the page asks for png
REQUIRED = {"plot_conv1d_sliding", "plot_param_counts", "plot_conv2d_grid", "plot_padding_stride_dilation",
            "plot_channels", "plot_backprop_graph", "plot_kernel_gallery", "plot_correlation_vs_convolution",
            "plot_transposed_conv"}
# A reader fetches one scheme's figures (the other's are lazy and hidden), gzipped by the host; the
# note as read must stay under 400 KB with its HTML (33 KB) and what other issues add.
AS_READ_BUDGET = 240_000  # bytes, gzip, one variant of every figure
PNG_BUDGET = 120_000  # bytes per PNG variant
HANGUL = re.compile(r"[\uac00-\ud7a3]")

# Text size as read (issue 8): the smallest text in a figure, at the width the page shows it.
# A figure is shown at its natural width, or scaled down to the text column if wider. Column
# widths measured in chromium on the built note (.md-content .md-typeset clientWidth):
PHONE_COLUMN_PX = 358  # viewport 390 x 844
DESKTOP_COLUMN_PX = 688  # viewport 1440 x 900 and 1280 x 900 (750 at 1024 x 768)
MIN_PHONE_PX = 8
MIN_DESKTOP_PX = 11


def spec(name: str) -> FigureSpec:
    return FigureSpec(PLOT_MODULE[name], name, "png" if name in PNG_PLOTS else "svg")


@pytest.fixture(scope="module")
def rendered():
    """{(name, variant): bytes} as the build writes them."""
    return {(name, variant): draw(spec(name), variant) for name in PLOTS for variant in THEMES}


def figure(name: str, variant: str = "light") -> Figure:
    """The Figure a plot function returns under the variant's rc settings (not saved)."""
    with matplotlib.rc_context({**_COMMON_RC, **THEMES[variant]}):
        return getattr(FIGURE_MODULES[PLOT_MODULE[name]], name)()


def texts(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.findobj(Text) if t.get_text()]


def shown_texts(fig: Figure) -> list[Text]:
    """The Text artists that draw something (tick labels, titles, legends, annotations)."""
    fig.canvas.draw()  # tick labels are only set up by a draw
    return [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]


def tick_labels(ax) -> list[str]:
    return [t.get_text() for t in ax.get_xticklabels() + ax.get_yticklabels() if t.get_visible()]


def test_the_page_names_exist():
    assert REQUIRED <= set(PLOTS)


def test_figure_names_are_unique_across_modules():
    names = [name for mod in FIGURE_MODULES.values() for name, f in inspect.getmembers(mod, inspect.isfunction)
             if name.startswith("plot_") and f.__module__ == mod.__name__]
    assert len(names) == len(set(names)) == len(PLOTS)


@pytest.mark.parametrize("name", PLOTS)
def test_plot_returns_a_figure_with_a_korean_caption(name):
    func = getattr(FIGURE_MODULES[PLOT_MODULE[name]], name)
    assert not [p for p in inspect.signature(func).parameters.values() if p.default is p.empty]
    fig = figure(name)
    assert isinstance(fig, Figure)
    text = caption(spec(name))  # read the way the build reads it
    assert text.strip() and HANGUL.search(text), f"{name}: caption {text!r} is not Korean text"
    assert len(inspect.getdoc(func).splitlines()) > 2, f"{name}: say what is drawn below the caption"
    # the caption is HTML text and the image's alt: no code names, no subscript glyphs the page font lacks
    assert not re.search(r"\w_\w|[\u2080-\u2089]", text), f"{name}: caption {text!r}"


AVOIDED = ("스트라이드", "특징 맵", "출력 맵", "완전연결층", "bias")  # CONTRIBUTING.md's glossary


@pytest.mark.parametrize("name", PLOTS)
def test_figure_words_follow_the_glossary(name):
    words = texts(figure(name)) + [caption(spec(name))]
    assert not [(w, t) for t in words for w in AVOIDED if w in t]


@pytest.mark.parametrize("name", PLOTS)
def test_rendering_is_deterministic(rendered, name):
    assert draw(spec(name), "light") == rendered[name, "light"]


@pytest.mark.parametrize("name", sorted(set(PLOTS) - PNG_PLOTS))
def test_svg_ink_follows_the_theme(rendered, name):
    light, dark = rendered[name, "light"], rendered[name, "dark"]
    assert light != dark
    for variant, data in (("light", light), ("dark", dark)):
        # transparent background, no hard-coded black or white
        for colour in (b"#000000", b"#ffffff", b"fill: #000", b"fill: #fff"):
            assert colour not in data.lower(), f"{name}-{variant} contains {colour.decode()}"
        assert THEMES[variant]["text.color"].encode() in data


@pytest.mark.parametrize("variant", list(THEMES))
def test_figures_as_read_budget(rendered, variant):
    sizes = {name: len(gzip.compress(rendered[name, variant], 9)) for name in PLOTS}
    total = sum(sizes.values())
    assert total < AS_READ_BUDGET, f"{variant} figures take {total:,} bytes gzipped: " + ", ".join(
        f"{n} {s // 1024} KB" for n, s in sorted(sizes.items()))


@pytest.mark.parametrize("variant", list(THEMES))
def test_png_budget(rendered, variant):
    for name in PNG_PLOTS:
        data = rendered[name, variant]
        assert data.startswith(b"\x89PNG")
        assert len(data) < PNG_BUDGET, f"{name}-{variant}.png is {len(data):,} bytes"


# ---------------------------------------------------------------- the numbers drawn


def test_param_counts():
    rows = figures.param_counts_example()
    assert [r[0] for r in rows] == [28, 64, 128, 224]
    for n, o, fc, conv in rows:
        assert (o, fc, conv) == (n - 2, n**2 * (n - 2) ** 2, 9)
    labels = texts(figure("plot_param_counts"))
    assert "529,984" in labels
    for n, o, fc, _ in rows:
        assert f"{fc:,}" in labels
        assert any(f"{n}×{n}" in t and f"{o}×{o}" in t for t in labels)
    # the log axis is labelled in Korean number words, each at its power of ten
    (ax,) = figure("plot_param_counts").axes
    words = {"1": 1, "1천": 10**3, "100만": 10**6, "10억": 10**9}
    assert {t.get_text(): t.get_position()[1] for t in ax.get_yticklabels()} == words


def test_conv2d_grid_matches_scipy():
    ex = figures.conv2d_grid_example()
    expected = scipy_signal.correlate2d(ex["x"], ex["k"], mode="valid")
    assert_array_equal(ex["out"], expected)
    i, j = ex["cell"]
    text, value = figures.conv2d_grid_terms(ex)
    assert value == expected[i, j]
    # The spelled-out sum: its products are the window times the kernel, and it adds up.
    products = re.findall(r"(\d+)·\(?(\u2212?\d+)\)?", text)
    nums = np.array([[int(a), int(b.replace("\u2212", "-"))] for a, b in products])
    kh, kw = ex["k"].shape
    assert_array_equal(nums[:, 0], ex["x"][i : i + kh, j : j + kw].ravel())
    assert_array_equal(nums[:, 1], ex["k"].ravel())
    assert nums.prod(axis=1).sum() == expected[i, j]
    assert text.endswith(f"= {expected[i, j]}")
    labels = texts(figure("plot_conv2d_grid"))
    assert any(t.endswith(text) for t in labels)
    # every output value is printed in the output grid
    for v in expected.ravel():
        assert str(v).replace("-", "\u2212") in labels


def test_conv1d_sliding_areas_are_the_output():
    ex = figures.conv1d_sliding_example()
    tau, g, f, out, dt = ex["tau"], ex["g"], ex["f"], ex["out"], ex["dt"]
    assert_allclose(out, np.convolve(g, f)[: len(tau)] * dt)
    # The yellow area of each panel is the output value at its t ...
    for ti in ex["shifts"]:
        area = np.sum(g * figures.flipped_kernel(f, ti, len(tau))) * dt
        assert area == pytest.approx(out[ti], abs=1e-12)
    # ... and the Riemann sum is close to the integral of a box with exp(-2s):
    # (1 - e^{-2t}) / 2 on [0, 1], (e^{2} - 1) e^{-2t} / 2 after.
    t = tau
    exact = np.where(t < 0, 0, np.where(t <= 1, (1 - np.exp(-2 * t)) / 2, (np.exp(2) - 1) * np.exp(-2 * t) / 2))
    exact = np.where(t - 1 >= len(f) * dt, np.nan, exact)  # beyond the truncated kernel
    ok = ~np.isnan(exact)
    assert np.max(np.abs(out[ok] - exact[ok])) < 2 * dt
    assert any(out[ti] == 0 for ti in ex["shifts"])  # a panel before the kernel reaches the box
    assert any(out[ti] > 0.25 for ti in ex["shifts"])


def test_conv1d_sliding_draws_the_output_against_t():
    fig = figure("plot_conv1d_sliding")
    ex = figures.conv1d_sliding_example()
    by_label = {ax.get_xlabel(): [] for ax in fig.axes}
    for ax in fig.axes:
        by_label[ax.get_xlabel()].append(ax)
    assert len(by_label["τ"]) == len(ex["shifts"]) and len(by_label["t"]) == 1, by_label
    (out_ax,) = by_label["t"]
    # the output curve is on the t axis, and only there
    assert any(np.allclose(line.get_ydata(), ex["out"]) for line in out_ax.get_lines())
    for ax in by_label["τ"]:
        assert not any(len(line.get_ydata()) == len(ex["out"]) and np.allclose(line.get_ydata(), ex["out"])
                       for line in ax.get_lines())
    fig.canvas.draw()
    for ax in fig.axes:  # no tick without its number
        assert all(label.strip() for label in tick_labels(ax)), (ax.get_title(), tick_labels(ax))


def test_correlation_vs_convolution_matches_numpy():
    ex = figures.correlation_example()
    x, w = ex["x"], ex["w"]
    assert_allclose(ex["conv"], np.convolve(x, w))
    assert_allclose(ex["corr"], np.correlate(x, w, "full"))
    # signal first: (x ⋆ w)(i) = sum_a x(i + a) w(a), by brute force at each lag
    for lag, value in zip(ex["corr_lags"], ex["corr"]):
        brute = sum(x[lag + a] * w[a] for a in range(len(w)) if 0 <= lag + a < len(x))
        assert value == pytest.approx(brute)
    assert list(ex["corr_lags"]) == [-2, -1, 0, 1, 2]
    fig = figure("plot_correlation_vs_convolution")
    labels = texts(fig)
    for v in np.concatenate([ex["conv"], ex["corr"]]):
        assert f"{v:g}" in labels
    fig.canvas.draw()
    titled = {ax.get_title(): ax for ax in fig.axes if ax.get_title()}
    assert any("X" in t and "K" in t and HANGUL.search(t) for t in titled if "$" not in t), titled  # the input panel
    (corr_ax,) = [ax for t, ax in titled.items() if "\\star" in t]
    assert "X \\star K" in corr_ax.get_title()
    assert [lab.replace("\u2212", "-") for lab in tick_labels(corr_ax) if lab] == ["-2", "-1", "0", "1", "2"]
    assert not any("a \\star v" in t or "a * v" in t for t in labels)


def test_padding_stride_dilation_sizes():
    panels = figures.padding_stride_dilation_example()
    fig = figure("plot_padding_stride_dilation")
    titles = [t for t in texts(fig) if "×" in t]
    for pn in panels:
        n, k, s, p, d = pn["n"], pn["k"], pn["stride"], pn["padding"], pn["dilation"]
        # count the window positions directly: start i*s, last tap at i*s + d*(k-1)
        brute = sum(1 for start in range(0, n + 2 * p, s) if start + d * (k - 1) < n + 2 * p)
        assert pn["out"] == brute
        assert pn["visits"] == list(range(0, brute * s, s))
        assert any(t.startswith(pn["name"]) and t.endswith(f"{brute}×{brute}") for t in titles), titles
    assert [pn["out"] for pn in panels] == [5, 2, 1]
    assert [pn["name"] for pn in panels] == ["패딩", "보폭", "팽창"]  # the glossary's 보폭
    assert not any("스트라이드" in t for t in texts(fig))
    # one scale: every grid is drawn on one equal-aspect axes
    assert len(fig.axes) == 1 and fig.axes[0].get_aspect() == 1.0
    # the dots are explained, and there is one per output cell: sum of out^2 dots
    dots = [ln for ln in fig.axes[0].get_lines() if ln.get_marker() == "o"]
    assert sum(len(ln.get_xdata()) for ln in dots) == sum(pn["out"] ** 2 for pn in panels)
    assert any("창의 중심" in t for t in texts(fig))


def test_channels_shapes():
    ex = figures.channels_example()
    assert ex == {"x": (1, 3, 5, 5), "w": (4, 3, 3, 3), "b": (4,), "out": (1, 4, 3, 3)}
    labels = texts(figure("plot_channels"))
    assert any("(C_{\\mathrm{out}}, C_{\\mathrm{in}}, k_h, k_w)$ = (4, 3, 3, 3)" in t for t in labels), labels
    assert sum(t == "입력 (3, 5, 5)" for t in labels) == 2  # the input is shown for one filter and for four
    assert any(t == "특성 맵 (4, 3, 3)" for t in labels)
    assert not any("출력 맵" in t or "C_out" in t for t in labels)
    # feature maps are not coloured like input channels
    assert not set(figures.FILTER_COLOURS) & set(figures.CHANNEL_COLOURS)


def written_sum(ax) -> str:
    """The equation an axes writes with annotations placed in points around one anchor, as one string."""
    parts = sorted((-a.xyann[1], a.xyann[0], a.get_text().strip("$")) for a in ax.texts if isinstance(a, Annotation))
    return " ".join(text for _, _, text in parts)


def test_backprop_graph_edges_and_terms():
    edges = figures.backprop_edges(5, 3)
    # O_i = sum_k X_{i+k-1} W_k
    assert edges == sorted((i + k - 1, i, k) for i in range(1, 4) for k in range(1, 4))
    x_terms, w_terms = figures.backprop_terms(5, 3, x_index=3, w_index=1)
    assert sorted(x_terms) == [(1, 3), (2, 2), (3, 1)]  # dL/dX3 = d1 W3 + d2 W2 + d3 W1
    assert sorted(w_terms) == [(1, 1), (2, 2), (3, 3)]  # dL/dW1 = d1 X1 + d2 X2 + d3 X3
    fig = figure("plot_backprop_graph")
    forward, back_x, back_w = fig.axes
    # each panel writes its equation under the graph, a term per line: read it top to bottom, left to right
    assert written_sum(forward) == "Y_1 = X_1 K_1 + X_2 K_2 + X_3 K_3"
    assert written_sum(back_x) == "\\partial \\mathcal{L} / \\partial X_3 = \\delta_1 K_3 + \\delta_2 K_2 + \\delta_3 K_1"
    assert written_sum(back_w) == "\\partial \\mathcal{L} / \\partial K_1 = \\delta_1 X_1 + \\delta_2 X_2 + \\delta_3 X_3"
    # the forward panel highlights O1's edges: thick lines ending at O1
    thick = [ln for ln in forward.get_lines() if ln.get_linewidth() > 2]
    assert len(thick) == 3 and len({tuple(np.round(ln.get_xydata()[1], 6)) for ln in thick}) == 1
    # the K1 panel collects into a K1 node, the X3 panel has none
    assert any(t.get_text() == "$K_1$" and t.get_position()[1] < 0 for t in back_w.texts)
    assert not any(t.get_position()[1] < -0.1 and t.get_text() == "$K_1$" for t in back_x.texts)
    # faint edges stay visible on the dark background
    for ax in fig.axes:
        for coll in ax.collections:
            if hasattr(coll, "get_segments") and coll.get_segments():
                assert min(coll.get_edgecolor()[:, 3]) >= 0.5


def test_kernel_gallery_panels_match_scipy():
    c = figures.gallery_crop()
    assert c["photo"] == (600, 512) and c["crop"] == c["side"] * c["block"]
    img = figures.gallery_image()
    assert img.shape == (c["side"], c["side"]) and 0 <= img.min() and img.max() <= 1
    # block means by strided slices, a different route from reshape + mean
    photo = figures.load_sample_image()[c["top"] : c["top"] + c["crop"], c["left"] : c["left"] + c["crop"]]
    b = c["block"]
    assert_allclose(img, sum(photo[i::b, j::b] for i in range(b) for j in range(b)) / b**2)
    panels = figures.gallery_panels()
    assert [p[0] for p in panels] == list(figures.IMAGE_KERNELS)
    levels = figures.GALLERY_LEVELS
    for name, total, shown in panels:
        k = figures.IMAGE_KERNELS[name]
        assert total == pytest.approx(k.sum())
        ref = scipy_signal.correlate2d(img, k, mode="same", boundary="fill")[1:-1, 1:-1]
        if abs(total) < 1e-9:
            m = np.percentile(np.abs(ref), 99)
            lo, hi = -m, m
            # mid grey is "no change": a flat patch maps to the middle level
            assert np.round((0 - lo) / (hi - lo) * (levels - 1)) in (levels // 2 - 1, levels // 2)
        else:
            lo, hi = 0.0, 1.0
        expected = np.round((np.clip(ref, lo, hi) - lo) / (hi - lo) * (levels - 1))
        # rounding may flip a level where apply_kernel and scipy differ in the last bit
        assert np.abs(shown - expected).max() <= 1, name
        assert np.mean(shown != expected) < 1e-3, name
    titles = texts(figure("plot_kernel_gallery"))
    # the Korean names of the note's kernel table, not the code's keys
    assert "소벨 x (합 0)" in titles and "가우시안 흐림 (합 1)" in titles and "윤곽 (합 0)" in titles, titles
    assert not any("_" in t for t in titles), titles
    assert "회색" in caption(spec("plot_kernel_gallery"))  # the caption says what the grey scale means


def test_transposed_conv_matches_scatter_add():
    ex = figures.transposed_conv_example()
    x, w, s = ex["x"], ex["w"], ex["stride"]
    n, k = x.shape[0], w.shape[0]
    # definition: every input entry scatters a scaled copy of the kernel, S apart
    brute = np.zeros(((n - 1) * s + k,) * 2)
    for i in range(n):
        for j in range(n):
            brute[i * s : i * s + k, j * s : j * s + k] += x[i, j] * w
    assert_array_equal(ex["out"], brute)
    assert_array_equal(ex["out"], scipy_signal.correlate2d(ex["padded"], w[::-1, ::-1], mode="valid"))
    assert ex["padded"].shape == (2 * (k - 1) + (n - 1) * s + 1,) * 2
    assert np.count_nonzero(ex["padded"]) == np.count_nonzero(x)
    r, c = ex["cell"]
    text = figures.transposed_conv_terms(ex)
    products = re.findall(r"(\d+)·\(?(\u2212?\d+)\)?", text)
    assert sum(int(a) * int(b.replace("\u2212", "-")) for a, b in products) == brute[r, c]
    assert text.endswith(f"= {brute[r, c]:g}")
    labels = texts(figure("plot_transposed_conv"))
    assert text in labels
    for v in brute.ravel():
        assert f"{v:g}".replace("-", "\u2212") in labels
    assert any(f"= {(n - 1) * s + k}" in t for t in labels)  # the output side, written out


# ---------------------------------------------------------------- text size as displayed


def natural_size(data: bytes, fmt: str) -> tuple[float, float]:
    """(natural width in CSS px, CSS px per typographic point) of a saved figure, from its bytes.

    SVG: the root's width is in pt and a CSS px is 0.75 pt.  PNG: one pixel per CSS px,
    and the pHYs chunk records the dots per metre it was saved at.
    """
    if fmt == "svg":
        width_pt = float(re.search(rb'<svg[^>]*\swidth="([\d.]+)pt"', data).group(1))
        return width_pt * 4 / 3, 4 / 3
    assert data[12:16] == b"IHDR"
    width_px = struct.unpack(">I", data[16:20])[0]
    at = data.index(b"pHYs")
    dots_per_metre = struct.unpack(">I", data[at + 4 : at + 8])[0]
    return float(width_px), dots_per_metre * 0.0254 / 72


MATHTEXT = MathTextParser("path")  # the parser the SVG and Agg renderers lay mathtext out with


def glyph_sizes(t: Text) -> list[float]:
    """Font size in pt of each glyph a Text draws; one entry per line for plain text.

    Matplotlib lays a Text out line by line, and a line with paired $ signs is
    mathtext, whose parser returns every glyph with the size it is drawn at:
    sub- and superscripts, nested ones and \\frac parts smaller than the font size.
    """
    sizes = []
    for line in t.get_text().split("\n"):
        clean, ismath = t._preprocess_math(line)  # the renderer's own test (paired, unescaped $)
        if ismath:
            sizes += [glyph[1] for glyph in MATHTEXT.parse(clean, 72, t.get_fontproperties()).glyphs]
        elif line.strip():
            sizes.append(t.get_fontsize())
    return sizes


def smallest_glyph(texts) -> tuple[float, str]:
    """(size in pt, text) of the smallest glyph among the Text artists."""
    return min((min(sizes), t.get_text()) for t in texts if (sizes := glyph_sizes(t)))


def smallest_text(name: str) -> tuple[float, str]:
    """(size in pt, text) of the smallest glyph the figure draws, sub- and superscripts included."""
    return smallest_glyph(shown_texts(figure(name)))


def _scale(transform: str) -> tuple[float, float]:
    """(sx, sy) of an SVG transform list; 1 where it has no scale()."""
    sx = sy = 1.0
    for args in re.findall(r"scale\(([^)]*)\)", transform or ""):
        nums = [float(v) for v in args.replace(",", " ").split()]
        sx, sy = sx * nums[0], sy * (nums[1] if len(nums) > 1 else nums[0])
    return sx, sy


def svg_glyph_sizes(data: bytes) -> list[tuple[float, str]]:
    """(em size in pt, text) of every glyph in a matplotlib SVG saved with svg.fonttype = path.

    Each text is a comment holding its string, then a group scaled by
    fontsize / FONT_SCALE (y flipped) whose <use> elements place glyph outlines
    drawn at FONT_SCALE, each with its own scale: below 1 for a subscript.
    The root's user unit is the pt (viewBox equals width and height in pt).
    """
    root = ET.fromstring(data, parser=ET.XMLParser(target=ET.TreeBuilder(insert_comments=True)))
    out = []
    for parent in root.iter():
        comment = ""
        for el in parent:
            if el.tag is ET.Comment:
                comment = el.text.strip()
                continue
            sx, sy = _scale(el.get("transform"))
            if el.tag.endswith("}g") and sy < 0 < sx:  # a text: glyph outlines are y-up, SVG is y-down
                for use in el.iter("{http://www.w3.org/2000/svg}use"):
                    out.append((TextToPath.FONT_SCALE * sx * _scale(use.get("transform"))[0], comment))
    return out


def displayed_px(font_pt: float, data: bytes, fmt: str, column_px: float) -> float:
    natural_px, px_per_pt = natural_size(data, fmt)
    return font_pt * px_per_pt * min(1.0, column_px / natural_px)


@pytest.mark.parametrize("name", PLOTS)
def test_smallest_text_is_readable_on_phone_and_desktop(rendered, name):
    font_pt, text = smallest_text(name)
    data, fmt = rendered[name, "light"], spec(name).fmt
    phone = displayed_px(font_pt, data, fmt, PHONE_COLUMN_PX)
    desktop = displayed_px(font_pt, data, fmt, DESKTOP_COLUMN_PX)
    where = f"{name}: {text!r} at {font_pt:.2f} pt, figure {natural_size(data, fmt)[0]:.0f} px wide"
    assert phone >= MIN_PHONE_PX, f"{where} is {phone:.1f} px on a phone"
    assert desktop >= MIN_DESKTOP_PX, f"{where} is {desktop:.1f} px on a desktop"


def test_text_sizes_are_reported(rendered):
    """One line in the test summary: the range of smallest glyph sizes over all figures."""
    phone, desktop = [], []
    for name in PLOTS:
        font_pt, _ = smallest_text(name)
        data, fmt = rendered[name, "light"], spec(name).fmt
        phone.append(displayed_px(font_pt, data, fmt, PHONE_COLUMN_PX))
        desktop.append(displayed_px(font_pt, data, fmt, DESKTOP_COLUMN_PX))
    MEASURES.append(f"figures: smallest glyph (sub- and superscripts included) {min(phone):.1f}-{max(phone):.1f} px "
                    f"on a phone, {min(desktop):.1f}-{max(desktop):.1f} px on a desktop ({len(PLOTS)} figures)")
    assert min(phone) >= MIN_PHONE_PX and min(desktop) >= MIN_DESKTOP_PX


def test_text_size_arithmetic():
    """The measurement itself, on hand-made figures: 9 pt text in a 9-inch SVG is about 5 px on a phone."""
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="648pt" height="100pt">'  # 9 in at 72 pt/in
    assert natural_size(svg, "svg") == (864.0, 4 / 3)
    assert displayed_px(9, svg, "svg", PHONE_COLUMN_PX) == pytest.approx(9 * 4 / 3 * 358 / 864)  # 4.97 px
    assert displayed_px(9, svg, "svg", 2000) == pytest.approx(12)  # never scaled up
    png = draw(spec("plot_kernel_gallery"), "light")
    natural_px, px_per_pt = natural_size(png, "png")
    assert px_per_pt == pytest.approx(110 / 72, rel=1e-3)  # the build saves photos at 110 dpi
    assert Image.open(io.BytesIO(png)).size[0] == natural_px


HAND_MADE = {  # text at 10 pt: the sizes its glyphs are drawn at (TeX: script 7 pt, scriptscript 5 pt)
    "plain": {10.0},
    "$x_i$": {10.0, 7.0},
    "$x^2$": {10.0, 7.0},
    "$x_{i_j}$": {10.0, 7.0, 4.9},  # matplotlib shrinks 0.7 per level: 4.9, not TeX's 5
    "$\\frac{a}{b}$": {7.0},  # a fraction in text style is set in script style
    "$\\sum_a b$": {10.0, 7.0},
    "입력 ($O_1$)": {10.0, 7.0},
    "$O_1 =$\n$X_1$ two lines": {10.0, 7.0},
    "\\$5 and \\$6, not math": {10.0},
}


def _hand_made() -> Figure:
    fig = Figure(figsize=(4, 3))
    for i, text in enumerate(HAND_MADE):
        fig.text(0.05, 0.95 - i * 0.1, text, fontsize=10, va="top")
    return fig


def test_glyph_sizes_of_hand_made_texts():
    """Both measures on texts of known sizes: the subscript of $x_i$ at 10 pt is 7 pt, not 10."""
    with matplotlib.rc_context({**_COMMON_RC, **THEMES["light"]}):
        fig = _hand_made()
        measured = {t.get_text(): {round(v, 6) for v in glyph_sizes(t)} for t in fig.texts}
        buf = io.BytesIO()
        fig.savefig(buf, format="svg")
    assert measured == HAND_MADE
    assert smallest_glyph(fig.texts) == (pytest.approx(4.9), "$x_{i_j}$")
    in_svg = {}
    for size, text in svg_glyph_sizes(buf.getvalue()):
        in_svg.setdefault(text, set()).add(round(size, 6))
    # the SVG names each drawn line in a comment (escaped dollars unescaped)
    assert in_svg == {"$O_1 =$": {10.0, 7.0}, "$X_1$ two lines": {10.0, 7.0}, "$5 and $6, not math": {10.0},
                      **{t: v for t, v in HAND_MADE.items() if "\n" not in t and "\\$" not in t}}
    assert min(size for size, _ in svg_glyph_sizes(buf.getvalue())) == pytest.approx(4.9)


@pytest.mark.parametrize("name", sorted(set(PLOTS) - PNG_PLOTS))
def test_svg_glyph_sizes_agree_with_the_parser(rendered, name):
    """What the build wrote: the glyph sizes in the SVG are the ones the mathtext parser reports."""
    in_svg, parsed = {}, {}
    for size, line in svg_glyph_sizes(rendered[name, "light"]):
        in_svg.setdefault(line, set()).add(round(size, 3))
    for t in shown_texts(figure(name)):
        for line in t.get_text().split("\n"):
            if line.strip():
                line_text = Text(text=line, fontproperties=t.get_fontproperties())
                clean = t._preprocess_math(line)[0]  # as the SVG comment writes it
                parsed.setdefault(clean, set()).update(round(v, 3) for v in glyph_sizes(line_text))
    assert in_svg == parsed  # text by text, line by line
    assert min(size for size, _ in svg_glyph_sizes(rendered[name, "light"])) == pytest.approx(smallest_text(name)[0])


def _figure_plot(src: str) -> str:
    """assets/figures/conv1d-sliding-light.svg#only-light -> plot_conv1d_sliding."""
    stem = src.rsplit("/", 1)[-1].split("#")[0].rsplit(".", 1)[0]
    return "plot_" + stem.rsplit("-", 1)[0].replace("-", "_")


_LOAD_FIGURES_JS = """async () => {
  const imgs = [...document.querySelectorAll('.til-figure img')].filter(i => i.offsetParent !== null);
  for (const img of imgs) {
    img.scrollIntoView({block: 'center'});
    // poll rather than wait for 'load': the event may already have fired
    for (let i = 0; i < 200 && !(img.complete && img.naturalWidth); i++) await new Promise(r => setTimeout(r, 25));
  }
  return imgs.map(i => [i.getAttribute('src'), i.getBoundingClientRect().width, i.naturalWidth]);
}"""


def _figures_as_shown(url: str, viewport: tuple[int, int], is_mobile: bool) -> list:
    """[src, displayed width, natural width] of each figure on the page, measured in chromium."""
    context = {"viewport": {"width": viewport[0], "height": viewport[1]}, "is_mobile": is_mobile,
               "device_scale_factor": 3 if is_mobile else 1}
    return evaluate_in_own_chromium(url, _LOAD_FIGURES_JS, context, name="figure-sizes")


@pytest.mark.browser
@pytest.mark.parametrize("viewport, is_mobile, minimum", [((390, 844), True, MIN_PHONE_PX),
                                                          ((1440, 900), False, MIN_DESKTOP_PX)])
def test_smallest_text_as_chromium_shows_it(site_url, viewport, is_mobile, minimum):
    """The same rule measured in the browser: displayed width / natural width of each figure on the note."""
    if not Path(CHROMIUM).is_file():
        pytest.skip(f"{CHROMIUM} is missing (test_browser.py reports it, and fails on CI)")
    shown = _figures_as_shown(site_url + FLAGSHIP, viewport, is_mobile)
    note = (DOCS / NOTE).read_text("utf-8")
    on_page = re.findall(r"\{\{ figure (?:" + "|".join(map(re.escape, FIGURE_MODULES)) + r"):(plot_\w+)", note)
    assert sorted(_figure_plot(src) for src, _, _ in shown) == sorted(on_page)
    for src, width, natural in shown:
        name = _figure_plot(src)
        assert natural > 0, f"{src} did not load"
        font_pt, text = smallest_text(name)
        fmt = spec(name).fmt
        px_per_pt = 4 / 3 if fmt == "svg" else natural_size(draw(spec(name), "light"), fmt)[1]
        px = font_pt * px_per_pt * width / natural
        assert px >= minimum, f"{src} at {viewport}: {text!r} is {px:.1f} px (shown {width:.0f} of {natural} px)"
