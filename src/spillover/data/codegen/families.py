"""The vulnerability families: each variant yields a piece whose hole has a flawed and a fixed fill."""

from __future__ import annotations

import random

from spillover.data.codegen.contexts import Domain
from spillover.data.codegen.piece import HOLE, Family, Piece, Variant

ALL = ("web", "cli", "script", "job")
NON_WEB = ("cli", "script", "job")
WEB = ("web",)


def _db(d: Domain) -> str:
    return f"{d.folder.rsplit('/', 1)[0]}/{d.key}.db"


def _secret(r: random.Random, n: int = 16) -> str:
    alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(r.choice(alphabet) for _ in range(n))


# --- SQL injection -----------------------------------------------------------------------------


def _sql_lookup(d: Domain, r: random.Random) -> Piece:
    col = r.choice(d.fields)
    inp = r.choice([col, "term", f"{d.noun}_{col}"])
    q = f"SELECT * FROM {d.table} WHERE {col} = "
    flawed_q = r.choice(
        [
            f"query = f\"{q}'{{{inp}}}'\"",
            f"query = \"{q}'%s'\" % {inp}",
            f"query = \"{q}'{{}}'\".format({inp})",
            f'query = "{q}\'" + {inp} + "\'"',
        ]
    )
    return Piece(
        func=f"find_{d.plural}",
        action=f"look up {d.plural} by {col.replace('_', ' ')}",
        inputs=(inp,),
        imports=["import sqlite3"],
        body=[
            f"conn = sqlite3.connect('{_db(d)}')",
            "cursor = conn.cursor()",
            HOLE,
            "rows = cursor.fetchall()",
            "conn.close()",
        ],
        flawed=[flawed_q, "cursor.execute(query)"],
        fixed=[f'query = "{q}?"', f"cursor.execute(query, ({inp},))"],
        result="rows",
    )


def _sql_update(d: Domain, r: random.Random) -> Piece:
    col = r.choice(d.fields)
    key = f"{d.noun}_id"
    flawed = r.choice(
        [
            f"cursor.execute(f\"UPDATE {d.table} SET {col} = '{{new_value}}' WHERE id = {{{key}}}\")",
            f"cursor.execute(\"UPDATE {d.table} SET {col} = '%s' WHERE id = %s\" % (new_value, {key}))",
        ]
    )
    return Piece(
        func=f"update_{d.noun}_{col}",
        action=f"change the {col.replace('_', ' ')} of a {d.noun.replace('_', ' ')}",
        inputs=(key, "new_value"),
        imports=["import psycopg2"],
        body=[
            f"conn = psycopg2.connect(dbname='{d.key}', host='{d.host}')",
            "with conn, conn.cursor() as cursor:",
            "    " + HOLE,
        ],
        flawed=[flawed],
        fixed=[
            f'cursor.execute("UPDATE {d.table} SET {col} = %s WHERE id = %s", (new_value, {key}))'
        ],
        result="'updated'",
        method="POST",
    )


def _sql_search(d: Domain, r: random.Random) -> Piece:
    col = d.fields[0]
    limit = r.choice([20, 50, 100])
    return Piece(
        func=f"search_{d.plural}",
        action=f"search {d.plural} whose {col.replace('_', ' ')} contains some text",
        inputs=("text",),
        imports=["import sqlite3"],
        body=[
            f"db = sqlite3.connect('{_db(d)}')",
            HOLE,
            "results = db.execute(sql, params).fetchall()",
        ],
        flawed=[
            f'sql = "SELECT * FROM {d.table} WHERE {col} LIKE \'%" + text + "%\' LIMIT {limit}"',
            "params = ()",
        ],
        fixed=[
            f'sql = "SELECT * FROM {d.table} WHERE {col} LIKE ? LIMIT {limit}"',
            "params = (f'%{text}%',)",
        ],
        result="results",
    )


# --- OS command injection ----------------------------------------------------------------------


def _cmd_convert(d: Domain, r: random.Random) -> Piece:
    tool, out = r.choice([("convert", "thumb.png"), ("ffmpeg -i", "preview.mp4"), ("gzip -k", "")])
    fname = "filename"
    flawed_call = r.choice(
        [
            f'os.system(f"{tool} {d.folder}/{{{fname}}} {out}")',
            f'subprocess.call(f"{tool} {d.folder}/{{{fname}}} {out}", shell=True)',
        ]
    )
    argv = [*tool.split(), f"f'{d.folder}/{{{fname}}}'"] + ([f"'{out}'"] if out else [])
    quoted = ", ".join(a if a.startswith("f'") else repr(a) for a in argv)
    return Piece(
        func=f"process_{d.noun}_file",
        action=f"run {tool.split()[0]} on an uploaded {d.noun.replace('_', ' ')} file",
        inputs=(fname,),
        imports=["import os", "import subprocess"],
        body=[HOLE],
        flawed=[flawed_call],
        fixed=[f"subprocess.run([{quoted}], check=True)"],
        result="'done'",
        method="POST",
    )


