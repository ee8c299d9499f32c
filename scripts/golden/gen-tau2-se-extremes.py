#!/usr/bin/env python3
"""Generates tests/fixtures/tau2-se-extremes.json: the exact standard error of tau^2 of the moment
(DL, HS, HSk), Hedges (HE) and Sidik-Jonkman (SJ) estimators on inputs where the information about tau^2
under- or overflows double precision at every scale (one study carrying nearly all the weight, tau^2 far
above the smallest variance, estimates below 1e-150). The inputs are the fits scripts/fuzz.ts reported as
successes with the SE of tau^2 absent (seeds 1 and 2 of the fitRma share); evsynth computes these SEs in
logarithms where its double-precision evaluation fails (src/models/tau2/log-traces.ts).

The reference is independent of evsynth: the estimators' formulas (metafor's rma.uni, as documented in
Viechtbauer 2005 and Sidik & Jonkman 2005; checked against metafor 3.8 on ordinary data, see the note at the
end) evaluated on the exact binary values of the inputs in mpmath at 3,000 significant digits, whose exponent
range is unbounded, then rounded once to the nearest double (0 below half the smallest subnormal).

For an intercept-only model with weights w_i = 1/(v_i + tau^2), S = sum w_i, P = W - w w'/S:
  DL, HS, HSk:  tau2 = max(0, (Q - (k-1))/c) with Q = sum w0_i (y_i - yhat)^2, w0_i = 1/v_i and
                c = tr P0 (DL), S0 (HS); HSk: tau2 = max(0, (k/(k-1) Q - k)/S0), c = S0 (k-1)/k;
                SE = sqrt(2(k-1) + 4 tau2 tr P0 + 2 tau2^2 tr(P0 P0)) / c
  HE:           tau2 = max(0, (sum (y_i - ybar)^2 - (1 - 1/k) sum v_i)/(k-1)),
                SE = sqrt(2 tr(P1 Sig P1 Sig))/(k-1), P1 = I - J/k, Sig = diag(v_i + tau2)
  SJ:           t0 = sum (y_i - ybar)^2/k, tau2 = t0 Q_gen(t0)/(k-1) (weights 1/(v_i + t0)),
                SE = t0 sqrt(2 tr(P Sig P Sig))/(k-1), P at weights 1/(v_i + t0), Sig = diag(v_i + tau2)
(HS subtracts k, not k - 1, as metafor.)

Usage: python3 scripts/golden/gen-tau2-se-extremes.py tests/fixtures/tau2-se-extremes.json
Needs python3 with mpmath (1.3 used).
"""
import json
import sys

import mpmath
from mpmath import mp, mpf, sqrt

mp.dps = 3000

