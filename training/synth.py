"""Synthetic invoice-like scenes with QR corner labels, for training the detector.

scene(rng, size) returns (gray uint8 HxW, quads float32 Nx4x2). Each quad holds
the four outer corners of a QR symbol (the corners of the finder-pattern
squares' outer edges, quiet zone excluded) in pixel coordinates, clockwise in
image coordinates (y down), starting from the symbol's top-left module.

What a scene holds, each drawn at random:
  background  paper page (text lines, tables, logos, stamps) or photo-like
              clutter (smooth noise, shapes), or a page on a photo
  QR codes    0..3, versions 1..10, EC L/M/Q/H, sides ~14..300 px, any
              rotation, perspective, quiet zone 0.5..4 modules, inverted (10 %),
              low module contrast
  negatives   1D barcodes, DataMatrix-like grids, checkerboards, dot grids
  defects     Gaussian and motion blur, shadows, glare, noise, gamma,
              low contrast, JPEG artefacts

Weak spots: no curved (non-planar) codes, no real photographic texture, fonts
are OpenCV's Hershey fonts only.
"""

import string

import cv2
import numpy as np
import qrcode
from qrcode.constants import ERROR_CORRECT_H, ERROR_CORRECT_L, ERROR_CORRECT_M, ERROR_CORRECT_Q

_EC = [ERROR_CORRECT_L, ERROR_CORRECT_M, ERROR_CORRECT_Q, ERROR_CORRECT_H]
_ALPHA = string.ascii_letters + string.digits + "/:.?=&-_ "
_FONTS = [cv2.FONT_HERSHEY_SIMPLEX, cv2.FONT_HERSHEY_PLAIN, cv2.FONT_HERSHEY_DUPLEX,
          cv2.FONT_HERSHEY_COMPLEX, cv2.FONT_HERSHEY_TRIPLEX]


class QRPool:
    """Caches QR module matrices: generating one in pure Python costs ms."""

    def __init__(self, rng, size=400):
        self.rng = rng
        self.size = size
        self.pool = []

    def get(self):
        if len(self.pool) < self.size or self.rng.random() < 0.05:
            m = self._make()
            if len(self.pool) < self.size:
                self.pool.append(m)
            else:
                self.pool[self.rng.integers(self.size)] = m
            return m
        return self.pool[self.rng.integers(len(self.pool))]

    def _make(self):
        rng = self.rng
        v = int(min(10, 1 + rng.exponential(2.5)))
        q = qrcode.QRCode(version=v, error_correction=_EC[rng.integers(4)], box_size=1, border=0)
        n = int(rng.integers(5, 200))
        q.add_data("".join(rng.choice(list(_ALPHA), n)))
        q.make(fit=True)
        return np.array(q.get_matrix(), dtype=bool)


def _smooth_noise(rng, h, w, cells, lo=0, hi=255):
    a = rng.uniform(lo, hi, (cells, cells)).astype(np.float32)
    return cv2.resize(a, (w, h), interpolation=cv2.INTER_CUBIC)


def _random_text(rng, n):
    return "".join(rng.choice(list(_ALPHA + "0123456789$,.%"), n))


