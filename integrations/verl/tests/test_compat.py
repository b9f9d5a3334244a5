import os
import subprocess
import sys

PACKAGE_ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")


def _import_finemem_verl(pythonpath, force_standin):
    env = {key: value for key, value in os.environ.items() if key != "FINEMEM_VERL_FORCE_STANDIN"}
    if force_standin:
        env["FINEMEM_VERL_FORCE_STANDIN"] = "1"
    env["PYTHONPATH"] = os.pathsep.join([PACKAGE_ROOT, *pythonpath])
    return subprocess.run(
        [sys.executable, "-c", "import finemem_verl; print('real' if finemem_verl.USING_REAL_VERL else 'standin')"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )


def test_without_verl_it_runs_on_the_standin():
    done = _import_finemem_verl([], force_standin=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "standin"


def test_a_verl_that_does_not_import_is_an_error_naming_the_way_out(tmp_path):
    # A verl package without the modules the plugin needs, as a broken or partial install looks.
    (tmp_path / "verl").mkdir()
    (tmp_path / "verl" / "__init__.py").write_text("")
    done = _import_finemem_verl([str(tmp_path)], force_standin=False)
    assert done.returncode != 0
    assert "verl is installed but its agent-loop or core_algos module did not import" in done.stderr
    assert "FINEMEM_VERL_FORCE_STANDIN=1" in done.stderr
    forced = _import_finemem_verl([str(tmp_path)], force_standin=True)
    assert forced.returncode == 0, forced.stderr
    assert forced.stdout.strip() == "standin"