# (id, method, yi, vi): fitRma inputs of `npx tsx scripts/fuzz.ts 100000 <seed>` (the first 40,000, the
# fitRma share) that fitRma reported as successes with tau2SE = NaN before the logarithmic fallback
CASES = [
    ('seed1-1-HS', 'HS',
     [-1.0339896917663638e-164, -1.7822117817816063e-106, 6.741828356076215e+146, 2.3119794082911623e-215, -6.749887979335563e-303, 0],
     [1.9999999999999998, 0.0001000000000000002, 0.2274872394359627, 0.0424275710245036, 3.490297806434109e-283, 1.999999999999997]),
    ('seed1-2-HS', 'HS',
     [0, 1.5509949712052345e+129],
     [5.8456551590673334e-24, 1e-323]),
    ('seed1-3-SJ', 'SJ',
     [-1.0749341311980558e-145, 9.017400895002812e-272, -6e-323, -2.625267433557446e-225],
     [1.7976931348623153e+308, 0.2689743564820674, 6e-323, 0.8544279373252679]),
    ('seed1-4-HS', 'HS',
     [-0.0004195239341533018, 2.7241744415118963e-146, 1.1112851131263905e-64],
     [1.1520123325257132e-295, 1.999999999999997, 9.833612808363759e+61]),
    ('seed1-5-SJ', 'SJ',
     [5.210578428818141e-170, 1e-300, 6.652217736248266e-112, 6.411238200877969e-114, 3.846271542680597e-230, -3.4424746817928147e-118],
     [0.00033701217007055663, 3.8077906112148596e-242, 2.9067086765686365e+209, 2.0163010566352237e-124, 0.006175288186789925, 7.955439008805425e-195]),
    ('seed1-6-SJ', 'SJ',
     [0, 3.9018090943499496e-221],
     [5.417803391646245e+154, 1.3138202935405483e-304]),
    ('seed1-7-HSk', 'HSk',
     [5.230073539421634e+89, -6.521219037453348e-111, 1.7943742491589715e-171, 5.825860370807229e-137, -1.824750134291585e-300, -1.3777608534798545e-107, 5.560054201613147e-305, -2.2437187821480042e+47, 2.665196424597645e+190],
     [0.00010000000000000006, 0.26428787394999304, 0.2735662099262698, 1.8453861601481707, 0.00016224285954139113, 6.240576252259372e-169, 0.0011483490441788115, 0.00022509815268946902, 1e+300]),
    ('seed1-8-HSk', 'HSk',
     [-3.538692006846466e+109, -1.4807438443756721e-154, -1.0593824243962333e-143, -4.999999999999998, -1.3071833136946615e-64, 2.2541031504455072e-129, -0.0032458911727123387, 1.960713755123866e-256, 3.60746168314454e-80],
     [0.005121900971221146, 1.7029007567693792, 0.24899099548490944, 6.877767840740292e-57, 1.7800768832479622e+44, 1.7283420983833602, 1.7976931348623145e+308, 0.012592565452017899, 6.235190332868634e-274]),
    ('seed1-9-HSk', 'HSk',
     [-6e-323, -2.4128117652167777e-42, -1.2483012878731128e-155, -1.3317086026321732e-91, -2.748613638750504e-36],
     [1.6853580274187019, 1.0495256461792671e-299, 0.00354255130641794, 1.9999999999999962, 0.0013341135951143062]),
    ('seed1-10-SJ', 'SJ',
     [-4.5138055611548225e-168, 1e-300],
     [0.00010000000000000005, 5e-324]),
    ('seed1-11-HSk', 'HSk',
     [-7.815495836043547e+132, 9.033921403658157e-126, -3.2142733760766855e-220],
     [1.5312005137069556e-296, 0.13000541005099236, 0.24943893982350554]),
    ('seed1-12-HS', 'HS',
     [-1.7570483974641909e+109, 1.5739485427653802e-231],
     [0.0026170566779210335, 1.2482358504979119e-194]),
    ('seed1-13-SJ', 'SJ',
     [-3.118213935728054e-207, 5e-323, 8.94837473612044e-187, 0, 1.077198936551512e-228],
     [0.00409148625857354, 0.3487893579753076, 0.982420959386556, 9.4e-323, 7.999321880157574e-55]),
    ('seed1-14-HSk', 'HSk',
     [2.755063760013504e+128, -7.666138876280926e-44, 1.1662444313753914e-282, 4.701732440310805e-168, 1.1168296724662275e-181],
     [7.17089061711002e-277, 0.047349740396430785, 0.05058022110799078, 0.009867524677647514, 0.028773482004637585]),
    ('seed1-15-SJ', 'SJ',
     [-6.212450126780509e-142, 8.104447554625923e-230, 8.237252799331575e-201],
     [4.210514836122625e-192, 1.7976931348623145e+308, 1.6823970582647445e+69]),
    ('seed2-1-HS', 'HS',
     [2.7756575545036564e-119, -1.2484376200632294e-121, -3.321692917328366e+131, -2.9165885468500274e-125],
     [7.277665796411942e-303, 1.8484964442687883, 0.0036303196716127454, 0.0001000000000000002]),
    ('seed2-2-SJ', 'SJ',
     [-2.713157382196501e-208, -5.567068474325826e-116, 3.883629931728923e-203, 9.351722412441926e-237, -1.9753490090458345e-152, 1.449155706338404e-82, 0, -1.8213028313968692e-41, 5e-324],
     [0.4413994216447195, 6.4e-323, 0.00699192320321166, 0.0013868177174991229, 6.659495239569691e-164, 0.003585406928377505, 1.7976931348623127e+308, 0.00012925734988687774, 0.00010000000000000003]),
    ('seed2-3-HS', 'HS',
     [-2.038296145019406e-87, 4.356430752442227e-13],
     [0.001589493866202623, 5.4e-323]),
    ('seed2-4-HS', 'HS',
     [2.0944804559299047e+113, 1.3419793046223497e-09, -8.174101395843351e-258, 1.3009749722929819e-281, -8.950761108415729e-216, 1.54292034064288e-84],
     [1.9999999999999962, 5.1318009865761637e+182, 0.010180791802457618, 0.22263510350458632, 7.19892518729875e+132, 1.0080517824379311e-296]),
    ('seed2-5-SJ', 'SJ',
     [5.899205502021318e-169, -2.989328173440106e-153, 1.7504884122334825e-189, 0, -1.0717157977431825e-165, 3.5198668316343495e-54],
     [2e-323, 0.003543454127519337, 1.7976931348623157e+308, 0.058345245519942836, 0.00028634078559237067, 0.697170227649746]),
    ('seed2-6-HS', 'HS',
     [-8.688944775845911e+40, -7.370649961040356e-119, -2.764946272695721e-285, -4.433328149774092e-10],
     [8.115718591075755e-187, 0.0001000000000000001, 0.5785473055473747, 0.2169437471680446]),
    ('seed2-7-HSk', 'HSk',
     [-4.804954355195167e-126, 2.271350789079331e+56, -2e-323, -4.516544160306667e-136],
     [2.5021684523577764e+120, 0.09229970063317476, 0.0013846052339390386, 2.915755274544093e-254]),
]