def _paper(rng, h, w):
    img = np.full((h, w), rng.uniform(200, 255), np.float32)
    img += _smooth_noise(rng, h, w, 4, -12, 12)
    ink = float(rng.uniform(0, 90))
    # text lines
    y = int(rng.integers(5, 30))
    scale = rng.uniform(0.25, 0.8)
    while y < h:
        x = int(rng.integers(-20, 60))
        while x < w and rng.random() < 0.9:
            word = _random_text(rng, int(rng.integers(2, 12)))
            font = _FONTS[rng.integers(len(_FONTS))]
            cv2.putText(img, word, (x, y), font, scale, ink + rng.uniform(-20, 20), 1, cv2.LINE_AA)
            (tw, _), _ = cv2.getTextSize(word, font, scale, 1)
            x += tw + int(rng.integers(5, 25))
        y += int(scale * 30 * rng.uniform(1.0, 2.5))
    # table rules
    for _ in range(rng.integers(0, 4)):
        x0, x1 = sorted(rng.integers(0, w, 2))
        y0, y1 = sorted(rng.integers(0, h, 2))
        for yy in np.linspace(y0, y1, rng.integers(2, 8)):
            cv2.line(img, (int(x0), int(yy)), (int(x1), int(yy)), ink, 1)
        for xx in np.linspace(x0, x1, rng.integers(2, 5)):
            cv2.line(img, (int(xx), int(y0)), (int(xx), int(y1)), ink, 1)
    # logos and stamps
    for _ in range(rng.integers(0, 3)):
        c = (int(rng.integers(0, w)), int(rng.integers(0, h)))
        r = int(rng.integers(5, 40))
        g = float(rng.uniform(0, 200))
        if rng.random() < 0.5:
            cv2.circle(img, c, r, g, -1 if rng.random() < 0.5 else 2, cv2.LINE_AA)
        else:
            cv2.rectangle(img, (c[0] - r, c[1] - r // 2), (c[0] + r, c[1] + r // 2), g, -1)
    return img


def _photo(rng, h, w):
    img = _smooth_noise(rng, h, w, int(rng.integers(2, 12)), 0, 255)
    for _ in range(rng.integers(3, 15)):
        g = float(rng.uniform(0, 255))
        pts = rng.integers(-w // 4, w + w // 4, (int(rng.integers(3, 6)), 2)).astype(np.int32)
        cv2.fillPoly(img, [pts], g, cv2.LINE_AA)
    img = cv2.GaussianBlur(img, (0, 0), rng.uniform(0.5, 3))
    img += rng.normal(0, rng.uniform(0, 10), img.shape).astype(np.float32)
    return img


def _background(rng, h, w):
    r = rng.random()
    if r < 0.5:
        return _paper(rng, h, w)
    if r < 0.75:
        return _photo(rng, h, w)
    img = _photo(rng, h, w)
    page = _paper(rng, h, w)
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    dst = src + rng.uniform(-0.3, 0.3, (4, 2)).astype(np.float32) * [w, h]
    M = cv2.getPerspectiveTransform(src, dst.astype(np.float32))
    mask = cv2.warpPerspective(np.ones((h, w), np.float32), M, (w, h))
    page = cv2.warpPerspective(page, M, (w, h))
    return img * (1 - mask) + page * mask


def _placement(rng, W, H, side, aspect=1.0):
    """A random homography mapping the unit square to a code of about side px."""
    cx, cy = rng.uniform(0.05, 0.95) * W, rng.uniform(0.05, 0.95) * H
    th = rng.uniform(0, 2 * np.pi) if rng.random() < 0.7 else rng.normal(0, 0.1)
    c, s = np.cos(th), np.sin(th)
    sq = np.float32([[-0.5, -0.5], [0.5, -0.5], [0.5, 0.5], [-0.5, 0.5]])
    sq[:, 0] *= aspect
    pts = (sq @ np.float32([[c, s], [-s, c]])) * side
    persp = rng.uniform(0, 0.18) if rng.random() < 0.7 else 0.0
    pts += rng.uniform(-persp, persp, (4, 2)).astype(np.float32) * side
    pts += [cx, cy]
    return pts.astype(np.float32)


def _paste(img, pattern, quad, margin, rng, light, dark):
    """Warps a 0/1 pattern (1 = dark) with `margin` light modules around it so
    that the pattern itself lands on `quad`; returns the mask of touched pixels."""
    H, W = img.shape
    n_y, n_x = pattern.shape
    side = max(np.linalg.norm(quad[1] - quad[0]), np.linalg.norm(quad[3] - quad[0]))
    ppm = max(1, int(np.ceil(2.0 * side / max(n_x, n_y))))  # pixels per module in the raster
    full = np.pad(pattern, margin_pad(margin), constant_values=False)
    raster = np.where(np.kron(full, np.ones((ppm, ppm), bool)), dark, light).astype(np.float32)
    m = margin_pad(margin)[0][0]
    src = np.float32([[m, m], [m + n_x, m], [m + n_x, m + n_y], [m, m + n_y]]) * ppm
    M = cv2.getPerspectiveTransform(src, quad)
    warped = cv2.warpPerspective(raster, M, (W, H), flags=cv2.INTER_LINEAR)
    mask = cv2.warpPerspective(np.ones_like(raster), M, (W, H), flags=cv2.INTER_LINEAR)
    img *= (1 - mask)
    img += warped * mask
    return mask


def margin_pad(margin):
    m = int(np.ceil(margin))
    return ((m, m), (m, m))


def _negative(rng):
    """A pattern that is not a QR code but looks a little like one."""
    r = rng.random()
    if r < 0.35:  # 1D barcode
        bars = rng.integers(1, 4, int(rng.integers(30, 90))).repeat(1)
        row = np.concatenate([np.full(b, i % 2 == 0) for i, b in enumerate(bars)])
        h = int(len(row) * rng.uniform(0.2, 0.6))
        return np.tile(row, (max(h, 4), 1))
    if r < 0.65:  # DataMatrix-like: solid L on left/bottom, clock track top/right
        n = int(rng.integers(10, 32)) // 2 * 2
        g = rng.random((n, n)) < 0.5
        g[:, 0] = True
        g[-1, :] = True
        g[0, :] = np.arange(n) % 2 == 0
        g[:, -1] = np.arange(n) % 2 == 1
        return g
    if r < 0.85:  # checkerboard
        n = int(rng.integers(4, 12))
        return (np.add.outer(np.arange(n), np.arange(n)) % 2).astype(bool)
    n = int(rng.integers(8, 30))  # dot grid / random noise block
    return rng.random((n, n)) < rng.uniform(0.2, 0.6)


def _degrade(rng, img):
    H, W = img.shape
    if rng.random() < 0.3:  # shadow
        img *= 1 - rng.uniform(0.2, 0.7) * np.clip(_smooth_noise(rng, H, W, 3, -1, 1.5), 0, 1)
    if rng.random() < 0.15:  # glare
        yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
        cx, cy, r = rng.uniform(0, W), rng.uniform(0, H), rng.uniform(10, W / 2)
        img += rng.uniform(60, 250) * np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * r * r))
    if rng.random() < 0.3:
        img = cv2.GaussianBlur(img, (0, 0), rng.uniform(0.4, 2.0))
    if rng.random() < 0.12:  # motion blur
        k = int(rng.integers(3, 9))
        ker = np.zeros((k, k), np.float32)
        ker[k // 2, :] = 1
        R = cv2.getRotationMatrix2D((k / 2 - 0.5, k / 2 - 0.5), rng.uniform(0, 180), 1)
        ker = cv2.warpAffine(ker, R, (k, k))
        img = cv2.filter2D(img, -1, ker / max(ker.sum(), 1e-6))
    if rng.random() < 0.3:  # low contrast
        a = rng.uniform(0.3, 0.8)
        img = img * a + rng.uniform(0, 255 * (1 - a))
    if rng.random() < 0.3:
        img = 255 * (np.clip(img, 0, 255) / 255) ** rng.uniform(0.6, 1.6)
    if rng.random() < 0.5:
        img = img + rng.normal(0, rng.uniform(1, 12), img.shape)
    img = np.clip(img, 0, 255).astype(np.uint8)
    if rng.random() < 0.5:
        ok, enc = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(15, 90))])
        img = cv2.imdecode(enc, cv2.IMREAD_GRAYSCALE)
    return img


