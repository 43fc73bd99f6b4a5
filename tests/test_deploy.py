"""The deployment files hold only steps the tests run: the Dockerfile's build and start are
scripts/setup.sh and scripts/start.sh (run here for real), the image is non-root with a
HEALTHCHECK on /healthz, the HAProxy configuration is valid for Debian's HAProxy, and
compose.yaml runs PostgreSQL and two replicas behind it. (No container runtime runs here, so
the image itself is not built; see docs/DEPLOY.md.)"""

import os
import re
import shutil
import signal
import socket
import subprocess
import threading
import time
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def test_the_dockerfile_runs_our_scripts_as_a_non_root_user():
    text = (REPO / "Dockerfile").read_text()
    runs = re.findall(r"^RUN (.+)$", text, re.M)
    assert runs and all("scripts/setup.sh" in r for r in runs if "setup" in r)
    assert any("scripts/setup.sh" in r for r in runs)
    assert re.search(r'^CMD \["scripts/start.sh"\]$', text, re.M)
    users = re.findall(r"^USER (\S+)$", text, re.M)
    assert users and users[-1] not in ("root", "0")
    assert re.search(r"^HEALTHCHECK .*\n?.*/healthz", text, re.M)
    for script in ("scripts/setup.sh", "scripts/start.sh"):
        assert os.access(REPO / script, os.X_OK), script
    start = (REPO / "scripts" / "start.sh").read_text()
    assert "app.py\" migrate" in start  # migrate before serving


def test_compose_runs_postgres_and_two_replicas_behind_the_balancer():
    text = (REPO / "compose.yaml").read_text()
    for service in ("db:", "bot1:", "bot2:", "lb:"):
        assert re.search(rf"^  {service}", text, re.M), service
    assert "postgres" in text and "haproxy" in text and "deploy/haproxy.cfg" in text
    config = (REPO / "deploy" / "haproxy.cfg").read_text()
    assert "server bot1 bot1:3978" in config and "server bot2 bot2:3978" in config
    assert "GET /readyz" in config


@pytest.mark.skipif(shutil.which("haproxy") is None and not Path("/usr/sbin/haproxy").exists(),
                    reason="haproxy is not installed (scripts/setup.sh --e2e installs it)")
@pytest.mark.process
def test_the_haproxy_configuration_is_valid(tmp_path):
    haproxy = shutil.which("haproxy") or "/usr/sbin/haproxy"
    # the compose service names do not resolve here: check the same file on loopback
    config = (REPO / "deploy" / "haproxy.cfg").read_text()
    config = re.sub(r"bot(\d):3978", r"127.0.0.1:3978", config)
    path = tmp_path / "haproxy.cfg"
    path.write_text(config)
    result = subprocess.run([haproxy, "-c", "-f", str(path)], capture_output=True, text=True,
                            timeout=30)
    assert result.returncode == 0, result.stdout + result.stderr


def readme_http_examples() -> list[str]:
    """The shell blocks of the README's "Talk to it over HTTP" section, as written there."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Talk to it over HTTP\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```bash\n(.*?)```", section, re.S)


@pytest.mark.process
def test_start_sh_migrates_serves_and_answers_the_readmes_curl(tmp_path):
    """What the image's CMD does: set-up (a no-op when done), migrate, serve; then what a
    newcomer does next: the README's copy-paste ``curl`` commands, run as written (on this
    test's port), are answered."""
    assert shutil.which("curl"), "curl is needed (the README's example uses it)"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'coop.sqlite3'}",
           "HOST": "127.0.0.1", "PORT": str(port), "REMINDER_SWEEP_ENABLED": "false",
           "MicrosoftAppId": "", "MicrosoftAppPassword": "", "LOG_FORMAT": "json"}
    proc = subprocess.Popen([str(REPO / "scripts" / "start.sh")], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=5) as r:
                    assert r.status == 200
                    break
            except OSError:
                assert proc.poll() is None, proc.communicate()
                assert time.monotonic() < deadline, "start.sh did not serve"
                time.sleep(0.2)
        first, follow_up = readme_http_examples()
        outputs = []
        for example in (first, follow_up):
            assert "http://localhost:3978/api/messages" in example
            run = subprocess.run(["bash", "-c", example.replace("localhost:3978", f"127.0.0.1:{port}")],
                                 capture_output=True, text=True, timeout=60)
            assert run.returncode == 0, run.stderr
            outputs.append(run.stdout)
        import json

        [answer] = json.loads(outputs[0])["activities"]
        assert "claim" in answer["attachments"][0]["content"]["fallbackText"]
        assert "H2" in outputs[1] and "claim" in outputs[1], outputs[1]  # the same conversation
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    assert "migrated:" in out
    assert '"logger": "app"' in err  # LOG_FORMAT=json: one JSON object per line


PLAYGROUND_CLI = REPO / "e2e" / "node_modules" / "@microsoft" / "m365agentsplayground" / "cli.js"


@pytest.mark.process
def test_start_sh_playground_logs_outside_the_repository_and_prints_its_url(tmp_path):
    missing = [what for what, ok in (("node", shutil.which("node")), ("the playground (scripts/"
               "setup.sh --playground)", PLAYGROUND_CLI.is_file())) if not ok]
    if missing:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"missing: {', '.join(missing)}")
        pytest.skip(f"missing: {', '.join(missing)}")
    from conftest import checkout_state

    before = checkout_state(REPO)
    shim = tmp_path / "bin"
    shim.mkdir()
    (shim / "xdg-open").write_text("#!/bin/sh\nexit 0\n")  # no browser window from a test
    (shim / "xdg-open").chmod(0o755)
    with socket.socket() as a, socket.socket() as b:
        a.bind(("127.0.0.1", 0))
        b.bind(("127.0.0.1", 0))
        port, playground_port = a.getsockname()[1], b.getsockname()[1]
    home = tmp_path / "home"
    env = {**os.environ, "HOME": str(home), "XDG_STATE_HOME": "", "PATH": f"{shim}:{os.environ['PATH']}",
           "TEAMSAPPTESTER_BROWSER": "none", "BROWSER": "none", "PORT": str(port),
           "PLAYGROUND_PORT": str(playground_port), "REMINDER_SWEEP_ENABLED": "false",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'coop.sqlite3'}"}
    env.pop("M365_AGENTS_PLAYGROUND_LOGFILE", None)
    proc = subprocess.Popen([str(REPO / "scripts" / "start.sh"), "--playground"], cwd=REPO,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    said: list[str] = []
    reader = threading.Thread(target=lambda: said.extend(proc.stdout), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 180
        while not (found := re.search(r"Agents Playground: (http://\S+)", "".join(said))):
            assert proc.poll() is None, "".join(said)
            assert time.monotonic() < deadline, "".join(said)
            time.sleep(0.2)
        url = found.group(1)
        with urllib.request.urlopen(url, timeout=10) as page:
            assert page.status == 200 and "Agents Playground" in page.read().decode()
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    logs = list(home.rglob("m365agentsplayground.log"))
    assert logs, "the playground's log is not under the user's state folder"
    assert checkout_state(REPO) == before  # no devTools/ (or anything) left in the repository