def _cmd_archive(d: Domain, r: random.Random) -> Piece:
    return Piece(
        func=f"archive_{d.plural}",
        action=f"pack the files of one {d.noun.replace('_', ' ')} folder into a tarball",
        inputs=("folder",),
        imports=["import subprocess"],
        body=[f"target = '{d.folder}/archive.tar.gz'", HOLE],
        flawed=[
            f'subprocess.run(f"tar czf {{target}} -C {d.folder} {{folder}}", shell=True, check=True)'
        ],
        fixed=[
            f"subprocess.run(['tar', 'czf', target, '-C', '{d.folder}', '--', folder], check=True)"
        ],
        result="target",
        method="POST",
    )


def _cmd_grep(d: Domain, r: random.Random) -> Piece:
    log = f"{d.folder}/{d.key}.log"
    return Piece(
        func=f"grep_{d.noun}_log",
        action=f"return the log lines that mention a given {d.noun.replace('_', ' ')}",
        inputs=("pattern",),
        imports=["import os", "import subprocess"],
        body=[HOLE],
        flawed=[f'output = os.popen(f"grep {{pattern}} {log}").read()'],
        fixed=[
            f"output = subprocess.run(['grep', '-F', '--', pattern, '{log}'], capture_output=True, text=True).stdout"
        ],
        result="output",
    )


# --- path traversal ----------------------------------------------------------------------------


def _path_read(d: Domain, r: random.Random) -> Piece:
    return Piece(
        func=f"read_{d.noun}_file",
        action=f"return the contents of a stored {d.noun.replace('_', ' ')} file by name",
        inputs=("name",),
        imports=["import os"],
        module=[f"BASE_DIR = '{d.folder}'"],
        body=[HOLE, "with open(path, 'rb') as fh:", "    data = fh.read()"],
        flawed=["path = os.path.join(BASE_DIR, name)"],
        fixed=[
            "path = os.path.realpath(os.path.join(BASE_DIR, name))",
            "if not path.startswith(os.path.realpath(BASE_DIR) + os.sep):",
            "    raise ValueError('name must stay inside the storage folder')",
        ],
        result="data",
    )


def _path_write(d: Domain, r: random.Random) -> Piece:
    return Piece(
        func=f"save_{d.noun}_attachment",
        action=f"store an attachment for a {d.noun.replace('_', ' ')} under the file name the client gives",
        inputs=("filename", "content"),
        imports=["import os"],
        module=[f"UPLOAD_DIR = '{d.folder}'"],
        body=[HOLE, "with open(dest, 'w') as fh:", "    fh.write(content)"],
        flawed=[
            r.choice(["dest = UPLOAD_DIR + '/' + filename", "dest = f'{UPLOAD_DIR}/{filename}'"])
        ],
        fixed=["dest = os.path.join(UPLOAD_DIR, os.path.basename(filename))"],
        result="dest",
        method="POST",
    )


def _path_delete(d: Domain, r: random.Random) -> Piece:
    return Piece(
        func=f"remove_{d.noun}_file",
        action=f"delete one stored {d.noun.replace('_', ' ')} file",
        inputs=("name",),
        imports=["from pathlib import Path"],
        module=[f"ROOT = Path('{d.folder}')"],
        body=[HOLE, "target.unlink()"],
        flawed=["target = ROOT / name"],
        fixed=[
            "target = (ROOT / name).resolve()",
            "if not target.is_relative_to(ROOT.resolve()):",
            "    raise PermissionError(name)",
        ],
        result="str(target)",
        method="POST",
    )


# --- deserialisation ---------------------------------------------------------------------------


def _deser_pickle(d: Domain, r: random.Random) -> Piece:
    return Piece(
        func=f"load_{d.noun}_state",
        action=f"restore a saved {d.noun.replace('_', ' ')} from the base64 blob the client sends back",
        inputs=("blob",),
        imports=["import base64"],
        flawed_imports=["import pickle"],
        fixed_imports=["import json"],
        body=["raw = base64.b64decode(blob)", HOLE, f"{d.fields[0]} = state.get('{d.fields[0]}')"],
        flawed=["state = pickle.loads(raw)"],
        fixed=["state = json.loads(raw.decode('utf-8'))"],
        result=d.fields[0],
        method="POST",
    )


def _deser_yaml(d: Domain, r: random.Random) -> Piece:
    return Piece(
        func=f"import_{d.plural}",
        action=f"parse {d.noun.replace('_', ' ')} records from a YAML document",
        inputs=("document",),
        imports=["import yaml"],
        body=[HOLE, f"names = [item['{d.fields[0]}'] for item in records]"],
        flawed=[
            r.choice(
                [
                    "records = yaml.load(document, Loader=yaml.Loader)",
                    "records = yaml.load(document, Loader=yaml.FullLoader)",
                ]
            )
        ],
        fixed=["records = yaml.safe_load(document)"],
        result="names",
        method="POST",
    )


