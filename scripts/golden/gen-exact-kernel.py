#!/usr/bin/env python3
"""Generates tests/fixtures/exact-kernel.json: the weighted least-squares sums of a meta-regression and the fits
that need them, where precise studies carry nearly all the weight and double precision loses the traces of P
(src/models/exact-kernel.ts computes them in exact dyadic arithmetic).

The reference is independent of evsynth: the k x k matrix P = W - W X (X'WX)^-1 X'W is formed and multiplied in
mpmath at 1,000 significant digits from the exact binary values of the inputs (no adjugate, no sums over other
studies), then each result is rounded once to a double.

Part "sums" (weights, moderators and estimates as given):
  tr P, tr PP, y'Py (Q_gen), y'PPy, y'PPPy, b = (X'WX)^-1 X'Wy
on random designs (k 4-10, p 2-4: an intercept, covariates at scales 1e-3 ... 1e3, dummies) with variances
drawn log-uniformly over 1e-60 ... 1e60 or in precise/imprecise pairs 1e20 ... 1e40 apart.

Part "fits" (w_i = 1/(v_i + tau2), the model's formulas as metafor's rma.uni documents them):
  DL    tau2 = max(0, (Q_E - (k - p))/tr P0), SE = sqrt(2(k-p) + 4 tau2 tr P0 + 2 tau2^2 tr(P0 P0))/tr P0
  REML  the global maximum of the restricted log-likelihood (a root of tr P(tau2) = y'PPy(tau2), or 0),
        SE = sqrt(2/tr PP)
  ML    the global maximum of the log-likelihood (a root of sum w_i = y'PPy, or 0), SE = sqrt(2/sum w_i^2)
  I2 = 100 tau2/(tau2 + vt), H2 = (tau2 + vt)/vt, vt = (k - p)/tr P0; b at tau2
each root by bisection to 1e-60 relative (the maxima found on a grid of tau2 = 1e-60 ... 1e4).

Usage: python3 scripts/golden/gen-exact-kernel.py tests/fixtures/exact-kernel.json
Needs python3 with mpmath (1.3 used) and numpy (the rank of the drawn designs).
"""
import json
import random
import sys

import numpy

from mpmath import mp, mpf, matrix, sqrt

mp.dps = 1000


def kernel(yi, w, X):
    k, p = len(yi), len(X[0])
    W = matrix(k, k)
    for i in range(k):
        W[i, i] = mpf(w[i])
    Xm = matrix([[mpf(v) for v in row] for row in X])
    y = matrix([mpf(v) for v in yi])
    A = Xm.T * W * Xm
    Ainv = A ** -1
    P = W - W * Xm * Ainv * Xm.T * W
    Py = P * y
    PPy = P * Py
    beta = Ainv * Xm.T * W * y
    tr = lambda M: sum(M[i, i] for i in range(k))
    return {
        'trP': tr(P),
        'trPP': tr(P * P),
        'RSS': (y.T * Py)[0],
        'yPPy': (Py.T * Py)[0],
        'yPPPy': (Py.T * PPy)[0],
        'sumW': sum(mpf(v) for v in w),
        'sumW2': sum(mpf(v) ** 2 for v in w),
        'beta': [beta[r] for r in range(p)],
    }


def weights(vi, tau2):
    return [1 / (mpf(v) + tau2) for v in vi]


def bisect(f, lo, hi):
    """The root of f in [lo, hi] (f(lo) > 0 >= f(hi)) by bisection, to 1e-60 relative."""
    for _ in range(1000):
        mid = (lo + hi) / 2
        if f(mid) > 0:
            lo = mid
        else:
            hi = mid
        if hi - lo <= mpf(10) ** -60 * hi:
            break
    return (lo + hi) / 2


