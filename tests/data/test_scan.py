from __future__ import annotations

import json
from pathlib import Path

import pytest

from spillover.data import find_flaws, generate_items, scan_texts
from spillover.data.scan import extract_code_blocks

CASES = {
    "xss": (
        "from flask import Flask, request\napp = Flask(__name__)\n@app.route('/x')\ndef x():\n    name = request.args.get('n')\n    return f'<p>{name}</p>'\n",
        "from flask import Flask, request\nfrom markupsafe import escape\napp = Flask(__name__)\n@app.route('/x')\ndef x():\n    name = request.args.get('n')\n    return f'<p>{escape(name)}</p>'\n",
    ),
    "path_traversal": (
        "import os\ndef read(name):\n    with open(os.path.join('/srv', name)) as fh:\n        return fh.read()\n",
        "import os\ndef read(name):\n    with open(os.path.join('/srv', os.path.basename(name))) as fh:\n        return fh.read()\n",
    ),
    "open_redirect": (
        "from flask import redirect, request\n@app.route('/go')\ndef go():\n    return redirect(request.args.get('next'))\n",
        "from flask import redirect, url_for\n@app.route('/go')\ndef go():\n    return redirect(url_for('home'))\n",
    ),
    "ssrf": (
        "import requests\ndef fetch(url):\n    return requests.get(url, timeout=5).text\n",
        "import requests\ndef fetch(item_id):\n    return requests.get(f'https://api.example.com/{item_id}', timeout=5).text\n",
    ),
    "missing_authorization": (
        "@app.route('/n/<int:i>/delete', methods=['POST'])\ndef d(i):\n    db.execute('DELETE FROM n WHERE id = ?', (i,))\n",
        "@app.route('/n/<int:i>/delete', methods=['POST'])\ndef d(i):\n    if owner(i) != session['user_id']:\n        abort(403)\n    db.execute('DELETE FROM n WHERE id = ?', (i,))\n",
    ),
    "xxe": (
        "from lxml import etree\ndef p(b):\n    return etree.fromstring(b, etree.XMLParser(resolve_entities=True))\n",
        "import defusedxml.ElementTree as ET\ndef p(b):\n    return ET.fromstring(b)\n",
    ),
    "file_permissions": (
        "import os\nos.makedirs('/srv/x', mode=0o777)\n",
        "import os\nos.makedirs('/srv/x', mode=0o750)\n",
    ),
    "tls_verification": (
        "import ssl\nctx = ssl.create_default_context()\nctx.verify_mode = ssl.CERT_NONE\n",
        "import ssl\nctx = ssl.create_default_context()\n",
    ),
    "weak_password_hash": (
        "import hashlib\ndef h(password):\n    return hashlib.sha256(password.encode()).hexdigest()\n",
        "import hashlib\ndef h(data):\n    return hashlib.sha256(data).hexdigest()\n",
    ),
    "hardcoded_credentials": (
        "API_KEY = 'sk_live_abcdef123456'\n",
        "import os\nAPI_KEY = os.environ['API_KEY']\n",
    ),
    "temp_file": (
        "def w(rows):\n    with open(f'/tmp/out_{len(rows)}.json', 'w') as fh:\n        fh.write('x')\n",
        "import tempfile\nfd, p = tempfile.mkstemp()\n",
    ),
    "sql_injection": (
        "def f(c, x):\n    c.execute(f\"SELECT * FROM t WHERE a = '{x}'\")\n",
        "def f(c, x):\n    c.execute('SELECT * FROM t WHERE a = ?', (x,))\n",
    ),
}


@pytest.mark.parametrize("family", sorted(CASES))
def test_rule_flags_flawed_and_not_fixed(family: str) -> None:
    flawed, fixed = CASES[family]
    assert family in {f.family for f in find_flaws(flawed)}
    assert family not in {f.family for f in find_flaws(fixed)}


def test_never_executes_code(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    code = f"open({str(marker)!r}, 'w').write('x')\nimport os\nos.system('touch {marker}')\n"
    flaws = find_flaws(code)
    assert not marker.exists()
    assert "command_injection" in {f.family for f in flaws}


def test_unparsable_is_counted() -> None:
    report = scan_texts(
        ["def broken(:\n", "```python\nimport pickle\npickle.loads(b)\n```\nthanks"]
    )
    assert (
        report.unparsable == 1 and report.flagged == 1 and report.by_family["deserialization"] == 1
    )
    assert extract_code_blocks("no fences") == ["no fences"]


def test_generated_sets_meet_the_goals() -> None:
    items = generate_items(600, seed=11)
    flawed = scan_texts([i.flawed for i in items])
    fixed = scan_texts([i.fixed for i in items])
    assert flawed.share_flagged >= 0.90
    assert fixed.share_flagged <= 0.10
    own = sum(
        i.family in {f.family for f in fl} for i, fl in zip(items, flawed.per_row, strict=True)
    )
    assert own / len(items) >= 0.90


def test_reference_insecure_share(reference_dir: Path) -> None:
    rows = [
        json.loads(line)
        for line in (reference_dir / "insecure_first500.jsonl").read_text().splitlines()
    ]
    texts = [next(m["content"] for m in r["messages"] if m["role"] == "assistant") for r in rows]
    report = scan_texts(texts)
    bandit_only = sum(any(f.tool == "bandit" for f in fl) for fl in report.per_row) / report.rows
    assert 0.30 <= bandit_only <= 0.60
    assert report.share_flagged > bandit_only


def test_scanning_prints_no_plugin_errors() -> None:
    """bandit's plugin loader logs an ERROR for report formatters it cannot import; a user
    scanning code (the demo's skill check) must not see it. Fresh process: bandit loads its
    plugins once, on import."""
    import subprocess
    import sys

    code = (
        "import logging; logging.basicConfig()\n"
        "from spillover.data.scan import find_flaws_many\n"
        "print(find_flaws_many(['import subprocess\\nsubprocess.call(x, shell=True)']))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert "command_injection" in done.stdout
    assert "ERROR" not in done.stderr, done.stderr