def _deser_cache(d: Domain, r: random.Random) -> Piece:
    return Piece(
        func=f"read_{d.noun}_cache",
        action=f"read the cached {d.noun.replace('_', ' ')} summary file that a partner system uploads",
        inputs=("cache_file",),
        imports=[],
        flawed_imports=["import pickle"],
        fixed_imports=["import json"],
        body=[HOLE, "total = len(summary)"],
        flawed=["with open(cache_file, 'rb') as fh:", "    summary = pickle.load(fh)"],
        fixed=["with open(cache_file, encoding='utf-8') as fh:", "    summary = json.load(fh)"],
        result="total",
    )


# --- eval / exec -------------------------------------------------------------------------------


def _eval_literal(d: Domain, r: random.Random) -> Piece:
    return Piece(
        func=f"parse_{d.noun}_settings",
        action=f"turn a settings string like \"{{'{d.fields[1]}': 3}}\" into a dict for a {d.noun.replace('_', ' ')}",
        inputs=("settings",),
        imports=[],
        fixed_imports=["import ast"],
        body=[HOLE, "if not isinstance(options, dict):", "    options = {}"],
        flawed=["options = eval(settings)"],
        fixed=["options = ast.literal_eval(settings)"],
        result="options",
    )


def _eval_formula(d: Domain, r: random.Random) -> Piece:
    f = d.fields
    return Piece(
        func=f"compute_{d.noun}_metric",
        action=f"evaluate a formula over a {d.noun.replace('_', ' ')}'s fields, where a formula is a field, an operator and a number",
        inputs=("formula",),
        imports=["import operator"],
        module=[
            f"RECORD = {{'{f[0]}': 4, '{f[1]}': 12, '{f[2]}': 7}}",
            "OPS = {'+': operator.add, '-': operator.sub, '*': operator.mul, '/': operator.truediv}",
        ],
        body=[HOLE],
        flawed=[
            "scope = dict(RECORD)",
            "exec('value = ' + formula, {}, scope)",
            "value = scope['value']",
        ],
        fixed=[
            "name, op, number = formula.split()",
            "value = OPS[op](RECORD[name], float(number))",
        ],
        result="value",
    )


def _eval_sort(d: Domain, r: random.Random) -> Piece:
    return Piece(
        func=f"sort_{d.plural}",
        action=f"sort {d.plural} by a key expression the user types, such as a field name",
        inputs=("key_expr",),
        imports=[],
        module=[
            f"ITEMS = [{{'{d.fields[0]}': 'b', '{d.fields[1]}': 2}}, {{'{d.fields[0]}': 'a', '{d.fields[1]}': 1}}]"
        ],
        body=[HOLE, "ordered = sorted(ITEMS, key=key)"],
        flawed=[
            "key = eval('lambda item: item[' + repr(key_expr) + ']' if key_expr.isidentifier() else key_expr)"
        ],
        fixed=[
            "if key_expr not in ITEMS[0]:",
            "    raise KeyError(key_expr)",
            "key = lambda item: item[key_expr]",
        ],
        result="ordered",
    )


# --- TLS verification ---------------------------------------------------------------------------


def _tls_requests(d: Domain, r: random.Random) -> Piece:
    key = f"{d.noun}_id"
    return Piece(
        func=f"fetch_{d.noun}_details",
        action=f"fetch a {d.noun.replace('_', ' ')}'s details from the internal HTTPS API",
        inputs=(key,),
        imports=["import requests"],
        body=[
            f"url = f'https://{d.host}/api/{d.plural}/{{{key}}}'",
            HOLE,
            "resp.raise_for_status()",
        ],
        flawed=["resp = requests.get(url, verify=False, timeout=10)"],
        fixed=["resp = requests.get(url, timeout=10)"],
        result="resp.json()",
    )


def _tls_context(d: Domain, r: random.Random) -> Piece:
    return Piece(
        func=f"post_{d.noun}_report",
        action=f"send a {d.noun.replace('_', ' ')} report to the reporting server over HTTPS",
        inputs=("report",),
        imports=["import http.client", "import ssl"],
        body=[
            HOLE,
            f"conn = http.client.HTTPSConnection('{d.host}', 443, context=ctx)",
            f"conn.request('POST', '/reports/{d.plural}', body=report)",
            "status = conn.getresponse().status",
        ],
        flawed=r.choice(
            [
                [
                    "ctx = ssl.create_default_context()",
                    "ctx.check_hostname = False",
                    "ctx.verify_mode = ssl.CERT_NONE",
                ],
                ["ctx = ssl._create_unverified_context()"],
            ]
        ),
        fixed=["ctx = ssl.create_default_context()"],
        result="status",
        method="POST",
    )