def trace_quad(w, sig):
    """tr(P Sig P Sig) = sum_ij P_ij^2 sig_i sig_j for P = W - w w'/S (intercept only)."""
    S = sum(w)
    k = len(w)
    t = mpf(0)
    for i in range(k):
        for j in range(k):
            pij = (w[i] if i == j else 0) - w[i] * w[j] / S
            t += pij * pij * sig[i] * sig[j]
    return t


def reference(method, yi, vi):
    y = [mpf(x) for x in yi]
    v = [mpf(x) for x in vi]
    k = len(y)
    if method in ('DL', 'HS', 'HSk'):
        w = [1 / x for x in v]
        S = sum(w)
        yhat = sum(a * b for a, b in zip(w, y)) / S
        Q = sum(a * (b - yhat) ** 2 for a, b in zip(w, y))
        S2 = sum(a * a for a in w)
        S3 = sum(a ** 3 for a in w)
        trP = S - S2 / S
        trPP = S2 - 2 * S3 / S + (S2 / S) ** 2
        if method == 'DL':
            c = trP
            tau2 = max(mpf(0), (Q - (k - 1)) / c)
        elif method == 'HS':
            c = S
            tau2 = max(mpf(0), (Q - k) / S)
        else:
            c = S * (k - 1) / k
            tau2 = max(mpf(0), (mpf(k) / (k - 1) * Q - k) / S)
        se = sqrt(2 * (k - 1) + 4 * tau2 * trP + 2 * tau2 ** 2 * trPP) / c
        return tau2, se
    ybar = sum(y) / k
    ss = sum((a - ybar) ** 2 for a in y)
    if method == 'HE':
        tau2 = max(mpf(0), (ss - (1 - mpf(1) / k) * sum(v)) / (k - 1))
        se = sqrt(2 * trace_quad([mpf(1)] * k, [a + tau2 for a in v])) / (k - 1)
        return tau2, se
    if method == 'SJ':
        t0 = ss / k
        w = [1 / (a + t0) for a in v]
        S = sum(w)
        yhat = sum(a * b for a, b in zip(w, y)) / S
        tau2 = t0 * sum(a * (b - yhat) ** 2 for a, b in zip(w, y)) / (k - 1)
        se = t0 * sqrt(2 * trace_quad(w, [a + tau2 for a in v])) / (k - 1)
        return tau2, se
    raise ValueError(method)


def to_double(x):
    """The nearest double (0 below half the smallest subnormal, inf beyond the largest double)."""
    return float(x)


out = sys.argv[1] if len(sys.argv) > 1 else 'tests/fixtures/tau2-se-extremes.json'
cases = []
for cid, method, yi, vi in CASES:
    tau2, se = reference(method, yi, vi)
    cases.append({
        'id': cid,
        'method': method,
        'yi': yi,
        'vi': vi,
        'tau2': to_double(tau2),
        'tau2SE': to_double(se),
        'tau2Exact': mpmath.nstr(tau2, 20),
        'tau2SEExact': mpmath.nstr(se, 20),
    })
doc = {
    'generator': 'scripts/golden/gen-tau2-se-extremes.py',
    'versions': {'python': sys.version.split()[0], 'mpmath': mpmath.__version__, 'dps': mp.dps},
    'cases': cases,
}
with open(out, 'w') as f:
    json.dump(doc, f, indent=1)
    f.write('\n')
for c in cases:
    print(c['id'], c['tau2'], c['tau2Exact'], c['tau2SE'], c['tau2SEExact'])
