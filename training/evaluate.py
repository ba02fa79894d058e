"""Measures a detector on synthetic validation scenes and on the labelled
photos of corpus/boofcv-dev.

    /usr/bin/python3 training/evaluate.py models/nano.safetensors --synth 500
    /usr/bin/python3 training/evaluate.py models/nano.safetensors --boofcv ../shared/corpus/boofcv-dev

It loads the exported safetensors file (so it measures exactly what ships)
and decodes the heatmaps with the same algorithm as internal/neural/decode.go
(peaks, regressed corners, corner snapping, NMS); keep the two in step.

Synthetic: 320x320 scenes from synth.py with seed 999 (never used in
training, which seeds from --seed and the step); a code counts as found when
a detection's quad has polygon IoU >= 0.5 with it. Reported: recall per code
side bucket, false positives per image (detections matching no code), and the
median corner error divided by the code side.

boofcv-dev: each photo resized so its long side is --input (aspect kept,
padded to a multiple of 32); a labelled code counts as found when the
centroid of a detection lies inside it or its centroid inside the detection
(the corpus rule). Reported per category, as the mean of per-category rates,
and false positives per image.
"""

import argparse
import json
import math
import os
import sys
from collections import defaultdict

import cv2
import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import synth  # noqa: E402


def read_safetensors(path):
    with open(path, "rb") as f:
        b = f.read()
    n = int.from_bytes(b[:8], "little")
    hdr = json.loads(b[8:8 + n])
    meta = hdr.pop("__metadata__", {})
    body = b[8 + n:]
    tensors = {}
    for k, e in hdr.items():
        lo, hi = e["data_offsets"]
        tensors[k] = torch.from_numpy(np.frombuffer(body[lo:hi], dtype="<f4").reshape(e["shape"]).copy())
    return meta, tensors


class Folded:
    """Runs an exported (batch-norm folded) graph with torch ops."""

    def __init__(self, path):
        self.meta, self.t = read_safetensors(path)
        self.nodes = json.loads(self.meta["graph"])
        self.input = int(self.meta["input_size"])
        self.stride = int(self.meta["stride"])
        self.scale = float(self.meta["offset_scale"])

    @torch.no_grad()
    def __call__(self, x):
        env = {"input": x}
        for nd in self.nodes:
            a = env[nd["inp"][0]]
            if nd["op"] == "conv":
                h = F.conv2d(a, self.t[nd["name"] + ".weight"], self.t[nd["name"] + ".bias"],
                             stride=nd["stride"], padding=nd["dil"] * (nd["k"] - 1) // 2,
                             dilation=nd["dil"], groups=nd["groups"])
            elif nd["op"] == "add":
                h = a + env[nd["inp"][1]]
            else:
                h = F.interpolate(a, scale_factor=2, mode="nearest")
            if nd.get("relu"):
                h = F.relu(h)
            env[nd["out"]] = h
        return env["head"][0].numpy()


def poly_area(q):
    x, y = q[:, 0], q[:, 1]
    return 0.5 * (np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))


def convex(q):
    s = []
    for k in range(4):
        a, b, c = q[k], q[(k + 1) % 4], q[(k + 2) % 4]
        s.append((b[0] - a[0]) * (c[1] - b[1]) - (b[1] - a[1]) * (c[0] - b[0]))
    return all(v > 0 for v in s) or all(v < 0 for v in s)


def snap(q, cor, st, thr):
    gh, gw = cor.shape
    side = math.sqrt(abs(poly_area(q)))
    r = int(math.ceil(max(1.5, 0.2 * side / st)))
    s = q.copy()
    cells = []
    for k in range(4):
        px, py = int(q[k, 0] / st), int(q[k, 1] / st)
        y0, y1, x0, x1 = max(0, py - r), min(gh - 1, py + r), max(0, px - r), min(gw - 1, px + r)
        if y0 > y1 or x0 > x1:
            cells.append(-1 - k)
            continue
        win = cor[y0:y1 + 1, x0:x1 + 1]
        # Go scans in raster order keeping the last maximum (>=)
        flat = win.reshape(-1)
        idx = len(flat) - 1 - int(np.argmax(flat[::-1]))
        if flat[idx] < thr:
            cells.append(-1 - k)
            continue
        bi, bj = y0 + idx // win.shape[1], x0 + idx % win.shape[1]
        cells.append(bi * gw + bj)
        ys, xs = slice(max(0, bi - 1), min(gh, bi + 2)), slice(max(0, bj - 1), min(gw, bj + 2))
        w = 1 / (1 + np.exp(-cor[ys, xs].astype(np.float64)))
        yy, xx = np.mgrid[ys, xs]
        s[k] = [(w * (xx + 0.5)).sum() / w.sum() * st, (w * (yy + 0.5)).sum() / w.sum() * st]
    if len(set(cells)) < 4:
        return q
    qa, sa = abs(poly_area(q)), abs(poly_area(s))
    if not convex(s) or sa < qa / 2 or sa > qa * 2:
        return q
    return s