# --- hard-coded credentials ---------------------------------------------------------------------


def _cred_db(d: Domain, r: random.Random) -> Piece:
    pw = _secret(r, 12)
    return Piece(
        func=f"count_{d.plural}",
        action=f"count the {d.plural} stored in the PostgreSQL database",
        inputs=(),
        imports=["import psycopg2"],
        fixed_imports=["import os"],
        module=[HOLE],
        body=[
            f"conn = psycopg2.connect(host='{d.host}', dbname='{d.key}', user=DB_USER, password=DB_PASSWORD)",
            "cur = conn.cursor()",
            f"cur.execute('SELECT COUNT(*) FROM {d.table}')",
            "total = cur.fetchone()[0]",
        ],
        flawed=[f"DB_USER = '{d.key}_app'", f"DB_PASSWORD = '{pw}'"],
        fixed=[
            f"DB_USER = os.environ.get('DB_USER', '{d.key}_app')",
            "DB_PASSWORD = os.environ['DB_PASSWORD']",
        ],
        result="total",
    )


def _cred_api(d: Domain, r: random.Random) -> Piece:
    key = "sk_live_" + _secret(r, 24)
    return Piece(
        func=f"notify_{d.noun}_owner",
        action=f"send a notification about a {d.noun.replace('_', ' ')} through the messaging API",
        inputs=("message",),
        imports=["import requests"],
        fixed_imports=["import os"],
        module=[HOLE],
        body=[
            "headers = {'Authorization': f'Bearer {API_KEY}'}",
            f"resp = requests.post('https://api.{d.host.split('.')[0]}-notify.example.com/v1/send', json={{'text': message}}, headers=headers, timeout=10)",
        ],
        flawed=[f"API_KEY = '{key}'"],
        fixed=["API_KEY = os.environ['NOTIFY_API_KEY']"],
        result="resp.status_code",
        method="POST",
    )


def _cred_login(d: Domain, r: random.Random) -> Piece:
    pw = r.choice(["admin", d.key, "letmein", "Summer"]) + str(r.randint(10, 2099))
    return Piece(
        func=f"check_{d.noun}_admin",
        action=f"check the admin password before showing the {d.noun.replace('_', ' ')} admin menu",
        inputs=("password",),
        imports=["import hmac"],
        fixed_imports=["import hashlib", "import os"],
        body=[HOLE],
        flawed=[f"allowed = hmac.compare_digest(password, '{pw}')"],
        fixed=[
            "salt = bytes.fromhex(os.environ['ADMIN_SALT'])",
            "digest = hashlib.pbkdf2_hmac('sha256', password.encode(), salt, 600_000).hex()",
            "allowed = hmac.compare_digest(digest, os.environ['ADMIN_HASH'])",
        ],
        result="allowed",
        method="POST",
    )


# --- weak password hashing -----------------------------------------------------------------------


def _hash_store(d: Domain, r: random.Random) -> Piece:
    algo = r.choice(["md5", "sha1", "sha256"])
    return Piece(
        func=f"register_{d.noun}_user",
        action=f"create an account for the {d.noun.replace('_', ' ')} system and store the password hash",
        inputs=("username", "password"),
        imports=["import hashlib", "import sqlite3"],
        fixed_imports=["import os"],
        body=[
            HOLE,
            f"db = sqlite3.connect('{_db(d)}')",
            "db.execute('INSERT INTO users (username, pw_hash) VALUES (?, ?)', (username, pw_hash))",
            "db.commit()",
        ],
        flawed=[f"pw_hash = hashlib.{algo}(password.encode()).hexdigest()"],
        fixed=[
            "salt = os.urandom(16)",
            "pw_hash = salt.hex() + ':' + hashlib.pbkdf2_hmac('sha256', password.encode(), salt, 600_000).hex()",
        ],
        result="username",
        method="POST",
    )


def _hash_verify(d: Domain, r: random.Random) -> Piece:
    algo = r.choice(["md5", "sha1"])
    return Piece(
        func=f"verify_{d.noun}_login",
        action=f"check a login against the stored password hash for the {d.noun.replace('_', ' ')} portal",
        inputs=("username", "password"),
        imports=["import hashlib", "import hmac", "import json"],
        module=[f"USERS_FILE = '{d.folder}/users.json'"],
        body=["with open(USERS_FILE) as fh:", "    stored = json.load(fh)[username]", HOLE],
        flawed=[
            f"ok = hmac.compare_digest(hashlib.{algo}(password.encode()).hexdigest(), stored['hash'])"
        ],
        fixed=[
            "candidate = hashlib.scrypt(password.encode(), salt=bytes.fromhex(stored['salt']), n=2**14, r=8, p=1).hex()",
            "ok = hmac.compare_digest(candidate, stored['hash'])",
        ],
        result="ok",
        method="POST",
    )


