# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 실습: 합성곱 직접 구현하기
#
# 노트 [(AI Math 9강) CNN 첫걸음](../ai-math-9gang-cnn-cheotgeoleum/)의 실습이다. 순서대로
#
# 1. 정의 그대로의 루프 구현 `conv2d_naive`,
# 2. im2col과 행렬곱 한 번으로 하는 `conv2d`, 그리고 두 구현이 같은 값을 내는지 확인,
# 3. 역전파 `conv2d_backward`를 유한 차분(finite difference)으로 검산,
# 4. 고전적인 영상 처리 커널을 사진에 적용
#
# 을 해 본다. 함수는 모두 `snippets.convolution` 패키지에 있다. 이 페이지 위에서 내려받는 휠(wheel)을
# 설치하면 저장소 없이 `.py`는 `python`으로, `.ipynb`는 Jupyter로 그대로 실행된다.

# %%
import matplotlib.pyplot as plt
import numpy as np

from snippets.convolution.backprop import conv1d_backward, conv2d_backward
from snippets.convolution.kernels import IMAGE_KERNELS, KERNEL_NAMES_KO, apply_kernel, load_sample_image
from snippets.convolution.layers import conv2d, conv2d_naive, im2col
from snippets.convolution.shapes import output_size
from snippets.convolution.signal1d import convolve

rng = np.random.default_rng(0)  # fixed seed: the page shows the same numbers on every build

# %% [markdown]
# ## 1. 정의 그대로: 루프 구현
#
# 기호는 노트의 [기호 표](../ai-math-9gang-cnn-cheotgeoleum/#notation)를 따른다. 입력 $X$의 형태는
# $(N, C_\text{in}, H, W)$, 커널(층의 가중치) $K$는 $(C_\text{out}, C_\text{in}, k_h, k_w)$다. 코드에서는 가중치
# 배열을 `w`라고 부른다. 출력 한 칸은 창 하나와 필터 하나의 원소별 곱의 합이다(보폭 $s$, 팽창 $d$, 패딩한 입력 기준).
#
# $$
# Y_{n,o,i,j} = b_o + \sum_{c}\sum_{u}\sum_{v} X_{n,\,c,\,is+ud,\,js+vd}\; K_{o,c,u,v}
# $$
#
# 출력의 높이는 $H_\text{out} = \lfloor (H + 2p - d(k_h-1) - 1)/s \rfloor + 1$이고 너비도 같다.

# %%
x = rng.standard_normal((2, 3, 9, 9))  # (N, C_in, H, W)
w = rng.standard_normal((4, 3, 3, 3))  # the kernel K: (C_out, C_in, k_h, k_w)
b = rng.standard_normal(4)

out_naive = conv2d_naive(x, w, b, stride=2, padding=1)
print("출력 형태:", out_naive.shape)
print("식으로 계산한 한 변:", output_size(9, 3, stride=2, padding=1))

# %% [markdown]
# ## 2. im2col + 행렬곱
#
# 창마다 $C_\text{in} k_h k_w$개의 숫자를 열 하나로 펴면 층 전체가 행렬곱 한 번이 된다.
# 작은 입력으로 im2col이 만드는 행렬을 직접 보자. 1채널 3×3 입력과 2×2 커널이면 창이 4개이고, 열 하나가 창 하나다.

# %%
tiny = np.arange(1, 10, dtype=float).reshape(1, 1, 3, 3)
print(tiny[0, 0])
print(im2col(tiny, 2)[0])  # (C_in*k_h*k_w, H_out*W_out) = (4, 4)

# %% [markdown]
# 이제 두 구현이 같은 값을 내는지 여러 설정에서 확인한다(보폭, 패딩, 팽창을 바꿔 가며).
# 속도는 컴퓨터마다 다르다. 궁금하면 Jupyter에서 `%timeit conv2d(x, w, b)`와 `%timeit conv2d_naive(x, w, b)`를 비교해 보자.

# %%
for stride, padding, dilation in [(1, 0, 1), (2, 1, 1), (1, 2, 2), ((2, 1), (0, 1), (1, 2))]:
    fast = conv2d(x, w, b, stride=stride, padding=padding, dilation=dilation)
    slow = conv2d_naive(x, w, b, stride=stride, padding=padding, dilation=dilation)
    print(f"s={stride}, p={padding}, d={dilation}: 형태 {fast.shape}, 같은가? {np.allclose(fast, slow)}")

# %% [markdown]
# ## 3. 역전파와 유한 차분 검산
#
# 손실을 $\mathcal{L} = \sum Y \odot \delta$로 두면($\delta$는 임의로 고른 위층 기울기, 코드에서는 `G`)
# $\partial \mathcal{L} / \partial Y = \delta$다. `conv2d_backward`가 돌려주는
# $(\partial \mathcal{L}/\partial X, \partial \mathcal{L}/\partial K, \partial \mathcal{L}/\partial b)$를 중앙 차분
#
# $$
# \frac{\partial \mathcal{L}}{\partial \theta} \approx \frac{\mathcal{L}(\theta + \varepsilon) - \mathcal{L}(\theta - \varepsilon)}{2\varepsilon}
# $$
#
# 과 비교한다. $\mathcal{L}$이 $\theta$에 대해 선형이라 중앙 차분은 반올림 오차를 빼면 정확하다.

