"""scikit-learn's own conformity suite.

Every known failure is listed in ``EXPECTED_FAILED_CHECKS`` with its reason; the list is
empty today because every check passes.
"""

from sklearn.utils.estimator_checks import parametrize_with_checks

from skcama import CAMAClassifier

# check name -> why CAMAClassifier does not pass it
EXPECTED_FAILED_CHECKS: dict[str, str] = {}


@parametrize_with_checks(
    [CAMAClassifier(random_state=0)],
    expected_failed_checks=lambda estimator: EXPECTED_FAILED_CHECKS,
)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