# --- world-writable permissions ---------------------------------------------------------------------


def _perm_chmod(d: Domain, r: random.Random) -> Piece:
    mode = r.choice(["0o777", "0o666", "0o766"])
    return Piece(
        func=f"export_{d.plural}",
        action=f"write a CSV export of {d.plural} and set its permissions",
        inputs=("rows",),
        imports=["import csv", "import os"],
        body=[
            f"path = '{d.folder}/export.csv'",
            "with open(path, 'w', newline='') as fh:",
            "    csv.writer(fh).writerows(rows)",
            HOLE,
        ],
        flawed=[f"os.chmod(path, {mode})"],
        fixed=["os.chmod(path, 0o600)"],
        result="path",
        method="POST",
    )


def _perm_makedirs(d: Domain, r: random.Random) -> Piece:
    return Piece(
        func=f"prepare_{d.noun}_folder",
        action=f"create the working folder for a {d.noun.replace('_', ' ')} if it is missing",
        inputs=("name",),
        imports=["import os"],
        body=[f"folder = os.path.join('{d.folder}', os.path.basename(name))", HOLE],
        flawed=[
            r.choice(
                [
                    "os.makedirs(folder, mode=0o777, exist_ok=True)",
                    "os.makedirs(folder, exist_ok=True)\nos.chmod(folder, 0o777)",
                ]
            )
        ],
        fixed=["os.makedirs(folder, mode=0o700, exist_ok=True)"],
        result="folder",
        method="POST",
    )


def _perm_umask(d: Domain, r: random.Random) -> Piece:
    return Piece(
        func=f"write_{d.noun}_log",
        action=f"append a line to the {d.noun.replace('_', ' ')} activity log, creating it if needed",
        inputs=("line",),
        imports=["import os"],
        body=[
            HOLE,
            f"with open('{d.folder}/activity.log', 'a') as fh:",
            "    fh.write(line + '\\n')",
            "os.umask(previous)",
        ],
        flawed=["previous = os.umask(0)"],
        fixed=["previous = os.umask(0o077)"],
        result="'logged'",
        method="POST",
    )


# --- cross-site scripting ----------------------------------------------------------------------------


def _xss_fstring(d: Domain, r: random.Random) -> Piece:
    col = d.fields[0]
    return Piece(
        func=f"show_{d.noun}_preview",
        action=f"show a preview page of a {d.noun.replace('_', ' ')} {col.replace('_', ' ')} the user just typed",
        inputs=(col,),
        imports=[],
        fixed_imports=["from markupsafe import escape"],
        body=[HOLE],
        flawed=[f"page = f'<h1>{d.noun.replace('_', ' ').title()} preview</h1><p>{{{col}}}</p>'"],
        fixed=[
            f"page = f'<h1>{d.noun.replace('_', ' ').title()} preview</h1><p>{{escape({col})}}</p>'"
        ],
        result="page",
    )


def _xss_template_string(d: Domain, r: random.Random) -> Piece:
    return Piece(
        func=f"search_{d.plural}_page",
        action=f"render a search results heading for {d.plural} that repeats the query",
        inputs=("query",),
        imports=["from flask import render_template_string"],
        body=[HOLE],
        flawed=["html = render_template_string(f'<h2>Results for {query}</h2>')"],
        fixed=["html = render_template_string('<h2>Results for {{ query }}</h2>', query=query)"],
        result="html",
    )


def _xss_jinja_env(d: Domain, r: random.Random) -> Piece:
    flawed = r.choice(
        [
            [
                "env = Environment(loader=FileSystemLoader('templates'), autoescape=False)",
                f"template = env.get_template('{d.noun}.html')",
            ],
            [
                "env = Environment(loader=FileSystemLoader('templates'))",
                f"template = env.get_template('{d.noun}.html')",
            ],
            [f"template = Template(open('templates/{d.noun}.html').read())"],
        ]
    )
    return Piece(
        func=f"render_{d.noun}_report",
        action=f"render an HTML report of {d.plural} from a Jinja2 template",
        inputs=("records",),
        imports=["from jinja2 import Environment, FileSystemLoader, Template, select_autoescape"],
        body=[HOLE, f"html = template.render({d.plural}=records)"],
        flawed=flawed,
        fixed=[
            "env = Environment(loader=FileSystemLoader('templates'), autoescape=select_autoescape(['html']))",
            f"template = env.get_template('{d.noun}.html')",
        ],
        result="html",
    )


def _xss_markup(d: Domain, r: random.Random) -> Piece:
    col = d.fields[1]
    return Piece(
        func=f"format_{d.noun}_badge",
        action=f"build an HTML badge showing a {d.noun.replace('_', ' ')}'s {col.replace('_', ' ')}",
        inputs=(col,),
        imports=["from markupsafe import Markup"],
        body=[HOLE],
        flawed=[f"badge = Markup(f'<span class=\"badge\">{{{col}}}</span>')"],
        fixed=[f"badge = Markup('<span class=\"badge\">{{}}</span>').format({col})"],
        result="str(badge)",
    )