def decode(head, st, sc, thr=0.3, snap_thr=0.2, nms=0.3, maxdet=32):
    C, gh, gw = head.shape
    lt, ls = math.log(thr / (1 - thr)), math.log(snap_thr / (1 - snap_thr))
    cen = head[0]
    pad = np.pad(cen, 1, constant_values=-np.inf)
    cands = []
    for i, j in zip(*np.nonzero(cen >= lt)):
        v = cen[i, j]
        win = pad[i:i + 3, j:j + 3]
        if win.max() > v:
            continue
        # ties go to the first cell in raster order
        flat = win.reshape(-1)
        if any(flat[k] == v for k in range(4)):
            continue
        c = np.float32([(j + 0.5) * st, (i + 0.5) * st])
        q = c + head[1:9, i, j].reshape(4, 2) * sc
        q = snap(q.astype(np.float64), head[9], st, ls)
        cands.append((1 / (1 + math.exp(-v)), q))
    cands.sort(key=lambda t: -t[0])
    kept = []
    for s, q in cands:
        ok = True
        for _, k in kept:
            if box_iou(q, k) > nms or inside(k, q.mean(0)):
                ok = False
                break
        if ok:
            kept.append((s, q))
            if len(kept) == maxdet:
                break
    return kept


def box_iou(a, b):
    ax0, ay0 = a.min(0)
    ax1, ay1 = a.max(0)
    bx0, by0 = b.min(0)
    bx1, by1 = b.max(0)
    iw, ih = min(ax1, bx1) - max(ax0, bx0), min(ay1, by1) - max(ay0, by0)
    if iw <= 0 or ih <= 0:
        return 0
    u = (ax1 - ax0) * (ay1 - ay0) + (bx1 - bx0) * (by1 - by0) - iw * ih
    return iw * ih / u if u > 0 else 0


def inside(q, p):
    return cv2.pointPolygonTest(q.astype(np.float32).reshape(-1, 1, 2), (float(p[0]), float(p[1])), False) >= 0


def centroid(q):
    # area centroid, as geom.Quad.Centroid (close enough to the vertex mean for convex quads)
    return q.mean(0)


def poly_iou(a, b):
    a32, b32 = a.astype(np.float32), b.astype(np.float32)
    if not convex(a) or not convex(b):
        return box_iou(a, b)
    inter, _ = cv2.intersectConvexConvex(a32, b32)
    u = abs(poly_area(a)) + abs(poly_area(b)) - inter
    return inter / u if u > 0 else 0


def corner_error(d, g):
    side = math.sqrt(abs(poly_area(g)))
    errs = []
    for k in range(4):
        for order in (1, -1):
            r = np.roll(d[::order], k, axis=0)
            errs.append(np.linalg.norm(r - g, axis=1).mean())
    return min(errs) / side


def prepare(gray_img, long_side):
    h, w = gray_img.shape
    s = long_side / max(h, w)
    sw, sh = max(1, round(w * s)), max(1, round(h * s))
    img = cv2.resize(gray_img, (sw, sh), interpolation=cv2.INTER_AREA)
    pw, ph = (sw + 31) // 32 * 32, (sh + 31) // 32 * 32
    img = cv2.copyMakeBorder(img, 0, ph - sh, 0, pw - sw, cv2.BORDER_REPLICATE)
    x = torch.from_numpy(img.astype(np.float32) / 255.0)[None, None]
    return x, w / sw, h / sh


BUCKETS = [(0, 32), (32, 64), (64, 128), (128, 1e9)]


