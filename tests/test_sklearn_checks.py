"""scikit-learn's own conformity suite, on CAMAClassifier and the torch baselines.

Every known failure is listed in ``EXPECTED_FAILED_CHECKS``, per estimator, with its reason.
"""

from sklearn.utils.estimator_checks import parametrize_with_checks

from skcama import CAMAClassifier
from skcama.baselines import CausalAdvClassifier, PGDTrainedMLPClassifier, TorchMLPClassifier

# estimator class name -> {check name -> why that estimator does not pass it}; an estimator
# checked below must have an entry here, empty when it passes every check
EXPECTED_FAILED_CHECKS: dict[str, dict[str, str]] = {
    "CAMAClassifier": {
        "check_sample_weight_equivalence_on_dense_data": (
            "training is stochastic optimisation: a row of weight 2 and the same row written "
            "twice get a different column standardisation (the scaler is not weighted) and "
            "independent training noise per copy, and float32 rounding grows over the Adam "
            "steps (with both causes removed, 9e-7 remained), so the fits agree in "
            "distribution, not to 1e-7 (scikit-learn's own SGD-trained models, "
            "SGDClassifier, SGDRegressor, SGDOneClassSVM and Perceptron, are exempt from it "
            "for the same reason; MLPClassifier is not exempt: scikit-learn runs the check "
            "on it with its deterministic full-batch solver='lbfgs', where it passes, and "
            "CAMAClassifier has no such solver). "
            "tests/test_classifier.py checks what does hold exactly: weight 0 is removal, "
            "equal weights are the unweighted fit, and the class prior equals that of "
            "repeated rows"
        ),
    },
    # the baselines take no sample_weight, so the weight checks are not run on them; they
    # pass every other check (scikit-learn 1.9)
    "TorchMLPClassifier": {},
    "PGDTrainedMLPClassifier": {},
    "CausalAdvClassifier": {},
}

# Every estimator runs with its defaults, seeded: check_classifiers_train then asks for
# more than 83 % training accuracy from the settings users get (100 epochs; PGD with
# 5 steps of epsilon 0.25 for the adversarial two), not from settings tuned for the check.
# The defaults are fast enough on the check's small data (the three baselines take about
# 50 s with -n 2, most of it CausalAdv's check_classifiers_train).
ESTIMATORS = [
    CAMAClassifier(random_state=0),
    TorchMLPClassifier(random_state=0),
    PGDTrainedMLPClassifier(random_state=0),
    CausalAdvClassifier(random_state=0),
]


@parametrize_with_checks(
    ESTIMATORS,
    expected_failed_checks=lambda estimator: EXPECTED_FAILED_CHECKS[type(estimator).__name__],
)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
