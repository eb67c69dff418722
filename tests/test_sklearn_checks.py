"""scikit-learn's own conformity suite.

Every known failure is listed in ``EXPECTED_FAILED_CHECKS`` with its reason.
"""

from sklearn.utils.estimator_checks import parametrize_with_checks

from skcama import CAMAClassifier

# check name -> why CAMAClassifier does not pass it
EXPECTED_FAILED_CHECKS: dict[str, str] = {
    "check_sample_weight_equivalence_on_dense_data": (
        "training is stochastic mini-batch optimisation: a row of weight 2 and the same row "
        "written twice give different batches, a different validation split and a different "
        "column standardisation, so the fits agree in distribution, not to 1e-7 "
        "(scikit-learn's own SGD-trained models are exempt from it for the same reason). "
        "tests/test_classifier.py checks what does hold exactly: weight 0 is removal, equal "
        "weights are the unweighted fit, and the class prior equals that of repeated rows"
    ),
}


@parametrize_with_checks(
    [CAMAClassifier(random_state=0)],
    expected_failed_checks=lambda estimator: EXPECTED_FAILED_CHECKS,
)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
