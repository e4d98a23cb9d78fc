"""`pxready pre-commit FILES`: each deployment the changed files belong to, checked once."""

from __future__ import annotations

from tests.support.cli import GOOD_VARS, Deployment, pxready

BAD = GOOD_VARS.replace('"contoso"', '"contosoltd"')
SKIP_CERTS = '[checks]\nskip = ["connector-cert.*"]\n'


def regions(deployment: Deployment) -> None:
    for region, script in (("eu", GOOD_VARS), ("us", BAD)):
        deployment.vars(script.replace("-eu.", f"-{region}."), name=f"{region}/variables.ps1")
        deployment.write(
            f"{region}/pxready.toml", f'[[connector]]\nvars = "variables.ps1"\n\n{SKIP_CERTS}'
        )
    deployment.write("notes.txt", "change window: Saturday\n")


def test_only_the_deployments_of_the_changed_files_are_checked(deployment: Deployment) -> None:
    regions(deployment)
    good = pxready("pre-commit", "eu/variables.ps1", "eu/pxready.toml", cwd=deployment.root)
    assert good.code == 0, good.stdout + good.stderr
    assert "us" not in good.stdout and good.stdout.rstrip().endswith("(exit 0)")
    # Quiet by default: the verdict, and the passes left out.
    assert "PASS" not in good.stdout

    both = pxready("pre-commit", "us/variables.ps1", "eu/pxready.toml", cwd=deployment.root)
    assert both.code == 1, both.stdout + both.stderr
    assert "== us/pxready.toml" in both.stdout and "== eu/pxready.toml" in both.stdout
    assert "FAIL" in both.stdout and "naming" in both.stdout and "PASS" not in both.stdout

    verbose = pxready("pre-commit", "--verbose", "us/variables.ps1", cwd=deployment.root)
    assert verbose.code == 1 and "PASS" in verbose.stdout

    nothing = pxready("pre-commit", "notes.txt", cwd=deployment.root)
    assert nothing.code == 0 and "no deployment among the changed files" in nothing.stderr


def test_a_script_without_a_configuration_is_checked_by_itself(deployment: Deployment) -> None:
    deployment.vars(BAD, name="loose.ps1")
    run = pxready("pre-commit", "loose.ps1", cwd=deployment.root)
    assert run.code == 1 and "naming" in run.stdout


def test_a_broken_configuration_blocks_with_its_one_line(deployment: Deployment) -> None:
    regions(deployment)
    deployment.write("us/pxready.toml", "[[connector]\n")
    run = pxready("pre-commit", "us/pxready.toml", "eu/variables.ps1", cwd=deployment.root)
    assert run.code == 2
    assert "us/pxready.toml" in run.stderr and "invalid TOML" in run.stderr
    assert "== eu/pxready.toml" in run.stdout  # the other deployment was still checked