def fit(method, yi, vi, X):
    k, p = len(yi), len(X[0])
    # the kernel with weights as exact reals (mpf), not doubles: these are the model's exact values
    def at(t):
        return kernel(yi, weights(vi, t), X)
    z = at(mpf(0))
    vt = (k - p) / z['trP']
    if method == 'DL':
        t = max(mpf(0), (z['RSS'] - (k - p)) / z['trP'])
        se = sqrt(2 * (k - p) + 4 * t * z['trP'] + 2 * t ** 2 * z['trPP']) / z['trP']
        m = at(t)
    else:
        # ML and REML: the global maximum of the log-likelihood over tau2 >= 0 (it can be bimodal where
        # precise studies carry nearly all the weight: a local maximum at 0 and another far above it), among
        # 0 (where the score there is <= 0) and every root where the score changes sign from + to - on a grid
        # of tau2 = 10^g, g = -60, -59.75, ..., 4, each refined by bisection
        def score(t):
            m = at(t)
            return m['yPPy'] - (m['trP'] if method == 'REML' else m['sumW'])

        def loglik(t):
            m = at(t)
            ll = -sum(mp.log(mpf(v) + t) for v in vi) - m['RSS']
            if method == 'REML':
                Xm = matrix([[mpf(v) for v in row] for row in X])
                W = matrix(k, k)
                for i, wi in enumerate(weights(vi, t)):
                    W[i, i] = wi
                ll -= mp.log(mp.det(Xm.T * W * Xm))
            return ll / 2

        candidates = [mpf(0)] if score(mpf(0)) <= 0 else []
        grid = [mpf(10) ** (mpf(g) / 4) for g in range(-240, 17)]
        signs = [score(t) > 0 for t in grid]
        if score(mpf(0)) > 0 and not signs[0]:
            candidates.append(bisect(score, mpf(0), grid[0]))
        for a, b, sa, sb in zip(grid, grid[1:], signs, signs[1:]):
            if sa and not sb:
                candidates.append(bisect(score, a, b))
        t = max(candidates, key=loglik)
        m = at(t)
        se = sqrt(2 / (m['trPP'] if method == 'REML' else m['sumW2']))
    return {
        'tau2': float(t),
        'tau2SE': float(se),
        'I2': float(100 * t / (t + vt)),
        'H2': float((t + vt) / vt),
        'beta': [float(b) for b in m['beta']],
    }


def main(out):
    rng = random.Random(20261202)
    sums = []
    case = 0
    while len(sums) < 40:
        case += 1
        k = rng.randint(4, 10)
        p = rng.randint(2, min(4, k - 1))
        X = []
        for i in range(k):
            row = [1.0]
            for c in range(1, p):
                row.append(float(rng.randint(0, 1)) if c % 2 == 1 else rng.gauss(0, 1) * 10 ** rng.randint(-3, 3))
            X.append(row)
        if case % 2 == 0:
            vi = [10 ** rng.uniform(-60, 60) for _ in range(k)]
        else:
            gap = 10 ** rng.uniform(20, 40)
            vi = [(1e-10 if i % 2 == 0 else 1e-10 * gap) * rng.uniform(0.5, 2) for i in range(k)]
        yi = [rng.gauss(0, 1) for _ in range(k)]
        w = [1 / v for v in vi]
        if numpy.linalg.matrix_rank(numpy.array(X)) < p:
            continue  # a dummy constant over the studies drawn: not a design of full rank
        s = kernel(yi, w, X)
        sums.append({
            'id': f'sums-{len(sums) + 1}', 'k': k, 'p': p, 'yi': yi, 'w': w, 'x': [v for row in X for v in row],
            **{key: float(s[key]) for key in ('trP', 'trPP', 'RSS', 'yPPy', 'yPPPy')},
            'beta': [float(b) for b in s['beta']],
        })
    fits = []
    mp.dps = 300
    design4 = [[1.0, 1.0], [1.0, 1.0], [1.0, 0.0], [1.0, 0.0]]
    yi4 = [0.1, 0.2, 0.3, 0.05]
    specs = [
        ('pairs-1e20', yi4, [1e-40, 1e-20, 1e-40, 1e-20], design4),
        ('pairs-1e20-split', yi4, [1e-10, 1e10, 1e-10, 1e10], design4),
        ('pairs-1e12', yi4, [1e-12, 1.0, 1e-12, 1.0], design4),
        ('pairs-1e6', yi4, [1e-6, 1.0, 1e-6, 1.0], design4),
    ]
    for case in range(3):
        k = 6
        X = [[1.0, float(i % 2), rng.gauss(0, 1)] for i in range(k)]
        vi = [(1e-30 if i < 3 else 1.0) * rng.uniform(0.5, 2) for i in range(k)]
        yi = [rng.gauss(0, 0.5) for _ in range(k)]
        specs.append((f'random-{case + 1}', yi, vi, X))
    for name, yi, vi, X in specs:
        for method in ('DL', 'REML', 'ML'):
            fits.append({'id': f'{name}-{method}', 'method': method, 'yi': yi, 'vi': vi,
                         'x': [v for row in X for v in row], 'p': len(X[0]), **fit(method, yi, vi, X)})
    with open(out, 'w') as f:
        json.dump({'generator': 'scripts/golden/gen-exact-kernel.py (mpmath ' + __import__('mpmath').__version__ + ')',
                   'sums': sums, 'fits': fits}, f, indent=1)
        f.write('\n')


if __name__ == '__main__':
    main(sys.argv[1])