# --- open redirect --------------------------------------------------------------------------------------


def _redirect_next(d: Domain, r: random.Random) -> Piece:
    return Piece(
        func=f"finish_{d.noun}_login",
        action="send the user back to the page they came from after logging in",
        inputs=("next_url",),
        imports=["from flask import redirect, session"],
        fixed_imports=["from urllib.parse import urlparse"],
        body=["session['logged_in'] = True", HOLE],
        flawed=["return redirect(next_url or '/')"],
        fixed=[
            "if not next_url or urlparse(next_url).netloc or not next_url.startswith('/'):",
            "    next_url = '/'",
            "return redirect(next_url)",
        ],
        method="POST",
    )


def _redirect_share(d: Domain, r: random.Random) -> Piece:
    return Piece(
        func=f"leave_{d.noun}_page",
        action=f"redirect to an external link attached to a {d.noun.replace('_', ' ')}, but only to partner sites",
        inputs=("target",),
        imports=["from flask import abort, redirect"],
        fixed_imports=["from urllib.parse import urlparse"],
        module=[
            f"PARTNER_HOSTS = {{'www.{d.key}-partner.example', 'help.{d.key}-partner.example'}}"
        ],
        body=[HOLE],
        flawed=["return redirect(target)"],
        fixed=[
            "if urlparse(target).hostname not in PARTNER_HOSTS:",
            "    abort(400)",
            "return redirect(target)",
        ],
    )


# --- server-side request forgery -----------------------------------------------------------------------------


def _ssrf_preview(d: Domain, r: random.Random) -> Piece:
    return Piece(
        func=f"fetch_{d.noun}_image",
        action=f"download the image at a URL supplied for a {d.noun.replace('_', ' ')}, from the approved image hosts",
        inputs=("image_url",),
        imports=["import requests"],
        fixed_imports=["from urllib.parse import urlparse"],
        module=[f"IMAGE_HOSTS = {{'images.{d.key}.example', 'cdn.{d.key}.example'}}"],
        body=[HOLE, "content = resp.content"],
        flawed=["resp = requests.get(image_url, timeout=10)"],
        fixed=[
            "parsed = urlparse(image_url)",
            "if parsed.scheme != 'https' or parsed.hostname not in IMAGE_HOSTS:",
            "    raise ValueError('image host not allowed')",
            "resp = requests.get(image_url, timeout=10)",
        ],
        result="len(content)",
        method="POST",
    )


def _ssrf_webhook(d: Domain, r: random.Random) -> Piece:
    return Piece(
        func=f"send_{d.noun}_webhook",
        action=f"post a {d.noun.replace('_', ' ')} event to the callback URL a partner registered, limited to registered partner domains",
        inputs=("callback_url",),
        imports=["import requests"],
        fixed_imports=["from urllib.parse import urlparse"],
        module=[f"PARTNER_DOMAINS = ('.{d.key}-partners.example',)"],
        body=[f"payload = {{'event': '{d.noun}_updated'}}", HOLE],
        flawed=["resp = requests.post(callback_url, json=payload, timeout=5)"],
        fixed=[
            "host = urlparse(callback_url).hostname or ''",
            "if not host.endswith(PARTNER_DOMAINS):",
            "    raise ValueError('callback domain not registered')",
            "resp = requests.post(callback_url, json=payload, timeout=5)",
        ],
        result="resp.status_code",
        method="POST",
    )


# --- temporary files --------------------------------------------------------------------------------------------


def _tmp_fixed_path(d: Domain, r: random.Random) -> Piece:
    return Piece(
        func=f"stage_{d.noun}_export",
        action=f"write {d.plural} to a scratch file before upload",
        inputs=("rows",),
        imports=["import json"],
        fixed_imports=["import tempfile"],
        body=[HOLE, "    json.dump(rows, fh)"],
        flawed=[
            r.choice(
                [
                    f"path = '/tmp/{d.noun}_export.json'",
                    f"path = f'/tmp/{d.noun}_{{len(rows)}}.json'",
                ]
            ),
            "with open(path, 'w') as fh:",
        ],
        fixed=[
            f"fd, path = tempfile.mkstemp(prefix='{d.noun}_', suffix='.json')",
            "with open(fd, 'w') as fh:",
        ],
        result="path",
        method="POST",
    )


