"""Known solutions for test/unit/linear: scikit-learn's multinomial LogisticRegression and
LogisticRegressionCV on a small seeded dataset. Run with Debian's python3-sklearn:
    /usr/bin/python3 test/unit/linear/make-sklearn-fixture.py > test/unit/linear/sklearn-fixture.json
"""
import json
import warnings

import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression, LogisticRegressionCV

warnings.filterwarnings("ignore")
rng = np.random.RandomState(2)
k, d, per_class = 3, 6, 20
centers = rng.normal(0, 1.0, (k, d))
X = np.vstack([centers[c] + rng.normal(0, 1.2, (per_class, d)) for c in range(k)])
y = np.repeat(np.arange(k), per_class)
# Interleave classes so StratifiedKFold (no shuffle) deals mixed blocks.
order = np.argsort(np.tile(np.arange(per_class), k), kind="stable")
X, y = np.round(X[order], 6), y[order]

fits = []
for C in [0.01, 1.0, 100.0]:
    m = LogisticRegression(C=C, multi_class="multinomial", solver="lbfgs", tol=1e-10, max_iter=10000).fit(X, y)
    fits.append({"C": C, "coef": m.coef_.tolist(), "intercept": m.intercept_.tolist()})

cv = LogisticRegressionCV(Cs=10, cv=5, multi_class="multinomial", solver="lbfgs", max_iter=100).fit(X, y)
scores = cv.scores_[0]  # [folds, Cs]
print(json.dumps({
    "sklearn": sklearn.__version__,
    "X": X.tolist(),
    "y": y.tolist(),
    "fits": fits,
    "cv": {
        "Cs": cv.Cs_.tolist(),
        "C": float(cv.C_[0]),
        "meanScores": scores.mean(axis=0).tolist(),
        "coef": cv.coef_.tolist(),
        "intercept": cv.intercept_.tolist(),
    },
}))