# %%
xs = rng.standard_normal((1, 2, 6, 6))
ws = rng.standard_normal((3, 2, 3, 3))
bs = rng.standard_normal(3)
settings = dict(stride=2, padding=1, dilation=1)
G = rng.standard_normal(conv2d(xs, ws, bs, **settings).shape)


def loss(x_, w_, b_):
    return float(np.sum(conv2d(x_, w_, b_, **settings) * G))


def numerical_grad(f, a, eps=1e-6):
    """Central differences of the scalar f() with respect to every entry of a (changed in place)."""
    grad = np.zeros_like(a)
    for idx in np.ndindex(a.shape):
        old = a[idx]
        a[idx] = old + eps
        up = f()
        a[idx] = old - eps
        down = f()
        a[idx] = old
        grad[idx] = (up - down) / (2 * eps)
    return grad


dx, dw, db = conv2d_backward(xs, ws, G, **settings)
checks = {
    "dL/dX": (dx, numerical_grad(lambda: loss(xs, ws, bs), xs)),
    "dL/dK": (dw, numerical_grad(lambda: loss(xs, ws, bs), ws)),
    "dL/db": (db, numerical_grad(lambda: loss(xs, ws, bs), bs)),
}
for name, (analytic, numeric) in checks.items():
    print(f"{name}: 형태 {analytic.shape}, 최대 오차 < 1e-6? {np.max(np.abs(analytic - numeric)) < 1e-6}")

# %% [markdown]
# 1차원에서는 입력 기울기가 $\delta$와 커널의 **full 합성곱**이라는 것을 `numpy.convolve`와 바로 비교할 수 있다.
#
# $$
# \begin{aligned}
# \frac{\partial \mathcal{L}}{\partial X(m)} &= \sum_i \delta(i)\, K(m-i) \\
# &= (\delta * K)(m)
# \end{aligned}
# $$

# %%
x1 = np.array([1.0, 2.0, -1.0, 3.0, 0.0])
w1 = np.array([2.0, -1.0, 1.0])
delta = np.array([1.0, -2.0, 3.0])
dx1, dw1, db1 = conv1d_backward(x1[None, None], w1[None, None], delta[None, None])
print("dL/dX         :", dx1[0, 0])
print("convolve(δ, K):", convolve(delta, w1), np.convolve(delta, w1))
print("dL/dK         :", dw1[0, 0], " = correlate(X, δ):", np.correlate(x1, delta))
print("dL/db         :", db1[0], " = sum(δ):", delta.sum())

# %% [markdown]
# ## 4. 영상 처리 커널
#
# matplotlib에 들어 있는 사진(`grace_hopper.jpg`)을 흑백으로 읽어 커널을 적용한다. 커널 원소의 합 $\sum K$가 1이면
# 평평한 영역의 밝기 $c$가 그대로($c \sum K = c$), 0이면 평평한 영역이 0이 되어 경계만 남는다.

# %%
img = load_sample_image()
print("사진 형태:", img.shape)
for name, kern in IMAGE_KERNELS.items():
    print(f"{KERNEL_NAMES_KO[name]:>16}: 합 {kern.sum():.0f}")

# %% [markdown]
# 노트의 그림과 같은 방식으로 그린다. 얼굴 부분을 잘라 3×3 칸씩 **평균**해 줄이고(건너뛰며 고르면 가는 선이
# 사라지거나 계단이 생긴다), 합이 1인 커널의 결과는 밝기 0(검정)부터 1(흰색)까지, 합이 0인 경계 커널의 결과는
# **부호를 살려** 0을 가운데 회색으로, 양수를 밝게, 음수를 어둡게 그린다. 한글 글꼴이 없는 컴퓨터에서도 그릴 수 있게, 제목은 노트
# 표의 영어 이름을 쓴다.

# %%
# A photo: JPEG is about a fifth of the PNG's size.  In the notebook jupytext turns the next
# line into an IPython magic; run with plain python it stays a comment (no Jupyter import).
# %config InlineBackend.figure_formats = ["jpeg"]
block = 3  # each shown pixel is the mean of a block x block square of the photo
side = 96  # pixels per side after averaging
top, left = 200 - side * block // 2, 256 - side * block // 2  # the face, with the cap
crop = img[top : top + side * block, left : left + side * block]
small = crop.reshape(side, block, side, block).mean(axis=(1, 3))  # block averaging, not [::3, ::3]
fig, axes = plt.subplots(3, 3, figsize=(6, 6.8), dpi=80, layout="constrained")  # 6 in: titles stay 8 px+ on a phone
for ax, (name, kern) in zip(axes.ravel(), IMAGE_KERNELS.items()):
    out = apply_kernel(small, kern)[1:-1, 1:-1]  # drop the border, where zero padding makes a false edge
    if abs(kern.sum()) < 1e-9:  # edge kernel: signed, grey = 0, symmetric limits at the 99th percentile
        m = np.percentile(np.abs(out), 99)
        lo, hi = -m, m
    else:  # sum 1: brightness as is
        lo, hi = 0.0, 1.0
    ax.imshow(np.clip(out, lo, hi), cmap="gray", vmin=lo, vmax=hi, interpolation="nearest")
    # the English term of the note's table: plain matplotlib has no Korean font
    english = KERNEL_NAMES_KO[name].split("(")[1].rstrip(")")
    ax.set_title(f"{english} (sum {kern.sum():.0f})", fontsize=12)
    ax.axis("off")
plt.show()