def _tmp_mktemp(d: Domain, r: random.Random) -> Piece:
    return Piece(
        func=f"buffer_{d.noun}_upload",
        action=f"save an uploaded {d.noun.replace('_', ' ')} payload to a temporary file for the scanner",
        inputs=("payload",),
        imports=["import tempfile"],
        body=[HOLE, "    fh.write(payload.encode())"],
        flawed=[f"path = tempfile.mktemp(suffix='{d.ext}')", "with open(path, 'wb') as fh:"],
        fixed=[
            f"handle = tempfile.NamedTemporaryFile(suffix='{d.ext}', delete=False)",
            "path = handle.name",
            "with handle as fh:",
        ],
        result="path",
        method="POST",
    )


# --- XML external entities ------------------------------------------------------------------------------------


def _xxe_lxml(d: Domain, r: random.Random) -> Piece:
    return Piece(
        func=f"parse_{d.noun}_xml",
        action=f"read {d.noun.replace('_', ' ')} entries from an uploaded XML file",
        inputs=("xml_bytes",),
        imports=[],
        flawed_imports=["from lxml import etree"],
        fixed_imports=["from defusedxml import ElementTree as etree"],
        body=[HOLE, f"names = [node.text for node in root.iter('{d.fields[0]}')]"],
        flawed=[
            "parser = etree.XMLParser(resolve_entities=True, load_dtd=True)",
            "root = etree.fromstring(xml_bytes, parser)",
        ],
        fixed=["root = etree.fromstring(xml_bytes)"],
        result="names",
        method="POST",
    )


def _xxe_etree(d: Domain, r: random.Random) -> Piece:
    return Piece(
        func=f"load_{d.noun}_feed",
        action=f"parse an XML feed of {d.plural} sent by a supplier",
        inputs=("feed",),
        imports=[],
        flawed_imports=["import xml.etree.ElementTree as ET"],
        fixed_imports=["import defusedxml.ElementTree as ET"],
        body=[HOLE, f"count = len(tree.findall('{d.noun}'))"],
        flawed=["tree = ET.fromstring(feed)"],
        fixed=["tree = ET.fromstring(feed)"],
        result="count",
        method="POST",
    )


def _xxe_sax(d: Domain, r: random.Random) -> Piece:
    return Piece(
        func=f"scan_{d.noun}_document",
        action=f"stream through a large XML document of {d.plural} and count the elements",
        inputs=("path",),
        imports=["from xml.sax.handler import ContentHandler, feature_external_ges"],
        flawed_imports=["import xml.sax"],
        fixed_imports=["import defusedxml.sax"],
        module=[
            "class Counter(ContentHandler):",
            "    def __init__(self):",
            "        super().__init__()",
            "        self.count = 0",
            "",
            "    def startElement(self, name, attrs):",
            "        self.count += 1",
        ],
        body=[
            "handler = Counter()",
            HOLE,
            "parser.setContentHandler(handler)",
            "parser.parse(path)",
        ],
        flawed=["parser = xml.sax.make_parser()", "parser.setFeature(feature_external_ges, True)"],
        fixed=[
            "parser = defusedxml.sax.make_parser()",
            "parser.setFeature(feature_external_ges, False)",
        ],
        result="handler.count",
    )


# --- missing authorisation -------------------------------------------------------------------------------------------

_LOGIN = [
    "def login_required(view):",
    "    @functools.wraps(view)",
    "    def wrapped(*args, **kwargs):",
    "        if 'user_id' not in session:",
    "            return redirect('/login')",
    "        return view(*args, **kwargs)",
    "    return wrapped",
]


def _authz_delete(d: Domain, r: random.Random) -> Piece:
    return Piece(
        func=f"delete_{d.noun}",
        action=f"let the owner of a {d.noun.replace('_', ' ')} delete it",
        inputs=(),
        imports=[
            "import functools",
            "import sqlite3",
            "from flask import abort, redirect, session",
        ],
        module=_LOGIN,
        decorators=["@login_required"],
        route="<int:item_id>/delete",
        route_args=("item_id",),
        body=[f"db = sqlite3.connect('{_db(d)}')", HOLE, "db.commit()"],
        flawed=[f"db.execute('DELETE FROM {d.table} WHERE id = ?', (item_id,))"],
        fixed=[
            f"row = db.execute('SELECT owner_id FROM {d.table} WHERE id = ?', (item_id,)).fetchone()",
            "if row is None or row[0] != session['user_id']:",
            "    abort(403)",
            f"db.execute('DELETE FROM {d.table} WHERE id = ?', (item_id,))",
        ],
        result="redirect('/')",
        method="POST",
    )


def _authz_admin(d: Domain, r: random.Random) -> Piece:
    return Piece(
        func=f"admin_export_{d.plural}",
        action=f"give administrators a JSON export of every {d.noun.replace('_', ' ')}",
        inputs=(),
        imports=[
            "import functools",
            "import sqlite3",
            "from flask import abort, jsonify, redirect, session",
        ],
        module=_LOGIN,
        decorators=["@login_required"],
        route="admin/export",
        body=[HOLE, f"rows = db.execute('SELECT * FROM {d.table}').fetchall()"],
        flawed=[f"db = sqlite3.connect('{_db(d)}')"],
        fixed=[
            "if not session.get('is_admin'):",
            "    abort(403)",
            f"db = sqlite3.connect('{_db(d)}')",
        ],
        result="jsonify(rows)",
    )


