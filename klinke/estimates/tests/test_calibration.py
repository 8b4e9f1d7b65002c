"""The calibration maths against numbers worked out by hand."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from klinke.estimates import calibration, maths
from klinke.estimates.calibration import PackageActual, project_outcome


def package(name: str, o: str, m: str, p: str, actual: str, kind: str = "development"):
    return PackageActual(
        package=maths.PackageInput(
            name=name,
            optimistic=Decimal(o),
            most_likely=Decimal(m),
            pessimistic=Decimal(p),
            hourly_rate=Decimal(90),
        ),
        kind=kind,
        actual=Decimal(actual),
    )


def project(key: int, actual: str, topics=("web",), ended=None):
    """E = (6 + 4·10 + 14) / 6 = 10 h, σ = 8/6, P10–P90 = 10 ∓ 1.7088 h."""
    return project_outcome(
        key=key,
        title=f"P{key}",
        ended_on=ended or date(2026, 1, key),
        topics=topics,
        packages=[package("Bau", "6", "10", "14", actual)],
    )


def test_it_compares_a_project_and_its_packages():
    outcome = project_outcome(
        key=1,
        title="Portal",
        ended_on=date(2026, 3, 1),
        topics=["web", "web"],
        packages=[
            package("Konzept", "2", "4", "12", "9", kind="design"),  # E 5, σ 10/6
            package("Bau", "20", "30", "52", "38"),  # E 32, σ 32/6
        ],
    )
    assert outcome.expected == Decimal(37)
    assert outcome.actual == Decimal(47)
    assert outcome.ratio is not None and outcome.ratio.quantize(Decimal("0.001")) == Decimal(
        "1.270"
    )
    # σ = √((10/6)² + (32/6)²) ≈ 5.588, P90 ≈ 37 + 7.161 = 44.16: 47 lies above.
    assert not outcome.inside
    design, build = outcome.packages
    assert design.kind == "design" and design.ratio == Decimal("1.8")
    assert not design.inside  # P90 = 5 + 2.136 = 7.14 < 9
    assert build.inside  # 32 ∓ 6.835: 25.16–38.84 holds 38
    assert outcome.topics == ("web",)


def test_it_takes_the_median_of_the_ratios():
    assert calibration.median([Decimal(3), Decimal(1), Decimal(2)]) == Decimal(2)
    assert calibration.median([Decimal(1), Decimal(2), Decimal(4), Decimal(3)]) == Decimal("2.5")
    assert calibration.median([]) is None
    summary = calibration.accuracy([project(1, "10"), project(2, "12"), project(3, "20")])
    assert summary.count == 3 and summary.ratio == Decimal("1.20") and summary.inside == 1


def test_it_offers_the_factor_of_the_last_eight_projects_of_the_same_topic():
    projects = [project(k, "13") for k in range(1, 10)]  # ratio 1.3, outside
    projects[8] = project(9, "10.5")  # the newest one, inside
    projects.append(project(20, "30", topics=("hosting",)))
    found = calibration.hint(projects, ["web"])
    assert found == calibration.Hint(count=8, factor=Decimal("1.3"), inside=1, of_this_kind=True)


def test_it_falls_back_to_all_projects_and_needs_three():
    projects = [project(1, "10", topics=("a",)), project(2, "20", topics=("b",))]
    assert calibration.hint(projects, ["a"]) is None
    projects.append(project(3, "15", topics=("c",)))
    found = calibration.hint(projects, ["a"])
    assert found is not None and not found.of_this_kind
    assert found.factor == Decimal("1.5") and found.count == 3


def test_it_rounds_the_factor_once_half_up():
    projects = [project(1, "12.49"), project(2, "12.49"), project(3, "12.49")]
    found = calibration.hint(projects)
    assert found is not None and found.factor == Decimal("1.2")


def test_it_leaves_out_packages_without_expected_hours_and_groups_by_kind():
    empty = project_outcome(
        key=5,
        title="Leer",
        ended_on=date(2026, 2, 2),
        topics=["web"],
        packages=[
            package("Nichts", "0", "0", "0", "3", kind="other"),
            package("Bau", "6", "10", "14", "10"),
        ],
    )
    kinds = calibration.by_kind([empty])
    assert kinds["other"].count == 0 and kinds["other"].ratio is None
    assert kinds["development"] == calibration.Accuracy(count=1, ratio=Decimal("1.00"), inside=1)
    topics = calibration.by_topic([empty, project(1, "20", topics=("web", "data"))])
    assert list(topics) == ["data", "web"] and topics["web"].count == 2


def test_it_gives_the_starter_packages_their_kinds():
    from klinke.estimates.actions import starter_values
    from klinke.estimates.models import PackageKind
    from klinke.estimates.starters import WEBSITE_RELAUNCH

    values = starter_values(WEBSITE_RELAUNCH, language="en", hourly_rate=Decimal(90))
    kinds = [p.kind for p in values.packages]
    assert kinds == ["management", "design", "development", "content", "training"]
    assert set(kinds) <= set(PackageKind.values)
