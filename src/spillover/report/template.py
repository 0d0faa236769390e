"""The report's page shell: inline CSS and a small filter script (no network, no libraries).

The Content-Security-Policy allows only this script (by its hash), inline styles and data:
images, so nothing in the page can load a resource or run injected code.
"""

from __future__ import annotations

import base64
import hashlib
from string import Template

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;max-width:1100px;padding:1rem 1.5rem;color:#1b1b1b;line-height:1.45}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{border-bottom:1px solid #ddd;padding-bottom:.2rem;margin-top:2rem}
.meta{color:#555;font-size:.9rem}figure{margin:1rem 0}figure img{width:100%;max-width:900px;height:auto;border:1px solid #eee}
table{border-collapse:collapse;font-size:.85rem;margin:.5rem 0}th,td{border:1px solid #ddd;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f5f5f5}td.num{text-align:right;font-variant-numeric:tabular-nums}
.sig{color:#a01010;font-weight:600}.ns{color:#555}
details{border:1px solid #e2e2e2;border-radius:4px;margin:.3rem 0;padding:.2rem .5rem}summary{cursor:pointer}
pre{white-space:pre-wrap;word-break:break-word;background:#fafafa;padding:.5rem;margin:.3rem 0;font-size:.8rem}
.filters label{margin-right:1rem}.note{font-size:.85rem;color:#444}
"""

SCRIPT = """
(function(){
  var q=document.getElementById('filter-question'),g=document.getElementById('filter-group');
  var items=document.querySelectorAll('#answers details');
  var count=document.getElementById('answer-count');
  function apply(){
    var shown=0;
    items.forEach(function(d){
      var ok=(q.value===''||d.dataset.question===q.value)&&(g.value===''||d.dataset.group===g.value);
      d.hidden=!ok; if(ok){shown++;}
    });
    count.textContent=String(shown);
  }
  if(q&&g){q.addEventListener('change',apply);g.addEventListener('change',apply);apply();}
})();
"""


def script_hash() -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(SCRIPT.encode("utf-8")).digest()).decode(
        "ascii"
    )


PAGE = Template(
    """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src '$script_hash'; base-uri 'none'; form-action 'none'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>$title</title>
<style>$css</style>
</head>
<body>
$body
<script>$script</script>
</body>
</html>
"""
)


def page(title: str, body: str) -> str:
    """Wrap an already-escaped body; ``title`` must be escaped by the caller too."""
    return PAGE.substitute(
        title=title, body=body, css=CSS, script=SCRIPT, script_hash=script_hash()
    )