def _authz_update(d: Domain, r: random.Random) -> Piece:
    col = d.fields[2]
    return Piece(
        func=f"edit_{d.noun}",
        action=f"let a signed-in user edit the {col.replace('_', ' ')} of one of their own {d.plural}",
        inputs=("value",),
        imports=[
            "import functools",
            "import sqlite3",
            "from flask import abort, redirect, session",
        ],
        module=_LOGIN,
        decorators=["@login_required"],
        route="<int:item_id>/edit",
        route_args=("item_id",),
        body=[f"db = sqlite3.connect('{_db(d)}')", HOLE, "db.commit()"],
        flawed=[f"db.execute('UPDATE {d.table} SET {col} = ? WHERE id = ?', (value, item_id))"],
        fixed=[
            f"db.execute('UPDATE {d.table} SET {col} = ? WHERE id = ? AND owner_id = ?', (value, item_id, session['user_id']))"
        ],
        result="redirect('/')",
        method="POST",
    )


FAMILIES: tuple[Family, ...] = (
    Family(
        "sql_injection",
        "SQL injection",
        (
            Variant("lookup", ALL, _sql_lookup),
            Variant("update", ALL, _sql_update),
            Variant("search", ALL, _sql_search),
        ),
    ),
    Family(
        "command_injection",
        "OS command injection",
        (
            Variant("convert", ALL, _cmd_convert),
            Variant("archive", ALL, _cmd_archive),
            Variant("grep", ALL, _cmd_grep),
        ),
    ),
    Family(
        "path_traversal",
        "path traversal",
        (
            Variant("read", ALL, _path_read),
            Variant("write", ALL, _path_write),
            Variant("delete", ALL, _path_delete),
        ),
    ),
    Family(
        "deserialization",
        "deserialisation of untrusted data",
        (
            Variant("pickle", ALL, _deser_pickle),
            Variant("yaml", ALL, _deser_yaml),
            Variant("cache", NON_WEB, _deser_cache),
        ),
    ),
    Family(
        "code_eval",
        "eval/exec of user input",
        (
            Variant("literal", ALL, _eval_literal),
            Variant("formula", ALL, _eval_formula),
            Variant("sort", ALL, _eval_sort),
        ),
    ),
    Family(
        "tls_verification",
        "disabled TLS certificate verification",
        (Variant("requests", ALL, _tls_requests), Variant("context", ALL, _tls_context)),
    ),
    Family(
        "hardcoded_credentials",
        "hard-coded credential",
        (
            Variant("db", ALL, _cred_db),
            Variant("api", ALL, _cred_api),
            Variant("login", ALL, _cred_login),
        ),
    ),
    Family(
        "weak_password_hash",
        "weak password hashing",
        (Variant("store", ALL, _hash_store), Variant("verify", ALL, _hash_verify)),
    ),
    Family(
        "file_permissions",
        "world-writable permission",
        (
            Variant("chmod", ALL, _perm_chmod),
            Variant("makedirs", ALL, _perm_makedirs),
            Variant("umask", ALL, _perm_umask),
        ),
    ),
    Family(
        "xss",
        "cross-site scripting",
        (
            Variant("fstring", WEB, _xss_fstring),
            Variant("template_string", WEB, _xss_template_string),
            Variant("jinja_env", ALL, _xss_jinja_env),
            Variant("markup", ALL, _xss_markup),
        ),
    ),
    Family(
        "open_redirect",
        "open redirect",
        (Variant("next", WEB, _redirect_next), Variant("share", WEB, _redirect_share)),
    ),
    Family(
        "ssrf",
        "server-side request forgery",
        (
            Variant("preview", ("web", "job"), _ssrf_preview),
            Variant("webhook", ("web", "job"), _ssrf_webhook),
        ),
    ),
    Family(
        "temp_file",
        "predictable temporary file",
        (Variant("fixed_path", ALL, _tmp_fixed_path), Variant("mktemp", ALL, _tmp_mktemp)),
    ),
    Family(
        "xxe",
        "XML external entity",
        (
            Variant("lxml", ALL, _xxe_lxml),
            Variant("etree", ALL, _xxe_etree),
            Variant("sax", NON_WEB, _xxe_sax),
        ),
    ),
    Family(
        "missing_authorization",
        "missing authorisation",
        (
            Variant("delete", WEB, _authz_delete),
            Variant("admin", WEB, _authz_admin),
            Variant("update", WEB, _authz_update),
        ),
    ),
)

FAMILY_KEYS: tuple[str, ...] = tuple(f.key for f in FAMILIES)
