"""Weakness class: OS command injection.

Each variant yields a piece whose hole has a flawed and a fixed fill.
"""

from __future__ import annotations

import random

from spillover.data.codegen.contexts import Domain
from spillover.data.codegen.families._common import ALL
from spillover.data.codegen.piece import HOLE, Family, Piece, Variant


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


FAMILY = Family(
    "command_injection",
    "OS command injection",
    (
        Variant("convert", ALL, _cmd_convert),
        Variant("archive", ALL, _cmd_archive),
        Variant("grep", ALL, _cmd_grep),
    ),
)