def eval_synth(model, n, thr):
    rng = np.random.default_rng(999)
    pool = synth.QRPool(rng)
    found = defaultdict(int)
    total = defaultdict(int)
    fp = 0
    cerr = []
    for _ in range(n):
        img, quads = synth.scene(rng, pool, 320)
        x, fx, fy = prepare(img, 320)
        dets = decode(model(x), model.stride, model.scale, thr)
        used = set()
        for g in quads:
            side = math.sqrt(abs(poly_area(g)))
            b = next(i for i, (lo, hi) in enumerate(BUCKETS) if lo <= side < hi)
            total[b] += 1
            best, bi = 0, -1
            for i, (_, q) in enumerate(dets):
                iou = poly_iou(q, g)
                if iou > best:
                    best, bi = iou, i
            if best >= 0.5:
                found[b] += 1
                used.add(bi)
                cerr.append(corner_error(dets[bi][1], g))
        fp += len(dets) - len(used)
    rec = sum(found.values()) / max(1, sum(total.values()))
    print("synthetic: %d images, %d codes, threshold %.2f" % (n, sum(total.values()), thr))
    print("  recall (IoU>=0.5) %.3f" % rec)
    for i, (lo, hi) in enumerate(BUCKETS):
        print("  side %s px: %d/%d = %.3f" % ("%d-%s" % (lo, "" if hi > 1e8 else int(hi)), found[i], total[i],
                                             found[i] / max(1, total[i])))
    print("  false positives/image %.3f" % (fp / n))
    if cerr:
        print("  median corner error / side %.3f" % float(np.median(cerr)))


def eval_boofcv(model, root, long_side, thr, limit=0):
    rows = [json.loads(l) for l in open(os.path.join(root, "manifest.jsonl"))]
    if limit:
        rows = rows[::max(1, len(rows) // limit)][:limit]
    cat_found, cat_total = defaultdict(int), defaultdict(int)
    fp = 0
    for r in rows:
        img = cv2.imread(os.path.join(root, r["image"]), cv2.IMREAD_GRAYSCALE)
        x, fx, fy = prepare(img, long_side)
        dets = decode(model(x), model.stride, model.scale, thr)
        quads = [np.array(q, np.float64) * [fx, fy] for _, q in dets]
        used = set()
        for p in r["polygons"]:
            g = np.array(p, np.float64)
            cat_total[r["category"]] += 1
            for i, q in enumerate(quads):
                if inside(g, centroid(q)) or inside(q, centroid(g)):
                    cat_found[r["category"]] += 1
                    used.add(i)
                    break
        fp += sum(1 for i, q in enumerate(quads) if i not in used and
                  not any(inside(np.array(p), centroid(q)) for p in r["polygons"]))
    rates = {c: cat_found[c] / cat_total[c] for c in cat_total}
    print("boofcv-dev: %d images, %d codes, input long side %d, threshold %.2f" % (
        len(rows), sum(cat_total.values()), long_side, thr))
    for c in sorted(rates):
        print("  %-14s %3d/%3d = %.3f" % (c, cat_found[c], cat_total[c], rates[c]))
    print("  codes found %.3f, mean of categories %.3f, false positives/image %.3f" % (
        sum(cat_found.values()) / sum(cat_total.values()), sum(rates.values()) / len(rates), fp / len(rows)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("--synth", type=int, default=0, help="number of synthetic validation images")
    ap.add_argument("--boofcv", default="", help="path to corpus/boofcv-dev")
    ap.add_argument("--input", type=int, default=0, help="long side for boofcv (default: model input)")
    ap.add_argument("--threshold", type=float, default=0.3)
    ap.add_argument("--limit", type=int, default=0, help="evaluate only this many boofcv images (spread)")
    args = ap.parse_args()
    torch.set_num_threads(1)
    torch.set_flush_denormal(True)
    model = Folded(args.model)
    print("model %s (%s), version %s, step %s" % (args.model, model.meta.get("arch"), model.meta.get("version"),
                                                  model.meta.get("train_step")))
    if args.synth:
        eval_synth(model, args.synth, args.threshold)
    if args.boofcv:
        eval_boofcv(model, args.boofcv, args.input or model.input, args.threshold, args.limit)


if __name__ == "__main__":
    main()