def _overlaps(quad, boxes, pad):
    x0, y0 = quad.min(0) - pad
    x1, y1 = quad.max(0) + pad
    for b in boxes:
        if x0 < b[2] and b[0] < x1 and y0 < b[3] and b[1] < y1:
            return True
    return False


def scene(rng, pool, size=320):
    H = W = size
    img = _background(rng, H, W).astype(np.float32)
    boxes = []
    quads = []
    ncodes = rng.choice([0, 1, 2, 3], p=[0.1, 0.55, 0.25, 0.1])
    for _ in range(ncodes):
        m = pool.get()
        side = float(np.exp(rng.uniform(np.log(14), np.log(size * 0.9))))
        for _try in range(10):
            quad = _placement(rng, W, H, side)
            if not _overlaps(quad, boxes, side * 0.15):
                break
        else:
            continue
        if rng.random() < 0.5:
            dark = rng.uniform(0, 80)
            light = rng.uniform(max(dark + 60, 150), 255)
        else:
            dark = rng.uniform(0, 150)
            light = rng.uniform(dark + 35, 255)
        if rng.random() < 0.1:
            dark, light = light, dark
        margin = rng.choice([0.5, 1, 2, 4], p=[0.1, 0.2, 0.3, 0.4])
        _paste(img, m, quad, margin, rng, light, dark)
        boxes.append(np.concatenate([quad.min(0), quad.max(0)]))
        quads.append(quad)
    for _ in range(rng.choice([0, 1, 2], p=[0.5, 0.35, 0.15])):
        pat = _negative(rng)
        side = float(np.exp(rng.uniform(np.log(20), np.log(size * 0.6))))
        quad = _placement(rng, W, H, side, aspect=pat.shape[1] / pat.shape[0])
        if _overlaps(quad, boxes, 4):
            continue
        dark = rng.uniform(0, 100)
        _paste(img, pat, quad, 1, rng, rng.uniform(dark + 60, 255), dark)
        boxes.append(np.concatenate([quad.min(0), quad.max(0)]))
    img = _degrade(rng, img)
    q = np.array(quads, np.float32).reshape(-1, 4, 2)
    return img, q


if __name__ == "__main__":
    import sys
    import time
    rng = np.random.default_rng(1)
    pool = QRPool(rng)
    t = time.time()
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    for i in range(n):
        img, q = scene(rng, pool)
        if i < 8:
            vis = cv2.cvtColor(img, cv2.COLOR_GRAY2BGR)
            for quad in q:
                cv2.polylines(vis, [quad.astype(np.int32)], True, (0, 0, 255), 1)
                cv2.circle(vis, tuple(quad[0].astype(int)), 3, (0, 255, 0), -1)
            cv2.imwrite("/tmp/synth_%d.png" % i, vis)
    print("%.1f img/s" % (n / (time.time() - t)))
